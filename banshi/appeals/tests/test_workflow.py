"""The 12345 state machine and its rules (reference/standards.md §4), one test per rule.

Each test names the rule it checks (§4.x, or "§4.1 SLA <row>"). Dates are frozen on working days of
2025, a year with official holiday data.
"""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.appeals import services, transitions
from banshi.appeals.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from banshi.appeals.models import (
    Appeal,
    AppealEvent,
    AppealExtension,
    Assignment,
    Category,
    Supervision,
)
from banshi.appeals.tests.factories import (
    MONDAY,
    agent,
    dispatched,
    fresh,
    handler,
    intake,
    staff,
    supervisor,
    taken_in,
)
from banshi.appeals.transitions import State
from banshi.audit import selectors as audit_selectors
from banshi.audit.models import Action as AuditAction
from banshi.cases.models import NumberSequence, OutboxMessage
from banshi.core import clock

pytestmark = pytest.mark.django_db


def _replied(appeal=None, *, day=MONDAY, user=None):
    appeal = appeal or dispatched(day=day)
    user = user or handler("SCJG")
    with clock.frozen(day):
        services.acknowledge(appeal, user, appeal.version)
        appeal = fresh(appeal)
        services.reply(appeal, user, appeal.version, text="已现场检查，责令整改，处罚到位。")
    return fresh(appeal)


def _called_back(appeal=None, satisfaction="satisfied", *, day=MONDAY):
    appeal = appeal or _replied(day=day)
    with clock.frozen(day):
        services.callback(appeal, agent(), appeal.version, satisfaction=satisfaction)
    return fresh(appeal)


def _closed(appeal=None, *, day=MONDAY, satisfaction="satisfied"):
    appeal = _called_back(appeal, satisfaction, day=day)
    with clock.frozen(day):
        services.close(appeal, agent(), appeal.version, note="诉求人不满意但已依法处理")
    return fresh(appeal)


# ------------------------------------------------------------------------ §4.2 the closed loop
def test_closed_loop_4_2_every_transition_is_a_timestamped_event():
    """§4.2: 受理 → 派单 → 签收/办理 → 回复 → 回访 → 办结 → 归档, each step an event row."""
    appeal = taken_in()
    assert appeal.state == State.NEW and appeal.number.startswith("12345-20250303-")
    appeal = dispatched(appeal)
    user = handler("SCJG")
    with clock.frozen(dt.datetime(2025, 3, 4, 10, 0)):
        services.acknowledge(appeal, user, appeal.version)
        services.add_note(fresh(appeal), user, None, note="已联系诉求人，约定明天现场检查")
    with clock.frozen(dt.datetime(2025, 3, 5, 10, 0)):
        services.reply(fresh(appeal), user, None, text="现场检查属实，已责令停业整改并立案。")
    with clock.frozen(dt.datetime(2025, 3, 6, 10, 0)):
        services.callback(fresh(appeal), agent(), None, satisfaction="satisfied")
        services.close(fresh(appeal), agent(), None)
    appeal = fresh(appeal)
    assert appeal.state == State.CLOSED and appeal.on_time is True
    kinds = list(appeal.events.values_list("kind", "from_state", "to_state"))
    assert kinds == [
        ("take_in", "", "new"),
        ("dispatch", "new", "dispatched"),
        ("acknowledge", "dispatched", "acknowledged"),
        ("add_note", "acknowledged", "in_progress"),
        ("reply", "in_progress", "replied"),
        ("callback", "replied", "called_back"),
        ("close", "called_back", "closed"),
    ]
    times = list(appeal.events.values_list("at", flat=True))
    assert times == sorted(times) and all(times)
    assert appeal.version == 7  # one bump per action after intake
    # archiving waits for the reopen window (10 WD after 2025-03-06 = 2025-03-20)
    assert appeal.reopen_until == dt.date(2025, 3, 20)
    with clock.frozen(dt.date(2025, 3, 21)):
        report = services.scan()
    assert report.archived == 1 and fresh(appeal).state == State.ARCHIVED


