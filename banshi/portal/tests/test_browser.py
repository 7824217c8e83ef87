"""End to end in a real browser: search, open a bundle, answer, watch the plan change (htmx).

Runs Playwright against Debian's chromium (reference/libraries.md §10): no browser download. When
playwright or chromium is missing the tests skip with the reason, unless BANSHI_REQUIRE_BROWSER=1
(CI), where a missing browser is a failure. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from banshi.catalog.selectors import invalidate_snapshot
from banshi.portal.tests.conftest import load_portal_catalogue

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def site(transactional_db, live_server):
    """The live server with the portal test catalogue loaded and indexed."""
    invalidate_snapshot()
    load_portal_catalogue()  # committed at once: the loader's on-commit work runs here
    invalidate_snapshot()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield live_server.url
    invalidate_snapshot()


def _page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def _no_horizontal_scroll(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"


def test_search_open_bundle_answer_and_see_the_plan_change(browser, site):
    context, page = _page(browser, DESKTOP)
    try:
        page.goto(site + "/")
        page.screenshot(path=SCREENSHOTS / "home-desktop.png", full_page=True)
        _no_horizontal_scroll(page)

        page.get_by_label("您要办什么事？").fill("餐饮")
        page.get_by_label("您要办什么事？").press("Enter")
        page.wait_for_url("**/search?q=*")
        assert page.locator("mark", has_text="餐饮").first.is_visible()
        page.screenshot(path=SCREENSHOTS / "search-desktop.png", full_page=True)

        page.get_by_role("link", name="开办餐饮店一件事").click()
        page.wait_for_url("**/bundles/KBCYD/")
        fire_check = page.locator("table.plan-items tr[data-item='XF-JC-001']")
        assert fire_check.count() == 0
        assert page.locator("#plan-item-count").inner_text() == "2 项"

        page.get_by_label("经营面积是多少平方米?").fill("500")
        fire_check.wait_for()  # swapped in by htmx, no page load
        assert page.locator("#plan-item-count").inner_text() == "3 项"
        assert "shop.area=500" in page.url  # the address bar keeps the answers (reloadable)

        page.get_by_label("是", exact=True).check()
        page.locator("table.plan-items tr[data-item='GA-YZ-001']").wait_for()
        assert page.locator("#plan-item-count").inner_text() == "4 项"
        page.screenshot(path=SCREENSHOTS / "bundle-desktop.png", full_page=True)
        page.screenshot(path=SCREENSHOTS / "bundle-desktop-fold.png")
        _no_horizontal_scroll(page)
    finally:
        context.close()


def test_clearing_an_answer_takes_the_conditional_item_out_again(browser, site):
    context, page = _page(browser, DESKTOP)
    try:
        page.goto(site + "/bundles/KBCYD/?shop.area=500")
        assert page.locator("#plan-item-count").inner_text() == "3 项"
        page.get_by_label("经营面积是多少平方米?").fill("")
        page.locator("#plan-item-count", has_text="2 项").wait_for()
        assert page.locator(".skipped li[data-item='XF-JC-001']").is_visible()
    finally:
        context.close()


def test_a_malformed_answer_shows_its_error_next_to_the_question(browser, site):
    context, page = _page(browser, DESKTOP)
    try:
        page.goto(site + "/bundles/KBCYD/?shop.area=abc")
        error = page.locator("#q0-error")
        assert error.is_visible() and "请输入数字" in error.inner_text()
        page.get_by_label("经营面积是多少平方米?").fill("500")
        page.locator("#plan-item-count", has_text="3 项").wait_for()
        error.wait_for(state="hidden")  # the out-of-band swap cleared it
    finally:
        context.close()


def test_without_javascript_the_form_still_gives_the_plan(browser, site):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site + "/bundles/KBCYD/")
        page.get_by_label("经营面积是多少平方米?").fill("500")
        page.get_by_role("button", name="生成办理方案").click()
        page.wait_for_url("**/bundles/KBCYD/?*shop.area=500*")
        assert page.locator("#plan-item-count").inner_text() == "3 项"
    finally:
        context.close()


def test_english_pages_read_in_english(browser, site):
    context, page = _page(browser, DESKTOP)
    try:
        page.goto(site + "/bundles/KBCYD/")
        page.get_by_role("button", name="English").click()
        page.get_by_role("heading", name="Your situation").wait_for()
        page.screenshot(path=SCREENSHOTS / "bundle-desktop-en.png", full_page=False)
    finally:
        context.close()


def test_phone_layout_has_no_sideways_scrolling(browser, site):
    context, page = _page(browser, PHONE)
    try:
        page.goto(site + "/")
        _no_horizontal_scroll(page)
        page.screenshot(path=SCREENSHOTS / "home-phone.png", full_page=True)
        page.goto(site + "/bundles/KBCYD/?shop.area=500&need_seal=true")
        _no_horizontal_scroll(page)
        page.screenshot(path=SCREENSHOTS / "bundle-phone.png", full_page=True)
        page.goto(site + "/items/SCJG-XK-001/")
        _no_horizontal_scroll(page)
        page.screenshot(path=SCREENSHOTS / "item-phone.png", full_page=True)
        page.goto(site + "/search?q=餐饮")
        _no_horizontal_scroll(page)
        page.screenshot(path=SCREENSHOTS / "search-phone.png", full_page=True)
    finally:
        context.close()


def test_item_guide_on_desktop(browser, site):
    context, page = _page(browser, DESKTOP)
    try:
        page.goto(site + "/items/SCJG-XK-001/")
        assert page.locator("svg.flowchart-steps").first.is_visible()
        page.screenshot(path=SCREENSHOTS / "item-desktop.png", full_page=True)
        _no_horizontal_scroll(page)
    finally:
        context.close()
