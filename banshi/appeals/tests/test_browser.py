"""End to end in a real browser (Debian chromium through Playwright), as people use it:

a citizen files a complaint on the web → the 12345 centre dispatches it → the department returns it
once (reason from the list, with the basis) → the centre re-dispatches → the second department
acknowledges and replies → the centre calls back and closes → the citizen rates it badly (好差评) →
the department head verifies with the rater, rectifies and replies → a supervisor revisits.

Screenshots of every step go to test-artifacts/screenshots/appeals-*.png (desktop 1366×768 and
phone 375×812). When playwright or chromium is missing the test skips with the reason, unless
BANSHI_REQUIRE_BROWSER=1 (CI), where that is a failure (the approach of portal/tests/test_browser.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}
PASSWORD = "Banshi-Test-2026!"


@pytest.fixture(autouse=True)
def _monday():
    """Override the package's frozen clock: the live server runs in real time."""
    yield


@pytest.fixture
def site(transactional_db, live_server):
    """The live server with the seeded configuration (a transactional test flushes migration data)
    and one account per role of the story."""
    from banshi.appeals import seed
    from banshi.people import services as people
    from banshi.ratings import seed as rating_seed

    seed.apply(apps.get_model)
    rating_seed.apply(apps.get_model)
    for username, name, department, roles in [
        ("agent", "坐席 郑爽", "ZWFW", ["hotline_agent"]),
        ("cg", "城管 王伟", "CG", ["reviewer"]),
        ("scjg", "市场监管 陈静", "SCJG", ["reviewer"]),
        ("scjg_head", "市场监管负责人 赵刚", "SCJG", ["department_head"]),
        ("supervisor", "效能监督 周明", "ZWFW", ["supervisor"]),
    ]:
        people.create_staff(username, name, department, roles, PASSWORD, check_password=False)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def _context(browser, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def _shot(page, name: str, *, full: bool = True) -> None:
    page.screenshot(path=SCREENSHOTS / f"appeals-{name}.png", full_page=full)


def _no_horizontal_scroll(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"


def _login(browser, site, username, viewport=DESKTOP, next_url="/appeals/staff/"):
    context, page = _context(browser, viewport)
    page.goto(f"{site}/accounts/login/?next={next_url}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{next_url}")
    return context, page


def _open_ticket(page, site, number):
    page.goto(f"{site}/appeals/staff/{number}/")
    page.locator("#appeal-number").wait_for()


def _flash(page) -> str:
    return page.locator(".messages").inner_text() if page.locator(".messages").count() else ""


def _overdue_tickets() -> None:
    """A few tickets dispatched a month ago and never answered, and the scan run: the board has
    something to show."""
    import datetime as dt

    from banshi.appeals import services
    from banshi.core import clock
    from banshi.people.models import StaffProfile

    agent = StaffProfile.objects.get(user__username="agent").user
    past = clock.today() - dt.timedelta(days=30)
    for category, title, lead in [
        ("0302", "工地夜间施工噪音", "CG"),
        ("0401", "工程款拖欠农民工工资", "RS"),
        ("0501", "物业擅自提高停车费", "ZJ"),
    ]:
        with clock.frozen(past):
            services.take_in(
                agent,
                services.Intake(
                    appeal_type="complaint",
                    category=category,
                    title=title,
                    content=title + "，请尽快处理。",
                    caller_phone="13900000002",
                    area="滨河街道",
                ),
                channel="hotline",
                route=services.Route(lead=lead),
            )
    services.scan()


def test_complaint_dispatched_returned_redispatched_replied_rated_badly_and_rectified(
    browser, site
):
    # ---- 1. a citizen files a complaint on the web (phone first: the form must fit) ----------
    phone_context, phone_page = _context(browser, PHONE)
    phone_page.goto(site + "/appeals/new/")
    _shot(phone_page, "01-new-phone")
    _no_horizontal_scroll(phone_page)
    phone_context.close()

    citizen_context, citizen = _context(browser)
    citizen.goto(site + "/appeals/new/")
    citizen.get_by_label("投诉").check()
    citizen.get_by_label("诉求分类").select_option(label="占道经营")
    citizen.get_by_label("诉求标题").fill("夜市摊点卖变质卤肉，无人监管")
    citizen.get_by_label("诉求内容").fill(
        "幸福路与港城大道交叉口夜市，有摊点连续几天售卖发酸的卤肉，吃后腹泻，请有关部门检查。"
    )
    citizen.get_by_label("所在街道 / 乡镇").fill("新港街道")
    citizen.get_by_label("具体地点").fill("幸福路与港城大道交叉口夜市")
    citizen.get_by_label("您的姓名").fill("李娜")
    citizen.get_by_label("联系电话").fill("13800000001")
    _shot(citizen, "01-new-desktop")
    citizen.get_by_role("button", name="提交").click()
    citizen.wait_for_url("**/appeals/track/12345-*/")
    number = citizen.locator("#appeal-number").inner_text().strip()
    assert re.fullmatch(r"12345-\d{8}-\d{6}", number)
    assert "已受理" in citizen.locator("#public-state").inner_text()
    assert "138****0001" in citizen.content()  # masked on the page
    _shot(citizen, "02-submitted")

    # ---- 2. the centre dispatches it to the category's default department (城管) -------------
    centre_context, centre = _login(browser, site, "agent")
    assert number in centre.locator("#queue-dispatch").inner_text()
    _shot(centre, "03-centre-desk")
    _open_ticket(centre, site, number)
    assert "13800000001" in centre.locator("#caller-identity").inner_text()  # the centre sees it
    assert centre.get_by_label("主办单位").input_value() == "CG"
    centre.get_by_label("派单意见").fill("请核查夜市摊点食品安全问题")
    _shot(centre, "04-dispatch")
    centre.get_by_role("button", name="派单", exact=True).click()
    centre.locator("#appeal-state", has_text="已派单").wait_for()

    # ---- 3. 城管 returns it once: reason from the list, with the basis -----------------------
    cg_context, cg = _login(browser, site, "cg")
    assert number in cg.locator("#queue-acknowledge").inner_text()
    _open_ticket(cg, site, number)
    assert "138****0001" in cg.locator("#caller-identity").inner_text()  # masked for departments
    cg.locator("summary", has_text="退单").click()
    cg.get_by_label("退单理由").select_option("not_duty")
    cg.get_by_label("依据（法律法规、三定职责等）").fill(
        "《中华人民共和国食品安全法》第六条：食品安全监督管理由市场监督管理部门负责。"
    )
    _shot(cg, "05-return")
    cg.get_by_role("button", name="退单").click()
    cg.locator("#appeal-state", has_text="已退单").wait_for()
    cg_context.close()

    # ---- 4. the centre re-dispatches to 市场监管 ------------------------------------------------
    _open_ticket(centre, site, number)
    centre.get_by_label("主办单位").select_option("SCJG")
    _shot(centre, "06-redispatch")
    centre.get_by_role("button", name="重新派单").click()
    centre.locator("#appeal-state", has_text="已派单").wait_for()
    assert "不属于本单位职责范围" in centre.locator("#assign-title + table").inner_text()

    # ---- 5. 市场监管 acknowledges, looks up the caller (logged), replies ----------------------
    scjg_context, scjg = _login(browser, site, "scjg")
    _open_ticket(scjg, site, number)
    scjg.get_by_role("button", name="签收").click()
    scjg.locator("#appeal-state", has_text="已签收").wait_for()
    scjg.get_by_label("查看用途（将记录查看人、时间和用途）").fill("联系诉求人核实摊点位置")
    scjg.get_by_role("button", name="查看联系方式").click()
    assert "13800000001" in scjg.locator("#caller-identity").inner_text()
    scjg.get_by_label("答复内容").fill(
        "经现场检查，涉事摊点无食品经营备案，已依法责令停止经营，没收变质卤肉 12 公斤并立案调查。"
    )
    _shot(scjg, "07-reply")
    scjg.get_by_role("button", name="答复", exact=True).click()
    scjg.locator("#appeal-state", has_text="已答复").wait_for()
    scjg_context.close()

    # ---- 6. the centre calls back and closes ------------------------------------------------
    _open_ticket(centre, site, number)
    centre.get_by_label("基本满意").check()
    centre.get_by_label("回访记录").fill("诉求人认可处理结果，但认为办理过程太慢")
    centre.get_by_role("button", name="记录回访").click()
    centre.locator("#appeal-state", has_text="已回访").wait_for()
    centre.get_by_role("button", name="办结", exact=True).click()
    centre.locator("#appeal-state", has_text="已办结").wait_for()
    _shot(centre, "08-closed")
    centre_context.close()

    # ---- 7. the citizen rates it badly (好差评) -----------------------------------------------
    citizen.goto(f"{site}/appeals/track/{number}/")
    assert "已办结" in citizen.locator("#public-state").inner_text()
    assert "责令停止经营" in citizen.content()
    citizen.get_by_role("link", name="评价本次服务").click()
    citizen.wait_for_url(f"**/ratings/appeals/{number}/")
    citizen.locator("label[for='level-2']").click()
    citizen.get_by_label("评价内容（差评请写明原因）").fill("被退来退去，拖了好几天才处理")
    _shot(citizen, "09-rate-bad")
    citizen.get_by_role("button", name="提交评价").click()
    citizen.wait_for_url(f"**/appeals/track/{number}/")
    assert "您已评价" in citizen.content()
    citizen_context.close()

    # ---- 8. the department head verifies with the rater, rectifies and replies --------------
    head_context, head = _login(browser, site, "scjg_head", next_url="/ratings/staff/")
    head.locator("table a", has_text="不满意").first.click()
    head.locator("#rect-state", has_text="待核实").wait_for()
    head.get_by_role("button", name="查看联系方式").click()
    assert "13800000001" in head.locator("#rater-contact").inner_text()
    head.get_by_label("核实结论").select_option("immediate")
    head.get_by_label("差评分类").select_option("efficiency")
    head.get_by_label("核实情况").fill(
        "已电话联系评价人，情况属实：首次派单后退单，耽误两个工作日。"
    )
    _shot(head, "10-verify")
    head.get_by_role("button", name="提交核实").click()
    head.locator("#rect-state", has_text="整改中").wait_for()
    head.get_by_label("整改措施").fill(
        "与城管局明确夜市食品摊点的职责分工，纳入 12345 派单规则，避免再次退单。"
    )
    head.get_by_label("反馈评价人的内容").fill(
        "您好，已与城管局明确职责分工，今后同类诉求直接派至市场监管局办理。"
    )
    head.get_by_role("button", name="提交").click()
    head.locator("#rect-state", has_text="已反馈").wait_for()
    _shot(head, "11-rectified")
    head_context.close()

    # ---- 9. a supervisor revisits; the loop closes; the reports show it ---------------------
    sup_context, sup = _login(browser, site, "supervisor", next_url="/ratings/staff/")
    sup.get_by_role("link", name="已反馈(待回访)").click()
    sup.locator("table a", has_text="不满意").first.click()
    sup.get_by_label("满意", exact=True).check()
    sup.get_by_label("回访记录").fill("评价人对整改结果表示满意")
    sup.get_by_role("button", name="办结").click()
    sup.locator("#rect-state", has_text="已办结").wait_for()
    _shot(sup, "12-revisited")
    sup.goto(site + "/ratings/staff/reports/")
    assert "100.0%" in sup.locator(".figures").inner_text()  # rectification and callback rates
    _shot(sup, "13-rating-report")
    sup.goto(site + "/appeals/staff/reports/")
    assert sup.locator("svg.chart").count() >= 4
    _shot(sup, "14-appeal-report")
    _no_horizontal_scroll(sup)
    _overdue_tickets()
    sup.goto(site + "/appeals/staff/board/")
    assert "超期未办结" in sup.content()
    _shot(sup, "15-board")
    sup_context.close()

    # ---- 10. the public pages on a phone ---------------------------------------------------
    phone_context, phone_page = _context(browser, PHONE)
    for path, name in [
        ("/appeals/track/", "16-track-phone"),
        ("/appeals/public/", "17-disclosure-phone"),
        ("/ratings/public/", "18-ratings-public-phone"),
        ("/ratings/windows/A01/", "19-window-rating-phone"),
    ]:
        phone_page.goto(site + path)
        _shot(phone_page, name)
        _no_horizontal_scroll(phone_page)
    phone_context.close()

    from banshi.appeals.models import Appeal
    from banshi.audit.models import Action as AuditAction
    from banshi.audit.models import AuditEntry
    from banshi.ratings.models import Rectification

    appeal = Appeal.objects.get(number=number)
    assert appeal.state == "closed" and appeal.returned_count == 1 and appeal.round == 2
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW_CALLER, subject_id=str(appeal.pk), actor_username="scjg"
    ).exists()
    rectification = Rectification.objects.get(rating__appeal=appeal)
    assert rectification.state == "closed" and rectification.contacted_at is not None