def test_events_are_append_only_4_2_no_update_path():
    """§4.2 / DESIGN §10: the history is only ever inserted (the admin grants no change)."""
    from django.contrib import admin

    from banshi.appeals.models import AppealEvent as Event

    appeal = dispatched()
    before = list(appeal.events.values_list("pk", "kind"))
    _replied(appeal)
    after = list(fresh(appeal).events.values_list("pk", "kind"))
    assert after[: len(before)] == before
    model_admin = admin.site._registry[Appeal]
    assert not model_admin.has_change_permission(None) and not model_admin.has_delete_permission(
        None
    )
    assert Event not in admin.site._registry  # shown only inline, read-only


# ------------------------------------------------------------------------ §4.3 统一受理
def test_unified_intake_4_3_hotline_web_and_window_channels():
    """§4.3: one intake for the hotline (agents), the web (anyone) and the 办不成事 window."""
    hotline = taken_in(channel="hotline")
    web = taken_in(None, channel="web")
    clerk = staff("window_clerk", department="ZWFW")
    window = taken_in(clerk, channel="window", source_reference="BS-20250303-000001")
    assert {hotline.channel, web.channel, window.channel} == {"hotline", "web", "window"}
    assert web.received_by is None and hotline.received_by is not None
    assert window.source_reference == "BS-20250303-000001"
    assert AppealEvent.objects.get(appeal=web, kind="take_in").actor_role == "caller"
    assert AppealEvent.objects.get(appeal=window, kind="take_in").actor_role == "window_clerk"


def test_only_agents_take_in_calls_and_only_clerks_the_window_4_3():
    """§4.3: the hotline channel belongs to agents, the window channel to window clerks."""
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), handler("SCJG"), staff("window_clerk", department="ZWFW")):
        with pytest.raises(PermissionDenied):
            taken_in(user, channel="hotline")
    with pytest.raises(PermissionDenied):
        taken_in(handler("SCJG"), channel="window")
    assert Appeal.objects.count() == 0


def test_self_service_progress_query_4_3_number_and_phone():
    """§4.3 自助查询: number + phone finds it; a wrong phone and an unknown number get the same
    refusal, so the page reveals nothing about which numbers exist."""
    appeal = taken_in(None, channel="web")
    assert services.find_for_caller(appeal.number, "138 0000 1234").pk == appeal.pk
    with pytest.raises(NotFound) as wrong_phone:
        services.find_for_caller(appeal.number, "13900000000")
    with pytest.raises(NotFound) as unknown:
        services.find_for_caller("12345-20990101-000001", "13800001234")
    assert str(wrong_phone.value) == str(unknown.value)


# ------------------------------------------------------------------------ §4.4 types
def test_five_types_4_4_and_an_unknown_type_is_refused():
    """§4.4: 咨询, 求助, 投诉, 举报, 建议; anything else is refused, in Chinese and English."""
    from banshi.appeals.models import AppealType

    assert [label for _, label in AppealType.choices] == ["咨询", "求助", "投诉", "举报", "建议"]
    with pytest.raises(RuleViolation) as error:
        taken_in(appeal_type="praise")
    assert "诉求类型无效" in error.value.zh and "invalid type" in error.value.en


# ------------------------------------------------------------------------ §4.5 not accepted
@pytest.mark.parametrize(
    ("kind", "transfer"),
    [
        ("legal_procedure", ""),
        ("petition", ""),
        ("emergency_police", "110"),
        ("emergency_fire", "119"),
        ("emergency_medical", "120"),
        ("emergency_traffic", "122"),
        ("secrets", ""),
    ],
)
def test_matters_not_to_accept_4_5_are_refused_with_the_basis(kind, transfer):
    """§4.5: litigation & other legal channels, 信访, emergencies (110/119/120/122), secrets: not
    accepted, and the caller is told the basis (and where to call)."""
    appeal = taken_in()
    with clock.frozen(MONDAY):
        services.refuse(appeal, agent(), appeal.version, kind=kind)
    appeal = fresh(appeal)
    assert appeal.state == State.NOT_ACCEPTED
    assert appeal.reply == appeal.not_accepted_kind.reason and appeal.reply
    if transfer:
        assert transfer in appeal.reply
    event = appeal.events.get(kind="refuse")
    assert event.data["transfer_to"] == transfer


