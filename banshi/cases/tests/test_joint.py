"""Joint review (联合审查) and silence as consent (超时默认) in a bundle that declares it."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.cases import services
from banshi.cases.errors import RuleViolation
from banshi.cases.models import Opinion
from banshi.cases.tests.factories import (
    MONDAY,
    accepted,
    case_of,
    fresh,
    head,
    reviewer,
    reviewing,
)
from banshi.core import clock

pytestmark = pytest.mark.usefixtures("catalogue")

OPINION_DUE = dt.date(2025, 3, 21)  # MONDAY + 14 WD: the part of 20 WD before the yellow third


def lead_case():
    """The lead department's case (SCJG 食品经营许可) of an accepted LHSC application."""
    application = accepted(bundle="LHSC")
    return reviewing(case_of(application, "SCJG-XK-001"))


def opine(case, department, opinion, text="", *, day=MONDAY, user=None):
    with clock.frozen(day):
        return services.give_opinion(case, department, opinion, text, user or reviewer(department))


def test_acceptance_asks_every_other_department_for_its_opinion_on_the_lead_case():
    case = lead_case()
    assert case.joint_review
    rows = Opinion.objects.filter(case=case).order_by("department__code")
    assert [(o.department.code, o.opinion, o.due) for o in rows] == [
        ("WS", "none", OPINION_DUE),
        ("XF", "none", OPINION_DUE),
    ]
    other = case_of(case.application, "WS-XK-001")
    assert not other.joint_review and not other.opinions.exists()


def test_the_lead_case_is_not_decided_while_opinions_are_missing():
    case = lead_case()
    opine(case, "WS", "agree")
    with clock.frozen(MONDAY), pytest.raises(RuleViolation, match="尚未齐备"):
        services.decide(fresh(case), True, "", head(), fresh(case).version)


def test_a_disagreeing_department_blocks_a_grant_but_not_a_denial():
    case = lead_case()
    opine(case, "WS", "agree")
    opine(case, "XF", "disagree", "疏散通道不足", user=head("XF"))
    with clock.frozen(MONDAY), pytest.raises(RuleViolation, match="不同意"):
        services.decide(fresh(case), True, "", head(), fresh(case).version)
    with clock.frozen(MONDAY):
        services.decide(
            fresh(case),
            False,
            "消防意见不同意",
            head(),
            fresh(case).version,
            remedy_notice=services.REMEDY_NOTICE,
        )
    assert fresh(case).state == "decided_deny"


def test_with_every_opinion_agreeing_the_lead_case_is_granted():
    case = lead_case()
    opine(case, "WS", "agree")
    opine(case, "XF", "agree")
    with clock.frozen(MONDAY):
        services.decide(fresh(case), True, "各部门同意", head(), fresh(case).version)
    assert fresh(case).state == "decided_grant"


def test_a_disagreement_needs_reasons():
    case = lead_case()
    with pytest.raises(RuleViolation):
        opine(case, "XF", "disagree", " ")


def test_a_department_does_not_give_an_opinion_on_its_own_case():
    case = lead_case()
    with pytest.raises(RuleViolation):
        opine(case, "SCJG", "agree")


def test_a_department_outside_the_application_gives_no_opinion():
    case = lead_case()
    with pytest.raises(RuleViolation, match="未参与"):
        opine(case, "GA", "agree")


def test_a_case_outside_joint_review_takes_no_opinions():
    application = accepted(answers={"shop.area": 500})
    case = reviewing(case_of(application, "SCJG-XK-001"))
    with pytest.raises(RuleViolation, match="联合审查"):
        opine(case, "XF", "agree")


def test_silence_after_the_opinion_deadline_is_recorded_as_consent():
    case = lead_case()
    opine(case, "XF", "agree")
    assert services.apply_silence_as_consent(OPINION_DUE) == []
    with clock.frozen(dt.date(2025, 3, 24)):
        assert services.apply_silence_as_consent() == [case.number]
    health = Opinion.objects.get(case=case, department__code="WS")
    assert (health.opinion, health.deemed) == ("agree", True)
    assert not Opinion.objects.get(case=case, department__code="XF").deemed
    with clock.frozen(dt.date(2025, 3, 24)):
        services.decide(fresh(case), True, "", head(), fresh(case).version)


def test_silence_as_consent_is_idempotent_and_final():
    case = lead_case()
    with clock.frozen(dt.date(2025, 3, 24)):
        services.apply_silence_as_consent()
        assert services.apply_silence_as_consent() == []
        with pytest.raises(RuleViolation, match="视为同意"):
            opine(case, "WS", "disagree", "其实不同意", day=dt.date(2025, 3, 24))


def test_a_department_may_revise_its_opinion_before_the_decision():
    case = lead_case()
    opine(case, "XF", "disagree", "缺少方案")
    opine(case, "XF", "agree", "已补充")
    assert Opinion.objects.get(case=case, department__code="XF").opinion == "agree"
    assert case.events.filter(kind="give_opinion").count() == 2
