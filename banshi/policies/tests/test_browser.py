"""End to end in a real browser: an admin writes a condition and sees it checked and counted as she
types, publishes, the department confirms the 免申即享 list and pushes a 即申即享 application, and
the enterprise sees what it enjoys, may apply for in one click, and nearly meets.

Runs Playwright against Debian's chromium like the portal's and workbench's browser tests: skipped
with the reason when playwright or chromium is missing, unless BANSHI_REQUIRE_BROWSER=1 (CI).
Screenshots at 1366×768 and 375×812 go to test-artifacts/screenshots/policies-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from banshi.people import services as people
from banshi.policies import engine
from banshi.policies.models import Grant, PolicyOffer
from banshi.policies.tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}
HIGH_TECH = [
    ("高新技术企业", "enterprise.is_high_tech"),
    ("参保人数不少于10人", "enterprise.insured_employees >= 10"),
]


@pytest.fixture
def site(transactional_db, live_server, settings, staff, owner, make_enterprise, make_policy):
    """Two enterprises the owner stands for (one high-tech, one not) and a 即申即享 policy already
    matched; publishing in the browser matches at once (BANSHI_POLICY_MATCH_ON_CHANGE)."""
    settings.BANSHI_POLICY_MATCH_ON_CHANGE = True
    firm = make_enterprise(
        "甲科技有限公司", is_high_tech=True, insured_employees=20, tax_credit_level="A"
    )
    near = make_enterprise(
        "乙科技有限公司", is_high_tech=False, insured_employees=20, tax_credit_level="A"
    )
    people.add_enterprise_role(owner, firm, "legal_representative")
    people.add_enterprise_role(owner, near, "handler")
    prefilled = make_policy(HIGH_TECH, title="研发费用后补助", mode="prefilled")
    engine.run_full()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return {"url": live_server.url, "firm": firm, "near": near, "prefilled": prefilled}


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


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


def _shoot(page, name):
    page.screenshot(path=SCREENSHOTS / f"policies-{name}.png", full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"


def _write_policy(page, base, screen):
    """The admin drafts a 免申即享 policy; the condition box is checked as she types."""
    _login(page, base, "writer", "/policies/staff/new/")
    page.get_by_label("政策编码").fill("KJ-GX-01")
    page.get_by_label("发布部门").select_option("KJ")
    page.get_by_label("政策名称").fill("高新技术企业认定奖励")
    page.get_by_label("扶持金额(元)").fill("200000")
    box = page.locator("textarea[name=conditions]")
    box.press_sequentially("高新：enterprise.hightech", delay=5)  # a misspelt attribute
    alert = page.locator("#check-result .alert")
    expect(alert).to_contain_text("enterprise.hightech", timeout=30_000)
    assert "未知名称" in alert.inner_text() and "^" in alert.inner_text()
    _shoot(page, f"{screen}-condition-refused")
    box.fill("")
    box.press_sequentially(
        "高新技术企业：enterprise.is_high_tech\n纳税信用A级：enterprise.tax_credit_level == 'A'",
        delay=5,
    )
    # the box is checked while typing (after each pause): wait for the answer to the whole text
    result = page.locator("#check-result")
    expect(result).to_contain_text("1 家企业符合全部条件，1 家差一项", timeout=30_000)
    assert "条件检查通过" in result.inner_text()
    _shoot(page, f"{screen}-condition-counted")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/policies/staff/KJ-GX-01/edit/")
    page.get_by_role("button", name="保存并发布").click()
    page.wait_for_url("**/policies/staff/KJ-GX-01/deliver/")


def test_admin_writes_a_condition_and_the_enterprise_sees_its_policies(browser, site):
    base = site["url"]
    context, page = _page(browser, DESKTOP)
    _write_policy(page, base, "desktop")
    context.close()

    # the issuing department confirms the 免申即享 list and pushes the 即申即享 applications
    context, page = _page(browser, DESKTOP)
    _login(page, base, "kj_head", "/policies/staff/KJ-GX-01/deliver/")
    assert "甲科技有限公司" in page.locator("main").inner_text()
    _shoot(page, "desktop-deliver-list")
    page.get_by_role("button", name="确认名单并兑现").click()
    page.wait_for_load_state("networkidle")
    assert Grant.objects.filter(enterprise=site["firm"], amount=200000).exists()
    assert not Grant.objects.filter(enterprise=site["near"]).exists()
    page.goto(f"{base}/policies/staff/{site['prefilled'].policy.code}/deliver/")
    page.get_by_role("button", name="推送申请").click()
    page.wait_for_load_state("networkidle")
    assert PolicyOffer.objects.filter(enterprise=site["firm"]).exists()
    context.close()

    # the enterprise: enjoys one, applies for the other in one click; its sister nearly meets
    context, page = _page(browser, DESKTOP)
    _login(page, base, "owner", "/policies/mine/")
    page.get_by_label("切换企业").select_option(str(site["firm"].pk))
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state("networkidle")
    enjoyed = page.locator("section", has=page.locator("#enjoyed-title"))
    assert "高新技术企业认定奖励" in enjoyed.inner_text()
    _shoot(page, "desktop-mine-before-apply")
    page.get_by_role("button", name="确认无误，一键申请").click()
    page.wait_for_load_state("networkidle")
    offer = PolicyOffer.objects.get(enterprise=site["firm"])
    assert offer.submitted_at is not None
    _shoot(page, "desktop-mine-applied")
    page.get_by_label("切换企业").select_option(str(site["near"].pk))
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state("networkidle")
    nearly = page.locator("section", has=page.locator("#nearly-title")).inner_text()
    assert "高新技术企业认定奖励" in nearly and "不符合：高新技术企业" in nearly
    _shoot(page, "desktop-mine-nearly")
    context.close()


def test_the_pages_fit_a_phone(browser, site):
    base = site["url"]
    context, page = _page(browser, PHONE)
    _write_policy(page, base, "phone")
    context.close()
    context, page = _page(browser, PHONE)
    _login(page, base, "kj_head", "/policies/staff/KJ-GX-01/deliver/")
    confirm = page.get_by_role("button", name="确认名单并兑现")
    assert confirm.bounding_box()["y"] < page.locator("table").first.bounding_box()["y"]
    _shoot(page, "phone-deliver")  # the confirm form comes before the list on a phone
    context.close()
    context, page = _page(browser, PHONE)
    _login(page, base, "owner", "/policies/mine/")
    page.get_by_label("切换企业").select_option(str(site["near"].pk))
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state("networkidle")
    assert "差一项即可享受" in page.locator("main").inner_text()
    _shoot(page, "phone-mine")
    context.close()