def test_refusal_needs_a_kind_from_the_list_4_5():
    appeal = taken_in()
    with pytest.raises(RuleViolation):
        services.refuse(appeal, agent(), appeal.version, kind="i-do-not-like-it")
    assert fresh(appeal).state == State.NEW and fresh(appeal).events.count() == 1


# ------------------------------------------------------------------------ §4.8 knowledge base
def test_consultation_answered_directly_4_8_and_closed_by_the_agent():
    """§4.8: a consultation with a clear answer is answered from the knowledge base at once."""
    from banshi.appeals.models import KnowledgeEntry

    entry = KnowledgeEntry.objects.first()
    appeal = taken_in(
        appeal_type="consult",
        category="99",
        title="热线受理范围",
        content="请问热线都受理什么事情？",
    )
    with clock.frozen(MONDAY):
        services.answer_directly(
            appeal, agent(), appeal.version, answer=entry.answer, knowledge_entry=entry.pk
        )
    appeal = fresh(appeal)
    assert (
        appeal.state == State.ANSWERED_DIRECT
        and appeal.closed_at
        and appeal.knowledge_entry == entry
    )
    assert transitions.State(appeal.state) in transitions.RATABLE


def test_only_consultations_are_answered_directly_4_8():
    appeal = taken_in(appeal_type="complaint")
    with pytest.raises(RuleViolation) as error:
        services.answer_directly(appeal, agent(), appeal.version, answer="请自行解决")
    assert "咨询" in error.value.zh and "consultations" in error.value.en


# ------------------------------------------------------------------------ §4.1 SLA: acknowledge
def test_acknowledge_within_one_working_day_4_1_sla_and_scan_flags_a_late_one():
    """§4.1 SLA 签收: within 1 working day of dispatch (LOCAL, configurable); overdue → 催办."""
    appeal = dispatched(day=dt.date(2025, 3, 7))  # Friday
    assert appeal.ack_due == dt.date(2025, 3, 10)  # Monday: the weekend does not count
    with clock.frozen(dt.date(2025, 3, 11)):
        report = services.scan()
    assert report.overdue == 1
    record = Supervision.objects.get(appeal=appeal)
    assert (record.clock, record.level, record.department.code) == (
        "acknowledge",
        "overdue",
        "SCJG",
    )
    with clock.frozen(dt.date(2025, 3, 11)):
        services.acknowledge(fresh(appeal), handler("SCJG"), None)
    assert fresh(appeal).events.get(kind="acknowledge").data["late"] is True


def test_handling_deadline_in_working_days_4_1_sla_skips_holidays_and_counts_makeup_days():
    """§4.1 SLA 咨询 2 WD: dispatched on 2025-09-30, National Day 10-01..10-08 does not count."""
    appeal = taken_in(appeal_type="consult", day=dt.date(2025, 9, 30))
    appeal = dispatched(appeal, day=dt.date(2025, 9, 30))
    assert appeal.due == dt.date(2025, 10, 10) and appeal.handle_days == 2
    assert appeal.due_provisional is False
    complaint = dispatched(day=MONDAY)
    assert complaint.due == dt.date(2025, 3, 20)  # 13 working days


def test_urgent_requests_are_due_the_same_day_4_1_sla():
    """§4.1 SLA 紧急: same day (LOCAL)."""
    appeal = dispatched(taken_in(urgency="urgent"))
    assert appeal.due == MONDAY and appeal.ack_due == MONDAY


def test_time_limits_are_configuration_4_1_and_a_running_ticket_keeps_its_own():
    """§4.1: every value is LOCAL configuration; changing it affects new dispatches only."""
    from banshi.appeals.models import ServiceLevel

    first = dispatched()
    ServiceLevel.objects.filter(appeal_type="complaint", urgency="normal").update(handle_days=5)
    second = dispatched()
    assert first.due == dt.date(2025, 3, 20) and second.due == dt.date(2025, 3, 10)
    assert fresh(first).sla["handle_days"] == 13


