"""Review, decision, issue and delivery of cases in parallel departments (第34、38、42、44、45条)."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.cases import services
from banshi.cases.errors import (
    ConflictError,
    InvalidTransition,
    PermissionDenied,
    PrerequisitePending,
    RuleViolation,
)
from banshi.cases.models import CaseEvent, Extension, OutboxMessage, Pause
from banshi.cases.tests.factories import (
    MONDAY,
    accepted,
    case_of,
    clerk,
    fresh,
    granted_and_issued,
    head,
    make_staff,
    reviewer,
    reviewing,
)
from banshi.core import clock

pytestmark = pytest.mark.usefixtures("catalogue")

WEDNESDAY = dt.date(2025, 3, 5)
FRIDAY_WEEK_2 = dt.date(2025, 3, 14)


def food_case(**kwargs):
    """A single-item 食品经营许可 accepted on MONDAY, under review (20 WD: due 2025-03-31)."""
    application = accepted(item="SCJG-XK-001", **kwargs)
    return reviewing(case_of(application, "SCJG-XK-001"))


def deny(case, user, *, reasons="不符合条件", remedy=services.REMEDY_NOTICE, day=MONDAY):
    with clock.frozen(day):
        return services.decide(
            case, False, reasons, user, fresh(case).version, remedy_notice=remedy
        )


# ------------------------------------------------------------------ review and decision
def test_a_dependent_case_may_be_reviewed_but_not_decided_before_its_prerequisite():
    application = accepted(bundle="DANBU")
    food = reviewing(case_of(application, "SCJG-XK-001"))
    assert food.state == "under_review"
    with clock.frozen(MONDAY), pytest.raises(PrerequisitePending, match="可以审查"):
        services.decide(food, True, "符合条件", head(), food.version)
    assert fresh(food).state == "under_review"


def test_a_granted_but_not_yet_issued_prerequisite_still_blocks_the_decision():
    application = accepted(bundle="DANBU")
    registration = reviewing(case_of(application, "SCJG-DJ-001"))
    with clock.frozen(MONDAY):
        services.decide(registration, True, "符合条件", head(), registration.version)
    food = reviewing(case_of(application, "SCJG-XK-001"))
    with clock.frozen(MONDAY), pytest.raises(PrerequisitePending):
        services.decide(food, True, "", head(), food.version)


def test_once_the_prerequisite_produced_its_output_the_case_may_be_decided():
    application = accepted(bundle="DANBU")
    granted_and_issued(case_of(application, "SCJG-DJ-001"))
    food = reviewing(case_of(application, "SCJG-XK-001"))
    with clock.frozen(MONDAY):
        services.decide(food, True, "符合条件", head(), food.version)
    assert fresh(food).state == "decided_grant"


def test_a_denied_prerequisite_allows_only_a_denial():
    application = accepted(bundle="DANBU")
    registration = reviewing(case_of(application, "SCJG-DJ-001"))
    deny(registration, head())
    food = reviewing(case_of(application, "SCJG-XK-001"))
    with clock.frozen(MONDAY), pytest.raises(PrerequisitePending, match="不能准予"):
        services.decide(food, True, "", head(), food.version)
    deny(food, head(), reasons="前置事项未获准予")
    assert fresh(food).state == "decided_deny"


def test_departments_decide_their_cases_in_parallel_without_conflicts():
    application = accepted(bundle="LHSC")
    health = reviewing(case_of(application, "WS-XK-001"))
    fire = reviewing(case_of(application, "XF-JC-001"))
    with clock.frozen(MONDAY):
        services.decide(fire, True, "合格", head("XF"), fire.version)
        services.decide(health, True, "合格", head("WS"), health.version)
    assert fresh(fire).state == fresh(health).state == "decided_grant"


def test_a_denial_needs_reasons__art38():
    case = food_case()
    with pytest.raises(RuleViolation, match="第38条"):
        deny(case, head(), reasons="  ")


def test_a_denial_needs_the_remedy_notice__art38():
    case = food_case()
    with pytest.raises(RuleViolation, match="行政复议"):
        deny(case, head(), remedy="")


def test_a_denial_with_reasons_and_remedy_is_recorded_and_announced__art38():
    case = deny(food_case(), head(), reasons="场所不符合要求")
    case = fresh(case)
    assert (case.state, case.outcome, case.decision_reasons) == (
        "decided_deny",
        "deny",
        "场所不符合要求",
    )
    message = OutboxMessage.objects.get(topic="case.deny")
    assert "行政复议" in message.payload["remedy_notice"]


def test_a_grant_sets_the_issue_deadline_ten_working_days_later__art44():
    case = food_case()
    with clock.frozen(dt.date(2025, 3, 31)):
        services.decide(case, True, "符合条件", head(), case.version)
    assert fresh(case).issue_due == dt.date(2025, 4, 15)


def test_issuing_after_the_issue_deadline_is_recorded_as_late__art44():
    case = food_case()
    user = head()
    with clock.frozen(MONDAY):
        services.decide(case, True, "符合条件", user, case.version)
    with clock.frozen(dt.date(2025, 3, 31)):
        services.issue(fresh(case), user, fresh(case).version, licence_number="JY141010000001")
    event = CaseEvent.objects.get(case=case, kind="issue")
    assert event.data["late"] is True and event.data["licence_number"] == "JY141010000001"


def test_an_immediate_item_is_decided_on_the_spot__art34():
    application = accepted(item="GA-YZ-001")
    case = case_of(application, "GA-YZ-001")
    assert case.on_the_spot and case.decision_due == MONDAY
    with clock.frozen(MONDAY):
        services.decide_on_the_spot(case, True, "当场办结", clerk(), case.version)
    assert fresh(case).state == "decided_grant"


def test_only_immediate_items_are_decided_on_the_spot__art34():
    application = accepted(item="SCJG-XK-001")
    case = case_of(application, "SCJG-XK-001")
    with clock.frozen(MONDAY), pytest.raises(RuleViolation, match="第34条"):
        services.decide_on_the_spot(case, True, "", clerk(), case.version)


def test_deciding_without_review_is_an_invalid_transition():
    application = accepted(item="SCJG-XK-001")
    case = case_of(application, "SCJG-XK-001")
    with clock.frozen(MONDAY), pytest.raises(InvalidTransition):
        services.decide(case, True, "", head(), case.version)


def test_issuing_an_undecided_case_is_an_invalid_transition():
    case = food_case()
    with clock.frozen(MONDAY), pytest.raises(InvalidTransition, match="审查中"):
        services.issue(case, head(), case.version)


def test_staff_of_another_department_are_denied():
    case = food_case()
    with clock.frozen(MONDAY), pytest.raises(PermissionDenied, match="本部门"):
        services.decide(case, True, "", head("XF"), case.version)


def test_a_window_clerk_may_not_review():
    application = accepted(item="SCJG-XK-001")
    case = case_of(application, "SCJG-XK-001")
    with clock.frozen(MONDAY), pytest.raises(PermissionDenied):
        services.start_review(case, clerk(), case.version)


def test_two_reviewers_with_the_same_version_one_wins_the_other_gets_a_conflict():
    application = accepted(item="SCJG-XK-001")
    case = case_of(application, "SCJG-XK-001")
    with clock.frozen(MONDAY):
        services.start_review(case, reviewer(), case.version)
        with pytest.raises(ConflictError):
            services.start_review(case, reviewer(), case.version)
    assert CaseEvent.objects.filter(case=case, kind="start_review").count() == 1


# ------------------------------------------------------------------ pauses (第45条)
def test_paused_working_days_are_excluded_from_the_time_limit__art45():
    case = food_case()
    user = reviewer()
    with clock.frozen(WEDNESDAY):
        services.pause(case, "expert_review", 5, user, case.version)
    paused = fresh(case)
    assert paused.state == "paused"
    assert paused.decision_due == dt.date(2025, 4, 8)  # expected: 5 WD excluded
    with clock.frozen(FRIDAY_WEEK_2):
        services.resume(paused, user, paused.version)
    resumed = fresh(case)
    assert resumed.state == "under_review"
    assert resumed.decision_due == dt.date(2025, 4, 10)  # real: 03-06..03-14 = 7 WD excluded


def test_a_pause_tells_the_applicant_in_writing_the_expected_time__art45():
    case = food_case()
    with clock.frozen(WEDNESDAY):
        services.pause(case, "testing", 3, reviewer(), case.version)
    pause = Pause.objects.get(case=case)
    assert pause.written_notice and "3个工作日" in pause.notice_text
    assert "检测" in OutboxMessage.objects.get(topic="case.pause").payload["notice"]


def test_only_the_special_procedures_of_the_law_pause_the_clock__art45():
    case = food_case()
    with clock.frozen(WEDNESDAY), pytest.raises(RuleViolation, match="第45条"):
        services.pause(case, "waiting_for_boss", 3, reviewer(), case.version)


def test_an_item_that_allows_no_pause_is_not_paused():
    application = accepted(item="WS-BA-002")
    case = reviewing(case_of(application, "WS-BA-002"))
    with clock.frozen(WEDNESDAY), pytest.raises(RuleViolation):
        services.pause(case, "testing", 3, reviewer("WS"), case.version)


def test_a_paused_case_cannot_be_decided_until_resumed__art45():
    case = food_case()
    with clock.frozen(WEDNESDAY):
        services.pause(case, "hearing", 5, reviewer(), case.version)
        with pytest.raises(InvalidTransition):
            services.decide(fresh(case), True, "", head(), fresh(case).version)


# ------------------------------------------------------------------ extension (第42条)
def test_an_extension_approved_by_the_department_head_adds_ten_working_days__art42_1():
    case = food_case()
    with clock.frozen(dt.date(2025, 3, 20)):
        services.request_extension(case, "需现场核查", reviewer(), case.version)
        services.approve_extension(fresh(case), head(), fresh(case).version)
    case = fresh(case)
    assert (case.decision_days, case.extension_days) == (30, 10)
    assert case.decision_due == dt.date(2025, 4, 15)
    notice = OutboxMessage.objects.get(topic="case.approve_extension")
    assert (
        notice.payload["reason"] == "需现场核查" and notice.payload["decision_due"] == "2025-04-15"
    )


def test_the_time_limit_is_extended_only_once__art42_1():
    case = food_case()
    with clock.frozen(dt.date(2025, 3, 20)):
        services.request_extension(case, "需现场核查", reviewer(), case.version)
        services.approve_extension(fresh(case), head(), fresh(case).version)
        with pytest.raises(RuleViolation, match="一次"):
            services.request_extension(fresh(case), "还需要时间", reviewer(), fresh(case).version)
    assert Extension.objects.count() == 1


def test_an_extension_needs_the_heads_approval_not_the_reviewers__art42_1():
    case = food_case()
    with clock.frozen(dt.date(2025, 3, 20)):
        services.request_extension(case, "需现场核查", reviewer(), case.version)
        with pytest.raises(PermissionDenied, match="负责人"):
            services.approve_extension(fresh(case), reviewer(), fresh(case).version)
        with pytest.raises(PermissionDenied):
            services.approve_extension(fresh(case), head("XF"), fresh(case).version)
    assert fresh(case).decision_days == 20


def test_an_extension_needs_reasons_and_at_most_ten_days__art42_1():
    case = food_case()
    with clock.frozen(dt.date(2025, 3, 20)):
        with pytest.raises(RuleViolation):
            services.request_extension(case, " ", reviewer(), case.version)
        with pytest.raises(RuleViolation, match="10"):
            services.request_extension(case, "理由", reviewer(), case.version, days=11)


def test_an_extension_is_not_granted_after_the_limit_ran_out__art42_1():
    case = food_case()
    with clock.frozen(dt.date(2025, 3, 31)):
        services.request_extension(case, "需现场核查", reviewer(), case.version)
    with clock.frozen(dt.date(2025, 4, 1)), pytest.raises(RuleViolation, match="届满"):
        services.approve_extension(fresh(case), head(), fresh(case).version)


def test_an_item_that_allows_no_extension_is_not_extended():
    application = accepted(item="WS-BA-002")
    case = reviewing(case_of(application, "WS-BA-002"))
    with clock.frozen(MONDAY), pytest.raises(RuleViolation):
        services.request_extension(case, "理由", reviewer("WS"), case.version)


def test_a_joint_handling_extension_is_fifteen_days_approved_by_the_government_head__art42_2():
    application = accepted(bundle="LHSC")
    case = reviewing(case_of(application, "WS-XK-001"))
    with clock.frozen(dt.date(2025, 3, 20)):
        extension = services.request_extension(case, "多部门协调", reviewer("WS"), case.version)
        assert extension.days == 15 and extension.joint
        with pytest.raises(PermissionDenied, match="第42条第二款"):
            services.approve_extension(fresh(case), head("WS"), fresh(case).version)
        services.approve_extension(fresh(case), make_staff("government_head"), fresh(case).version)
    case = fresh(case)
    assert (case.decision_days, case.extension_days) == (60, 15)


# ------------------------------------------------------------------ the root: output and withdrawal
def test_the_application_completes_with_one_unified_output_when_every_case_ended():
    application = accepted(bundle="DANBU")
    user = head()
    registration = granted_and_issued(case_of(application, "SCJG-DJ-001"))
    food = granted_and_issued(case_of(application, "SCJG-XK-001"))
    with clock.frozen(MONDAY):
        services.close(registration, clerk(), registration.version)
        assert fresh(application).status == "in_progress"
        services.deliver(food, user, food.version, delivery="窗口领取")
    application = fresh(application)
    assert application.status == "completed"
    assert application.output["granted"] == 2
    assert OutboxMessage.objects.filter(topic="application.completed").count() == 1


def test_a_denied_case_counts_as_ended_for_the_unified_output():
    application = accepted(bundle="DANBU")
    deny(reviewing(case_of(application, "SCJG-DJ-001")), head())
    deny(reviewing(case_of(application, "SCJG-XK-001")), head())
    application = fresh(application)
    assert application.status == "completed" and application.output["denied"] == 2


def test_withdrawing_the_root_cancels_the_open_cases_but_keeps_decisions():
    application = accepted(bundle="DANBU")
    registration = granted_and_issued(case_of(application, "SCJG-DJ-001"))
    with clock.frozen(MONDAY):
        services.withdraw(
            application, application.applicant.user, version=fresh(application).version
        )
    application = fresh(application)
    assert application.status == "withdrawn"
    assert case_of(application, "SCJG-XK-001").state == "withdrawn"
    assert fresh(registration).state == "issued"
    cancel = CaseEvent.objects.get(kind="cancel")
    assert cancel.actor_role == "system" and cancel.data["cause"] == "application_withdrawn"


def test_only_the_applicant_side_may_withdraw():
    application = accepted(bundle="DANBU")
    with clock.frozen(MONDAY), pytest.raises(PermissionDenied):
        services.withdraw(application, clerk())


def test_events_form_the_timeline_in_order():
    application = accepted(item="SCJG-XK-001")
    case = reviewing(case_of(application, "SCJG-XK-001"))
    kinds = [event.kind for event in case.events.order_by("at", "id")]
    assert kinds == ["received", "accept", "start_review"]
    assert [event.to_state for event in case.events.order_by("at", "id")] == [
        "received",
        "accepted",
        "under_review",
    ]
