"""End to end in a real browser, for a person (自然人): the department confirms a person 免申即享
list, and the resident sees on /policies/mine/ the benefit she enjoys, one she applies for in one
click, and one she nearly meets with the missing condition in words.

Same browser set-up as test_browser.py (skipped with the reason without playwright or chromium,
unless BANSHI_REQUIRE_BROWSER=1). Screenshots go to test-artifacts/screenshots/policies-person-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.notify.models import Notification
from banshi.policies import engine
from banshi.policies.models import Grant, PersonPortrait, PolicyOffer
from banshi.policies.tests.test_browser import DESKTOP, PHONE, SCREENSHOTS, _login, _page

pytestmark = pytest.mark.browser

HOME = [("本区户籍", "person.hukou_district == '410173001'")]
FLEXIBLE = [("已办理灵活就业登记", "person.employment_status == '灵活就业'"), *HOME]
AGED = [("年满80周岁", "person.birth_date <= years_ago(80)"), *HOME]
CHILD = [("有不满3周岁的子女", "person.youngest_child_birth_date > years_ago(3)"), *HOME]


@pytest.fixture
def resident(transactional_db, live_server, staff, outsider, make_person_policy):
    """王磊 (the ``outsider`` account: a person standing for no enterprise) with a portrait, and
    three person policies matched."""
    from banshi.core import clock

    today = clock.today()
    PersonPortrait.objects.update_or_create(
        person=outsider,
        defaults=dict(
            birth_date=dt.date(2000, 1, 1),
            hukou_district="410173001",
            employment_status="灵活就业",
            children=1,
            youngest_child_birth_date=today.replace(year=today.year - 1),
        ),
    )
    flexible = make_person_policy(FLEXIBLE, title="灵活就业人员社保补贴", benefit_amount="3000")
    make_person_policy(AGED, title="高龄津贴", benefit_amount="1200")
    make_person_policy(CHILD, title="育儿补贴", mode="prefilled", benefit_amount="3600")
    engine.run_full(subject=engine.PERSONS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return {"url": live_server.url, "person": outsider, "flexible": flexible}


def _shoot(page, name):
    page.screenshot(path=SCREENSHOTS / f"policies-person-{name}.png", full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"


def test_the_department_confirms_and_the_resident_sees_her_policies(browser, resident):
    base, person = resident["url"], resident["person"]
    code = resident["flexible"].policy.code
    context, page = _page(browser, DESKTOP)
    _login(page, base, "kj_head", f"/policies/staff/{code}/deliver/")
    main = page.locator("main").inner_text()
    assert "王磊" in main and "公民身份号码" in main
    _shoot(page, "desktop-deliver")
    page.get_by_role("button", name="确认名单并兑现").click()
    page.wait_for_load_state("networkidle")
    assert Grant.objects.filter(person=person, amount=3000).exists()
    assert Notification.objects.filter(person=person, topic="policy.granted").exists()
    context.close()

    context, page = _page(browser, DESKTOP)
    _login(page, base, "outsider", "/policies/mine/")
    enjoyed = page.locator("section", has=page.locator("#enjoyed-title")).inner_text()
    assert "灵活就业人员社保补贴" in enjoyed
    nearly = page.locator("section", has=page.locator("#nearly-title")).inner_text()
    assert "高龄津贴" in nearly and "不符合：年满80周岁（您的出生日期：2000-01-01）" in nearly
    _shoot(page, "desktop-mine")
    page.get_by_role("button", name="确认无误，一键申请").click()
    page.wait_for_load_state("networkidle")
    assert PolicyOffer.objects.get(person=person).status == PolicyOffer.Status.SUBMITTED
    _shoot(page, "desktop-mine-applied")
    context.close()


def test_the_person_page_fits_a_phone(browser, resident):
    context, page = _page(browser, PHONE)
    _login(page, resident["url"], "outsider", "/policies/mine/")
    assert "差一项即可享受" in page.locator("main").inner_text()
    _shoot(page, "phone-mine")
    context.close()