def test_deadline_in_a_year_without_calendar_data_is_flagged_provisional():
    """DESIGN §4: a count into a year with no holiday notice is computed on weekdays, flagged."""
    appeal = dispatched(day=dt.date(2026, 12, 21))
    assert appeal.due.year == 2027 and appeal.due_provisional is True


def test_missing_time_limit_configuration_is_refused_before_writing():
    from banshi.appeals.models import ServiceLevel

    ServiceLevel.objects.filter(appeal_type="suggestion").delete()
    with pytest.raises(RuleViolation) as error:
        taken_in(appeal_type="suggestion")
    assert "办理时限标准" in error.value.zh
    assert Appeal.objects.count() == 0


# ------------------------------------------------------------------------ departments
def test_a_department_acting_on_a_ticket_not_dispatched_to_it_is_refused():
    """DESIGN §8 department × role: only the department the ticket went to may act on it."""
    appeal = dispatched(lead="SCJG")
    with pytest.raises(PermissionDenied) as error:
        services.acknowledge(appeal, handler("CG"), appeal.version)
    assert "未派给您所在的单位" in error.value.zh and "not dispatched" in error.value.en
    assert fresh(appeal).state == State.DISPATCHED


def test_assisting_department_gives_an_opinion_but_cannot_reply_4_3():
    """§4.3 multi-department co-operation: assisting departments contribute; the lead replies."""
    appeal = dispatched(lead="SCJG", assisting=("CG",))
    helper = handler("CG")
    with pytest.raises(PermissionDenied):
        services.acknowledge(appeal, helper, appeal.version)
    services.assist(appeal, helper, None, opinion="已配合开展占道经营检查")
    assignment = Assignment.objects.get(appeal=appeal, department__code="CG")
    assert assignment.status == "assisted" and assignment.opinion
    with pytest.raises(InvalidTransition):
        services.assist(appeal, helper, None, opinion="再提交一次")


def test_the_lead_cannot_also_assist():
    appeal = taken_in()
    with pytest.raises(RuleViolation):
        services.dispatch(appeal, agent(), appeal.version, lead="SCJG", assisting=["SCJG"])


def test_dispatch_to_the_category_default_department():
    """Category tree: each category names a default department."""
    appeal = taken_in(category="0302")  # 施工噪音 → CG
    with clock.frozen(MONDAY):
        services.dispatch(appeal, agent(), appeal.version)
    assert fresh(appeal).lead_department.code == "CG"


# ------------------------------------------------------------------------ §4.1 SLA: return
def test_return_with_a_standard_reason_and_basis_4_1_then_the_centre_redispatches():
    """§4.1 SLA 回退: outside its duty → returned in time with the basis; centre re-dispatches."""
    appeal = dispatched(lead="CG")
    cg = handler("CG")
    with clock.frozen(MONDAY):
        services.return_appeal(
            appeal,
            cg,
            appeal.version,
            reason="not_duty",
            basis="《食品安全法》第六条：食品安全由市场监管部门负责",
        )
    appeal = fresh(appeal)
    assert appeal.state == State.RETURNED and appeal.returned_count == 1
    with clock.frozen(dt.date(2025, 3, 4)):
        services.dispatch(appeal, agent(), appeal.version, lead="SCJG")
    appeal = fresh(appeal)
    assert appeal.state == State.DISPATCHED and appeal.round == 2
    assert appeal.events.filter(kind="redispatch").count() == 1
    assert appeal.due == dt.date(2025, 3, 21)  # a new round counts from the re-dispatch
    with pytest.raises(PermissionDenied):  # the returning department is out of the round
        services.acknowledge(appeal, cg, appeal.version)
    services.acknowledge(appeal, handler("SCJG"), appeal.version)


def test_return_without_a_reason_is_refused_4_1():
    appeal = dispatched()
    with pytest.raises(RuleViolation) as error:
        services.return_appeal(appeal, handler("SCJG"), appeal.version, reason="")
    assert "退单理由" in error.value.zh and "return reason" in error.value.en
    assert fresh(appeal).state == State.DISPATCHED


