"""In a real browser (Debian chromium through Playwright): the applicant's progress page offers the
rating step once the application's case has ended (一事一评, voluntary), the applicant rates it, and
the page then thanks instead of asking again. Screenshots go to
test-artifacts/screenshots/ratings-*.png (desktop 1366×768 and phone 375×812). Skips without
playwright or chromium unless BANSHI_REQUIRE_BROWSER=1 (see appeals/tests/test_browser.py)."""

from __future__ import annotations

import pytest

from banshi.appeals.tests.test_browser import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    _context,
    _no_horizontal_scroll,
)

pytestmark = pytest.mark.browser
PASSWORD = "Banshi-Test-2026!"


def test_progress_page_leads_to_the_rating_step_and_thanks_after_rating(
    browser,
    transactional_db,
    live_server,
):
    from banshi.ratings.models import Rating
    from banshi.ratings.tests.factories import finished_case

    case, person = finished_case()  # the clock stays frozen on the Monday it was closed
    person.user.set_password(PASSWORD)
    person.user.save()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    number = case.application.number

    context, page = _context(browser, DESKTOP)
    page.goto(f"{live_server.url}/accounts/login/?next=/applications/{number}/")
    page.get_by_label("用户名").fill(person.user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**/applications/{number}/")
    panel = page.locator("#rating")
    assert "有 1 个办件已办结" in panel.inner_text()
    panel.screenshot(path=SCREENSHOTS / "ratings-01-progress-rating-step.png")
    page.locator("#rating-link").click()
    page.wait_for_url(f"**/ratings/applications/{number}/")
    page.locator(f"label[for='{case.number}-level-4']").click()
    page.screenshot(path=SCREENSHOTS / "ratings-02-rate-case.png", full_page=True)
    page.get_by_role("button", name="提交评价").click()
    page.locator(f"#case-{case.number} .badge", has_text="已评价").wait_for()
    page.goto(f"{live_server.url}/applications/{number}/")
    assert "您已评价全部已办结的办件" in page.locator("#rating").inner_text()
    cookies = context.cookies()
    context.close()

    phone_context, phone_page = _context(browser, PHONE)
    phone_context.add_cookies(cookies)
    phone_page.goto(f"{live_server.url}/applications/{number}/")
    phone_page.locator("#rating").wait_for()
    phone_page.screenshot(path=SCREENSHOTS / "ratings-03-progress-phone.png", full_page=True)
    _no_horizontal_scroll(phone_page)
    phone_context.close()

    rating = Rating.objects.get(case=case)
    assert rating.level == 4 and rating.channel == "web"
