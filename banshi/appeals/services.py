"""12345 services: every operation on a ticket (工单), one function per use case.

The ONE actions service of the hotline (DESIGN §10, after Signalen's ``SignalManager`` and the case
engine in :mod:`banshi.cases.services`). Every function that changes a ticket, in one transaction:

1. locks the ticket row (``select_for_update``), so two agents, two departments or two scans never
   interleave;
2. checks the caller's expected ``version`` (optimistic lock: a stale screen raises
   :class:`ConflictError` instead of overwriting);
3. checks who acts against the transition table (:mod:`banshi.appeals.transitions`: state × action
   × role; department staff only on tickets dispatched to their department), then the data guards
   (reasons from the list, time windows, text limits: :class:`RuleViolation`, bilingual);
4. applies the change, appends an :class:`AppealEvent` (timestamped, append-only) and queues an
   outbox message in the same transaction, so a refused or failed operation writes nothing;
5. computes deadlines in working days (:func:`banshi.workdays.services.get_calendar`) only here,
   only on events, and stores them; a count into a year with no official calendar is flagged.

Front doors (pages, JSON endpoints, commands) call these functions and nothing else to change tickets.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q

from banshi.appeals import transitions
from banshi.appeals.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from banshi.appeals.models import (
    MAX_CONTENT,
    MAX_TITLE,
    Appeal,
    AppealEvent,
    AppealExtension,
    AppealType,
    Assignment,
    Category,
    Channel,
    KnowledgeEntry,
    NotAcceptedKind,
    ReplyResult,
    ReturnReason,
    Satisfaction,
    ServiceLevel,
    Supervision,
    Urgency,
)
from banshi.appeals.transitions import (
    ACTION_LABELS,
    ROLE_LABELS,
    STATE_LABELS,
    Action,
    Role,
    State,
)
from banshi.audit import services as audit
from banshi.cases.models import NumberSequence, OutboxMessage
from banshi.catalog.models import Department
from banshi.core import clock
from banshi.people import identifiers
from banshi.people import permissions as people_permissions
from banshi.people.models import Person
from banshi.people.services import PeopleError, clean_phone
from banshi.workdays.core import CalendarRangeError
from banshi.workdays.services import get_calendar

NUMBER_PREFIX = "12345"
MAX_NOTE = 2000
MAX_REPLY = 5000
MAX_ASSISTING = 5
MAX_PURPOSE = 200
SLA_FIELDS = (
    "acknowledge_days",
    "handle_days",
    "return_days",
    "extension_max_days",
    "remind_days_before",
    "escalate_days_after",
    "callback_days",
    "reopen_days",
    "max_reopens",
)
# Role preference when a staff member holds several that a row allows (the event records one).
_CENTRE_ORDER = (Role.HOTLINE_AGENT, Role.SUPERVISOR, Role.WINDOW_CLERK)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# ------------------------------------------------------------------------------------ actors
@dataclass(frozen=True)
class Actor:
    """Who performs an action, in which table role, for which department (None user = system)."""

    user: Any
    role: Role
    department_id: int | None = None


SYSTEM = Actor(None, Role.SYSTEM)


def _own_department_id(user: Any) -> int | None:
    """The staff member's department id, without fetching the department row."""
    profile = people_permissions.staff_profile(user)
    return profile.department_id if profile else None


def staff_roles(user: Any) -> frozenset[Role]:
    """The table roles the user's staff roles give (through the one permission check)."""
    return transitions.table_roles(people_permissions.roles_of(user))


def _denied(
    action: Action, allowed: Iterable[Role], zh: str = "", en: str = ""
) -> PermissionDenied:
    if zh:
        return PermissionDenied(zh, en, action=action.value)
    names_zh = "、".join(ROLE_LABELS[role] for role in sorted(allowed))
    names_en = ", ".join(sorted(role.value for role in allowed))
    return PermissionDenied(
        f"无权执行“{ACTION_LABELS[action]}”，需要以下身份之一：{names_zh}",
        f"not allowed to {action.value}: needs one of {names_en}",
        action=action.value,
    )


def _centre_actor(user: Any, action: Action) -> Actor:
    """A staff actor in a centre role the table allows for ``action`` (not department, not caller)."""
    row = transitions.rule(action)
    if user is None:
        if Role.SYSTEM in row.roles:
            return SYSTEM
        raise _denied(action, row.roles)
    held = staff_roles(user)
    for role in _CENTRE_ORDER:
        if role in row.roles and role in held:
            return Actor(user, role, _own_department_id(user))
    raise _denied(action, row.roles)


def _is_caller(appeal: Appeal, user: Any, phone: str | None) -> bool:
    """The caller: the logged-in person who filed it, or whoever knows its number and phone."""
    person = people_permissions.person_for(user)
    if person is not None and appeal.caller_person_id == person.pk:
        return True
    return bool(phone) and _same_phone(phone, appeal.caller_phone)


def _same_phone(given: str, stored: str) -> bool:
    digits = "".join(ch for ch in identifiers.normalise(given) if ch.isdigit())
    kept = "".join(ch for ch in stored if ch.isdigit())
    return bool(digits) and (digits == kept or digits.removeprefix("86") == kept)


def _centre_or_caller(appeal: Appeal, user: Any, action: Action, phone: str | None) -> Actor:
    """Centre staff act as the centre; anybody else must prove to be the caller."""
    row = transitions.rule(action)
    held = staff_roles(user)
    for role in _CENTRE_ORDER:
        if role in row.roles and role in held:
            return Actor(user, role, _own_department_id(user))
    if Role.CALLER in row.roles and _is_caller(appeal, user, phone):
        return Actor(user if getattr(user, "is_authenticated", False) else None, Role.CALLER)
    raise _denied(
        action,
        row.roles,
        f"只有诉求人本人(凭工单编号和手机号码)或 12345 中心可以{ACTION_LABELS[action]}",
        f"only the caller (with the ticket number and phone) or the centre may {action.value}",
    )