def test_return_reason_needing_a_basis_without_one_is_refused_4_1():
    appeal = dispatched()
    with pytest.raises(RuleViolation) as error:
        services.return_appeal(
            appeal, handler("SCJG"), appeal.version, reason="not_duty", basis=" "
        )
    assert "退单依据" in error.value.zh
    # a reason that needs no basis goes through
    services.return_appeal(appeal, handler("SCJG"), appeal.version, reason="unclear")
    assert fresh(appeal).state == State.RETURNED


def test_return_after_its_window_is_refused_4_1():
    """§4.1 SLA 回退: within the time limit only (LOCAL: 2 WD for a complaint)."""
    appeal = dispatched(day=MONDAY)
    assert appeal.return_due == dt.date(2025, 3, 5)
    with clock.frozen(dt.date(2025, 3, 6)), pytest.raises(RuleViolation) as error:
        services.return_appeal(appeal, handler("SCJG"), appeal.version, reason="unclear")
    assert "已超过退单时限" in error.value.zh and "return window" in error.value.en
    assert fresh(appeal).returned_count == 0


# ------------------------------------------------------------------------ §4.1 SLA: extension
def test_extension_requested_before_expiry_and_approved_by_the_centre_4_1():
    """§4.1 SLA 延期: asked before expiry with reasons; the centre approves; the deadline moves
    by working days and the caller is told (outbox)."""
    appeal = dispatched()
    user = handler("SCJG")
    services.acknowledge(appeal, user, appeal.version)
    with clock.frozen(dt.date(2025, 3, 20)):  # the due day itself is still before expiry
        services.request_extension(
            fresh(appeal), user, None, days=5, reason="需要检测机构出具检测报告"
        )
    with pytest.raises(PermissionDenied):  # the department cannot approve its own
        services.decide_extension(fresh(appeal), user, None, approve=True)
    with clock.frozen(dt.date(2025, 3, 21)):
        services.decide_extension(fresh(appeal), agent(), None, approve=True)
    appeal = fresh(appeal)
    assert appeal.due == dt.date(2025, 3, 27) and appeal.extension_days == 5
    extension = AppealExtension.objects.get(appeal=appeal)
    assert extension.decision == "approved" and extension.due_after == appeal.due
    assert OutboxMessage.objects.filter(
        key=appeal.number, topic="appeal.extension_decided"
    ).exists()


def test_extension_after_expiry_is_refused_4_1():
    appeal = dispatched()
    user = handler("SCJG")
    services.acknowledge(appeal, user, appeal.version)
    with clock.frozen(dt.date(2025, 3, 21)), pytest.raises(RuleViolation) as error:
        services.request_extension(fresh(appeal), user, None, days=3, reason="还需要时间核查")
    assert "到期前申请" in error.value.zh and "before" in error.value.en
    assert not AppealExtension.objects.exists()


def test_extension_beyond_the_configured_maximum_is_refused_4_1():
    appeal = dispatched()
    user = handler("SCJG")
    services.acknowledge(appeal, user, appeal.version)
    with pytest.raises(RuleViolation):
        services.request_extension(
            fresh(appeal), user, None, days=11, reason="需要更长时间调查取证"
        )
    services.request_extension(fresh(appeal), user, None, days=3, reason="需要检测机构出具检测报告")
    with pytest.raises(RuleViolation):  # one pending at a time
        services.request_extension(fresh(appeal), user, None, days=2, reason="再申请一次延期")


