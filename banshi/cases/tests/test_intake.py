"""Intake at the comprehensive window: correction, refusal, acceptance, deemed acceptance (第32条)."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.cases import services
from banshi.cases.errors import ConflictError, InvalidTransition, PermissionDenied, RuleViolation
from banshi.cases.models import CaseEvent, CorrectionNotice, OutboxMessage
from banshi.cases.tests.factories import (
    MONDAY,
    case_of,
    clerk,
    fresh,
    make_person,
    reviewer,
    submit,
)
from banshi.core import clock

pytestmark = pytest.mark.usefixtures("catalogue")

FIFTH_WORKING_DAY = dt.date(2025, 3, 10)  # MONDAY + 5 working days
FOOD_CORRECTION = {
    "item": "SCJG-XK-001",
    "materials": ["FOOD-RULES"],
    "fields": ["shop.area"],
    "reason": "制度缺少进货查验内容；面积与租赁合同不一致",
}


def correct(application, items=None, *, day=MONDAY, user=None):
    with clock.frozen(day):
        return services.request_correction(
            application,
            [FOOD_CORRECTION] if items is None else items,
            user or clerk(),
            fresh(application).version,
        )


def answer(application, *, day):
    applicant_user = application.applicant.user
    with clock.frozen(day):
        return services.answer_correction(
            application,
            applicant_user,
            form_data={"shop.area": 120},
            materials=[{"code": "FOOD-RULES"}],
        )


# ------------------------------------------------------------------ correction (第32条(四))
def test_correction_notice_on_the_fifth_working_day_is_allowed__art32_4():
    application = submit()
    notice = correct(application, day=FIFTH_WORKING_DAY)
    assert notice.items[0]["item"] == "SCJG-XK-001"
    assert set(fresh(application).cases.values_list("state", flat=True)) == {"correction_requested"}


def test_correction_notice_after_five_working_days_is_refused__art32_4():
    application = submit()
    with pytest.raises(RuleViolation, match="第32条"):
        correct(application, day=dt.date(2025, 3, 11))
    assert not CorrectionNotice.objects.exists()


def test_correction_lists_every_item_in_one_notice__art32_4():
    application = submit(answers={"shop.area": 500})
    fire = {"item": "XF-JC-001", "materials": ["FIRE-PLAN"], "reason": "方案未盖章"}
    notice = correct(application, [FOOD_CORRECTION, fire])
    assert [entry["item"] for entry in notice.items] == ["SCJG-XK-001", "XF-JC-001"]
    assert OutboxMessage.objects.filter(topic="application.correction_notice").count() == 1


def test_a_second_correction_notice_is_refused_even_after_the_answer__art32_4():
    """一次性告知: one notice per submission; a second one raising new items breaks the rule."""
    application = submit()
    correct(application)
    answer(application, day=dt.date(2025, 3, 5))
    with pytest.raises(RuleViolation, match="一次性"):
        correct(
            application, [{"item": "SCJG-DJ-001", "materials": ["LEASE"]}], day=dt.date(2025, 3, 6)
        )
    assert CorrectionNotice.objects.count() == 1


def test_a_correction_may_not_ask_for_unrelated_materials__art31():
    application = submit()
    with pytest.raises(RuleViolation, match="第31条"):
        correct(application, [{"item": "SCJG-XK-001", "materials": ["HEALTH-CERT"]}])


def test_a_correction_must_name_what_to_correct__art32_4():
    application = submit()
    with pytest.raises(RuleViolation):
        correct(application, [])
    with pytest.raises(RuleViolation):
        correct(application, [{"item": "SCJG-XK-001", "reason": "不完整"}])


def test_acceptance_after_correction_dates_from_the_day_the_corrections_arrived__art32_5():
    """受理日期应为交齐补正材料之日 (standards §1.1 row 1.6): the decision clock starts there."""
    application = submit()
    correct(application, day=dt.date(2025, 3, 4))
    answer(application, day=dt.date(2025, 3, 20))
    with clock.frozen(dt.date(2025, 3, 24)):
        services.accept(application, clerk(), fresh(application).version)
    application = fresh(application)
    assert application.accepted_at.date() == dt.date(2025, 3, 20)
    assert application.deemed_accepted is False
    assert case_of(application, "SCJG-XK-001").decision_due == dt.date(2025, 4, 18)


def test_answering_merges_the_corrected_data():
    application = submit()
    correct(application)
    answer(application, day=dt.date(2025, 3, 5))
    application = fresh(application)
    assert application.form_data["shop.area"] == 120
    assert {"code": "FOOD-RULES"} in application.materials
    assert application.correction_notice.answered_at is not None


def test_only_the_applicant_side_may_answer_a_correction():
    application = submit()
    correct(application)
    with clock.frozen(dt.date(2025, 3, 5)), pytest.raises(PermissionDenied):
        services.answer_correction(application, clerk())


# ------------------------------------------------------------------ refusal (第32条(一)(二))
def test_refusal_as_not_needing_a_licence__art32_1():
    application = submit()
    with clock.frozen(MONDAY):
        services.refuse_at_intake(
            application,
            "该经营活动无需许可",
            "",
            clerk(),
            application.version,
            ground="not_required",
        )
    application = fresh(application)
    assert application.status == "refused"
    assert set(application.cases.values_list("state", flat=True)) == {"refused_at_intake"}
    message = OutboxMessage.objects.get(topic="application.refused")
    assert message.payload["basis"].startswith("第32条(一)")
    assert "行政复议" in message.payload["remedy_notice"]


def test_refusal_as_not_competent_needs_the_agency_to_apply_to__art32_2():
    application = submit()
    with clock.frozen(MONDAY), pytest.raises(RuleViolation, match="第32条"):
        services.refuse_at_intake(
            application,
            "不属于本机关职权",
            "  ",
            clerk(),
            application.version,
            ground="not_competent",
        )
    with clock.frozen(MONDAY):
        services.refuse_at_intake(
            application,
            "不属于本机关职权",
            "郑州市市场监督管理局",
            clerk(),
            application.version,
            ground="not_competent",
        )
    event = CaseEvent.objects.get(application=application, kind="refused")
    assert event.data["redirect_agency"] == "郑州市市场监督管理局"


def test_refusal_needs_reasons():
    application = submit()
    with clock.frozen(MONDAY), pytest.raises(RuleViolation):
        services.refuse_at_intake(
            application, " ", "", clerk(), application.version, ground="not_required"
        )


def test_refusal_for_incompleteness_needs_a_correction_notice_first__art32_4():
    application = submit()
    with clock.frozen(MONDAY), pytest.raises(RuleViolation):
        services.refuse_at_intake(
            application, "材料不全", "", clerk(), application.version, ground="incomplete"
        )
    correct(application)
    with clock.frozen(dt.date(2025, 4, 30)):
        services.refuse_at_intake(
            application, "逾期未补正", "", clerk(), fresh(application).version, ground="incomplete"
        )
    assert fresh(application).status == "refused"


def test_refusal_after_the_intake_period_is_refused_because_it_counts_as_accepted__art32_4():
    application = submit()
    with clock.frozen(dt.date(2025, 3, 11)), pytest.raises(RuleViolation, match="视为受理"):
        services.refuse_at_intake(
            application, "无需许可", "", clerk(), application.version, ground="not_required"
        )


# ------------------------------------------------------------------ acceptance (第32条(五), 第42条)
def test_acceptance_sets_the_decision_deadline_from_promised_or_legal_days__art42_1():
    application = submit(answers={"shop.area": 100})
    with clock.frozen(MONDAY):
        services.accept(application, clerk(), application.version)
    application = fresh(application)
    assert application.status == "in_progress"
    registration = case_of(application, "SCJG-DJ-001")
    food = case_of(application, "SCJG-XK-001")
    assert (registration.decision_days, registration.decision_due) == (3, dt.date(2025, 3, 6))
    assert (food.decision_days, food.decision_due) == (20, dt.date(2025, 3, 31))
    assert food.state == "accepted"


def test_an_item_without_days_gets_twenty_working_days__art42_1():
    application = submit(item="WS-XK-001")
    with clock.frozen(MONDAY):
        services.accept(application, clerk(), application.version)
    case = case_of(fresh(application), "WS-XK-001")
    assert (case.decision_days, case.decision_due) == (20, dt.date(2025, 3, 31))


def test_an_item_without_days_gets_forty_five_in_a_joint_handling__art42_2():
    application = submit(bundle="LHSC")
    with clock.frozen(MONDAY):
        services.accept(application, clerk(), application.version)
    case = case_of(fresh(application), "WS-XK-001")
    assert (case.decision_days, case.decision_due) == (45, dt.date(2025, 5, 8))


def test_acceptance_writes_the_acceptance_notice_with_expected_dates__art32():
    application = submit()
    with clock.frozen(MONDAY):
        services.accept(application, clerk(), application.version)
    message = OutboxMessage.objects.get(topic="application.accepted")
    assert {row["decision_due"] for row in message.payload["cases"]} == {"2025-03-06", "2025-03-31"}


def test_only_a_window_clerk_accepts():
    application = submit()
    with clock.frozen(MONDAY), pytest.raises(PermissionDenied):
        services.accept(application, reviewer(), application.version)
    with clock.frozen(MONDAY), pytest.raises(PermissionDenied):
        services.accept(application, application.applicant.user, application.version)


def test_accepting_twice_is_an_invalid_transition():
    application = submit()
    with clock.frozen(MONDAY):
        services.accept(application, clerk(), application.version)
        with pytest.raises(InvalidTransition):
            services.accept(application, clerk(), fresh(application).version)


def test_two_clerks_with_the_same_version_one_wins_the_other_gets_a_conflict():
    application = submit()
    seen = application.version
    first, second = clerk(), clerk()
    with clock.frozen(MONDAY):
        services.accept(application, first, seen)
        with pytest.raises(ConflictError) as raised:
            services.refuse_at_intake(
                application, "无需许可", "", second, seen, ground="not_required"
            )
    assert "已被他人处理" in str(raised.value) and "reload" in str(raised.value)
    application = fresh(application)
    assert application.status == "in_progress"
    assert not CaseEvent.objects.filter(application=application, kind="refused").exists()
    assert CaseEvent.objects.filter(application=application, kind="accepted").count() == 1


# ------------------------------------------------------------------ deemed acceptance (第32条(四))
def test_no_notice_within_five_working_days_means_accepted_as_of_receipt__art32_4():
    application = submit(day=MONDAY)
    with clock.frozen(FIFTH_WORKING_DAY):
        assert services.deem_accepted_overdue() == []
    with clock.frozen(dt.date(2025, 3, 11)):
        assert services.deem_accepted_overdue() == [application.number]
    application = fresh(application)
    assert application.deemed_accepted is True
    assert application.accepted_at == application.received_at
    assert case_of(application, "SCJG-XK-001").decision_due == dt.date(2025, 3, 31)
    event = CaseEvent.objects.get(application=application, kind="accepted")
    assert event.actor is None and event.actor_role == "system"


def test_a_pending_correction_stops_deemed_acceptance__art32_4():
    application = submit()
    correct(application)
    with clock.frozen(dt.date(2025, 4, 30)):
        assert services.deem_accepted_overdue() == []
    assert fresh(application).status == "submitted"


def test_a_clerk_accepting_late_confirms_acceptance_as_of_receipt__art32_4():
    application = submit()
    with clock.frozen(dt.date(2025, 3, 12)):
        services.accept(application, clerk(), application.version)
    application = fresh(application)
    assert application.deemed_accepted is True
    assert application.accepted_at == application.received_at


def test_answered_corrections_left_without_a_decision_are_deemed_accepted_from_the_answer():
    application = submit()
    correct(application)
    answer(application, day=dt.date(2025, 3, 20))
    with clock.frozen(dt.date(2025, 3, 28)):
        assert services.deem_accepted_overdue() == [application.number]
    assert fresh(application).accepted_at.date() == dt.date(2025, 3, 20)


def test_withdrawal_before_acceptance_cancels_every_case():
    application = submit(make_person())
    with clock.frozen(MONDAY):
        services.withdraw(application, application.applicant.user, reason="不办了")
    application = fresh(application)
    assert application.status == "withdrawn"
    assert set(application.cases.values_list("state", flat=True)) == {"withdrawn"}


# ------------------------------------------------------------------ on-the-spot correction (第32条(三))
def test_an_error_is_corrected_on_the_spot_with_an_audit_diff__art32_3():
    application = submit()
    with clock.frozen(MONDAY):
        services.correct_on_the_spot(
            application, {"enterprise.name": "某某餐饮店"}, clerk(), application.version
        )
    event = CaseEvent.objects.get(application=application, kind="corrected_on_the_spot")
    assert event.data["diff"] == {"enterprise.name": ["某某餐饮有限公司", "某某餐饮店"]}
    assert fresh(application).form_data["enterprise.name"] == "某某餐饮店"


def test_on_the_spot_correction_is_only_for_intake__art32_3():
    application = submit()
    with clock.frozen(MONDAY):
        services.accept(application, clerk(), application.version)
        with pytest.raises(InvalidTransition):
            services.correct_on_the_spot(
                application, {"shop.area": 1}, clerk(), fresh(application).version
            )


def test_a_window_clerk_may_key_in_a_walk_in_application():
    desk = clerk()
    application = submit(channel="window", submitted_by=desk)
    event = CaseEvent.objects.get(application=application, kind="submitted")
    assert (event.actor, event.actor_role) == (desk, "window_clerk")
    with pytest.raises(PermissionDenied):
        submit(channel="window", submitted_by=reviewer())
