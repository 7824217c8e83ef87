"""Each action through the page calls the case engine and changes the state; refusals come back as
409 / 422 / 403 with the reason, the clerk's input kept."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.cases.models import (
    ApplicationStatus,
    CaseEvent,
    CorrectionNotice,
    Extension,
    Opinion,
    Pause,
)
from banshi.cases.tests import factories
from banshi.cases.transitions import State
from banshi.workbench.tests.conftest import client_for, staff

pytestmark = pytest.mark.django_db


def app_url(application, action=""):
    base = f"/workbench/applications/{application.number}/"
    return f"{base}actions/{action}/" if action else base


def case_url(case, action=""):
    base = f"/workbench/cases/{case.number}/"
    return f"{base}actions/{action}/" if action else base


def states(application):
    return {case.item.code: case.state for case in application.cases.all()}


# ------------------------------------------------------------------------------ intake
def test_accepting_through_the_page_accepts_every_case(clerk):
    application = factories.submit()
    response = client_for(clerk).post(
        app_url(application, "accept"), {"version": application.version}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PROGRESS
    assert set(states(application).values()) == {State.ACCEPTED.value}


def test_the_accepted_page_says_so_and_offers_no_intake_action(clerk):
    application = factories.submit()
    client = client_for(clerk)
    page = client.post(
        app_url(application, "accept"), {"version": application.version}, follow=True
    )
    body = page.content.decode()
    assert "已受理" in body
    assert 'id="act-accept"' not in body


def test_the_correction_notice_lists_exactly_the_checked_lines(clerk):
    application = factories.submit()
    dj = factories.case_of(application, "SCJG-DJ-001")
    xk = factories.case_of(application, "SCJG-XK-001")
    page = client_for(clerk).get(app_url(application)).content.decode()
    assert f'name="m__{dj.number}__LEASE"' in page  # every material …
    assert f'name="f__{xk.number}__shop.area"' in page  # … and every field is offered
    response = client_for(clerk).post(
        app_url(application, "correction"),
        {
            "version": application.version,
            f"m__{dj.number}__LEASE": "on",
            f"reason__m__{dj.number}__LEASE": "租赁合同须加盖出租方公章",
            f"f__{xk.number}__shop.area": "on",
            f"reason__f__{xk.number}__shop.area": "面积与平面图不一致",
            f"reason__m__{xk.number}__FOOD-RULES": "typed but not checked: not sent",
        },
    )
    assert response.status_code == 302
    notice = CorrectionNotice.objects.get(application=application)
    assert notice.items == [
        {
            "case": dj.number,
            "item": "SCJG-DJ-001",
            "materials": ["LEASE"],
            "fields": [],
            "reason": "租赁合同须加盖出租方公章",
        },
        {
            "case": xk.number,
            "item": "SCJG-XK-001",
            "materials": [],
            "fields": ["shop.area"],
            "reason": "面积与平面图不一致",
        },
    ]
    assert set(states(application).values()) == {State.CORRECTION_REQUESTED.value}


def test_a_correction_notice_with_nothing_checked_is_not_sent(clerk):
    application = factories.submit()
    response = client_for(clerk).post(
        app_url(application, "correction"), {"version": application.version}
    )
    assert response.status_code == 422
    assert "请至少勾选一项" in response.content.decode()
    assert not CorrectionNotice.objects.exists()


def test_a_second_correction_notice_is_refused_with_the_one_time_rule(clerk):
    application = factories.submit()
    dj = factories.case_of(application, "SCJG-DJ-001")
    client = client_for(clerk)
    client.post(
        app_url(application, "correction"),
        {"version": application.version, f"m__{dj.number}__LEASE": "on"},
    )
    application.refresh_from_db()
    page = client.get(app_url(application)).content.decode()
    assert "不能再次告知" in page  # the page no longer offers the form …
    response = client.post(  # … and a second notice posted anyway is refused by the engine
        app_url(application, "correction"),
        {"version": application.version, f"m__{dj.number}__LEASE": "on"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "补正内容应当一次性告知" in body
    assert CorrectionNotice.objects.count() == 1


def test_correcting_on_the_spot_changes_the_form_and_keeps_the_diff(clerk):
    application = factories.submit()
    response = client_for(clerk).post(
        app_url(application, "correct"),
        {
            "version": application.version,
            "field__enterprise.name": "某某餐饮管理有限公司",
            "field__shop.address": "",
            "note": "申请人当场更正笔误",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.form_data["enterprise.name"] == "某某餐饮管理有限公司"
    event = CaseEvent.objects.get(application=application, kind="corrected_on_the_spot")
    assert event.data["diff"] == {"enterprise.name": ["某某餐饮有限公司", "某某餐饮管理有限公司"]}


def test_refusing_as_not_competent_needs_the_agency_to_apply_to(clerk):
    application = factories.submit()
    data = {
        "version": application.version,
        "ground": "not_competent",
        "reasons": "不属于本机关职权",
    }
    response = client_for(clerk).post(app_url(application, "refuse"), data)
    assert response.status_code == 422
    assert "应当告知申请人向有关行政机关申请" in response.content.decode()
    assert "不属于本机关职权" in response.content.decode()  # the reasons typed are kept


def test_refusing_at_intake_through_the_page(clerk):
    application = factories.submit()
    data = {
        "version": application.version,
        "ground": "not_competent",
        "reasons": "该事项由市级部门实施",
        "redirect_agency": "市市场监督管理局",
    }
    assert client_for(clerk).post(app_url(application, "refuse"), data).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert set(states(application).values()) == {State.REFUSED_AT_INTAKE.value}


# ------------------------------------------------------------------------------ review
def test_starting_the_review_through_the_page(scjg_reviewer):
    case = factories.case_of(factories.accepted(), "SCJG-DJ-001")
    response = client_for(scjg_reviewer).post(
        case_url(case, "start-review"), {"version": case.version}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.UNDER_REVIEW.value


def test_granting_through_the_page(scjg_reviewer):
    case = factories.reviewing(factories.case_of(factories.accepted(), "SCJG-DJ-001"))
    data = {"version": case.version, "outcome": "grant", "reasons": "符合条件"}
    assert client_for(scjg_reviewer).post(case_url(case, "decide"), data).status_code == 302
    case.refresh_from_db()
    assert case.state == State.DECIDED_GRANT.value
    assert case.issue_due == dt.date(2025, 3, 17)  # 第44条: decision + 10 working days


def test_a_denial_without_reasons_is_refused_and_the_form_kept(scjg_reviewer):
    case = factories.reviewing(factories.case_of(factories.accepted(), "SCJG-DJ-001"))
    data = {"version": case.version, "outcome": "deny", "reasons": "", "remedy_notice": "复议告知"}
    response = client_for(scjg_reviewer).post(case_url(case, "decide"), data)
    assert response.status_code == 422
    assert "不予行政许可的，应当说明理由" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.UNDER_REVIEW.value


def test_denying_with_reasons_through_the_page(scjg_reviewer):
    case = factories.reviewing(factories.case_of(factories.accepted(), "SCJG-DJ-001"))
    page = client_for(scjg_reviewer).get(case_url(case)).content.decode()
    assert "行政复议" in page  # the standard remedy wording is offered
    data = {
        "version": case.version,
        "outcome": "deny",
        "reasons": "经营场所不符合要求",
        "remedy_notice": "可以依法申请行政复议或者提起行政诉讼。",
    }
    assert client_for(scjg_reviewer).post(case_url(case, "decide"), data).status_code == 302
    case.refresh_from_db()
    assert (case.state, case.decision_reasons) == (State.DECIDED_DENY.value, "经营场所不符合要求")


def test_pausing_and_resuming_through_the_page(scjg_reviewer):
    case = factories.reviewing(factories.case_of(factories.accepted(), "SCJG-XK-001"))
    client = client_for(scjg_reviewer)
    data = {
        "version": case.version,
        "reason": "expert_review",
        "expected_days": 5,
        "notice_text": "",
    }
    assert client.post(case_url(case, "pause"), data).status_code == 302
    case.refresh_from_db()
    assert case.state == State.PAUSED.value
    pause = Pause.objects.get(case=case)
    assert pause.written_notice and "专家评审" in pause.notice_text
    assert client.post(case_url(case, "resume"), {"version": case.version}).status_code == 302
    case.refresh_from_db()
    assert case.state == State.UNDER_REVIEW.value


def test_an_extension_is_requested_by_the_reviewer_and_approved_by_the_head(
    scjg_reviewer, scjg_head
):
    case = factories.reviewing(factories.case_of(factories.accepted(), "SCJG-XK-001"))
    data = {"version": case.version, "reason": "需现场核查", "days": ""}
    assert (
        client_for(scjg_reviewer).post(case_url(case, "request-extension"), data).status_code == 302
    )
    case.refresh_from_db()
    assert "待批准的延期" in client_for(scjg_head).get("/workbench/cases/").content.decode()
    response = client_for(scjg_head).post(
        case_url(case, "approve-extension"), {"version": case.version}
    )
    assert response.status_code == 302
    extension = Extension.objects.get(case=case)
    case.refresh_from_db()
    assert extension.approved_by == scjg_head
    assert case.decision_days == 30  # 20 + 10 (第42条)


def test_a_reviewer_approving_an_extension_gets_the_403_page_with_the_reason(scjg_reviewer):
    case = factories.reviewing(factories.case_of(factories.accepted(), "SCJG-XK-001"))
    client = client_for(scjg_reviewer)
    client.post(
        case_url(case, "request-extension"), {"version": case.version, "reason": "需现场核查"}
    )
    case.refresh_from_db()
    response = client.post(case_url(case, "approve-extension"), {"version": case.version})
    assert response.status_code == 403
    assert "延期须经本部门负责人批准" in response.content.decode()
    assert Extension.objects.get(case=case).approved_at is None


def test_a_consulted_department_gives_its_opinion_through_the_page(xf_reviewer):
    application = factories.accepted(bundle="LHSC")
    lead = factories.case_of(application, "SCJG-XK-001")
    queue = client_for(xf_reviewer).get("/workbench/cases/").content.decode()
    assert "待本部门出具的联合审查意见" in queue and lead.number in queue
    data = {"version": lead.version, "department": "XF", "opinion": "agree", "text": "消防条件具备"}
    response = client_for(xf_reviewer).post(case_url(lead, "opinion"), data)
    assert response.status_code == 302
    opinion = Opinion.objects.get(case=lead, department__code="XF")
    assert (opinion.opinion, opinion.text, opinion.given_by) == (
        "agree",
        "消防条件具备",
        xf_reviewer,
    )


def test_issuing_and_delivering_through_the_page(scjg_reviewer):
    case = factories.reviewing(factories.case_of(factories.accepted(), "SCJG-DJ-001"))
    client = client_for(scjg_reviewer)
    client.post(case_url(case, "decide"), {"version": case.version, "outcome": "grant"})
    case.refresh_from_db()
    data = {"version": case.version, "licence_number": "YYZZ-0001"}
    assert client.post(case_url(case, "issue"), data).status_code == 302
    case.refresh_from_db()
    assert case.state == State.ISSUED.value
    assert (
        client.post(
            case_url(case, "close"), {"version": case.version, "delivery": "窗口领取"}
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.state == State.CLOSED.value


def test_an_immediate_item_is_decided_on_the_spot_by_the_window(clerk):
    application = factories.submit(bundle=None, item="GA-YZ-001")
    client = client_for(clerk)
    page = client.post(
        app_url(application, "accept"), {"version": application.version}, follow=True
    )
    assert "即办件可当场作出决定" in page.content.decode()
    case = factories.case_of(application, "GA-YZ-001")
    data = {"version": case.version, "outcome": "grant", "reasons": ""}
    assert client.post(case_url(case, "decide-on-the-spot"), data).status_code == 302
    case.refresh_from_db()
    assert case.state == State.DECIDED_GRANT.value


def test_a_supervisor_raises_a_supervision_through_the_page(supervisor):
    case = factories.reviewing(factories.case_of(factories.accepted(), "SCJG-DJ-001"))
    data = {"level": "yellow", "reason": "请加快办理"}
    assert client_for(supervisor).post(case_url(case, "supervise"), data).status_code == 302
    assert case.supervisions.get().reason == "请加快办理"


# ------------------------------------------------------------------------------ refusals
def test_decide_is_disabled_while_a_prerequisite_has_no_output(scjg_reviewer):
    application = factories.accepted()  # KBCYD: 食品经营许可 after 企业设立登记
    xk = factories.reviewing(factories.case_of(application, "SCJG-XK-001"))
    page = client_for(scjg_reviewer).get(case_url(xk)).content.decode()
    assert "前置事项（企业设立登记）尚未办结出证" in page
    assert '<fieldset disabled class="wb-plain">' in page
    response = client_for(scjg_reviewer).post(
        case_url(xk, "decide"), {"version": xk.version, "outcome": "grant"}
    )
    assert response.status_code == 422
    assert "本办件可以审查，但不能作出决定" in response.content.decode()
    xk.refresh_from_db()
    assert xk.state == State.UNDER_REVIEW.value


def test_decide_is_enabled_once_the_prerequisite_is_issued(scjg_reviewer):
    application = factories.accepted()
    factories.granted_and_issued(factories.case_of(application, "SCJG-DJ-001"))
    xk = factories.reviewing(factories.case_of(application, "SCJG-XK-001"))
    page = client_for(scjg_reviewer).get(case_url(xk)).content.decode()
    assert "尚未办结出证" not in page
    assert "<fieldset disabled" not in page


def test_two_clerks_on_one_application_the_second_gets_409_and_keeps_the_input(catalogue):
    application = factories.submit()
    first = client_for(staff("window_clerk", all_departments=True))
    second = client_for(staff("window_clerk", all_departments=True))
    seen = application.version  # both pages were loaded at this version
    assert first.post(app_url(application, "accept"), {"version": seen}).status_code == 302
    response = second.post(
        app_url(application, "refuse"),
        {
            "version": seen,
            "ground": "not_required",
            "reasons": "该经营活动无需许可（第二位窗口人员的输入）",
        },
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "该办件已被其他工作人员处理，请刷新后重试" in body
    assert "someone else acted on this case first" in body.lower()
    assert "该经营活动无需许可（第二位窗口人员的输入）" in body
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_PROGRESS  # the first one won


def test_two_reviewers_on_one_case_the_second_gets_409_with_the_form_refilled(catalogue):
    case = factories.reviewing(factories.case_of(factories.accepted(), "SCJG-XK-001"))
    first = client_for(staff("reviewer", department="SCJG"))
    second = client_for(staff("reviewer", department="SCJG"))
    seen = case.version
    pause = {"version": seen, "reason": "testing", "expected_days": 3}
    assert first.post(case_url(case, "pause"), pause).status_code == 302
    response = second.post(
        case_url(case, "request-extension"), {"version": seen, "reason": "需要补充现场核查时间"}
    )
    body = response.content.decode()
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.state == State.PAUSED.value
    assert not Extension.objects.exists()
    # still possible from the new state: the form is shown again, filled, at the current version
    form = body[body.index('id="act-request-extension"') :]
    form = form[: form.index("</form>")]
    assert "需要补充现场核查时间</textarea>" in form
    assert f'name="version" value="{case.version}"' in form


def test_an_action_the_state_does_not_allow_is_a_409_with_the_reason(scjg_reviewer):
    case = factories.reviewing(factories.case_of(factories.accepted(), "SCJG-DJ-001"))
    response = client_for(scjg_reviewer).post(
        case_url(case, "start-review"), {"version": case.version}
    )
    assert response.status_code == 409
    assert "不能执行“开始审查”" in response.content.decode()


def test_a_stale_form_without_a_version_is_a_form_error(scjg_reviewer):
    case = factories.case_of(factories.accepted(), "SCJG-DJ-001")
    response = client_for(scjg_reviewer).post(case_url(case, "start-review"), {})
    assert response.status_code == 422
    case.refresh_from_db()
    assert case.state == State.ACCEPTED.value


# ------------------------------------------------------------------------------ history
def test_the_case_page_shows_its_full_history_in_order(scjg_reviewer):
    application = factories.accepted()
    case = factories.reviewing(factories.case_of(application, "SCJG-DJ-001"), scjg_reviewer)
    page = client_for(scjg_reviewer).get(case_url(case)).content.decode()
    history = page[page.index('id="history-title"') :]
    positions = [history.index(label) for label in ("收件", "受理", "开始审查")]
    assert positions == sorted(positions)
    assert "市场监管陈静" in history and "审批人员" in history


def test_the_application_page_shows_the_history_of_every_case(clerk):
    application = factories.submit()
    client = client_for(clerk)
    client.post(app_url(application, "accept"), {"version": application.version})
    page = client.get(app_url(application)).content.decode()
    history = page[page.index('id="history-title"') :]
    for case in application.cases.all():
        assert case.number in history
    assert history.index("提交申请") < history.index("窗口刘洋")
    assert "综合窗口人员" in history