# ------------------------------------------------------------------------ §4.1 SLA: supervision
def test_reminders_before_and_supervision_after_the_deadline_4_1_scan_is_idempotent():
    """§4.1 SLA 督办/催办: a reminder before expiry; overdue → 催办通知书 (next day); overdue by
    5 more working days → circulated. Running the scan twice adds nothing."""
    appeal = dispatched()  # due 2025-03-20, remind on 03-19, escalate after 03-27
    services.acknowledge(appeal, handler("SCJG"), appeal.version)
    assert fresh(appeal).remind_on == dt.date(2025, 3, 19)
    for day, expected in [
        (dt.date(2025, 3, 18), set()),
        (dt.date(2025, 3, 19), {"remind"}),
        (dt.date(2025, 3, 21), {"remind", "overdue"}),
        (dt.date(2025, 3, 28), {"remind", "overdue", "escalated"}),
    ]:
        with clock.frozen(day):
            services.scan()
            services.scan()
        assert (
            set(Supervision.objects.filter(appeal=appeal).values_list("level", flat=True))
            == expected
        )
    assert Supervision.objects.filter(appeal=appeal).count() == 3
    assert OutboxMessage.objects.filter(key=appeal.number, topic="appeal.supervise").count() == 1


def test_manual_supervision_by_a_supervisor():
    appeal = dispatched()
    record = services.remind(appeal, supervisor(), note="请加快办理，本周内答复", supervise=True)
    assert record.level == "manual"
    with pytest.raises(PermissionDenied):
        services.remind(appeal, handler("SCJG"), note="自己催自己", supervise=True)


# ------------------------------------------------------------------------ callback, reopen
def test_callback_due_the_next_working_day_4_1_and_flagged_when_late():
    """§4.1 SLA 回访: the day after the reply."""
    appeal = _replied(day=dt.date(2025, 3, 7))
    assert appeal.callback_due == dt.date(2025, 3, 10)
    with clock.frozen(dt.date(2025, 3, 11)):
        assert services.scan().callbacks_overdue == 1


def test_unsatisfied_caller_reopens_4_1_and_the_ticket_is_handled_again():
    """§4.1 SLA 回访: unsatisfied because of the unit → 重办 (a new round, full time)."""
    appeal = _called_back(satisfaction="unsatisfied")
    with clock.frozen(dt.date(2025, 3, 4)):
        services.reopen(appeal, agent(), appeal.version, reason="诉求人称问题依旧存在")
        appeal = fresh(appeal)
        assert appeal.state == State.REOPENED and appeal.reopen_count == 1
        services.dispatch(appeal, agent(), appeal.version, lead="SCJG")
    appeal = fresh(appeal)
    assert appeal.round == 2 and appeal.due == dt.date(2025, 3, 21)


def test_satisfied_callback_cannot_be_reopened():
    appeal = _called_back(satisfaction="satisfied")
    with pytest.raises(RuleViolation):
        services.reopen(appeal, agent(), appeal.version, reason="想再办一次")


def test_caller_reopens_a_closed_ticket_within_the_window_with_number_and_phone():
    appeal = _closed()
    with clock.frozen(dt.date(2025, 3, 10)):
        with pytest.raises(PermissionDenied):  # a stranger without the phone
            services.reopen(appeal, None, appeal.version, reason="不满意", phone="13900000000")
        services.reopen(
            appeal, None, appeal.version, reason="餐馆又开始违规经营", phone="13800001234"
        )
    assert fresh(appeal).events.get(kind="reopen").actor_role == "caller"


def test_reopen_after_the_allowed_time_is_refused_4_1():
    appeal = _closed()  # closed 2025-03-03, reopen until 2025-03-17 (10 WD)
    assert appeal.reopen_until == dt.date(2025, 3, 17)
    with clock.frozen(dt.date(2025, 3, 18)), pytest.raises(RuleViolation) as error:
        services.reopen(appeal, agent(), appeal.version, reason="还是不满意")
    assert "已超过可申请重办的期限" in error.value.zh and "reopen window" in error.value.en
    assert fresh(appeal).state == State.CLOSED


def test_reopens_are_limited_by_configuration():
    appeal = _closed()
    for _ in range(2):
        with clock.frozen(MONDAY):
            services.reopen(fresh(appeal), agent(), None, reason="问题依旧")
            services.dispatch(fresh(appeal), agent(), None, lead="SCJG")
        _closed(_replied(fresh(appeal)))
    with pytest.raises(RuleViolation) as error:
        services.reopen(fresh(appeal), agent(), None, reason="第三次")
    assert "上限" in error.value.zh