def _department_actor(
    user: Any, appeal: Appeal, action: Action, *, role: str
) -> tuple[Actor, Assignment]:
    """Department staff acting on their department's assignment of the current round.

    DESIGN §8 (department × role): a department acts only on tickets dispatched to it; ``role``
    is ``lead`` or ``assist`` (which part of the round the action belongs to).
    """
    row = transitions.rule(action)
    if Role.DEPARTMENT not in staff_roles(user):
        raise _denied(action, row.roles)
    codes = people_permissions.department_codes_for(user)
    mine = [
        assignment
        for assignment in appeal.assignments.select_related("department").filter(round=appeal.round)
        if assignment.department.code in codes
    ]
    for assignment in mine:
        if assignment.role == role:
            return Actor(user, Role.DEPARTMENT, assignment.department_id), assignment
    if mine and role == Assignment.Role.LEAD:
        raise PermissionDenied(
            f"贵单位是该工单的协办单位，只能提交协办意见，不能{ACTION_LABELS[action]}",
            f"your department assists on this ticket: it may give an opinion, not {action.value}",
            action=action.value,
        )
    if mine:
        raise PermissionDenied(
            "贵单位是该工单的主办单位，请直接办理",
            "your department leads this ticket",
            action=action.value,
        )
    raise PermissionDenied(
        f"工单 {appeal.number} 未派给您所在的单位，不能{ACTION_LABELS[action]}",
        f"ticket {appeal.number} was not dispatched to your department: you may not {action.value}",
        action=action.value,
    )


# ------------------------------------------------------------------------------------ helpers
def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _today() -> dt.date:
    return clock.today()


def _lock(appeal: Appeal | int | str) -> Appeal:
    """Lock the ticket row; every change holds this lock."""
    query = Appeal.objects.select_for_update()
    try:
        if isinstance(appeal, Appeal):
            return query.get(pk=appeal.pk)
        if isinstance(appeal, int):
            return query.get(pk=appeal)
        return query.get(number=appeal)
    except Appeal.DoesNotExist:
        raise NotFound("工单不存在", "no such ticket") from None


def _check_version(appeal: Appeal, expected: int | None) -> None:
    if expected is None or appeal.version == expected:
        return
    raise ConflictError(
        f"工单 {appeal.number} 已被他人处理(当前版本 {appeal.version}，您看到的是版本 {expected})，请刷新后重试",
        f"ticket {appeal.number} was changed by someone else (now version {appeal.version}, "
        f"you saw version {expected}); reload and try again",
        current=appeal.version,
        expected=expected,
    )


def _require_state(appeal: Appeal, action: Action) -> transitions.Transition:
    row = transitions.find(appeal.state, action)
    if row is None:
        state = State(appeal.state)
        raise InvalidTransition(
            f"工单 {appeal.number} 当前状态为“{STATE_LABELS[state]}”，不能{ACTION_LABELS[action]}",
            f"ticket {appeal.number} is {state.value}: {action.value} is not allowed from there",
            state=state.value,
            action=action.value,
        )
    return row


def _text(
    value: Any,
    zh: str,
    en: str,
    max_length: int,
    *,
    required: bool = True,
    min_length: int = 1,
) -> str:
    """Cleaned text: control characters removed, trimmed; refused when empty or too long."""
    text = _CONTROL.sub("", str(value or "")).replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise RuleViolation(f"请填写{zh}", f"the {en} is empty", field=en)
        return ""
    if len(text) < min_length:
        raise RuleViolation(
            f"{zh}过短，至少{min_length}个字",
            f"the {en} is shorter than {min_length} characters",
            field=en,
        )
    if len(text) > max_length:
        raise RuleViolation(
            f"{zh}不能超过{max_length}个字(现有{len(text)}个字)",
            f"the {en} is longer than {max_length} characters ({len(text)})",
            field=en,
        )
    return text


def _choice(value: Any, choices: type, zh: str, en: str) -> str:
    value = str(value or "")
    if value not in choices.values:
        options = "、".join(str(label) for label in choices.labels)
        raise RuleViolation(f"{zh}无效，应为：{options}", f"invalid {en}: {value!r}", field=en)
    return value


def _event(
    appeal: Appeal,
    kind: str,
    actor: Actor,
    *,
    from_state: str = "",
    to_state: str = "",
    department: Department | None = None,
    data: Mapping[str, Any] | None = None,
) -> AppealEvent:
    """Append one event (the only way events are written: insert, never update or delete)."""
    return AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        actor=actor.user,
        actor_role=actor.role.value,
        department_id=department.pk if department is not None else actor.department_id,
        at=clock.now(),
        data=_json(dict(data or {})),
    )


def _outbox(topic: str, appeal: Appeal, payload: Mapping[str, Any] | None = None) -> None:
    """Queue a message for the outside world in this transaction (no personal data in it)."""
    now = clock.now()
    OutboxMessage.objects.create(
        topic=topic,
        key=appeal.number,
        payload=_json({"appeal": appeal.number, "state": appeal.state, **(payload or {})}),
        created_at=now,
        next_attempt_at=now,
    )


def _save(appeal: Appeal) -> None:
    appeal.version += 1
    appeal.updated_at = clock.now()
    appeal.save()


def _move(
    appeal: Appeal,
    action: Action,
    actor: Actor,
    *,
    department: Department | None = None,
    data: Mapping[str, Any] | None = None,
    topic: str | None = None,
) -> None:
    """Apply ``action`` (state per the table), save, append the event, queue the message."""
    row = _require_state(appeal, action)
    old = appeal.state
    appeal.state = row.target_from(State(old)).value
    _save(appeal)
    _event(
        appeal,
        action.value,
        actor,
        from_state=old,
        to_state=appeal.state,
        department=department,
        data=data,
    )
    _outbox(topic or f"appeal.{action.value}", appeal, _push(appeal, action, department, data))


