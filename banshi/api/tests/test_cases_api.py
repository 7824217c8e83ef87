"""Staff endpoints: cases visible by department, and actions through the one actions service."""

from __future__ import annotations

import pytest

from banshi.api.tests.conftest import Api
from banshi.cases.tests.factories import MONDAY, clerk, head, make_staff, reviewer, submit
from banshi.core import clock

pytestmark = pytest.mark.usefixtures("catalogue")

BIG_SHOP = {"shop.area": 500, "need_seal": False}  # SCJG-DJ-001, SCJG-XK-001 (SCJG), XF-JC-001 (XF)


@pytest.fixture(autouse=True)
def _monday():
    """Act on the day of submission, inside the 5-working-day intake window."""
    with clock.frozen(MONDAY):
        yield


def number_of(application, item: str) -> str:
    return application.cases.get(item__code=item).number


def act(user, case: str, action: str, **body):
    return Api(user).post(f"/cases/{case}/actions/{action}", body)


def accepted(application):
    response = act(
        clerk(), number_of(application, "SCJG-DJ-001"), "accept", version=application.version
    )
    assert response.status_code == 200, response.json()
    return response.json()


def test_staff_list_only_their_departments_cases():
    submit(answers=BIG_SHOP)
    body = Api(reviewer("XF")).get("/cases").json()
    assert body["count"] == 1
    assert [case["item_code"] for case in body["items"]] == ["XF-JC-001"]


def test_the_list_filters_by_state():
    application = submit(answers=BIG_SHOP)
    accepted(application)
    api = Api(reviewer("SCJG"))
    assert api.get("/cases", {"state": "accepted"}).json()["count"] == 2
    assert api.get("/cases", {"state": "received"}).json()["count"] == 0


def test_a_case_is_read_by_number_or_id_with_its_allowed_actions():
    application = submit(answers=BIG_SHOP)
    case = application.cases.get(item__code="SCJG-DJ-001")
    api = Api(make_staff("window_clerk", department="SCJG"))
    by_number = api.get(f"/cases/{case.number}").json()
    assert api.get(f"/cases/{case.pk}").json() == by_number
    assert by_number["application"]["number"] == application.number
    assert by_number["application"]["applicant"] == "张*"
    assert "accept" in by_number["allowed_actions"]
    assert by_number["events"][0]["kind"] == "received"


def test_a_case_of_another_department_is_403():
    application = submit(answers=BIG_SHOP)
    response = Api(reviewer("XF")).get(f"/cases/{number_of(application, 'SCJG-DJ-001')}")
    assert response.status_code == 403 and response.json()["code"] == "other_department"


def test_an_unknown_case_is_404():
    response = Api(reviewer("XF")).get("/cases/BS-20250303-999999-01")
    assert response.status_code == 404 and response.json()["message_en"] == "case not found"


def test_an_applicant_cannot_use_the_staff_endpoints_403(applicant):
    response = Api(applicant.user).get("/cases")
    assert response.status_code == 403 and response.json()["code"] == "staff_only"


def test_the_window_clerk_accepts_every_case_of_the_application():
    application = submit(answers=BIG_SHOP)
    body = accepted(application)
    assert body["state"] == "accepted" and body["decision_due"]
    assert body["application"]["status"] == "in_progress"
    assert body["application"]["version"] == application.version + 1


def test_a_stale_version_is_409_with_the_message():
    application = submit(answers=BIG_SHOP)
    accepted(application)
    case = number_of(application, "SCJG-DJ-001")
    response = act(reviewer("SCJG"), case, "start_review", version=99)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert "请刷新后重试" in body["message_zh"] and "reload and try again" in body["message_en"]
    assert body["details"] == {"current": 1 + 1, "expected": 99}


def test_an_action_the_state_does_not_allow_is_409():
    application = submit(answers=BIG_SHOP)
    case = application.cases.get(item__code="SCJG-DJ-001")
    response = act(reviewer("SCJG"), case.number, "start_review", version=case.version)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_staff_of_another_department_may_not_act_403():
    application = submit(answers=BIG_SHOP)
    accepted(application)
    case = application.cases.get(item__code="SCJG-DJ-001")
    case.refresh_from_db()
    response = act(reviewer("XF"), case.number, "start_review", version=case.version)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert "department" in response.json()["message_en"]


def test_the_wrong_role_may_not_act_403():
    application = submit(answers=BIG_SHOP)
    case = number_of(application, "SCJG-DJ-001")
    response = act(reviewer("SCJG"), case, "accept", version=application.version)
    assert response.status_code == 403
    assert "window_clerk" in response.json()["message_en"]


def test_a_rule_of_the_law_refuses_with_422_naming_the_article():
    application = submit(answers=BIG_SHOP)
    accepted(application)
    user = reviewer("SCJG")
    case = number_of(application, "SCJG-DJ-001")
    review = act(user, case, "start_review", version=2).json()
    response = act(user, case, "decide", version=review["version"], grant=False)
    assert response.status_code == 422
    assert "第38条" in response.json()["message_zh"] and "art. 38" in response.json()["message_en"]