def test_closing_an_unsatisfied_ticket_needs_the_reason():
    appeal = _called_back(satisfaction="unsatisfied")
    with pytest.raises(RuleViolation):
        services.close(appeal, agent(), appeal.version)
    services.close(appeal, agent(), appeal.version, note="诉求超出法定职责，已解释")


def test_archive_waits_for_the_reopen_window():
    appeal = _closed()
    with pytest.raises(RuleViolation):
        services.archive(appeal, agent(), appeal.version)
    with clock.frozen(dt.date(2025, 3, 18)):
        services.archive(appeal, agent(), appeal.version)
    assert fresh(appeal).state == State.ARCHIVED


def test_caller_self_service_satisfaction_4_3():
    """§4.3 满意度测评: the caller may give their satisfaction on the tracking page."""
    appeal = _replied()
    services.callback(appeal, None, appeal.version, satisfaction="basic", phone="13800001234")
    assert fresh(appeal).events.get(kind="callback").actor_role == "caller"


# ------------------------------------------------------------------------ integrity
def test_stale_version_is_a_conflict_and_writes_nothing():
    appeal = dispatched()
    user = handler("SCJG")
    services.acknowledge(appeal, user, appeal.version)
    with pytest.raises(ConflictError):
        services.reply(appeal, user, appeal.version, text="按旧页面答复的内容")
    assert fresh(appeal).state == State.ACKNOWLEDGED


def test_wrong_state_is_an_invalid_transition():
    appeal = taken_in()
    with pytest.raises(InvalidTransition) as error:
        services.acknowledge(appeal, handler("SCJG"), appeal.version)
    assert "不能签收" in error.value.zh


def test_intake_with_a_failing_dispatch_writes_nothing():
    """Nothing half-written: a call registered and dispatched at once is one transaction."""
    sequences = NumberSequence.objects.count()
    with pytest.raises(RuleViolation):
        services.take_in(
            agent(), intake(), channel="hotline", route=services.Route(lead="NO-SUCH-DEPT")
        )
    assert Appeal.objects.count() == 0 and AppealEvent.objects.count() == 0
    assert NumberSequence.objects.count() == sequences
    appeal = services.take_in(
        agent(), intake(), channel="hotline", route=services.Route(lead="SCJG")
    )
    assert appeal.state == State.DISPATCHED


def test_numbers_come_from_a_sequence():
    first, second = taken_in(), taken_in()
    assert first.number.endswith("-000001") and second.number.endswith("-000002")