def _push(
    appeal: Appeal,
    action: Action,
    department: Department | None,
    data: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The outbox payload: which departments the change concerns (§4.6 real-time push to the
    departments), never who the caller is."""
    payload: dict[str, Any] = {"action": action.value}
    concerned = department or appeal.lead_department
    if concerned is not None:
        payload["department"] = concerned.code
    if data and data.get("assisting"):
        payload["assisting"] = list(data["assisting"])
    return payload


# ------------------------------------------------------------------------------------ calendar
@dataclass(frozen=True)
class Due:
    date: dt.date
    provisional: bool


def workday_add(start: dt.date, days: int) -> Due:
    """``days`` working days after ``start`` (0 = that same day), flagged when the count runs into a
    year with no official holiday notice (computed on weekdays, 暂定)."""
    calendar = get_calendar()
    try:
        result = calendar.deadline(start, max(0, days))
        date = result.date if days >= 0 else calendar.add(start, days)
    except CalendarRangeError as error:
        raise RuleViolation(
            f"期限超出工作日历范围，请先录入放假安排：{error}",
            f"the deadline is outside the working-day calendar: {error}",
        ) from None
    return Due(date, result.provisional)


def workdays_between(a: dt.date, b: dt.date) -> int:
    return get_calendar().between(a, b)


# ------------------------------------------------------------------------------------ numbers
def issue_number(day: dt.date) -> str:
    """``12345-YYYYMMDD-NNNNNN`` from a sequence row locked in this transaction (never max()+1)."""
    key = f"{NUMBER_PREFIX}-{day:%Y%m%d}"
    try:
        with transaction.atomic():
            sequence, _ = NumberSequence.objects.select_for_update().get_or_create(key=key)
    except IntegrityError:  # another transaction created the day's row first
        sequence = NumberSequence.objects.select_for_update().get(key=key)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"{key}-{sequence.last_value:06d}"


# ------------------------------------------------------------------------------------ lookups
def active_category(value: Category | int | str) -> Category:
    """An active category by code, id or instance; a deleted or deactivated one is refused.

    A code wins over an id when a digit string could be both (codes like "99" are digits)."""
    if isinstance(value, Category):
        text, query = "", Category.objects.filter(pk=value.pk)
    else:
        text = str(value or "").strip()
        condition = Q(code=text)
        if text.isdigit() and len(text) < 19:
            condition |= Q(pk=int(text))
        query = Category.objects.filter(condition)
    rows = list(query.select_related("default_department", "parent")[:2])
    category = next((row for row in rows if row.code == text), rows[0] if rows else None)
    if category is None or not category.is_active:
        raise RuleViolation(
            "诉求分类不存在或已停用，请重新选择",
            "the category does not exist or is no longer in use; choose another",
            field="category",
        )
    return category


def _department(code: Any, what_zh: str = "承办单位", what_en: str = "department") -> Department:
    text = str(code or "").strip()
    department = Department.objects.filter(code=text).first()
    if department is None and text.isdigit():
        department = Department.objects.filter(pk=int(text)).first()
    if department is None:
        raise RuleViolation(f"{what_zh}不存在：{text or '(空)'}", f"no such {what_en}: {text!r}")
    return department


def service_level(appeal_type: str, urgency: str) -> ServiceLevel:
    level = ServiceLevel.objects.filter(appeal_type=appeal_type, urgency=urgency).first()
    if level is None:
        raise RuleViolation(
            f"未配置“{AppealType(appeal_type).label}·{Urgency(urgency).label}”的办理时限标准，请联系管理员",
            f"no service level is configured for {appeal_type}/{urgency}",
        )
    return level


def _sla(appeal: Appeal) -> dict[str, int]:
    """The ticket's time limits: the snapshot taken at dispatch, else the current table."""
    if appeal.sla:
        return appeal.sla
    level = service_level(appeal.appeal_type, appeal.urgency)
    return {name: getattr(level, name) for name in SLA_FIELDS}


# ------------------------------------------------------------------------------------ intake
@dataclass
class Intake:
    """What a caller asks, as the intake forms and the API collect it."""

    appeal_type: str
    category: Any
    title: str
    content: str
    caller_phone: str
    caller_name: str = ""
    urgency: str = Urgency.NORMAL
    area: str = ""
    address: str = ""
    contact_needed: bool = True
    confidential: bool = False
    source_reference: str = ""


@dataclass
class Route:
    """What the agent does at once with a call in progress (即时转办): one of these, or nothing."""

    answer: str = ""
    knowledge_entry: int | None = None
    refuse_kind: str = ""
    refuse_note: str = ""
    lead: str = ""
    assisting: Sequence[str] = field(default_factory=tuple)
    instructions: str = ""


def _clean_intake(data: Intake) -> dict[str, Any]:
    try:
        phone = clean_phone(data.caller_phone)
    except PeopleError as error:
        raise RuleViolation(error.message_zh, error.message_en, field="caller_phone") from None
    if not phone:
        raise RuleViolation(
            "请填写联系电话(用于告知办理结果和回访)",
            "a phone number is required (for the reply and the callback)",
            field="caller_phone",
        )
    return {
        "appeal_type": _choice(data.appeal_type, AppealType, "诉求类型", "type"),
        "urgency": _choice(data.urgency or Urgency.NORMAL, Urgency, "紧急程度", "urgency"),
        "category": active_category(data.category),
        "title": _text(data.title, "诉求标题", "title", MAX_TITLE),
        "content": _text(data.content, "诉求内容", "content", MAX_CONTENT, min_length=5),
        "caller_phone": phone,
        "caller_name": _text(data.caller_name, "姓名", "name", 50, required=False),
        "area": _text(data.area, "所在街道/乡镇", "area", 50, required=False),
        "address": _text(data.address, "具体地点", "address", 200, required=False),
        "contact_needed": bool(data.contact_needed),
        "confidential": bool(data.confidential),
        "source_reference": _text(
            data.source_reference, "关联编号", "reference", 60, required=False
        ),
    }


def _intake_actor(user: Any, channel: str) -> Actor:
    row = transitions.rule(Action.TAKE_IN)
    held = staff_roles(user)
    if channel == Channel.HOTLINE:
        if Role.HOTLINE_AGENT in held:
            return Actor(user, Role.HOTLINE_AGENT, _own_department_id(user))
        raise _denied(
            Action.TAKE_IN,
            row.roles,
            "只有 12345 坐席可以登记热线来电",
            "only hotline agents take in calls",
        )
    if channel == Channel.WINDOW:
        for role in (Role.WINDOW_CLERK, Role.HOTLINE_AGENT):
            if role in held:
                return Actor(user, role, _own_department_id(user))
        raise _denied(
            Action.TAKE_IN,
            row.roles,
            "只有“办不成事”反映窗口人员可以登记窗口反映",
            "only window clerks take in at the 'could not get it done' window",
        )
    authenticated = getattr(user, "is_authenticated", False)
    return Actor(user if authenticated else None, Role.CALLER)


@transaction.atomic
def take_in(
    user: Any,
    data: Intake,
    *,
    channel: str,
    route: Route | None = None,
) -> Appeal:
    """受理: register a ticket from any channel (§4.3 统一受理); with ``route``, also answer it,
    refuse it or dispatch it in the same transaction (a call in progress: 即时转办)."""
    channel = _choice(channel, Channel, "受理渠道", "channel")
    actor = _intake_actor(user, channel)
    values = _clean_intake(data)
    service_level(values["appeal_type"], values["urgency"])  # refuse before writing anything
    person: Person | None = (
        people_permissions.person_for(user) if actor.role == Role.CALLER else None
    )
    now = clock.now()
    appeal = Appeal.objects.create(
        number=issue_number(clock.today()),
        channel=channel,
        caller_person=person,
        received_at=now,
        received_by=user if actor.role != Role.CALLER else None,
        updated_at=now,
        **values,
    )
    _event(
        appeal,
        Action.TAKE_IN.value,
        actor,
        to_state=appeal.state,
        data={"channel": channel, "category": appeal.category.code, "type": appeal.appeal_type},
    )
    _outbox("appeal.take_in", appeal, {"channel": channel})
    if route is not None:
        _route(appeal, user, route)
        appeal = Appeal.objects.select_related("category", "lead_department").get(pk=appeal.pk)
    return appeal


def _route(appeal: Appeal, user: Any, route: Route) -> None:
    chosen = [bool(route.answer.strip()), bool(route.refuse_kind), bool(route.lead)]
    if sum(chosen) > 1:
        raise RuleViolation(
            "直接答复、不予受理和派单只能选择一项", "answer, refuse and dispatch are exclusive"
        )
    if route.answer.strip():
        answer_directly(
            appeal, user, None, answer=route.answer, knowledge_entry=route.knowledge_entry
        )
    elif route.refuse_kind:
        refuse(appeal, user, None, kind=route.refuse_kind, note=route.refuse_note)
    elif route.lead:
        dispatch(
            appeal,
            user,
            None,
            lead=route.lead,
            assisting=route.assisting,
            instructions=route.instructions,
        )


@transaction.atomic
def answer_directly(
    appeal: Appeal | int | str,
    user: Any,
    version: int | None,
    *,
    answer: str,
    knowledge_entry: int | KnowledgeEntry | None = None,
) -> Appeal:
    """知识库直接答复 (§4.8): a consultation answered on the spot, closed by the agent."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    actor = _centre_actor(user, Action.ANSWER_DIRECTLY)
    _require_state(appeal, Action.ANSWER_DIRECTLY)
    if appeal.appeal_type != AppealType.CONSULT:
        raise RuleViolation(
            "只有咨询类诉求可以由坐席直接答复，其他诉求请派单办理",
            "only consultations are answered directly (§4.8); dispatch the others",
        )
    text = _text(answer, "答复内容", "answer", MAX_REPLY)
    entry = None
    if knowledge_entry:
        pk = knowledge_entry.pk if isinstance(knowledge_entry, KnowledgeEntry) else knowledge_entry
        entry = KnowledgeEntry.objects.filter(pk=pk, is_active=True).first()
        if entry is None:
            raise RuleViolation("引用的知识库条目不存在或已停用", "no such knowledge entry")
    now = clock.now()
    appeal.answer = text
    appeal.reply = text
    appeal.reply_result = ReplyResult.RESOLVED
    appeal.knowledge_entry = entry
    appeal.replied_at = now
    appeal.closed_at = now
    appeal.on_time = True
    _move(
        appeal,
        Action.ANSWER_DIRECTLY,
        actor,
        data={"knowledge_entry": entry.pk if entry else None},
    )
    return appeal


@transaction.atomic
def refuse(
    appeal: Appeal | int | str, user: Any, version: int | None, *, kind: str, note: str = ""
) -> Appeal:
    """不予受理 (§4.5): a matter the hotline does not accept, with the basis the caller is told
    (litigation and other legal channels, 信访, emergencies → 110/119/120/122, secrets)."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    actor = _centre_actor(user, Action.REFUSE)
    _require_state(appeal, Action.REFUSE)
    refusal = NotAcceptedKind.objects.filter(code=str(kind or ""), is_active=True).first()
    if refusal is None:
        raise RuleViolation(
            "请从列表中选择不予受理的情形", "choose a not-accepted kind from the list", field="kind"
        )
    note = _text(note, "说明", "note", MAX_NOTE, required=False)
    now = clock.now()
    appeal.not_accepted_kind = refusal
    appeal.reply = refusal.reason + (f"\n{note}" if note else "")
    appeal.replied_at = now
    appeal.closed_at = now
    _move(
        appeal,
        Action.REFUSE,
        actor,
        data={"kind": refusal.code, "transfer_to": refusal.transfer_to, "note": note},
    )
    return appeal


# ------------------------------------------------------------------------------------ dispatch
@transaction.atomic
def dispatch(
    appeal: Appeal | int | str,
    user: Any,
    version: int | None,
    *,
    lead: Any = None,
    assisting: Sequence[Any] = (),
    instructions: str = "",
) -> Appeal:
    """派单 / 重新派单: a new round with a lead department and optional assisting ones.

    Deadlines of the round are counted in working days from today by the ticket's service level
    (snapshot kept on the ticket) and stored: 签收, 退单, 办结, 催办提醒, 通报.
    """
    appeal = _lock(appeal)
    _check_version(appeal, version)
    action = Action.REDISPATCH if appeal.state == State.RETURNED else Action.DISPATCH
    actor = _centre_actor(user, action)
    _require_state(appeal, action)
    if not lead:
        if appeal.category.default_department_id is None:
            raise RuleViolation(
                "该分类没有默认承办单位，请选择主办单位", "choose a lead department", field="lead"
            )
        lead_department = appeal.category.default_department
    else:
        lead_department = _department(lead, "主办单位", "lead department")
    helpers: list[Department] = []
    for code in assisting or ():
        if not str(code or "").strip():
            continue
        department = _department(code, "协办单位", "assisting department")
        if department.pk == lead_department.pk:
            raise RuleViolation(
                "主办单位不能同时是协办单位", "the lead cannot also assist", field="assisting"
            )
        if department not in helpers:
            helpers.append(department)
    if len(helpers) > MAX_ASSISTING:
        raise RuleViolation(
            f"协办单位不能超过{MAX_ASSISTING}个", f"at most {MAX_ASSISTING} assisting departments"
        )
    instructions = _text(instructions, "派单意见", "instructions", 500, required=False)

    level = service_level(appeal.appeal_type, appeal.urgency)
    sla = {name: getattr(level, name) for name in SLA_FIELDS}
    today = clock.today()
    ack = workday_add(today, sla["acknowledge_days"])
    back = workday_add(today, sla["return_days"])
    due = workday_add(today, sla["handle_days"])
    now = clock.now()
    appeal.round += 1
    appeal.sla = sla
    appeal.lead_department = lead_department
    appeal.dispatched_at = appeal.dispatched_at or now
    appeal.handle_days = sla["handle_days"]
    appeal.extension_days = 0
    appeal.acknowledged_at = None
    _set_due(appeal, due)
    appeal.ack_due = ack.date
    appeal.return_due = back.date
    appeal.due_provisional = ack.provisional or back.provisional or due.provisional
    for department, role in [(lead_department, Assignment.Role.LEAD)] + [
        (helper, Assignment.Role.ASSIST) for helper in helpers
    ]:
        Assignment.objects.create(
            appeal=appeal,
            department=department,
            role=role,
            round=appeal.round,
            instructions=instructions,
            dispatched_at=now,
            dispatched_by=actor.user,
            ack_due=ack.date,
            return_due=back.date,
            due=due.date,
        )
    _move(
        appeal,
        action,
        actor,
        department=lead_department,
        data={
            "round": appeal.round,
            "lead": lead_department.code,
            "lead_name": lead_department.name,
            "assisting": [helper.code for helper in helpers],
            "assisting_names": [helper.name for helper in helpers],
            "instructions": instructions,
            "ack_due": ack.date,
            "return_due": back.date,
            "due": due.date,
            "provisional": appeal.due_provisional,
        },
    )
    return appeal


def _set_due(appeal: Appeal, due: Due) -> None:
    """Store the handling deadline and the days the scan reminds and circulates on."""
    sla = _sla(appeal)
    appeal.due = due.date
    appeal.due_provisional = appeal.due_provisional or due.provisional
    remind = sla["remind_days_before"]
    appeal.remind_on = workday_add(due.date, -remind).date if remind else due.date
    appeal.escalate_on = workday_add(due.date, sla["escalate_days_after"]).date


# ------------------------------------------------------------------------------------ department
@transaction.atomic
def acknowledge(appeal: Appeal | int | str, user: Any, version: int | None) -> Appeal:
    """签收 by the lead department (§4.1 SLA: within the acknowledge limit; a late one is kept as
    late in the event and the supervision record)."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    _require_state(appeal, Action.ACKNOWLEDGE)
    actor, assignment = _department_actor(
        user, appeal, Action.ACKNOWLEDGE, role=Assignment.Role.LEAD
    )
    now = clock.now()
    assignment.status = Assignment.Status.ACKNOWLEDGED
    assignment.acknowledged_at = now
    assignment.acknowledged_by = user
    assignment.save()
    appeal.acknowledged_at = now
    late = clock.today() > assignment.ack_due
    _move(appeal, Action.ACKNOWLEDGE, actor, data={"late": late, "ack_due": assignment.ack_due})
    return appeal


@transaction.atomic
def assist(appeal: Appeal | int | str, user: Any, version: int | None, *, opinion: str) -> Appeal:
    """协办意见: an assisting department's contribution to the lead's reply."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    _require_state(appeal, Action.ASSIST)
    actor, assignment = _department_actor(user, appeal, Action.ASSIST, role=Assignment.Role.ASSIST)
    if assignment.status != Assignment.Status.OPEN:
        raise InvalidTransition("贵单位已提交协办意见", "your department already gave its opinion")
    text = _text(opinion, "协办意见", "opinion", MAX_NOTE)
    now = clock.now()
    assignment.status = Assignment.Status.ASSISTED
    assignment.acknowledged_at = assignment.acknowledged_at or now
    assignment.acknowledged_by = assignment.acknowledged_by or user
    assignment.finished_at = now
    assignment.opinion = text
    assignment.save()
    _move(appeal, Action.ASSIST, actor, data={"opinion": text})
    return appeal


@transaction.atomic
def add_note(appeal: Appeal | int | str, user: Any, version: int | None, *, note: str) -> Appeal:
    """办理过程记录 (contacted the caller, inspected on site …): the ticket is in progress."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    _require_state(appeal, Action.ADD_NOTE)
    actor, _ = _department_actor(user, appeal, Action.ADD_NOTE, role=Assignment.Role.LEAD)
    text = _text(note, "办理记录", "note", MAX_NOTE)
    _move(appeal, Action.ADD_NOTE, actor, data={"note": text})
    return appeal


@transaction.atomic
def request_extension(
    appeal: Appeal | int | str, user: Any, version: int | None, *, days: int, reason: str
) -> AppealExtension:
    """申请延期 (§4.1 SLA): before the deadline, with the basis and reasons, within the limit."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    _require_state(appeal, Action.REQUEST_EXTENSION)
    actor, assignment = _department_actor(
        user, appeal, Action.REQUEST_EXTENSION, role=Assignment.Role.LEAD
    )
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise RuleViolation(
            "延期天数应为整数", "the extension days must be a whole number"
        ) from None
    text = _text(reason, "延期理由及依据", "reason", MAX_NOTE, min_length=5)
    today = clock.today()
    if today > appeal.due:
        raise RuleViolation(
            f"办结期限 {appeal.due} 已过，延期须在到期前申请(§4.1)",
            f"the deadline {appeal.due} has passed: an extension must be asked for before it (§4.1)",
        )
    limit = _sla(appeal)["extension_max_days"] - appeal.extension_days
    if days < 1 or days > limit:
        raise RuleViolation(
            f"延期天数应在 1 至 {limit} 个工作日之间(本类诉求最多可延期"
            f"{_sla(appeal)['extension_max_days']}个工作日，已延期{appeal.extension_days}个)",
            f"the extension must be 1 to {limit} working days",
        )
    if appeal.extensions.filter(decision=AppealExtension.Decision.PENDING).exists():
        raise RuleViolation("已有待审批的延期申请", "an extension request is already pending")
    extension = AppealExtension.objects.create(
        appeal=appeal,
        assignment=assignment,
        days=days,
        reason=text,
        requested_by=user,
        requested_at=clock.now(),
        due_before=appeal.due,
    )
    _move(appeal, Action.REQUEST_EXTENSION, actor, data={"days": days, "reason": text})
    return extension


@transaction.atomic
def decide_extension(
    appeal: Appeal | int | str,
    user: Any,
    version: int | None,
    *,
    approve: bool,
    note: str = "",
) -> AppealExtension:
    """批准 / 不批准延期 by the centre; an approval moves the stored deadline (the caller is told
    the new deadline through the outbox)."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    action = Action.APPROVE_EXTENSION if approve else Action.REJECT_EXTENSION
    actor = _centre_actor(user, action)
    _require_state(appeal, action)
    extension = appeal.extensions.filter(decision=AppealExtension.Decision.PENDING).first()
    if extension is None:
        raise InvalidTransition("没有待审批的延期申请", "no extension request is pending")
    note = _text(note, "审批意见", "note", 300, required=not approve)
    extension.decided_by = user
    extension.decided_at = clock.now()
    extension.decision_note = note
    data: dict[str, Any] = {"days": extension.days, "note": note}
    if approve:
        due = workday_add(appeal.due, extension.days)
        extension.decision = AppealExtension.Decision.APPROVED
        extension.due_after = due.date
        appeal.extension_days += extension.days
        _set_due(appeal, due)
        Assignment.objects.filter(pk=extension.assignment_id).update(due=due.date)
        data.update(due_before=extension.due_before, due_after=due.date)
    else:
        extension.decision = AppealExtension.Decision.REJECTED
    extension.save()
    _move(appeal, action, actor, data=data, topic="appeal.extension_decided")
    return extension


@transaction.atomic
def return_appeal(
    appeal: Appeal | int | str,
    user: Any,
    version: int | None,
    *,
    reason: str,
    basis: str = "",
) -> Appeal:
    """退单 (§4.1 SLA 回退): the lead department sends the ticket back to the centre, within the
    return limit, with a reason from the standard list and, where the reason asks for it, the
    legal or regulatory basis. The round ends (assisting departments are released)."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    _require_state(appeal, Action.RETURN)
    actor, assignment = _department_actor(user, appeal, Action.RETURN, role=Assignment.Role.LEAD)
    chosen = ReturnReason.objects.filter(code=str(reason or ""), is_active=True).first()
    if chosen is None:
        raise RuleViolation(
            "请从规范的退单理由中选择一项(§4.1 退单理由规范)",
            "choose a return reason from the standard list (§4.1)",
            field="reason",
        )
    basis = _text(
        basis, "退单依据", "basis", MAX_NOTE, required=chosen.requires_basis, min_length=5
    )
    today = clock.today()
    if today > assignment.return_due:
        raise RuleViolation(
            f"已超过退单时限({assignment.return_due})，不能退单，请继续办理或申请延期(§4.1)",
            f"the return window ended on {assignment.return_due}: handle the ticket or ask for an "
            "extension (§4.1)",
        )
    now = clock.now()
    assignment.status = Assignment.Status.RETURNED
    assignment.returned_at = now
    assignment.return_reason = chosen
    assignment.return_basis = basis
    assignment.save()
    Assignment.objects.filter(
        appeal=appeal, round=appeal.round, status=Assignment.Status.OPEN
    ).update(status=Assignment.Status.CANCELLED)
    AppealExtension.objects.filter(appeal=appeal, decision=AppealExtension.Decision.PENDING).update(
        decision=AppealExtension.Decision.REJECTED,
        decision_note="已退单，延期申请失效",
        decided_at=now,
    )
    appeal.returned_count += 1
    _move(
        appeal,
        Action.RETURN,
        actor,
        data={"reason": chosen.code, "reason_text": chosen.text, "basis": basis},
    )
    return appeal


@transaction.atomic
def reply(
    appeal: Appeal | int | str,
    user: Any,
    version: int | None,
    *,
    text: str,
    result: str = ReplyResult.RESOLVED,
) -> Appeal:
    """办结答复 by the lead department; on time when replied on or before the stored deadline."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    _require_state(appeal, Action.REPLY)
    actor, assignment = _department_actor(user, appeal, Action.REPLY, role=Assignment.Role.LEAD)
    body = _text(text, "答复内容", "reply", MAX_REPLY, min_length=5)
    result = _choice(result, ReplyResult, "办理结果", "result")
    now = clock.now()
    today = clock.today()
    assignment.status = Assignment.Status.REPLIED
    assignment.finished_at = now
    assignment.save()
    Assignment.objects.filter(
        appeal=appeal, round=appeal.round, status=Assignment.Status.OPEN
    ).update(status=Assignment.Status.CANCELLED)
    AppealExtension.objects.filter(appeal=appeal, decision=AppealExtension.Decision.PENDING).update(
        decision=AppealExtension.Decision.REJECTED,
        decision_note="已答复，延期申请失效",
        decided_at=now,
    )
    appeal.reply = body
    appeal.reply_result = result
    appeal.replied_at = now
    appeal.on_time = today <= appeal.due
    appeal.callback_due = workday_add(today, _sla(appeal)["callback_days"]).date
    _move(
        appeal,
        Action.REPLY,
        actor,
        data={"result": result, "on_time": appeal.on_time, "text": body},
        topic="appeal.replied",
    )
    return appeal


# ------------------------------------------------------------------------------------ callback
@transaction.atomic
def callback(
    appeal: Appeal | int | str,
    user: Any,
    version: int | None,
    *,
    satisfaction: str,
    note: str = "",
    phone: str | None = None,
) -> Appeal:
    """回访 (§4.1 SLA; §4.3 满意度测评): by the centre, or by the caller on the tracking page."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    actor = _centre_or_caller(appeal, user, Action.CALLBACK, phone)
    _require_state(appeal, Action.CALLBACK)
    satisfaction = _choice(satisfaction, Satisfaction, "满意度", "satisfaction")
    if actor.role == Role.CALLER and satisfaction == Satisfaction.UNREACHABLE:
        raise RuleViolation("请选择满意度", "choose how satisfied you are")
    note = _text(note, "回访记录", "note", MAX_NOTE, required=False)
    appeal.satisfaction = satisfaction
    appeal.callback_note = note
    appeal.called_back_at = clock.now()
    _move(appeal, Action.CALLBACK, actor, data={"satisfaction": satisfaction, "note": note})
    return appeal


@transaction.atomic
def close(appeal: Appeal | int | str, user: Any, version: int | None, *, note: str = "") -> Appeal:
    """办结: the centre closes after the callback. An unsatisfied caller's ticket closes only with
    the reason it is not re-handled. The caller may ask to reopen until ``reopen_until``."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    actor = _centre_actor(user, Action.CLOSE)
    _require_state(appeal, Action.CLOSE)
    note = _text(
        note,
        "不予重办的理由",
        "reason for not re-handling",
        MAX_NOTE,
        required=appeal.satisfaction == Satisfaction.UNSATISFIED,
    )
    today = clock.today()
    appeal.closed_at = clock.now()
    appeal.reopen_until = workday_add(today, _sla(appeal)["reopen_days"]).date
    _move(appeal, Action.CLOSE, actor, data={"note": note, "reopen_until": appeal.reopen_until})
    return appeal


@transaction.atomic
def reopen(
    appeal: Appeal | int | str,
    user: Any,
    version: int | None,
    *,
    reason: str,
    phone: str | None = None,
) -> Appeal:
    """重办 (§4.1 SLA 回访: caller unsatisfied because of the unit → re-handle): after an
    unsatisfied callback, or within the configured working days after closing, at most the
    configured number of times. The centre then dispatches again."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    actor = _centre_or_caller(appeal, user, Action.REOPEN, phone)
    _require_state(appeal, Action.REOPEN)
    text = _text(reason, "重办理由", "reason", MAX_NOTE, min_length=2)
    sla = _sla(appeal)
    if appeal.state == State.CALLED_BACK and appeal.satisfaction != Satisfaction.UNSATISFIED:
        raise RuleViolation(
            "回访结果为满意或基本满意，不能重办；如仍有问题请重新反映",
            "the callback found the caller satisfied: no reopen (file a new request instead)",
        )
    if appeal.state == State.CLOSED and (
        appeal.reopen_until is None or clock.today() > appeal.reopen_until
    ):
        raise RuleViolation(
            f"已超过可申请重办的期限({appeal.reopen_until})，如仍有问题请重新反映",
            f"the reopen window ended on {appeal.reopen_until}: file a new request instead",
        )
    if appeal.reopen_count >= sla["max_reopens"]:
        raise RuleViolation(
            f"该工单已重办{appeal.reopen_count}次，达到上限，请联系 12345 中心",
            f"the ticket was reopened {appeal.reopen_count} times, the limit",
        )
    appeal.reopen_count += 1
    appeal.closed_at = None
    appeal.reopen_until = None
    _move(
        appeal,
        Action.REOPEN,
        actor,
        department=appeal.lead_department,
        data={"reason": text, "count": appeal.reopen_count},
    )
    return appeal


@transaction.atomic
def archive(appeal: Appeal | int | str, user: Any, version: int | None) -> Appeal:
    """办结归档: once nothing more can happen (after the reopen window of a closed ticket)."""
    appeal = _lock(appeal)
    _check_version(appeal, version)
    actor = _centre_actor(user, Action.ARCHIVE)
    _require_state(appeal, Action.ARCHIVE)
    if (
        appeal.state == State.CLOSED
        and appeal.reopen_until
        and clock.today() <= appeal.reopen_until
    ):
        raise RuleViolation(
            f"诉求人可在 {appeal.reopen_until} 前申请重办，期满后归档",
            f"the caller may ask to reopen until {appeal.reopen_until}; archive after that",
        )
    appeal.archived_at = clock.now()
    _move(appeal, Action.ARCHIVE, actor)
    return appeal


# ------------------------------------------------------------------------------------ supervision
@transaction.atomic
def remind(
    appeal: Appeal | int | str, user: Any, *, note: str, supervise: bool = False
) -> Supervision:
    """人工催办 / 督办 of the department that holds the ticket."""
    appeal = _lock(appeal)
    action = Action.SUPERVISE if supervise else Action.REMIND
    actor = _centre_actor(user, action)
    _require_state(appeal, action)
    text = _text(note, "督办意见" if supervise else "催办意见", "note", 300)
    record = Supervision.objects.create(
        appeal=appeal,
        department=appeal.lead_department,
        clock=Supervision.Clock.HANDLE,
        level=Supervision.Level.MANUAL,
        due=appeal.due or clock.today(),
        raised_at=clock.now(),
        raised_by=user,
        note=text,
    )
    _event(appeal, action.value, actor, department=appeal.lead_department, data={"note": text})
    _outbox(f"appeal.{action.value}", appeal, {"department": appeal.lead_department.code})
    return record


@dataclass
class ScanReport:
    """What one scan did (for the command and the log)."""

    today: dt.date
    reminders: int = 0
    overdue: int = 0
    escalated: int = 0
    callbacks_overdue: int = 0
    archived: int = 0

    def lines(self) -> list[str]:
        return [
            f"scan {self.today}: 到期前催办提醒 {self.reminders}, 超期催办 {self.overdue}, "
            f"通报 {self.escalated}, 回访超期 {self.callbacks_overdue}, 归档 {self.archived}"
        ]


_LEVEL_TEXT = {
    (Supervision.Clock.ACKNOWLEDGE, Supervision.Level.OVERDUE): "超过签收时限未签收",
    (Supervision.Clock.HANDLE, Supervision.Level.REMIND): "即将到期，请按时办结",
    (
        Supervision.Clock.HANDLE,
        Supervision.Level.OVERDUE,
    ): "已超过办结时限，发出催办通知书并抄送单位负责人",
    (Supervision.Clock.HANDLE, Supervision.Level.ESCALATED): "超期后仍未办结，予以通报",
    (Supervision.Clock.CALLBACK, Supervision.Level.OVERDUE): "已超过回访时限，请尽快回访",
}


def scan(today: dt.date | None = None) -> ScanReport:
    """催办 / 督办 before and after deadlines, overdue callbacks and archiving (§4.1 SLA).

    Idempotent: a supervision is unique per ticket × clock × level × deadline, so running the scan
    twice a day (or in several processes) adds nothing; each ticket is handled under its row lock.
    Filters run on indexed stored dates (``state, remind_on`` / ``state, due``), never on Python loops
    over all tickets.
    """
    today = today or clock.today()
    report = ScanReport(today)
    with_department = [state.value for state in transitions.OPEN_WITH_DEPARTMENT]
    unacknowledged = Appeal.objects.filter(state=State.DISPATCHED, ack_due__lt=today)
    for pk in unacknowledged.values_list("pk", flat=True):
        if _raise(pk, Supervision.Clock.ACKNOWLEDGE, Supervision.Level.OVERDUE, today):
            report.overdue += 1
    reminders = Appeal.objects.filter(
        state__in=with_department, remind_on__lte=today, due__gte=today
    )
    for pk in reminders.values_list("pk", flat=True):
        if _raise(pk, Supervision.Clock.HANDLE, Supervision.Level.REMIND, today):
            report.reminders += 1
    overdue = Appeal.objects.filter(state__in=with_department, due__lt=today)
    for pk in overdue.values_list("pk", flat=True):
        if _raise(pk, Supervision.Clock.HANDLE, Supervision.Level.OVERDUE, today):
            report.overdue += 1
    escalated = Appeal.objects.filter(state__in=with_department, escalate_on__lt=today)
    for pk in escalated.values_list("pk", flat=True):
        if _raise(pk, Supervision.Clock.HANDLE, Supervision.Level.ESCALATED, today):
            report.escalated += 1
    callbacks = Appeal.objects.filter(state=State.REPLIED, callback_due__lt=today)
    for pk in callbacks.values_list("pk", flat=True):
        if _raise(pk, Supervision.Clock.CALLBACK, Supervision.Level.OVERDUE, today):
            report.callbacks_overdue += 1
    closable = Appeal.objects.filter(state=State.CLOSED, reopen_until__lt=today)
    for pk in closable.values_list("pk", flat=True):
        with transaction.atomic():
            appeal = _lock(pk)
            if appeal.state == State.CLOSED and appeal.reopen_until and appeal.reopen_until < today:
                appeal.archived_at = clock.now()
                _move(appeal, Action.ARCHIVE, SYSTEM, data={"automatic": True})
                report.archived += 1
    from banshi.appeals import throttle

    throttle.forget_old()  # failed look-ups past the rate-limit window count for nothing
    return report


def _raise(pk: int, kind: str, level: str, today: dt.date) -> bool:
    """One scan supervision, re-checked under the ticket's lock; False when it already exists."""
    with transaction.atomic():
        appeal = _lock(pk)
        due = {
            Supervision.Clock.ACKNOWLEDGE: appeal.ack_due,
            Supervision.Clock.HANDLE: appeal.due,
            Supervision.Clock.CALLBACK: appeal.callback_due,
        }[kind]
        still = {
            Supervision.Clock.ACKNOWLEDGE: appeal.state == State.DISPATCHED
            and due is not None
            and due < today,
            Supervision.Clock.CALLBACK: appeal.state == State.REPLIED
            and due is not None
            and due < today,
        }.get(kind)
        if kind == Supervision.Clock.HANDLE:
            open_now = State(appeal.state) in transitions.OPEN_WITH_DEPARTMENT
            still = (
                open_now
                and due is not None
                and {
                    Supervision.Level.REMIND: appeal.remind_on is not None
                    and appeal.remind_on <= today <= due,
                    Supervision.Level.OVERDUE: due < today,
                    Supervision.Level.ESCALATED: appeal.escalate_on is not None
                    and appeal.escalate_on < today,
                }[level]
            )
        if not still:
            return False
        if Supervision.objects.filter(appeal=appeal, clock=kind, level=level, due=due).exists():
            return False
        department = None if kind == Supervision.Clock.CALLBACK else appeal.lead_department
        text = _LEVEL_TEXT[(kind, level)]
        Supervision.objects.create(
            appeal=appeal,
            department=department,
            clock=kind,
            level=level,
            due=due,
            raised_at=clock.now(),
            note=text,
        )
        action = Action.SUPERVISE if level == Supervision.Level.ESCALATED else Action.REMIND
        _event(
            appeal,
            action.value,
            SYSTEM,
            department=department,
            data={"clock": kind, "level": level, "due": due, "note": text},
        )
        _outbox(
            f"appeal.{action.value}",
            appeal,
            {"clock": kind, "level": level, "department": department.code if department else None},
        )
        return True


# ------------------------------------------------------------------------------------ identity
@dataclass(frozen=True)
class CallerIdentity:
    name: str
    phone: str
    masked: bool
    may_reveal: bool = False
    reason: str = ""


def masked_caller(appeal: Appeal) -> CallerIdentity:
    return CallerIdentity(
        identifiers.mask_name(appeal.caller_name) or "匿名",
        identifiers.mask_phone(appeal.caller_phone),
        masked=True,
    )


def reveal_policy(appeal: Appeal, user: Any) -> tuple[bool, bool, str]:
    """(may see it, must state a purpose, why not) for ``user`` on ``appeal``.

    Hotline agents (the centre) see the caller to do their work; supervisors may, stating why;
    a department sees it only when dispatched the ticket, the handling needs contact and the caller
    did not ask for confidentiality (then the centre makes a three-way call, GB/T 33358 三方通话).
    """
    roles = staff_roles(user)
    if Role.HOTLINE_AGENT in roles:
        return True, False, ""
    if Role.SUPERVISOR in roles:
        return True, True, ""
    if Role.DEPARTMENT in roles:
        codes = people_permissions.department_codes_for(user)
        assigned = any(
            assignment.department.code in codes
            for assignment in appeal.assignments.select_related("department")
        )
        if not assigned:
            return False, True, "工单未派给您所在的单位"
        if appeal.confidential:
            return False, True, "诉求人要求保密，请通过 12345 中心三方通话联系"
        if not appeal.contact_needed:
            return False, True, "本工单办理无需联系诉求人"
        return True, True, ""
    return False, True, "无权查看诉求人信息"


@transaction.atomic
def reveal_caller(appeal: Appeal, user: Any, *, purpose: str = "") -> CallerIdentity:
    """The caller's unmasked name and phone, for a user whose role needs it; every view is
    written to the audit trail (who, role, department, when, why) in the same transaction — the
    trail is the one record of reads of personal data (DESIGN §8)."""
    allowed, needs_purpose, why = reveal_policy(appeal, user)
    if not allowed:
        raise PermissionDenied(
            f"不能查看诉求人信息：{why}", "you may not see the caller's identity"
        )
    text = _text(
        purpose or ("12345 中心受理、派单、回访" if not needs_purpose else ""),
        "查看用途",
        "purpose",
        MAX_PURPOSE,
        min_length=2,
    )
    department = people_permissions.staff_department(user)
    audit.record(
        actor=user,
        action=audit.Action.VIEW_CALLER,
        subject=("appeals.appeal", str(appeal.pk), f"12345 工单 {appeal.number}"),
        purpose=text,
        case=appeal.number,
        details={
            "role": ",".join(sorted(role.value for role in staff_roles(user))),
            "department": department.code if department else "",
        },
    )
    return CallerIdentity(appeal.caller_name or "匿名", appeal.caller_phone, masked=False)


# ------------------------------------------------------------------------------------ tracking
def find_for_caller(number: str, phone: str, *, client_ip: str | None = None) -> Appeal:
    """The ticket for a caller who knows its number and the phone given with it (§4.3 自助查询).

    The same refusal for an unknown number and a wrong phone, so the page tells nothing about
    which tickets exist; failed look-ups are rate-limited per number and per address
    (:mod:`banshi.appeals.throttle`), so phones cannot be guessed by brute force.
    """
    from banshi.appeals import throttle

    number = _text(number, "工单编号", "ticket number", 40)
    throttle.check(number, client_ip)
    appeal = (
        Appeal.objects.select_related("category", "lead_department").filter(number=number).first()
    )
    if appeal is None or not _same_phone(phone or "", appeal.caller_phone):
        throttle.record_failure(number, client_ip)
        raise NotFound(
            "未找到工单，请核对工单编号和手机号码", "no ticket with that number and phone"
        )
    return appeal


def actions_for(appeal: Appeal, user: Any) -> list[Action]:
    """The actions ``user`` could take on ``appeal`` now, per the table and its department."""
    roles = set(staff_roles(user))
    if Role.DEPARTMENT in roles:
        codes = people_permissions.department_codes_for(user)
        mine = [
            a
            for a in appeal.assignments.select_related("department").filter(round=appeal.round)
            if a.department.code in codes
        ]
        if not mine:
            roles.discard(Role.DEPARTMENT)
        else:
            lead = any(a.role == Assignment.Role.LEAD for a in mine)
            allowed = transitions.allowed_actions(appeal.state, roles)
            lead_only = {
                Action.ACKNOWLEDGE,
                Action.ADD_NOTE,
                Action.REQUEST_EXTENSION,
                Action.RETURN,
                Action.REPLY,
            }
            open_assist = any(
                a.role == Assignment.Role.ASSIST and a.status == Assignment.Status.OPEN
                for a in mine
            )
            return [
                action
                for action in allowed
                if (action in lead_only and lead)
                or (action == Action.ASSIST and open_assist)
                or (action not in lead_only and action != Action.ASSIST)
            ]
    return transitions.allowed_actions(appeal.state, roles)
