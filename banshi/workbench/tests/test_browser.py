"""End to end in a real browser: a window clerk accepts an application, a reviewer decides a case.

Runs Playwright against Debian's chromium, as the portal's browser tests do: skipped with the reason
when playwright or chromium is missing, unless BANSHI_REQUIRE_BROWSER=1 (CI). Screenshots at
1366×768 and 375×812 go to test-artifacts/screenshots/workbench-*.png.

The platform clock is frozen on Friday 2025-03-07 (the live server runs in this process, so it reads
the same clock): one application received on Monday is then yellow in the window queue, a case
accepted on Monday is overdue, and the dates on the screenshots do not change from day to day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from banshi.cases import services
from banshi.cases.models import Application
from banshi.cases.tests import factories
from banshi.cases.transitions import State
from banshi.catalog.selectors import invalidate_snapshot
from banshi.core import clock
from banshi.workbench.tests.conftest import staff

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}
PASSWORD = "banshi-demo-2026"
FRIDAY = dt.date(2025, 3, 7)


def _user(*roles, department=None, all_departments=False, name):
    user = staff(*roles, department=department, all_departments=all_departments, name=name)
    user.username = {"window_clerk": "clerk", "reviewer": "reviewer", "supervisor": "sup"}[roles[0]]
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def site(transactional_db, live_server, monday):
    """The test catalogue, three applications, staff, and the clock on Friday 2025-03-07."""
    invalidate_snapshot()
    factories.load_catalogue()
    invalidate_snapshot()
    _user("window_clerk", department="SCJG", all_departments=True, name="综合窗口 刘洋")
    _user("reviewer", department="SCJG", name="市场监管审批 陈静")
    _user("supervisor", name="效能监督 周明")
    enterprise_owner = factories.make_person("陈伟")
    enterprise = factories.make_enterprise(enterprise_owner, name="示例餐饮管理有限公司")
    # Monday: one accepted (its 3-day 企业设立登记 is overdue by Friday), one left waiting (yellow)
    factories.accepted(factories.make_person("李娜"), answers={"shop.area": 500})
    factories.submit(factories.make_person("欧阳娜娜"), bundle=None, item="WS-XK-001")
    factories.accepted(factories.make_person("张伟"), bundle=None, item="WS-BA-002")  # yellow
    # Friday: the application the clerk accepts in the browser
    fresh = factories.submit(
        enterprise_owner, enterprise=enterprise, answers={"shop.area": 120}, day=FRIDAY
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with clock.frozen(FRIDAY):
        services.raise_supervisions(FRIDAY)
        yield live_server.url, fresh.number
    invalidate_snapshot()


def _page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def _login(page, base, username, next_url):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"**{next_url}")


def _no_horizontal_scroll(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"


def _shoot(page, name):
    page.screenshot(path=SCREENSHOTS / f"workbench-{name}.png", full_page=True)
    _no_horizontal_scroll(page)


def test_a_clerk_accepts_and_a_reviewer_decides(browser, site):
    base, number = site
    context, page = _page(browser, DESKTOP)
    try:
        _login(page, base, "clerk", "/workbench/intake/")
        assert page.locator(".clock-yellow").first.is_visible()  # Monday's, one day left
        _shoot(page, "intake-desktop")
        page.get_by_role("link", name="开办餐饮店一件事").click()
        page.wait_for_url(f"**/applications/{number}/")
        page.screenshot(path=SCREENSHOTS / "workbench-application-desktop-fold.png")
        _shoot(page, "application-desktop")
        page.locator("#act-accept").get_by_role("button", name="受理").click()
        page.wait_for_url(f"**/applications/{number}/")
        assert page.get_by_text("已受理：各部门办件已进入审查").is_visible()
        _shoot(page, "application-accepted-desktop")
        assert Application.objects.get(number=number).status == "in_progress"
        page.get_by_role("button", name="退出").click()  # the visible one

        _login(page, base, "reviewer", "/workbench/cases/")
        _shoot(page, "cases-desktop")
        dj = f"{number}-01"
        page.locator(f"tr[data-case='{dj}']").get_by_role("link").click()
        page.wait_for_url(f"**/cases/{dj}/")
        page.get_by_role("button", name="开始审查").click()
        page.wait_for_url(f"**/cases/{dj}/")
        page.get_by_label("准予许可").check()
        page.get_by_label("决定理由").fill("材料齐全，符合法定条件")
        page.screenshot(path=SCREENSHOTS / "workbench-case-desktop-fold.png")
        _shoot(page, "case-desktop")
        page.get_by_role("button", name="作出决定").click()
        page.wait_for_url(f"**/cases/{dj}/")
        assert page.get_by_text("已作出决定。").is_visible()
        _shoot(page, "case-decided-desktop")
        case = Application.objects.get(number=number).cases.get(number=dj)
        assert case.state == State.DECIDED_GRANT.value

        xk = f"{number}-02"  # 食品经营许可 waits for 企业设立登记's licence
        page.goto(f"{base}/workbench/cases/{xk}/")
        page.get_by_role("button", name="开始审查").click()
        page.wait_for_url(f"**/cases/{xk}/")
        assert page.get_by_role("button", name="作出决定").is_disabled()
        assert page.get_by_text("前置事项（企业设立登记）尚未办结出证").is_visible()
        _shoot(page, "case-blocked-desktop")
    finally:
        context.close()


def test_the_queues_and_the_board_on_a_phone(browser, site):
    base, number = site
    context, page = _page(browser, PHONE)
    try:
        _login(page, base, "clerk", "/workbench/intake/")
        _shoot(page, "intake-phone")
        page.goto(f"{base}/workbench/applications/{number}/")
        _shoot(page, "application-phone")
        page.get_by_role("button", name="退出").click()  # the visible one
        _login(page, base, "reviewer", "/workbench/cases/")
        _shoot(page, "cases-phone")
        page.goto(f"{base}/workbench/cases/{number}-01/")
        _shoot(page, "case-phone")
        page.get_by_role("button", name="退出").click()  # the visible one
        _login(page, base, "sup", "/workbench/supervision/")
        assert page.locator("svg.bar-chart").is_visible()
        _shoot(page, "supervision-phone")
    finally:
        context.close()


def test_the_board_and_landing_on_a_desktop(browser, site):
    base, _ = site
    context, page = _page(browser, DESKTOP)
    try:
        _login(page, base, "sup", "/workbench/")
        _shoot(page, "home-desktop")
        page.get_by_role("link", name="督办看板").click()
        page.wait_for_url("**/workbench/supervision/")
        assert page.locator(".clock-red").first.is_visible()
        _shoot(page, "supervision-desktop")
    finally:
        context.close()


def test_filtering_the_case_queue_swaps_the_table_without_a_page_load(browser, site):
    base, _ = site
    context, page = _page(browser, DESKTOP)
    try:
        _login(page, base, "reviewer", "/workbench/cases/")
        page.evaluate("window.__marker = 1")
        page.get_by_label("状态").select_option("received")
        page.wait_for_url("**/workbench/cases/?state=received")
        page.locator(".wb-result-count", has_text="已收件").wait_for()
        assert page.evaluate("window.__marker") == 1  # same document: htmx swapped the table
    finally:
        context.close()