# ------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("field", "value", "zh"),
    [
        ("title", "", "请填写诉求标题"),
        ("title", "   ", "请填写诉求标题"),
        ("content", "", "请填写诉求内容"),
        ("content", "好", "诉求内容过短"),
        ("content", "很" * 5001, "诉求内容不能超过5000个字"),
        ("title", "长" * 101, "诉求标题不能超过100个字"),
        ("caller_phone", "", "请填写联系电话"),
        ("caller_phone", "abc", "电话号码格式不正确"),
        ("urgency", "yesterday", "紧急程度无效"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_english(field, value, zh):
    with pytest.raises(RuleViolation) as error:
        taken_in(**{field: value})
    assert zh in error.value.zh and error.value.en
    assert Appeal.objects.count() == 0


def test_a_category_that_no_longer_exists_is_refused():
    Category.objects.filter(code="0203").update(is_active=False)
    for category in ("0203", "9999", 987654):
        with pytest.raises(RuleViolation) as error:
            taken_in(category=category)
        assert "诉求分类不存在或已停用" in error.value.zh and "no longer" in error.value.en
    assert Appeal.objects.count() == 0


def test_control_characters_are_removed_from_text():
    appeal = taken_in(title="餐馆\x00卫生\x07差", content="内容\x1b正常的诉求内容")
    assert appeal.title == "餐馆卫生差" and "\x1b" not in appeal.content


# ------------------------------------------------------------------------ identity (§4.6, DESIGN §8)
def caller_views(appeal):
    """The caller reveals of one ticket, as the staff page reads them: from the audit trail."""
    return audit_selectors.for_subject("appeals.appeal", appeal.pk, action=AuditAction.VIEW_CALLER)


def test_caller_identity_is_masked_in_lists_and_logged_when_revealed():
    appeal = dispatched()
    masked = services.masked_caller(appeal)
    assert masked.phone == "138****1234" and masked.name == "张*"
    centre = agent()
    identity = services.reveal_caller(appeal, centre)
    assert identity.phone == "13800001234"
    [view] = caller_views(appeal)
    assert view.purpose and view.actor_id == centre.pk


def test_department_sees_the_caller_only_when_contact_is_needed_and_states_why():
    appeal = dispatched(lead="SCJG")
    scjg = handler("SCJG")
    with pytest.raises(RuleViolation):  # a purpose is required
        services.reveal_caller(appeal, scjg)
    identity = services.reveal_caller(appeal, scjg, purpose="约定现场检查时间")
    assert identity.phone == "13800001234"
    [view] = caller_views(appeal)
    assert view.purpose == "约定现场检查时间" and view.actor_id == scjg.pk
    assert view.details["department"] == "SCJG" and view.details["role"]
    with pytest.raises(PermissionDenied):  # a department the ticket did not go to
        services.reveal_caller(appeal, handler("CG"), purpose="好奇")


def test_confidential_caller_is_never_shown_to_departments():
    appeal = dispatched(taken_in(confidential=True))
    with pytest.raises(PermissionDenied) as error:
        services.reveal_caller(appeal, handler("SCJG"), purpose="需要联系诉求人")
    assert "保密" in error.value.zh
    assert caller_views(appeal) == []


def test_outbox_messages_carry_no_personal_data():
    appeal = _replied()
    for payload in OutboxMessage.objects.filter(key=appeal.number).values_list(
        "payload", flat=True
    ):
        assert "13800001234" not in str(payload) and "张三" not in str(payload)


# ------------------------------------------------------------------------ the table itself
def test_transition_table_covers_the_engine_notes_of_4():
    """§4 engine notes: NEW → ANSWERED_DIRECT | DISPATCHED → SIGNED → IN_PROGRESS → REPLIED →
    CALLBACK → CLOSED | REOPENED, plus RETURNED → RE_DISPATCHED; one row per action."""
    T, S, A = transitions, transitions.State, transitions.Action
    edges = {
        (S.NEW, A.ANSWER_DIRECTLY): S.ANSWERED_DIRECT,
        (S.NEW, A.DISPATCH): S.DISPATCHED,
        (S.DISPATCHED, A.ACKNOWLEDGE): S.ACKNOWLEDGED,
        (S.ACKNOWLEDGED, A.ADD_NOTE): S.IN_PROGRESS,
        (S.IN_PROGRESS, A.REPLY): S.REPLIED,
        (S.REPLIED, A.CALLBACK): S.CALLED_BACK,
        (S.CALLED_BACK, A.CLOSE): S.CLOSED,
        (S.CALLED_BACK, A.REOPEN): S.REOPENED,
        (S.DISPATCHED, A.RETURN): S.RETURNED,
        (S.RETURNED, A.REDISPATCH): S.DISPATCHED,
        (S.CLOSED, A.ARCHIVE): S.ARCHIVED,
    }
    for (state, action), target in edges.items():
        row = T.find(state, action)
        assert row is not None and row.target_from(state) == target, (state, action)
    assert set(T.ACTION_LABELS) == set(A) and set(T.STATE_LABELS) == set(S)
    # who may do what: departments never dispatch, the centre never replies for a department
    assert A.DISPATCH not in T.allowed_actions(S.NEW, ["department"])
    assert A.REPLY not in T.allowed_actions(S.ACKNOWLEDGED, ["hotline_agent", "supervisor"])
    assert T.allowed_actions(S.ARCHIVED, [role.value for role in T.Role]) == []
    assert T.table_roles(["reviewer", "hotline_agent", "auditor"]) == {
        T.Role.DEPARTMENT,
        T.Role.HOTLINE_AGENT,
    }