def test_a_missing_version_is_400():
    application = submit(answers=BIG_SHOP)
    response = act(clerk(), number_of(application, "SCJG-DJ-001"), "accept")
    assert response.status_code == 400 and "version" in response.json()["message_en"]


def test_an_unknown_action_is_404():
    application = submit(answers=BIG_SHOP)
    response = act(clerk(), number_of(application, "SCJG-DJ-001"), "approve_everything", version=1)
    assert response.status_code == 404 and "accept" in response.json()["message_en"]


def test_review_grant_issue_and_close_a_case():
    application = submit(answers=BIG_SHOP)
    accepted(application)
    user = head("SCJG")
    case = number_of(application, "SCJG-DJ-001")
    body = act(user, case, "start_review", version=2).json()
    body = act(user, case, "decide", version=body["version"], grant=True, reasons="符合条件").json()
    assert body["state"] == "decided_grant" and body["issue_due"]
    body = act(user, case, "issue", version=body["version"], licence_number="YYZZ-001").json()
    assert body["state"] == "issued"
    body = act(user, case, "close", version=body["version"], delivery="窗口领取").json()
    assert body["state"] == "closed"
    assert [event["kind"] for event in body["events"]][-4:] == [
        "start_review",
        "grant",
        "issue",
        "close",
    ]


def test_pause_and_resume_the_clock():
    application = submit(answers=BIG_SHOP)
    accepted(application)
    user = reviewer("SCJG")
    case = number_of(application, "SCJG-XK-001")
    body = act(user, case, "start_review", version=2).json()
    body = act(user, case, "pause", version=body["version"], reason="testing", expected_days=5)
    assert body.status_code == 200 and body.json()["state"] == "paused"
    body = act(user, case, "resume", version=body.json()["version"]).json()
    assert body["state"] == "under_review"


def test_an_extension_is_requested_then_approved_by_the_head():
    application = submit(bundle="DANBU")  # one department: the department head approves
    accepted(application)
    case = number_of(application, "SCJG-XK-001")
    body = act(reviewer("SCJG"), case, "start_review", version=2).json()
    body = act(
        reviewer("SCJG"), case, "request_extension", version=body["version"], reason="需要现场核查"
    ).json()
    before = body["decision_due"]
    body = act(head("SCJG"), case, "approve_extension", version=body["version"]).json()
    assert body["extension_days"] == 10 and body["decision_due"] > before


def test_a_joint_handlings_extension_needs_the_government_head_403():
    application = submit(answers=BIG_SHOP)  # SCJG and XF: a joint handling (第42条第二款)
    accepted(application)
    case = number_of(application, "SCJG-XK-001")
    body = act(reviewer("SCJG"), case, "start_review", version=2).json()
    body = act(
        reviewer("SCJG"), case, "request_extension", version=body["version"], reason="需要现场核查"
    ).json()
    response = act(head("SCJG"), case, "approve_extension", version=body["version"])
    assert response.status_code == 403 and "第42条第二款" in response.json()["message_zh"]


def test_a_correction_notice_is_sent_once_for_the_application():
    application = submit(answers=BIG_SHOP)
    case = number_of(application, "SCJG-DJ-001")
    items = [{"item": "SCJG-DJ-001", "materials": ["LEASE"], "reason": "租赁合同不清晰"}]
    response = act(clerk(), case, "request_correction", version=application.version, items=items)
    assert response.status_code == 200 and response.json()["state"] == "correction_requested"


def test_refuse_at_intake_needs_a_ground():
    application = submit(answers=BIG_SHOP)
    case = number_of(application, "SCJG-DJ-001")
    missing = act(clerk(), case, "refuse", version=application.version, reasons="不需要许可")
    assert missing.status_code == 400
    response = act(
        clerk(),
        case,
        "refuse",
        version=application.version,
        ground="not_required",
        reasons="不需要许可",
    )
    assert response.status_code == 200 and response.json()["state"] == "refused_at_intake"


def test_another_department_gives_its_opinion_in_a_joint_review():
    application = submit(bundle="LHSC")
    accepted_body = act(
        clerk(), number_of(application, "SCJG-XK-001"), "accept", version=application.version
    ).json()
    assert accepted_body["joint_review"] is True
    response = act(
        reviewer("WS"),
        number_of(application, "SCJG-XK-001"),
        "opinion",
        version=accepted_body["version"],
        opinion="agree",
    )
    assert response.status_code == 200
    assert response.json()["events"][-1]["data"]["department"] == "WS"


def test_a_supervisor_raises_a_supervision():
    application = submit(answers=BIG_SHOP)
    accepted(application)
    response = act(
        make_staff("supervisor"),
        number_of(application, "SCJG-XK-001"),
        "supervise",
        level="yellow",
        reason="进度缓慢",
    )
    assert response.status_code == 200
    assert response.json()["events"][-1]["kind"] == "supervision_raised"
