"""好差评 rules (reference/standards.md §3), one test per rule the platform enforces."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from banshi.appeals.errors import InvalidTransition, NotFound, PermissionDenied, RuleViolation
from banshi.appeals.tests.factories import handler, staff, supervisor
from banshi.cases.tests import factories as case_factories
from banshi.core import clock
from banshi.ratings import reports, services
from banshi.ratings.models import IndicatorSet, Rating, Rectification, RectificationEvent
from banshi.ratings.tests.factories import PHONE, closed_appeal, finished_case, open_case

pytestmark = pytest.mark.django_db


def _head(department="SCJG"):
    return staff("department_head", department=department)


# ------------------------------------------------------------------ §3.4 levels
def test_five_levels_3_4_the_lower_two_are_bad_and_open_a_rectification():
    from banshi.ratings.models import Level

    assert [label for _, label in Level.choices] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    case, person = finished_case()
    good = services.rate_case(person.user, case, level=3)
    assert not good.is_bad and not Rectification.objects.filter(rating=good).exists()
    other, person2 = finished_case()
    bad = services.rate_case(person2.user, other, level=2, comment="等了很久")
    assert bad.is_bad and bad.rectification.state == "verifying"


@pytest.mark.parametrize("level", [0, 6, "", "five", None])
def test_a_level_outside_the_five_is_refused_3_4(level):
    case, person = finished_case()
    with pytest.raises(RuleViolation) as error:
        services.rate_case(person.user, case, level=level)
    assert "评价等级" in error.value.zh and error.value.en
    assert not Rating.objects.exists()


# ------------------------------------------------------------------ §3.12 indicators as data
def test_national_indicator_sets_3_12_online_and_onsite():
    online = IndicatorSet.objects.get(service_mode="online", is_active=True)
    onsite = IndicatorSet.objects.get(service_mode="onsite", is_active=True)
    assert [i.name for i in online.indicators.all()] == [
        "整体满意度",
        "办事效率",
        "办事指南精确度",
        "办事便捷度",
        "平台操作性",
    ]
    assert [i.name for i in onsite.indicators.all()] == [
        "整体满意度",
        "服务效率",
        "服务水平",
        "服务态度",
    ]


def test_scores_only_for_the_set_indicators_3_12_missing_ones_take_the_overall_level():
    case, person = finished_case()
    with pytest.raises(RuleViolation) as error:
        services.rate_case(person.user, case, level=4, scores={"attitude": 5})  # on-site only
    assert "评价指标不属于" in error.value.zh
    rating = services.rate_case(person.user, case, level=4, scores={"efficiency": 2})
    assert rating.scores["efficiency"] == 2 and rating.scores["usability"] == 4
    assert rating.scores["overall"] == 4 and rating.indicator_set.service_mode == "online"


# ------------------------------------------------------------------ §3.5 一事一评 / 一次一评
def test_one_rating_per_case_3_5_a_second_is_refused():
    case, person = finished_case()
    services.rate_case(person.user, case, level=5)
    with pytest.raises(RuleViolation) as error:
        services.rate_case(person.user, case, level=1, comment="再评一次")
    assert "不能重复评价" in error.value.zh and "already rated" in error.value.en
    assert Rating.objects.count() == 1 and not Rectification.objects.exists()


def test_one_rating_per_request_3_5_and_3_3_hotline_handling_is_rated():
    appeal, _ = closed_appeal()
    rating = services.rate_appeal(None, appeal.number, phone=PHONE, level=5)
    assert rating.subject_kind == "appeal" and rating.department.code == "SCJG"
    with pytest.raises(RuleViolation):
        services.rate_appeal(None, appeal.number, phone=PHONE, level=4)


def test_one_rating_per_window_visit_3_5_token_used_once_and_expires():
    token = services.new_visit("A01")
    rating = services.rate_visit("A01", token, level=4)
    assert rating.subject_kind == "visit" and rating.indicator_set.service_mode == "onsite"
    assert rating.channel == "qr" and rating.department.code == "ZWFW"
    with pytest.raises(RuleViolation):
        services.rate_visit("A01", token, level=4)
    with pytest.raises(RuleViolation):  # a token of another window
        services.rate_visit("B01", services.new_visit("A01"), level=4)
    old = services.new_visit("A01")
    with clock.frozen(dt.datetime(2025, 3, 3, 13, 0)), pytest.raises(RuleViolation) as error:
        services.rate_visit("A01", old, level=4)
    assert "过期" in error.value.zh
    with pytest.raises(NotFound):
        services.rate_visit("NO-SUCH", services.new_visit("NO-SUCH"), level=4)


def test_late_rating_within_the_configured_period_3_5():
    case, person = finished_case()  # closed 2025-03-03; 15 working days → 2025-03-24
    with clock.frozen(dt.date(2025, 3, 24)):
        services.rate_case(person.user, case, level=5)
    late, person2 = finished_case()
    with clock.frozen(dt.date(2025, 3, 25)), pytest.raises(RuleViolation) as error:
        services.rate_case(person2.user, late, level=5)
    assert "已超过评价期限" in error.value.zh


# ------------------------------------------------------------------ §3.2 who rates
def test_a_case_that_is_not_yours_is_refused_3_2():
    case, _ = finished_case()
    stranger = case_factories.make_person("路人")
    with pytest.raises(PermissionDenied) as error:
        services.rate_case(stranger.user, case, level=1, comment="捣乱")
    assert "本人" in error.value.zh and "your own" in error.value.en
    with pytest.raises(PermissionDenied):
        services.rate_case(None, case, level=5)
    assert not Rating.objects.exists()


def test_an_authorised_agent_may_rate_the_case_3_2():
    case, _ = finished_case()
    agent = case_factories.make_person("代办人")
    application = case.application
    application.agent = agent
    application.save(update_fields=["agent"])
    assert services.rate_case(agent.user, case, level=5).rater_person == agent


def test_a_request_that_is_not_yours_is_refused_3_2():
    appeal, _ = closed_appeal()
    with pytest.raises(PermissionDenied):
        services.rate_appeal(None, appeal.number, phone="13900000000", level=1, comment="不是我的")


def test_a_case_not_finished_is_refused():
    case, person = open_case()
    with pytest.raises(RuleViolation) as error:
        services.rate_case(person.user, case, level=5)
    assert "尚未办结" in error.value.zh and "not finished" in error.value.en


def test_a_request_not_closed_is_refused():
    from banshi.appeals.tests.factories import dispatched

    appeal = dispatched()
    with pytest.raises(RuleViolation) as error:
        services.rate_appeal(None, appeal.number, phone=PHONE, level=5)
    assert "尚未办结" in error.value.zh


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("comment", "zh"),
    [("", "请填写差评原因"), ("  ", "请填写差评原因"), ("差" * 501, "不能超过500个字")],
)
def test_bad_rating_needs_a_reason_of_reasonable_length(comment, zh):
    case, person = finished_case()
    with pytest.raises(RuleViolation) as error:
        services.rate_case(person.user, case, level=1, comment=comment)
    assert zh in error.value.zh
    assert not Rating.objects.exists() and not Rectification.objects.exists()


# ------------------------------------------------------------------ §3.7 voluntary, anonymous
def test_anonymous_to_the_rated_staff_3_7():
    """The rated staff member never sees nor handles the rating of their own work."""
    appeal, replier = closed_appeal()
    rating = services.rate_appeal(None, appeal.number, phone=PHONE, level=1, comment="态度差")
    assert rating.staff == replier and rating.named
    rectification = rating.rectification
    assert services.handler_role(rectification, replier) is None
    assert not services.visible_rectifications(replier).exists()
    with pytest.raises(PermissionDenied):
        services.verify(
            rectification,
            replier,
            None,
            contacted=True,
            finding="explain",
            category="attitude",
            note="我没有错",
        )
    with pytest.raises(PermissionDenied):
        services.rater_contact(rectification, replier, purpose="想知道是谁")


def test_rater_contact_only_for_handlers_and_every_view_logged_3_7():
    appeal, _ = closed_appeal()
    rating = services.rate_appeal(None, appeal.number, phone=PHONE, level=2, comment="太慢")
    head = _head()
    contact = services.rater_contact(rating.rectification, head, purpose="回访核实")
    assert contact.phone == PHONE
    logged = RectificationEvent.objects.get(kind="contact_viewed")
    assert logged.actor == head and logged.data["purpose"] == "回访核实"
    with pytest.raises(PermissionDenied):
        services.rater_contact(
            rating.rectification, handler("CG", "department_head"), purpose="看看"
        )
    masked = services.masked_contact(rating)
    assert masked.phone == "138****1234"


def test_anonymous_rating_keeps_no_contact_3_7():
    case, person = finished_case()
    rating = services.rate_case(person.user, case, level=2, comment="不想留名", contact_ok=False)
    assert not rating.named and rating.rater_phone == "" and rating.rater_name == ""


def test_rating_is_voluntary_3_7_nothing_waits_for_it():
    """Closing and archiving never depend on a rating."""
    from banshi.appeals import services as appeal_services

    appeal, _ = closed_appeal()
    with clock.frozen(dt.date(2025, 3, 18)):
        appeal_services.archive(appeal, staff("hotline_agent", department="ZWFW"), None)
    assert not Rating.objects.exists()


# ------------------------------------------------------------------ §3.8 the rectification loop
def test_bad_rating_verified_rectified_replied_and_revisited_3_8():
    appeal, _ = closed_appeal()
    rating = services.rate_appeal(None, appeal.number, phone=PHONE, level=1, comment="被推来推去")
    rectification = rating.rectification
    assert rectification.due == dt.date(2025, 3, 24)  # 15 working days (§3.9 default)
    assert rectification.verify_due == dt.date(2025, 3, 4)
    head = _head()
    with clock.frozen(dt.date(2025, 3, 4)):
        services.verify(
            rectification,
            head,
            rectification.version,
            contacted=True,
            finding="deadline",
            category="efficiency",
            note="已联系评价人，情况属实",
        )
    with clock.frozen(dt.date(2025, 3, 10)):
        services.rectify(
            rectification, head, None, measures="明确职责分工，避免退单", reply="已整改，感谢监督"
        )
    with pytest.raises(InvalidTransition):
        services.rectify(rectification, head, None, measures="再整改一次", reply="再回复一次")
    with clock.frozen(dt.date(2025, 3, 12)):
        services.revisit(rectification, supervisor(), None, result="satisfied", note="满意")
    rectification.refresh_from_db()
    assert rectification.state == "closed" and rectification.workdays == 7 and rectification.on_time
    assert list(rectification.events.values_list("kind", flat=True)) == [
        "open",
        "verify",
        "rectify",
        "revisit",
    ]


def test_no_legal_basis_is_explained_instead_3_8():
    appeal, _ = closed_appeal()
    rating = services.rate_appeal(None, appeal.number, phone=PHONE, level=2, comment="要求免费办理")
    head = _head()
    services.verify(
        rating.rectification,
        head,
        None,
        contacted=True,
        finding="explain",
        category="policy",
        note="收费有法定依据",
    )
    services.rectify(
        rating.rectification,
        head,
        None,
        measures="依据收费标准文件解释说明",
        reply="已向您说明收费依据",
    )
    assert Rectification.objects.get().finding == "explain"


def test_named_bad_rating_callback_rate_is_tracked_3_8():
    """实名差评回访率 (target 100 %): named bad ratings whose rater was reached when verifying."""
    first, _ = closed_appeal()
    second, _ = closed_appeal()
    a = services.rate_appeal(None, first.number, phone=PHONE, level=1, comment="差")
    services.rate_appeal(None, second.number, phone=PHONE, level=2, comment="慢")
    services.verify(
        a.rectification,
        _head(),
        None,
        contacted=True,
        finding="immediate",
        category="attitude",
        note="已联系核实",
    )
    p = reports.Period("month", dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    totals = reports.rating_report(p)["totals"]
    assert totals["named_bad"] == 2 and totals["called"] == 1 and totals["callback_rate"] == 0.5


@override_settings(BANSHI_RATING_RECTIFY_WORKDAYS=5)
def test_rectification_time_limit_is_configuration_3_9():
    appeal, _ = closed_appeal()
    rating = services.rate_appeal(None, appeal.number, phone=PHONE, level=1, comment="差")
    assert rating.rectification.due == dt.date(2025, 3, 10)


def test_overdue_rectification_is_flagged_once_by_the_scan():
    appeal, _ = closed_appeal()
    services.rate_appeal(None, appeal.number, phone=PHONE, level=1, comment="差")
    with clock.frozen(dt.date(2025, 3, 25)):
        first = services.scan()
        second = services.scan()
    assert (first.verify_overdue, first.overdue) == (1, 1)
    assert (second.verify_overdue, second.overdue) == (0, 0)


# ------------------------------------------------------------------ §3.10 appeal
def test_malicious_bad_rating_appealed_and_upheld_by_a_supervisor_3_10():
    appeal, _ = closed_appeal()
    rating = services.rate_appeal(None, appeal.number, phone=PHONE, level=1, comment="随便打的")
    head = _head()
    services.appeal(rating.rectification, head, None, reason="评价人承认误操作，录音为证，申请剔除")
    with pytest.raises(PermissionDenied):  # the department cannot decide its own appeal
        services.decide_appeal(rating.rectification, head, None, upheld=True, note="我同意")
    services.decide_appeal(
        rating.rectification, supervisor(), None, upheld=True, note="核实为误操作"
    )
    rating.refresh_from_db()
    assert rating.excluded and rating.rectification.state == "void"
    p = reports.Period("month", dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    assert reports.rating_report(p)["totals"]["n"] == 0


def test_rejected_appeal_goes_back_to_rectification_3_10():
    appeal, _ = closed_appeal()
    rating = services.rate_appeal(None, appeal.number, phone=PHONE, level=1, comment="很差")
    head = _head()
    services.appeal(rating.rectification, head, None, reason="认为评价不客观，申请复核")
    services.decide_appeal(
        rating.rectification, supervisor(), None, upheld=False, note="评价有事实依据"
    )
    assert Rectification.objects.get().state == "verifying"


def test_appeal_after_its_window_is_refused_3_10():
    appeal, _ = closed_appeal()
    rating = services.rate_appeal(None, appeal.number, phone=PHONE, level=1, comment="很差")
    with clock.frozen(dt.date(2025, 3, 11)), pytest.raises(RuleViolation) as error:
        services.appeal(rating.rectification, _head(), None, reason="超过期限的申诉理由")
    assert "申诉期限" in error.value.zh


def test_stale_version_is_a_conflict():
    from banshi.appeals.errors import ConflictError

    appeal, _ = closed_appeal()
    rating = services.rate_appeal(None, appeal.number, phone=PHONE, level=1, comment="很差")
    with pytest.raises(ConflictError):
        services.verify(
            rating.rectification,
            _head(),
            99,
            contacted=True,
            finding="immediate",
            category="other",
            note="版本过期的核实",
        )


# ------------------------------------------------------------------ reports (§3 statistics)
def test_report_rates_and_breakdowns_3_statistics():
    case1, p1 = finished_case()
    case2, p2 = finished_case()
    services.rate_case(p1.user, case1, level=5)
    services.rate_case(p2.user, case2, level=1, comment="材料反复补")
    services.rate_visit("A01", services.new_visit("A01"), level=4)
    p = reports.Period("month", dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    report = reports.rating_report(p)
    totals = report["totals"]
    assert totals["n"] == 3 and totals["good"] == 2 and totals["bad"] == 1
    assert totals["good_rate"] == pytest.approx(2 / 3)
    assert totals["case_rating_rate"] == 1.0 and totals["ended_cases"] == 2
    assert {row["label"] for row in report["by_department"]} >= {"市场监督管理局"}
    assert [row["label"] for row in report["by_item"]] == ["企业设立登记"]
    assert report["by_window"][0]["label"].startswith("A01")
    assert report["by_staff"]  # the head who closed the cases
    sheets = reports.excel_sheets(report)
    assert [name for name, _, _ in sheets][:3] == ["总体", "评价等级", "按部门"]
