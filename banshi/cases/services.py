"""办件中心 services: every operation on applications and cases, one function per use case.

This is the ONE actions service (DESIGN §10, after Signalen's ``SignalManager`` and DIGIT's workflow
service). Every function that changes something, in one transaction:

1. locks the application row (``select_for_update``): the root lock serialises every change to an
   application and its cases, so two clerks, two departments or two scanners never interleave;
2. checks the caller's expected ``version`` (optimistic lock: a stale one raises
   :class:`ConflictError`, so a clerk who acted on an outdated screen learns it instead of
   overwriting);
3. checks the actor's roles and department against the transition table
   (:class:`PermissionDenied`), the current state (:class:`InvalidTransition`), then the legal guards
   (:class:`RuleViolation`, naming the article);
4. applies the change, appends :class:`CaseEvent` rows and writes :class:`OutboxMessage` rows in the
   same transaction, so nothing is announced for a change that rolls back and nothing is lost for one
   that commits;
5. bumps versions and recomputes stored deadlines, only here, only on events.

Front doors (portal, workbench, API, commands) call these functions and nothing else to change cases.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, NamedTuple

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef

from banshi.cases import (
    commitments,
    conf,
    deadlines,
    notices,
    numbers,
    permissions,
    prereview,
    transitions,
)
from banshi.cases.errors import (
    CaseError,
    ConflictError,
    InvalidTransition,
    PermissionDenied,
    PrerequisitePending,
    PrereviewBlocked,
    RuleViolation,
)
from banshi.cases.models import (
    Application,
    ApplicationStatus,
    Case,
    CaseEvent,
    Channel,
    CorrectionNotice,
    Extension,
    NumberSequence,
    Opinion,
    OpinionValue,
    OutboxMessage,
    Pause,
    PauseReason,
    Supervision,
    SupervisionClock,
    SupervisionLevel,
)
from banshi.cases.transitions import (
    ACTION_LABELS,
    DECISION_CLOCK,
    DEPARTMENT_BOUND,
    ENDED,
    ISSUE_CLOCK,
    OUTPUT_STATES,
    ROLE_LABELS,
    STATE_LABELS,
    Action,
    Role,
    State,
)
from banshi.catalog import compiler
from banshi.catalog import models as catalog
from banshi.catalog import selectors as catalog_selectors
from banshi.core import clock
from banshi.core.db import (
    Chain,
    JsonText,
    Sql,
    build,
    current,
    first_id,
    insert_rows,
    insert_rows_together,
    prepared_values,
    statement,
    update_row,
)
from banshi.expr import ExprError
from banshi.licences import selectors as licence_selectors
from banshi.people.models import Enterprise, Person
from banshi.workdays.services import get_calendar

log = logging.getLogger(__name__)

NUMBER_PREFIX = "BS"
REMEDY_NOTICE = (
    "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者自收到本决定书之日起六个月内依法提起行政诉讼。"
)
REFUSAL_GROUNDS = {
    "not_required": "第32条(一): 申请事项依法不需要取得行政许可",
    "not_competent": "第32条(二): 申请事项依法不属于本行政机关职权范围",
    "incomplete": "第32条(四)(五): 未按一次性告知的要求补正",
}
# Role preference when an actor holds several that the row allows (the event records one).
_ROLE_ORDER = (
    Role.APPLICANT,
    Role.WINDOW_CLERK,
    Role.REVIEWER,
    Role.DEPARTMENT_HEAD,
    Role.GOVERNMENT_HEAD,
    Role.SUPERVISOR,
)


# ------------------------------------------------------------------------------------ helpers
@dataclass(frozen=True)
class _Actor:
    """Who performs an action, and in which role (None user = the system)."""

    user: Any
    role: str


_SYSTEM = _Actor(None, Role.SYSTEM.value)


def _local_date(moment: dt.datetime) -> dt.date:
    """The platform-local day of a moment (a deadline day is a local day, not a UTC one)."""
    return moment.astimezone(clock.zone()).date()


def _json(value: Any) -> Any:
    """JSON-safe copy (dates and decimals as strings), so JSONField never sees a date object."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


_ENCODER = DjangoJSONEncoder()
_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """What ``_json(asdict(value))`` gives for a dataclass tree (a compiled plan), in one pass:
    no deep copies, no JSON text round trip (dates, decimals… as DjangoJSONEncoder writes them)."""
    if isinstance(value, _SCALARS):
        return value
    if is_dataclass(value):
        return {column.name: _plain(getattr(value, column.name)) for column in fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(element) for element in value]
    if isinstance(value, dict):
        return {str(key): _plain(element) for key, element in value.items()}
    return _ENCODER.default(value)


def _plain_plan(plan: compiler.Plan) -> dict[str, Any]:
    """The compiled plan as the application stores it (``_plain``), made once per plan: plans are
    compiled once per catalogue snapshot and shared (``catalog.selectors.compiled_plan``), and
    converting the tree cost a twentieth of a submission's CPU. The dict is shared by every
    application filed with that plan until it is written: never change it in place."""
    found = plan.__dict__.get(_PLAIN_PLAN)
    if found is None:
        plain = _plain(plan)
        encoder = Application._meta.get_field("plan").encoder
        found = JsonText(plain, json.dumps(plain, cls=encoder))  # its text made once, too
        plan.__dict__[_PLAIN_PLAN] = found  # frozen dataclass: its __dict__ is still writable
    return found


_PLAIN_PLAN = "_banshi_plain"


def _lock(application: Application | int) -> Application:
    """Lock the root row; every change to an application or its cases holds this lock."""
    pk = application.pk if isinstance(application, Application) else application
    return Application.objects.select_for_update().get(pk=pk)


def _lock_case(case: Case | int) -> tuple[Application, Case]:
    """Lock the case's application, then read the case fresh under that lock."""
    pk = case.pk if isinstance(case, Case) else case
    application_id = Case.objects.values_list("application_id", flat=True).get(pk=pk)
    application = _lock(application_id)
    fresh = Case.objects.select_related("department", "item", "item_version").get(pk=pk)
    fresh.application = application
    return application, fresh


def _cases(application: Application) -> list[Case]:
    cases = list(
        application.cases.select_related("department", "item", "item_version").order_by("position")
    )
    for case in cases:
        case.application = application
    return cases


def _check_version(obj: Application | Case, expected: int | None) -> None:
    """Optimistic lock: the caller must have seen the current version."""
    if expected is None or obj.version == expected:
        return
    what_zh, what_en = ("申请", "application") if isinstance(obj, Application) else ("办件", "case")
    raise ConflictError(
        f"{what_zh} {obj.number} 已被他人处理(当前版本 {obj.version}，您看到的是版本 {expected})，"
        "请刷新后重试",
        f"{what_en} {obj.number} was changed by someone else (now version {obj.version}, "
        f"you saw version {expected}); reload and try again",
        current=obj.version,
        expected=expected,
    )


def _authorize(
    user: Any,
    application: Application,
    action: Action,
    *,
    department: str | None = None,
    only: Iterable[Role] | None = None,
    denial: tuple[str, str] | None = None,
) -> _Actor:
    """The role in which ``user`` may take ``action`` (the table's roles, narrowed by ``only``).

    Reviewers and department heads act only for ``department`` (DESIGN §8: department × role).
    ``user`` None is the system (scheduler), allowed only where the table names it.
    """
    row = transitions.rule(action)
    allowed = row.roles if only is None else row.roles & frozenset(only)
    if user is None:
        if Role.SYSTEM in allowed:
            return _SYSTEM
        raise _denied(action, allowed, denial)
    held = permissions.roles_for(user, application)
    wrong_department = False
    for role in _ROLE_ORDER:
        if role not in allowed or role.value not in held:
            continue
        if role in DEPARTMENT_BOUND and department not in permissions.department_codes(user):
            wrong_department = True
            continue
        return _Actor(user, role.value)
    if wrong_department and denial is None:
        denial = (
            f"只能办理本部门的办件，不能对{department}部门的办件执行“{ACTION_LABELS[action]}”",
            f"you may act only on your own department's cases, not on {department}'s ({action})",
        )
    raise _denied(action, allowed, denial)


def _denied(
    action: Action, allowed: Iterable[Role], denial: tuple[str, str] | None
) -> PermissionDenied:
    if denial is not None:
        return PermissionDenied(*denial, action=action.value)
    names_zh = "、".join(ROLE_LABELS[role] for role in sorted(allowed))
    names_en = ", ".join(sorted(role.value for role in allowed))
    return PermissionDenied(
        f"无权执行“{ACTION_LABELS[action]}”，需要以下角色之一：{names_zh}",
        f"not allowed to {action.value}: needs one of the roles {names_en}",
        action=action.value,
    )


def _require_state(case: Case, action: Action) -> None:
    """The transition table must have an edge for ``action`` from the case's state."""
    if transitions.find(case.state, action) is None:
        state = State(case.state)
        raise InvalidTransition(
            f"办件 {case.number} 当前状态为“{STATE_LABELS[state]}”，不能执行“{ACTION_LABELS[action]}”",
            f"case {case.number} is {state.value}: {action.value} is not allowed from there",
            state=state.value,
            action=action.value,
        )


def _event(
    application: Application,
    case: Case | None,
    kind: str,
    actor: _Actor,
    *,
    from_state: str = "",
    to_state: str = "",
    data: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """Append one event (the only way events are written: insert, never update or delete).
    An event the law attaches a written notice to schedules that notice for after the commit."""
    event = _new_event(
        application, case, kind, actor, from_state=from_state, to_state=to_state, data=data
    )
    _insert_events([event])
    return event


def _insert_events(events: Sequence[CaseEvent], with_rows: Sequence[Any] = ()) -> None:
    """The one statement that writes events: insert only (never update, never delete). Rows of
    other tables that do not refer to the events (``with_rows``: a submission's case links) go in
    the same statement on PostgreSQL."""
    insert_rows_together(events, with_rows)


def _new_event(
    application: Application,
    case: Case | None,
    kind: str,
    actor: _Actor,
    *,
    from_state: str = "",
    to_state: str = "",
    data: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """An unsaved event (see :func:`_event`; several can be inserted with one ``bulk_create``)."""
    if kind in notices.NOTICE_EVENTS:
        notices.schedule(application)
    return build(
        CaseEvent,
        application=application,
        case=case,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        actor=actor.user,
        actor_role=actor.role,
        at=clock.now(),
        data=_json(dict(data or {})),
    )


def _outbox(
    topic: str,
    application: Application,
    payload: Mapping[str, Any],
    case: Case | None = None,
) -> OutboxMessage:
    """Queue a message for the outside world in the current transaction (transactional outbox)."""
    message = _outbox_message(topic, application, payload, case)
    insert_rows([message])
    return message


def _outbox_message(
    topic: str,
    application: Application,
    payload: Mapping[str, Any],
    case: Case | None = None,
) -> OutboxMessage:
    """The outbox row of :func:`_outbox`, not yet written."""
    now = clock.now()
    body = {"application": application.number, **({"case": case.number} if case else {})}
    body.update(payload)
    message = build(
        OutboxMessage,
        topic=topic,
        key=case.number if case else application.number,
        payload=_json(body),
        created_at=now,
        next_attempt_at=now,
    )
    return message


def _touch(application: Application) -> None:
    """Save an application-level change and bump its version."""
    application.version += 1
    application.updated_at = clock.now()
    application.save()


def _move(
    actor: _Actor,
    application: Application,
    case: Case,
    action: Action,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Apply ``action`` to ``case`` (state per the table), save, append the event, queue the
    message, then settle supervisions and the application."""
    _require_state(case, action)
    old = case.state
    row = transitions.rule(action)
    case.state = row.target_from(State(old)).value
    case.version += 1
    case.updated_at = clock.now()
    case.save()
    payload = dict(data or {})
    _event(
        application,
        case,
        action.value,
        actor,
        from_state=old,
        to_state=case.state,
        data=payload,
    )
    _outbox(f"case.{action.value}", application, {"state": case.state, **payload}, case)
    _after_case_change(application, case, actor)


def _after_case_change(application: Application, case: Case, actor: _Actor) -> None:
    """Close supervisions whose clock stopped; complete the application when every case ended."""
    state = State(case.state)
    stopped = []
    if state not in DECISION_CLOCK:
        stopped.append(SupervisionClock.DECISION)
    if state not in ISSUE_CLOCK:
        stopped.append(SupervisionClock.ISSUE)
    Supervision.objects.filter(case=case, clock__in=stopped, resolved_at__isnull=True).update(
        resolved_at=clock.now()
    )
    if state in ENDED:
        _settle(application, actor)


def _settle(application: Application, actor: _Actor) -> None:
    """One unified output (统一出件) once every case has ended (DESIGN §10: the root ends when
    every sub-case ends)."""
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_PROGRESS):
        return
    cases = list(application.cases.select_related("item_version").order_by("position"))
    if not all(State(case.state) in ENDED for case in cases):
        return
    output = _unified_output(cases)
    application.status = ApplicationStatus.COMPLETED
    application.completed_at = clock.now()
    application.output = _json(output)
    _touch(application)
    _event(application, None, "completed", actor, to_state=application.status, data=output)
    _outbox("application.completed", application, output)


def _unified_output(cases: Sequence[Case]) -> dict[str, Any]:
    rows = [
        {
            "case": case.number,
            "item": case.item_version.name,
            "state": case.state,
            "outcome": case.outcome or None,
        }
        for case in cases
    ]
    return {
        "cases": rows,
        "granted": sum(1 for case in cases if case.outcome == "grant"),
        "denied": sum(1 for case in cases if case.outcome == "deny"),
    }


def _required_text(value: str | None, zh: str, en: str) -> str:
    text = (value or "").strip()
    if not text:
        raise RuleViolation(zh, en)
    return text


# ------------------------------------------------------------------------------------ numbers
def issue_number(day: dt.date) -> str:
    """The next application number of ``day``: ``BS-YYYYMMDD-NNNNNN``.

    Issued from :class:`NumberSequence` under a row lock inside the caller's transaction: distinct
    under concurrency, and gap-free because a rolled-back submission rolls its number back too.
    """
    key = f"{NUMBER_PREFIX}-{day:%Y%m%d}"
    return f"{key}-{numbers.next_value(key):06d}"


def _provisional_number() -> str:
    """A unique placeholder until :func:`_assign_numbers` takes the real number at the end."""
    return f"~{uuid.uuid4().hex}"


def _assign_numbers(application: Application, cases: Mapping[str, Case], day: dt.date) -> None:
    """Give the application and its cases their numbers with plain statements (SQLite, or the
    day's first number): the sequence row lock is taken here, as late as possible."""
    provisional = application.number
    number = issue_number(day)
    update_row(Application, application.pk, number=number)
    application.number = number
    for case in cases.values():  # "<provisional>-NN" -> "<number>-NN"
        case.number = number + case.number[len(provisional) :]
    if cases:
        with statement(  # one plain statement: the ORM's CASE costs more CPU
            f"UPDATE {Case._meta.db_table} SET number = %s || substr(number, %s) "
            "WHERE application_id = %s",
            [number, len(provisional) + 1, application.pk],
        ):
            pass


def _numbered_in_one_statement(
    application: Application,
    cases: Mapping[str, Case],
    message: OutboxMessage,
    day: dt.date,
) -> str | None:
    """PostgreSQL: take the day's next number, write it on the application and its cases and
    insert the outbox row announcing it (the provisional number replaced in its key and payload)
    in ONE statement (data-modifying ``WITH``), instead of four round trips under the sequence
    row lock. Returns the number, or None where this does not apply (SQLite, no cases, or the
    day's first number, whose sequence row :func:`issue_number` creates); then nothing is
    written."""
    db = current()
    if db.vendor != "postgresql" or not cases:
        return None
    key = f"{NUMBER_PREFIX}-{day:%Y%m%d}"
    provisional = application.number
    seq, app, case, outbox = (
        NumberSequence._meta.db_table,
        Application._meta.db_table,
        Case._meta.db_table,
        OutboxMessage._meta.db_table,
    )
    fields = [f for f in OutboxMessage._meta.concrete_fields if not f.primary_key]
    columns, values, params = [], [], []
    for column_field, value in zip(fields, prepared_values(message, fields), strict=True):
        columns.append(db.ops.quote_name(column_field.column))
        if column_field.name == "key":
            values.append("a.number")
        elif column_field.name == "payload":
            values.append("replace(%s, %s, a.number)::jsonb")
            params += [json.dumps(message.payload), provisional]
        else:
            values.append("%s")
            params.append(value)
    sql = (
        f"WITH s AS (UPDATE {seq} SET last_value = last_value + 1 WHERE key = %s "
        "RETURNING last_value), "
        f"a AS (UPDATE {app} SET number = {numbers.formatted('s.last_value')} FROM s "
        f"WHERE {app}.id = %s RETURNING number), "
        f"c AS (UPDATE {case} SET number = a.number || substr({case}.number, %s) FROM a "
        f"WHERE {case}.application_id = %s), "
        f"o AS (INSERT INTO {outbox} ({', '.join(columns)}) SELECT {', '.join(values)} FROM a) "
        "SELECT number FROM a"
    )
    with statement(
        sql, [key, f"{key}-", application.pk, len(provisional) + 1, application.pk, *params], db
    ) as cursor:
        row = cursor.fetchone()
    return None if row is None else row[0]


# ------------------------------------------------------------------------------------ submit
def submit_application(
    applicant: Person,
    *,
    bundle_code: str | None = None,
    item_code: str | None = None,
    answers: Mapping[str, Any] | None = None,
    form_data: Mapping[str, Any] | None = None,
    materials: Sequence[Mapping[str, Any]] | None = None,
    idempotency_key: str,
    channel: str,
    agent: Person | None = None,
    enterprise: Enterprise | None = None,
    profile: Mapping[str, Any] | None = None,
    submitted_by: Any = None,
    pre_review: bool = True,
    fresh_key: bool = False,
    number_later: bool = False,
) -> Application:
    """申请: one Application + one Case per chosen item, their events and outbox rows, in ONE
    transaction; receipt starts the 5-working-day correction window (第32条(四)).

    Idempotent: the same applicant and ``idempotency_key`` return the first application (a double
    click or a retried request files nothing twice). ``profile`` (flat, keyed by prefill source)
    feeds the plan's ``when`` conditions; by default it is built from the applicant and enterprise.
    ``submitted_by`` is the window clerk who keys in a walk-in application (recorded on the
    events); by default the applicant (or agent) submits. Raises RuleViolation (unknown code,
    nothing applies, bad answer), PermissionDenied (agent without a valid authorisation, applicant
    not representing the enterprise, ``submitted_by`` not a window clerk), PrereviewBlocked (预审:
    a missing required field or material, an invalid identifier, inconsistent fields — the same
    checks whichever front door files it; ``pre_review=False`` only for engine tests that start
    from a skeletal submission).

    ``fresh_key``: the caller made ``idempotency_key`` inside its own still-open transaction (a
    draft created and submitted in one request), so no application can hold it yet: no probe and
    no savepoint (an error rolls back the caller's whole transaction).

    ``number_later``: the caller writes more rows in the same transaction and then calls
    :func:`number_filed` as its LAST statement before the commit: the day's sequence row is locked
    from the numbering to the commit, so concurrent submissions wait on one statement instead of
    on the caller's remaining work. Until then the application carries a provisional number.
    """
    key = (idempotency_key or "").strip()
    _check_submission(bundle_code, item_code, key, channel)
    if submitted_by is not None and Role.WINDOW_CLERK.value not in permissions.staff_roles(
        submitted_by
    ):
        raise PermissionDenied(
            "只有综合窗口人员可以代为录入申请", "only a window clerk keys in an application"
        )
    create = functools.partial(
        _create_application,
        applicant,
        bundle_code=bundle_code,
        item_code=item_code,
        answers=dict(answers or {}),
        form_data=dict(form_data or {}),
        materials=list(materials or []),
        key=key,
        channel=channel,
        agent=agent,
        enterprise=enterprise,
        profile=profile,
        submitted_by=submitted_by,
        pre_review=pre_review,
        number_later=number_later,
    )
    if fresh_key:
        with transaction.atomic(savepoint=False):
            return create()
    existing = _submitted_with_key(applicant, key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        existing = _submitted_with_key(applicant, key)  # a concurrent retry won the race
        if existing is None:
            raise
        return existing


def _check_submission(
    bundle_code: str | None, item_code: str | None, key: str, channel: str
) -> None:
    if bool(bundle_code) == bool(item_code):
        raise RuleViolation(
            "必须且只能指定一个一件事编码或事项编码",
            "give exactly one of bundle_code and item_code",
        )
    if not key:
        raise RuleViolation("缺少幂等键", "an idempotency key is required")
    if channel not in Channel.values:
        raise RuleViolation(f"未知的申请渠道：{channel}", f"unknown channel: {channel}")


def _submitted_with_key(applicant: Person, key: str) -> Application | None:
    """The application already filed with ``key``: a plain probe, as nearly every submission
    carries a new key; the wide row is read only for a retry."""
    pk = first_id(Application, applicant=applicant.pk, idempotency_key=key)
    return None if pk is None else Application.objects.filter(pk=pk).first()


def _create_application(
    applicant: Person,
    *,
    bundle_code: str | None,
    item_code: str | None,
    answers: dict[str, Any],
    form_data: dict[str, Any],
    materials: list[Any],
    key: str,
    channel: str,
    agent: Person | None,
    enterprise: Enterprise | None,
    profile: Mapping[str, Any] | None,
    submitted_by: Any,
    pre_review: bool = True,
    number_later: bool = False,
) -> Application:
    now = clock.now()
    today = _local_date(now)
    code = bundle_code or item_code or ""
    authorisation = _check_standing(applicant, agent, enterprise, code, today)
    commitments.check_credit_gate(applicant, enterprise, materials)
    profile = profile or _profile(applicant, enterprise)
    plan = _compile(bundle_code, item_code, answers, profile)
    if pre_review:
        _check_pre_review(plan, answers, form_data, materials, profile, today)
    materials = _library_materials(plan, materials, applicant, enterprise, today)
    versions = _pinned_item_versions(plan.item_codes, today)
    bundle, bundle_version = _pinned_bundle(bundle_code, today)
    joint = bundle is not None and len({v.department_id for v in versions.values()}) > 1
    due = deadlines.correction_due(get_calendar(), today)
    chain = _written_later(number_later, materials, versions)
    application = build(
        Application,
        number=_provisional_number(),
        applicant=applicant,
        enterprise=enterprise,
        agent=agent,
        authorisation=authorisation,
        bundle=bundle,
        bundle_version=bundle_version,
        item=None if bundle else versions[plan.item_codes[0]].item,
        title=plan.name,
        answers=_json(answers),
        form_data=_json(form_data),
        materials=_json(materials),
        plan=_plain_plan(plan),
        channel=channel,
        status=ApplicationStatus.SUBMITTED,
        idempotency_key=key,
        joint_handling=joint,
        received_at=now,
        correction_due=due.date,
        correction_due_provisional=due.provisional,
        intake_due=due.date,
        updated_at=now,
    )
    if chain is None:
        insert_rows([application])
    else:
        chain.add("a", [application])
        application.__dict__[UNWRITTEN] = chain
    cases = _create_cases(
        application, plan, versions, _joint_review_lead(bundle_version, joint), chain
    )
    links = _dependency_links(plan, cases)
    if submitted_by is not None:
        actor = _Actor(submitted_by, Role.WINDOW_CLERK.value)
    else:
        actor = _Actor((agent or applicant).user, Role.APPLICANT.value)
    events = _record_submission(
        application, cases, actor, number_now=not number_later, with_rows=links
    )
    commitments.record_at_submission(application, cases)
    if commitments.instant_eligible(application, list(cases.values())):
        number_filed(application)  # 秒批 issues documents that carry the number
        _instant_approve(application, list(cases.values()))
    else:
        application.__dict__[AS_FILED] = (list(cases.values()), events)
    return application


AS_FILED = "_banshi_as_filed"


def as_filed(application: Application) -> tuple[list[Case], list[CaseEvent]] | None:
    """The cases and events that :func:`submit_application` has just written for ``application``,
    as written (the same values a read would give back), or None when they are not at hand (a
    replayed or reloaded application, or one that something else changed after its filing).
    Taken once: the submitting request answers from it instead of reading back what it wrote."""
    return application.__dict__.pop(AS_FILED, None)


def _check_standing(
    applicant: Person,
    agent: Person | None,
    enterprise: Enterprise | None,
    code: str,
    day: dt.date,
):
    """代办 needs a valid authorisation (scope covering ``code``); applying for an enterprise in
    one's own name needs a role in it (法定代表人 / 经办人)."""
    if agent is None:
        if enterprise is not None and not permissions.may_represent(
            applicant, enterprise, code=code, day=day
        ):
            raise PermissionDenied(
                f"{applicant.name} 不是 {enterprise.name} 的法定代表人或经办人",
                "the applicant does not represent this enterprise",
            )
        return None
    authorisation = permissions.find_authorisation(
        agent, person=applicant, enterprise=enterprise, code=code, day=day
    )
    if authorisation is None:
        raise PermissionDenied(
            f"{agent.name} 没有有效的代办授权(范围 {code})",
            f"the agent has no valid authorisation covering {code}",
        )
    return authorisation


def _profile(applicant: Person, enterprise: Enterprise | None) -> dict[str, Any]:
    """The prefill values the plan's conditions may read (一人一档 / 一企一档), non-empty only."""
    values = {
        "person.name": applicant.name,
        "person.id_number": applicant.id_number,
        "person.phone": applicant.phone,
        "person.address": applicant.address,
    }
    if enterprise is not None:
        values.update(
            {
                "enterprise.name": enterprise.name,
                "enterprise.uscc": enterprise.uscc,
                "enterprise.legal_rep": enterprise.legal_representative,
                "enterprise.address": enterprise.address,
            }
        )
    profile = {key: value for key, value in values.items() if value}
    # 免证: the licence types the licence library holds in force for them (every front door)
    profile[compiler.PROFILE_LICENCES] = licence_selectors.held_by(applicant, enterprise)
    return profile


def _library_materials(
    plan: compiler.Plan,
    materials: list[Any],
    applicant: Person,
    enterprise: Enterprise | None,
    today: dt.date,
) -> list[Any]:
    """免证 on every front door: a planned material that a licence in force stands for, and that
    the submission does not already account for, is recorded from the licence library (the
    drafts path records it the same way), so the reviewer sees the licence, never a gap."""
    given = {str(entry.get("code")) for entry in materials if isinstance(entry, Mapping)}
    added = []
    for planned in plan.materials:
        if planned.route != compiler.ROUTE_LICENCE or not planned.licence_held:
            continue
        if planned.code in given:
            continue
        licence = licence_selectors.library_licence(
            applicant, enterprise, planned.licence_type, on=today
        )
        if licence is not None:
            added.append(licence_selectors.material_entry(planned.code, planned.name, licence))
    return [*materials, *added] if added else materials


def _compile(
    bundle_code: str | None,
    item_code: str | None,
    answers: Mapping[str, Any],
    profile: Mapping[str, Any],
) -> compiler.Plan:
    """Compile the plan on today's catalogue; refuse an empty plan or an unusable answer."""
    catalogue = catalog_selectors.catalogue_snapshot(clock.today())
    try:
        plan = catalog_selectors.compiled_plan(catalogue, bundle_code, item_code, answers, profile)
    except (compiler.UnknownCodeError, compiler.DependencyCycleError) as error:
        raise RuleViolation(str(error), str(error)) from error
    except ExprError as error:
        raise RuleViolation(
            f"情形回答无法判断：{error}", f"an answer cannot be evaluated: {error}"
        ) from error
    if not plan.items:
        raise RuleViolation(
            "按所答情形，没有需要办理的事项", "no item applies to the answers given"
        )
    return plan


def _check_pre_review(
    plan: compiler.Plan,
    answers: Mapping[str, Any],
    form_data: Mapping[str, Any],
    materials: Sequence[Any],
    profile: Mapping[str, Any],
    today: dt.date,
) -> None:
    """预审 in the engine: the rules of :mod:`banshi.cases.prereview` (required fields and
    materials, identifier check characters, consistency between fields and with the applicant's
    profile) on exactly what is filed, so every front door refuses the same input the same way.
    Raises :class:`PrereviewBlocked` with the blocking findings; warnings do not stop a filing."""
    expected = {
        form_field.code: profile[form_field.prefill]
        for form_field in plan.form.fields
        if form_field.type in prereview.PROFILE_IDENTIFIER_TYPES
        and form_field.prefill
        and not form_field.code.startswith("agent.")  # the filler's, not the applicant's
        and profile.get(form_field.prefill)
    }
    values = dict(form_data)
    for form_field in plan.form.fields:  # a field that a situation question asks is its answer
        if form_field.code in answers:
            values[form_field.code] = prereview.as_text(answers[form_field.code])
    findings = prereview.review(
        plan,
        values,
        _material_choices(materials),
        answers=answers,
        expected=expected,
        today=today,
    )
    blocking = [finding for finding in findings if finding.blocking]
    if blocking:
        raise PrereviewBlocked(blocking)


def _material_choices(materials: Sequence[Any]) -> dict[str, prereview.MaterialChoice]:
    """What was handed in per material code: an upload counts its files (or its one ``sha256``),
    a commitment (告知承诺) or a deferred material (容缺) counts as its mode."""
    choices = {}
    for entry in materials:
        if not isinstance(entry, Mapping) or not entry.get("code"):
            continue
        files = len(entry.get("files") or ()) or (1 if entry.get("sha256") else 0)
        choices[str(entry["code"])] = prereview.MaterialChoice(
            mode=entry.get("mode") or prereview.MODE_UPLOAD, files=files
        )
    return choices


def _pinned_item_versions(
    codes: Sequence[str], day: dt.date
) -> dict[str, catalog.ServiceItemVersion]:
    """The version of each item valid on ``day``: the case keeps it for life (DESIGN §10). Read
    once per catalogue snapshot (the one the plan was compiled on), not once per submission."""
    catalogue = catalog_selectors.catalogue_snapshot(day)
    key = ("item_versions", day, tuple(codes))
    return dict(
        catalog_selectors.snapshot_memo(catalogue, key, lambda: _read_item_versions(codes, day))
    )


def _read_item_versions(
    codes: Sequence[str], day: dt.date
) -> dict[str, catalog.ServiceItemVersion]:
    rows = (
        catalog.ServiceItemVersion.objects.filter(
            catalog_selectors.valid_on(day), item__code__in=codes
        )
        .select_related("item", "department")
        .order_by("number")
    )
    versions = {row.item.code: row for row in rows}
    missing = [code for code in codes if code not in versions]
    if missing:
        raise RuleViolation(
            f"事项 {', '.join(missing)} 当前没有有效版本",
            f"no valid version today for item(s) {', '.join(missing)}",
        )
    return versions


def _pinned_bundle(
    bundle_code: str | None, day: dt.date
) -> tuple[catalog.Bundle | None, catalog.BundleVersion | None]:
    if not bundle_code:
        return None, None
    catalogue = catalog_selectors.catalogue_snapshot(day)  # read once per snapshot, as above
    key = ("bundle_version", day, bundle_code)
    return catalog_selectors.snapshot_memo(catalogue, key, lambda: _read_bundle(bundle_code, day))


def _read_bundle(
    bundle_code: str, day: dt.date
) -> tuple[catalog.Bundle | None, catalog.BundleVersion | None]:
    bundle = catalog.Bundle.objects.get(code=bundle_code)
    version = catalog_selectors.current_bundle_version(bundle, day)
    if version is None:
        raise RuleViolation(
            f"一件事 {bundle_code} 当前没有有效版本",
            f"no valid version today for bundle {bundle_code}",
        )
    return bundle, version


def _joint_review_lead(bundle_version: catalog.BundleVersion | None, joint: bool) -> int | None:
    """The lead department (牵头部门) whose cases wait for the others' opinions, or None.

    Joint review (联合审查) is taken to apply where a joint-handling bundle declares
    ``silence_is_consent``: 超时默认 only means something where opinions are asked. Until the
    catalogue carries its own joint-review flag, that is the one signal it gives; every other
    bundle is handled in parallel, each department deciding its own case.
    """
    if not joint or bundle_version is None or not bundle_version.silence_is_consent:
        return None
    return bundle_version.department_id


def _create_cases(
    application: Application,
    plan: compiler.Plan,
    versions: Mapping[str, catalog.ServiceItemVersion],
    lead_department: int | None,
    chain: Chain | None = None,
) -> dict[str, Case]:
    """One case per chosen item. In a joint handling, the lead department's cases (牵头部门) are
    under joint review: the other departments give opinions before the lead decides."""
    cases: dict[str, Case] = {}
    for position, planned in enumerate(plan.items, start=1):
        version = versions[planned.code]
        cases[planned.code] = build(
            Case,
            application=application,
            number=f"{application.number}-{position:02d}",
            position=position,
            item=version.item,
            item_version=version,
            department=version.department,
            state=State.RECEIVED.value,
            joint_review=lead_department is not None and version.department_id == lead_department,
            on_the_spot=version.promised_days == 0,
            updated_at=application.received_at,
        )
    if chain is None:
        insert_rows(list(cases.values()))  # one statement; the rows get their ids
    else:
        chain.add("c", list(cases.values()))
    return cases


def _dependency_links(plan: compiler.Plan, cases: Mapping[str, Case]) -> list[Any]:
    """depends_on = the bundle's ``after`` among the chosen items: the unsaved link rows
    (written with the submission's events, see :func:`_record_submission`)."""
    through = Case.depends_on.through
    return [
        build(through, from_case=cases[planned.code], to_case=cases[code])
        for planned in plan.items
        for code in planned.depends_on
    ]


def _record_submission(
    application: Application,
    cases: Mapping[str, Case],
    actor: _Actor,
    *,
    number_now: bool = True,
    with_rows: Sequence[Any] = (),
) -> list[CaseEvent]:
    """The submission's events (one insert, together with ``with_rows``: the case links), then
    the numbers (the sequence lock, taken as late as possible) and the outbox row that announces
    the numbered application — or, with ``number_now`` false, those two left for
    :func:`number_filed`. Returns the events."""
    today = _local_date(application.received_at)
    events = [
        _new_event(
            application,
            None,
            "submitted",
            actor,
            to_state=application.status,
            data={
                "channel": application.channel,
                "items": list(cases),
                "correction_due": application.correction_due,
            },
        )
    ]
    events += [
        _new_event(
            application,
            case,
            "received",
            actor,
            to_state=case.state,
            data={"item": case.item.code, "department": case.department.code},
        )
        for case in cases.values()
    ]
    chain = application.__dict__.get(UNWRITTEN)
    if chain is None:
        _insert_events(events, with_rows)
    else:  # insert only, as _insert_events: in the filing's one statement
        chain.add("l", with_rows)
        chain.add("e", events)
    application.__dict__[UNNUMBERED] = (cases, today)
    if number_now:
        number_filed(application)
    return events


UNNUMBERED = "_banshi_unnumbered"


def number_filed(application: Application) -> None:
    """Number an application just filed with ``number_later`` (and its cases) and queue the
    outbox row that announces it; nothing when it is numbered already. On PostgreSQL one
    statement takes the day's next number, writes it on the application and its cases and
    inserts the outbox row; the sequence row stays locked until the commit, so call it last."""
    pending = application.__dict__.pop(UNNUMBERED, None)
    if pending is None:
        return
    cases, day = pending
    provisional = application.number
    message = _outbox_message(
        "application.submitted",
        application,
        {
            "title": application.title,
            "received_at": application.received_at,
            "correction_due": application.correction_due,
            "cases": [case.number for case in cases.values()],
        },
    )
    chain = application.__dict__.pop(UNWRITTEN, None)
    if chain is not None:
        _write_numbered(chain, application, cases, message, day)
        return
    number = _numbered_in_one_statement(application, cases, message, day)
    if number is None:  # SQLite, no cases, or the day's first number
        _assign_numbers(application, cases, day)
        _announce(message, provisional, application.number)
        insert_rows([message])
        return
    application.number = number
    for case in cases.values():  # "<provisional>-NN" -> "<number>-NN"
        case.number = number + case.number[len(provisional) :]
    _announce(message, provisional, number)


def _write_numbered(
    chain: Chain,
    application: Application,
    cases: Mapping[str, Case],
    message: OutboxMessage,
    day: dt.date,
) -> None:
    """Write a filing kept for one statement (see :func:`_written_later`): the day's next number
    drawn first, then every row with its final number (application, cases as ``<number>-NN``,
    the outbox row announcing it) and the rows added meanwhile (events, links, the draft, the
    idempotency record)."""
    key = f"{NUMBER_PREFIX}-{day:%Y%m%d}"
    provisional = application.number
    chain.first("s", numbers.next_value_step(), [key])
    application.number = Sql(f"(SELECT {numbers.formatted('last_value')} FROM s)", [f"{key}-"])
    filed = "(SELECT number FROM a)"
    for case in cases.values():  # "<provisional>-NN" -> "<number>-NN"
        case.number = Sql(f"{filed} || %s", [case.number[len(provisional) :]])
    message.key = Sql(filed)
    message.payload = Sql(
        f"replace(%s, %s, {filed})::jsonb", [json.dumps(message.payload), provisional]
    )
    chain.add("o", [message])
    chain.run()


def _written_later(
    number_later: bool,
    materials: Sequence[Mapping[str, Any]],
    versions: Mapping[str, catalog.ServiceItemVersion],
) -> Chain | None:
    """Whether a filing's rows can wait for ONE statement at its numbering (PostgreSQL, and the
    caller numbers it last: ``number_later``), and the chain that collects them. Not when
    something needs their keys before: 告知承诺 / 容缺 materials (their commitments refer to the
    cases) or an application that may be approved on the spot (秒批 writes its decision)."""
    if not number_later or current().vendor != "postgresql":
        return None
    if commitments.committed_materials(materials):
        return None
    if versions and all(version.instant_approval for version in versions.values()):
        return None
    return Chain()


UNWRITTEN = "_banshi_unwritten"


def insert_with_filing(application: Application, rows: Sequence[Any]) -> None:
    """Insert ``rows`` (of one model) that refer to ``application``: now, or in the filing's one
    statement when the application is still to be written (see :func:`_written_later`)."""
    chain = application.__dict__.get(UNWRITTEN)
    if chain is None:
        insert_rows(rows)
    else:
        chain.add(None, rows)


def unwritten_filing(application: Application | None) -> Chain | None:
    """The chain that will write ``application`` (just filed, not yet written), else None."""
    return None if application is None else application.__dict__.get(UNWRITTEN)


def _announce(message: OutboxMessage, provisional: str, number: str) -> None:
    """The outbox row built before the numbering, with the number in place of the provisional."""
    message.key = message.key.replace(provisional, number)
    message.payload = json.loads(json.dumps(message.payload).replace(provisional, number))


# ------------------------------------------------------------------------------------ intake
def request_correction(
    application: Application,
    items: Sequence[Mapping[str, Any]],
    actor: Any,
    version: int,
) -> CorrectionNotice:
    """补正材料通知书 (第32条(四)): within 5 working days of receipt, ONE notice listing every item
    to correct; the clock stays stopped until the applicant answers.

    ``items``: ``{"item": code (or "case": number), "materials": [codes], "fields": [codes],
    "reason": text}``; materials and fields must be ones the item requires (第31条: nothing
    unrelated). A second notice for the same submission is refused.
    """
    with transaction.atomic():
        application = _lock(application)
        actor_ = _authorize(actor, application, Action.REQUEST_CORRECTION)
        _check_version(application, version)
        if CorrectionNotice.objects.filter(application=application).exists():
            raise RuleViolation(
                "第32条(四): 补正内容应当一次性告知，本申请已告知过，不能再次发出补正通知",
                "art. 32(4): corrections are notified once, in one notice; this submission "
                "already had its notice",
            )
        cases = _cases(application)
        for case in cases:
            _require_state(case, Action.REQUEST_CORRECTION)
        today = clock.today()
        if today > application.correction_due:
            raise RuleViolation(
                f"第32条(四): 补正告知期限 {application.correction_due} 已过(收件后5个工作日)，"
                "逾期不告知的，自收到申请材料之日起即为受理",
                f"art. 32(4): the 5-working-day notice period ended on "
                f"{application.correction_due}; the application counts as accepted",
            )
        entries = _correction_entries(application, cases, items)
        due = deadlines.due_after(get_calendar(), today, conf.correction_answer_workdays())
        notice = CorrectionNotice.objects.create(
            application=application,
            items=_json(entries),
            issued_at=clock.now(),
            issued_by=actor,
            due=due.date,
        )
        for case in cases:
            mine = [entry for entry in entries if entry["case"] == case.number]
            _move(actor_, application, case, Action.REQUEST_CORRECTION, {"items": mine})
        _touch(application)
        _event(
            application,
            None,
            "correction_notice",
            actor_,
            data={"items": entries, "due": notice.due},
        )
        _outbox("application.correction_notice", application, {"items": entries, "due": notice.due})
        return notice


def _correction_entries(
    application: Application, cases: Sequence[Case], items: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Normalise and check the notice's items: each names a case of this application and only
    materials/fields that the item requires (第31条)."""
    if not items:
        raise RuleViolation(
            "第32条(四): 补正通知必须列明需要补正的全部内容",
            "art. 32(4): the notice must list everything to correct",
        )
    by_item = {case.item.code: case for case in cases}
    by_number = {case.number: case for case in cases}
    planned = {entry["code"]: entry for entry in application.plan.get("items", [])}
    entries = []
    for raw in items:
        case = by_number.get(raw.get("case", "")) or by_item.get(raw.get("item", ""))
        if case is None:
            raise RuleViolation(
                f"补正内容指向的办件不属于本申请：{raw}",
                f"a correction names no case of this application: {raw}",
            )
        entry = {
            "case": case.number,
            "item": case.item.code,
            "materials": list(raw.get("materials") or ()),
            "fields": list(raw.get("fields") or ()),
            "reason": str(raw.get("reason") or "").strip(),
        }
        _check_correction_entry(entry, planned.get(case.item.code, {}))
        entries.append(entry)
    return entries


def _check_correction_entry(entry: Mapping[str, Any], planned: Mapping[str, Any]) -> None:
    if not (entry["materials"] or entry["fields"]):
        raise RuleViolation(
            f"补正内容须写明材料或表单项：{entry['item']}",
            f"a correction must name materials or fields: {entry['item']}",
        )
    unrelated = [code for code in entry["materials"] if code not in planned.get("materials", ())]
    unrelated += [code for code in entry["fields"] if code not in planned.get("fields", ())]
    if unrelated:
        raise RuleViolation(
            f"第31条: 不得要求提交与申请事项无关的材料：{', '.join(unrelated)}",
            f"art. 31: materials or fields unrelated to the item: {', '.join(unrelated)}",
        )


def correct_on_the_spot(
    application: Application,
    form_data: Mapping[str, Any],
    actor: Any,
    version: int,
    *,
    note: str = "",
) -> Application:
    """当场更正 (第32条(三)): an error that can be corrected on the spot (a typo in a field) is
    corrected at intake instead of through a correction notice; the event keeps the diff
    (field: [before, after]) as the audit trail."""
    with transaction.atomic():
        application = _lock(application)
        actor_ = _authorize(actor, application, Action.CORRECT_ON_THE_SPOT)
        _check_version(application, version)
        for case in _cases(application):
            _require_state(case, Action.CORRECT_ON_THE_SPOT)
        before = dict(application.form_data)
        after = _json({**before, **dict(form_data)})
        diff = {
            code: [before.get(code), after[code]]
            for code in sorted(form_data)
            if before.get(code) != after[code]
        }
        if not diff:
            raise RuleViolation("没有需要更正的内容", "nothing to correct")
        application.form_data = after
        _touch(application)
        _event(
            application, None, "corrected_on_the_spot", actor_, data={"diff": diff, "note": note}
        )
        return application


def answer_correction(
    application: Application,
    actor: Any,
    *,
    form_data: Mapping[str, Any] | None = None,
    materials: Sequence[Mapping[str, Any]] | None = None,
    version: int | None = None,
) -> Application:
    """The applicant hands in everything the notice asked for (补齐补正材料).

    The day of this call is the acceptance day when the clerk accepts (第32条(五); "受理日期应为
    交齐补正材料之日", standards §1.1 row 1.6), and the intake guard restarts: without a decision
    within 5 working days the application counts as accepted as of that day [PRACTICE: the law
    fixes the 5 days for the notice; applying them again after the answer is our reading].
    The portal calls it once, when the set is complete (partial uploads stay in its draft).
    """
    with transaction.atomic():
        application = _lock(application)
        actor_ = _authorize(actor, application, Action.ANSWER_CORRECTION)
        _check_version(application, version)
        notice = CorrectionNotice.objects.filter(application=application).first()
        if notice is None or notice.answered_at is not None:
            raise RuleViolation(
                "没有待答复的补正通知", "there is no open correction notice to answer"
            )
        cases = _cases(application)
        for case in cases:
            _require_state(case, Action.ANSWER_CORRECTION)
        now = clock.now()
        notice.answered_at = now
        notice.save(update_fields=["answered_at"])
        application.form_data = _json({**application.form_data, **dict(form_data or {})})
        application.materials = _json([*application.materials, *(materials or [])])
        application.intake_due = deadlines.correction_due(get_calendar(), _local_date(now)).date
        for case in cases:
            _move(actor_, application, case, Action.ANSWER_CORRECTION)
        _touch(application)
        _event(
            application,
            None,
            "correction_answered",
            actor_,
            data={
                "materials": list(materials or []),
                "fields": sorted(form_data or {}),
                "late": clock.today() > notice.due,
            },
        )
        _outbox("application.correction_answered", application, {"answered_at": now})
        return application


def refuse_at_intake(
    application: Application,
    reasons: str,
    redirect_agency: str,
    actor: Any,
    version: int,
    *,
    ground: str,
) -> Application:
    """不予受理 (第32条(一)(二)): ``ground`` is ``not_required`` (no licence needed),
    ``not_competent`` (another agency: ``redirect_agency`` is mandatory) or ``incomplete`` (the
    one-time correction was not met). Refused only while the intake decision is still open: after
    the 5-working-day window the application already counts as accepted (第32条(四)).
    """
    with transaction.atomic():
        application = _lock(application)
        actor_ = _authorize(actor, application, Action.REFUSE_AT_INTAKE)
        _check_version(application, version)
        cases = _cases(application)
        for case in cases:
            _require_state(case, Action.REFUSE_AT_INTAKE)
        reasons = _check_refusal(application, cases, reasons, redirect_agency, ground)
        application.status = ApplicationStatus.REFUSED
        application.completed_at = clock.now()
        data = {
            "ground": ground,
            "basis": REFUSAL_GROUNDS[ground],
            "reasons": reasons,
            "redirect_agency": redirect_agency.strip(),
        }
        for case in cases:
            _move(actor_, application, case, Action.REFUSE_AT_INTAKE, data)
        _touch(application)
        _event(application, None, "refused", actor_, to_state=application.status, data=data)
        _outbox(
            "application.refused",
            application,
            {**data, "remedy_notice": REMEDY_NOTICE},
        )
        return application


def _check_refusal(
    application: Application,
    cases: Sequence[Case],
    reasons: str,
    redirect_agency: str,
    ground: str,
) -> str:
    if ground not in REFUSAL_GROUNDS:
        raise RuleViolation(
            f"未知的不予受理理由类别：{ground}", f"unknown refusal ground: {ground}"
        )
    text = _required_text(reasons, "不予受理必须说明理由", "a refusal at intake needs reasons")
    if ground == "not_competent" and not (redirect_agency or "").strip():
        raise RuleViolation(
            "第32条(二): 不属于本机关职权范围的，应当告知申请人向有关行政机关申请",
            "art. 32(2): name the agency the applicant should apply to (redirect_agency)",
        )
    notice = CorrectionNotice.objects.filter(application=application).first()
    if ground == "incomplete" and notice is None:
        raise RuleViolation(
            "第32条(四): 材料不齐全的，应当先一次性告知补正，不能直接不予受理",
            "art. 32(4): incomplete materials call for a correction notice first",
        )
    correcting = any(State(case.state) == State.CORRECTION_REQUESTED for case in cases)
    if not correcting and clock.today() > application.intake_due:
        raise RuleViolation(
            f"第32条(四): 受理决定期限 {application.intake_due} 已过，申请已视为受理",
            f"art. 32(4): the intake period ended on {application.intake_due}; "
            "the application counts as accepted",
        )
    return text


def accept(application: Application, actor: Any, version: int) -> Application:
    """受理 (第32条(五)) for every department at once: sets accepted_at and each case's stored
    decision deadline (accepted + promised/legal days, 20 by default, 45 for joint handling).

    After a correction, the acceptance day is the day the corrections arrived; a clerk acting
    after the intake period only confirms what the law already deemed (accepted as of receipt).
    Items with promised_days 0 (即办件) are then decided on the spot (:func:`decide_on_the_spot`).
    """
    with transaction.atomic():
        application = _lock(application)
        actor_ = _authorize(actor, application, Action.ACCEPT)
        _check_version(application, version)
        cases = _cases(application)
        for case in cases:
            _require_state(case, Action.ACCEPT)
        accepted_at, deemed = _acceptance_moment(application)
        _accept(application, cases, actor_, Action.ACCEPT, accepted_at, deemed)
        return application


def _acceptance_moment(application: Application) -> tuple[dt.datetime, bool]:
    """When the application counts as accepted, and whether by deeming (第32条(四)(五))."""
    notice = CorrectionNotice.objects.filter(application=application).first()
    basis = notice.answered_at if notice and notice.answered_at else application.received_at
    if clock.today() > application.intake_due:
        return basis, True
    if notice is not None and notice.answered_at is not None:
        return notice.answered_at, False
    return clock.now(), False


def _accept(
    application: Application,
    cases: Sequence[Case],
    actor: _Actor,
    action: Action,
    accepted_at: dt.datetime,
    deemed: bool,
) -> None:
    calendar = get_calendar()
    day = _local_date(accepted_at)
    application.status = ApplicationStatus.IN_PROGRESS
    application.accepted_at = accepted_at
    application.deemed_accepted = deemed
    summary = []
    for case in cases:
        version = case.item_version
        case.decision_days = deadlines.decision_days(
            version.promised_days, version.legal_days, joint=application.joint_handling
        )
        due = deadlines.due_after(calendar, day, case.decision_days)
        case.decision_due, case.decision_due_provisional = due.date, due.provisional
        _move(
            actor,
            application,
            case,
            action,
            {"decision_days": case.decision_days, "decision_due": due.date, "deemed": deemed},
        )
        if case.joint_review:
            _ask_opinions(application, cases, case, day)
        summary.append({"case": case.number, "decision_due": due.date})
    commitments.on_accepted(application, cases, actor, day)
    _touch(application)
    data = {"accepted_at": accepted_at, "deemed": deemed, "cases": summary}
    _event(application, None, "accepted", actor, to_state=application.status, data=data)
    _outbox("application.accepted", application, data)


def _ask_opinions(
    application: Application, cases: Sequence[Case], case: Case, accepted: dt.date
) -> None:
    """联合审查: a pending opinion from every other participating department on a lead case."""
    due = _opinion_due(case, accepted, [])
    departments = {other.department_id: other.department for other in cases}
    for department_id, department in sorted(departments.items()):
        if department_id != case.department_id:
            Opinion.objects.create(case=case, department=department, due=due)


def _opinion_due(
    case: Case, accepted: dt.date, pauses: Sequence[deadlines.Interval]
) -> dt.date | None:
    """Opinions are due when the case would turn yellow, leaving the last part of the time limit
    (``BANSHI_WARNING_FRACTION``) to the lead department's decision [PRACTICE: no national figure]."""
    days = deadlines.opinion_days(case.decision_days or 0, conf.warning_fraction())
    due = deadlines.decision_due(get_calendar(), accepted, days, pauses)
    return None if due is None else due.date


def deem_accepted_overdue(today: dt.date | None = None) -> list[str]:
    """第32条(四): an application with no correction notice (or no decision after the corrections
    arrived) within 5 working days counts as accepted as of receipt (or the answer day),
    ``deemed_accepted=True``. Idempotent; returns the numbers it accepted."""
    today = today or clock.today()
    candidates = (
        Application.objects.filter(status=ApplicationStatus.SUBMITTED, intake_due__lt=today)
        .exclude(cases__state=State.CORRECTION_REQUESTED.value)
        .values_list("pk", flat=True)
    )
    accepted = []
    for pk in list(candidates):
        with transaction.atomic():
            application = _lock(pk)
            cases = _cases(application)
            if application.status != ApplicationStatus.SUBMITTED or not all(
                State(case.state) == State.RECEIVED for case in cases
            ):
                continue
            actor = _authorize(None, application, Action.DEEM_ACCEPT)
            notice = CorrectionNotice.objects.filter(application=application).first()
            basis = notice.answered_at if notice and notice.answered_at else application.received_at
            _accept(application, cases, actor, Action.DEEM_ACCEPT, basis, True)
            accepted.append(application.number)
    return accepted


# ------------------------------------------------------------------------------------ review
def start_review(case: Case, actor: Any, version: int) -> Case:
    """审查: the department takes up an accepted case (a dependent case may be reviewed while
    its prerequisite is still running; only deciding waits)."""
    with transaction.atomic():
        application, case = _lock_case(case)
        actor_ = _authorize(actor, application, Action.START_REVIEW, department=_code(case))
        _check_version(case, version)
        _move(actor_, application, case, Action.START_REVIEW)
        return case


def _code(case: Case) -> str:
    return case.department.code


def give_opinion(
    case: Case,
    department: catalog.Department | str,
    opinion: str,
    text: str,
    actor: Any,
    *,
    version: int | None = None,
) -> Opinion:
    """联合审查意见: another participating department agrees or disagrees (with reasons) on a lead
    department's case of a joint handling (第26条 统一办理 / 联合办理). A department may revise its
    opinion until the decision, but not after the system recorded its silence as consent."""
    with transaction.atomic():
        application, case = _lock_case(case)
        department = _department(department)
        actor_ = _authorize(actor, application, Action.GIVE_OPINION, department=department.code)
        _check_version(case, version)
        _require_state(case, Action.GIVE_OPINION)
        text = _check_opinion(application, case, department, opinion, text)
        row, _ = Opinion.objects.get_or_create(case=case, department=department)
        if row.deemed:
            raise RuleViolation(
                "超时未答复已视为同意，不能再出具意见",
                "silence was already recorded as consent; the opinion is final",
            )
        row.opinion, row.text = opinion, text
        row.given_at, row.given_by = clock.now(), actor
        row.save()
        _move(
            actor_,
            application,
            case,
            Action.GIVE_OPINION,
            {"department": department.code, "opinion": opinion, "text": text},
        )
        return row


def _department(department: catalog.Department | str) -> catalog.Department:
    if isinstance(department, catalog.Department):
        return department
    return catalog.Department.objects.get(code=department)


def _check_opinion(
    application: Application,
    case: Case,
    department: catalog.Department,
    opinion: str,
    text: str,
) -> str:
    if not case.joint_review:
        raise RuleViolation(
            "该办件不属于联合审查，无需出具意见", "this case is not under joint review"
        )
    if department.pk == case.department_id:
        raise RuleViolation(
            "本部门的办件由本部门作出决定，无需出具联合审查意见",
            "a department decides its own case; opinions come from the other departments",
        )
    if not application.cases.filter(department=department).exists():
        raise RuleViolation(
            f"{department.name} 未参与本申请的办理",
            f"department {department.code} takes no part in this application",
        )
    if opinion not in (OpinionValue.AGREE, OpinionValue.DISAGREE):
        raise RuleViolation(
            f"意见只能是同意或不同意：{opinion}", f"an opinion is agree or disagree: {opinion}"
        )
    text = (text or "").strip()
    if opinion == OpinionValue.DISAGREE and not text:
        raise RuleViolation("不同意的须说明理由", "a disagreeing opinion needs reasons")
    return text


def apply_silence_as_consent(today: dt.date | None = None) -> list[str]:
    """超时默认: in a bundle with ``silence_is_consent``, a department that has not answered by its
    opinion deadline is recorded as agreeing (``deemed=True``). Idempotent; returns case numbers."""
    today = today or clock.today()
    case_ids = (
        Opinion.objects.filter(
            opinion=OpinionValue.NONE,
            due__lt=today,
            case__state__in=[state.value for state in DECISION_CLOCK],
            case__application__bundle_version__silence_is_consent=True,
        )
        .values_list("case_id", flat=True)
        .distinct()
    )
    deemed = []
    for case_id in sorted(set(case_ids)):
        with transaction.atomic():
            application, case = _lock_case(case_id)
            if State(case.state) not in DECISION_CLOCK:
                continue
            pending = list(
                case.opinions.select_related("department").filter(
                    opinion=OpinionValue.NONE, due__lt=today
                )
            )
            actor = _authorize(None, application, Action.DEEM_CONSENT)
            for row in pending:
                row.opinion, row.deemed, row.given_at = OpinionValue.AGREE, True, clock.now()
                row.text = "超时未答复，视为同意(超时默认)"
                row.save()
                _move(
                    actor,
                    application,
                    case,
                    Action.DEEM_CONSENT,
                    {"department": row.department.code, "due": row.due},
                )
            if pending:
                deemed.append(case.number)
    return deemed


def pause(
    case: Case,
    reason: str,
    expected_days: int,
    actor: Any,
    version: int,
    *,
    notice_text: str = "",
) -> Pause:
    """特别程序 (第45条): hearing, tender, auction, inspection, testing, quarantine, appraisal or
    expert review stops the clock; the applicant is told in writing which procedure and how long
    it is expected to take. The stored deadline moves by the expected time until the resume."""
    with transaction.atomic():
        application, case = _lock_case(case)
        actor_ = _authorize(actor, application, Action.PAUSE, department=_code(case))
        _check_version(case, version)
        _require_state(case, Action.PAUSE)
        _check_pause(case, reason, expected_days)
        label = PauseReason(reason).label
        text = (notice_text or "").strip() or (
            f"因{label}，所需时间不计算在办理期限内，预计需要{expected_days}个工作日。"
        )
        row = Pause.objects.create(
            case=case,
            reason=reason,
            started_at=clock.now(),
            expected_days=expected_days,
            written_notice=True,
            notice_text=text,
            started_by=actor,
        )
        _refresh_decision_due(application, case)
        _move(
            actor_,
            application,
            case,
            Action.PAUSE,
            {
                "reason": reason,
                "expected_days": expected_days,
                "notice": text,
                "decision_due": case.decision_due,
            },
        )
        return row


def _check_pause(case: Case, reason: str, expected_days: int) -> None:
    if reason not in PauseReason.values:
        raise RuleViolation(
            "第45条: 只有听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审可以中止计时",
            f"art. 45: {reason!r} is not a special procedure that stops the clock",
        )
    if not case.item_version.pause_allowed:
        raise RuleViolation(
            f"事项 {case.item.code} 不允许中止计时", f"item {case.item.code} allows no pause"
        )
    if expected_days < 1:
        raise RuleViolation(
            "第45条: 应当书面告知申请人所需时间(至少1个工作日)",
            "art. 45: tell the applicant the expected time (at least 1 working day)",
        )


def resume(case: Case, actor: Any, version: int) -> Case:
    """End the special procedure (第45条): the clock runs again and the stored deadline is
    recomputed from the acceptance day with the real paused working days excluded."""
    with transaction.atomic():
        application, case = _lock_case(case)
        actor_ = _authorize(actor, application, Action.RESUME, department=_code(case))
        _check_version(case, version)
        _require_state(case, Action.RESUME)
        open_pause = case.pauses.filter(ended_at__isnull=True).first()
        if open_pause is not None:
            open_pause.ended_at, open_pause.ended_by = clock.now(), actor
            open_pause.save(update_fields=["ended_at", "ended_by"])
        _refresh_decision_due(application, case)
        _move(actor_, application, case, Action.RESUME, {"decision_due": case.decision_due})
        return case


def _pause_intervals(case: Case, *, expected: bool) -> list[deadlines.Interval]:
    """The case's pauses as excluded intervals; an open pause runs to its expected end when
    ``expected`` (for the stored deadline) or stays open (for the live clock)."""
    calendar = get_calendar()
    intervals = []
    for row in case.pauses.order_by("started_at"):
        start = _local_date(row.started_at)
        if row.ended_at is not None:
            end: dt.date | None = _local_date(row.ended_at)
        else:
            end = calendar.add(start, row.expected_days) if expected else None
        interval = deadlines.pause_interval(start, end)
        if interval is not None:
            intervals.append(interval)
    return intervals


def _refresh_decision_due(application: Application, case: Case) -> None:
    """Recompute the stored decision deadline (on an event only: pause, resume, extension)."""
    accepted = _local_date(application.accepted_at)
    pauses = _pause_intervals(case, expected=True)
    due = deadlines.decision_due(get_calendar(), accepted, case.decision_days or 0, pauses)
    if due is not None:
        case.decision_due, case.decision_due_provisional = due.date, due.provisional
    if case.joint_review:
        Opinion.objects.filter(case=case, opinion=OpinionValue.NONE).update(
            due=_opinion_due(case, accepted, pauses)
        )


def request_extension(
    case: Case, reason: str, actor: Any, version: int, *, days: int | None = None
) -> Extension:
    """延期 (第42条): asked once per case, with reasons, before the time limit runs out; up to 10
    working days (15 for joint handling, or the item's own rule)."""
    with transaction.atomic():
        application, case = _lock_case(case)
        actor_ = _authorize(actor, application, Action.REQUEST_EXTENSION, department=_code(case))
        _check_version(case, version)
        _require_state(case, Action.REQUEST_EXTENSION)
        days = _check_extension_request(application, case, reason, days)
        row = Extension.objects.create(
            case=case,
            days=days,
            reason=reason.strip(),
            joint=application.joint_handling,
            requested_by=actor,
            requested_at=clock.now(),
        )
        _move(
            actor_,
            application,
            case,
            Action.REQUEST_EXTENSION,
            {"days": days, "reason": row.reason},
        )
        return row


def _check_extension_request(
    application: Application, case: Case, reason: str, days: int | None
) -> int:
    if Extension.objects.filter(case=case).exists():
        raise RuleViolation(
            "第42条: 办理期限只能延长一次", "art. 42: a time limit may be extended only once"
        )
    allowed = deadlines.extension_days(
        case.item_version.extension_days, joint=application.joint_handling
    )
    if case.on_the_spot or allowed == 0:
        raise RuleViolation(
            f"事项 {case.item.code} 不允许延期", f"item {case.item.code} allows no extension"
        )
    days = allowed if days is None else days
    if not 1 <= days <= allowed:
        raise RuleViolation(
            f"第42条: 最多可延长{allowed}个工作日", f"art. 42: at most {allowed} working days"
        )
    _required_text(reason, "第42条: 延期须说明理由", "art. 42: an extension needs reasons")
    _check_within_limit(case)
    return days


def _check_within_limit(case: Case) -> None:
    """An extension is sought and approved while the original limit still runs (第42条)."""
    if case.decision_due is not None and clock.today() > case.decision_due:
        raise RuleViolation(
            f"第42条: 办理期限已于 {case.decision_due} 届满，不能再延期",
            f"art. 42: the time limit ended on {case.decision_due}; too late to extend",
        )


def approve_extension(case: Case, actor: Any, version: int) -> Extension:
    """批准延期 (第42条): by the head of the department (本行政机关负责人); for joint handling by
    the head of the people's government (本级人民政府负责人). Moves the stored deadline and tells
    the applicant the reasons (延期通知书, via the outbox)."""
    with transaction.atomic():
        application, case = _lock_case(case)
        row = Extension.objects.filter(case=case).first()
        if row is None:
            raise RuleViolation("没有待批准的延期申请", "there is no extension request")
        actor_ = _authorize(
            actor,
            application,
            Action.APPROVE_EXTENSION,
            department=_code(case),
            only=[Role.GOVERNMENT_HEAD] if row.joint else [Role.DEPARTMENT_HEAD],
            denial=_extension_denial(row.joint),
        )
        _check_version(case, version)
        _require_state(case, Action.APPROVE_EXTENSION)
        if row.approved_at is not None:
            raise RuleViolation(
                "第42条: 办理期限只能延长一次", "art. 42: the extension was already approved"
            )
        _check_within_limit(case)
        row.approved_by, row.approved_at = actor, clock.now()
        row.save(update_fields=["approved_by", "approved_at"])
        case.decision_days = (case.decision_days or 0) + row.days
        case.extension_days = row.days
        _refresh_decision_due(application, case)
        _move(
            actor_,
            application,
            case,
            Action.APPROVE_EXTENSION,
            {"days": row.days, "reason": row.reason, "decision_due": case.decision_due},
        )
        return row


def _extension_denial(joint: bool) -> tuple[str, str]:
    if joint:
        return (
            "第42条第二款: 联合办理的延期须经本级人民政府负责人批准",
            "art. 42(2): a joint handling's extension needs the government head's approval",
        )
    return (
        "第42条第一款: 延期须经本部门负责人批准",
        "art. 42(1): an extension needs the approval of the department's head",
    )


# ------------------------------------------------------------------------------------ decide
def decide(
    case: Case,
    grant: bool,
    reasons: str,
    actor: Any,
    version: int,
    *,
    remedy_notice: str = "",
) -> Case:
    """决定 (第38条): grant, or deny with written reasons and the remedy notice (行政复议/行政诉讼).

    A case whose prerequisite (the bundle's ``after``) has not produced its output may be reviewed
    but not decided (PrerequisitePending); once a prerequisite ended without output the case can
    only be denied. Under joint review every opinion must be in, and a disagreement blocks a grant.
    A grant starts the 10-working-day issue clock (第44条).
    """
    action = Action.GRANT if grant else Action.DENY
    return _decide(case, grant, reasons, actor, version, remedy_notice, action)


def decide_on_the_spot(
    case: Case,
    grant: bool,
    reasons: str,
    actor: Any,
    version: int,
    *,
    remedy_notice: str = "",
) -> Case:
    """当场决定 (第34条): an immediate item (承诺时限 0, 即办件) is decided at acceptance, in
    writing, by the window or the department, without a review stage."""
    action = Action.DECIDE_ON_THE_SPOT if grant else Action.DENY_ON_THE_SPOT
    return _decide(case, grant, reasons, actor, version, remedy_notice, action)


def _decide(
    case: Case,
    grant: bool,
    reasons: str,
    actor: Any,
    version: int,
    remedy_notice: str,
    action: Action,
) -> Case:
    with transaction.atomic():
        application, case = _lock_case(case)
        actor_ = _authorize(actor, application, action, department=_code(case))
        _check_version(case, version)
        _require_state(case, action)
        if action in (Action.DECIDE_ON_THE_SPOT, Action.DENY_ON_THE_SPOT) and not case.on_the_spot:
            raise RuleViolation(
                "第34条: 只有能够当场作出决定的即办件才能当场决定，其他办件应当审查后决定",
                "art. 34: only immediate items are decided on the spot; review this case first",
            )
        _check_prerequisites(case, grant)
        _check_opinions(case, grant)
        reasons, remedy = _check_decision_text(grant, reasons, remedy_notice)
        now = clock.now()
        case.outcome = "grant" if grant else "deny"
        case.decided_at, case.decision_reasons, case.remedy_notice = now, reasons, remedy
        if grant:
            due = deadlines.issue_due(get_calendar(), _local_date(now))
            case.issue_due, case.issue_due_provisional = due.date, due.provisional
        _move(
            actor_,
            application,
            case,
            action,
            {
                "outcome": case.outcome,
                "reasons": reasons,
                "remedy_notice": remedy,
                "issue_due": case.issue_due,
                "late": bool(case.decision_due and _local_date(now) > case.decision_due),
            },
        )
        if grant:  # 制证: the licence exists the moment the grant does (banshi.licences)
            from banshi.licences import services as licences

            licences.issue_for_case(case, remark=licences.licence_remark(case))
        return case


def _produced_output(case: Case) -> bool:
    return case.outcome == "grant" and State(case.state) in OUTPUT_STATES


def _check_prerequisites(case: Case, grant: bool) -> None:
    prerequisites = list(case.depends_on.select_related("item_version"))
    running = [p for p in prerequisites if not _produced_output(p) and State(p.state) not in ENDED]
    if running:
        names = "、".join(p.item_version.name for p in running)
        raise PrerequisitePending(
            f"前置事项({names})尚未办结出证：本办件可以审查，但不能作出决定",
            f"prerequisite case(s) {', '.join(p.number for p in running)} have not produced "
            "their output yet: this case may be reviewed but not decided",
            prerequisites=[p.number for p in running],
        )
    failed = [p for p in prerequisites if not _produced_output(p)]
    if grant and failed:
        names = "、".join(p.item_version.name for p in failed)
        raise PrerequisitePending(
            f"前置事项({names})未获准予，本办件不能准予",
            "a prerequisite ended without output: this case cannot be granted",
            prerequisites=[p.number for p in failed],
        )


def _check_opinions(case: Case, grant: bool) -> None:
    if not case.joint_review:
        return
    opinions = list(case.opinions.select_related("department"))
    pending = [o.department.name for o in opinions if o.opinion == OpinionValue.NONE]
    if pending:
        raise RuleViolation(
            f"联合审查意见尚未齐备：{'、'.join(pending)}",
            "joint review: opinions are still missing",
        )
    if grant and any(o.opinion == OpinionValue.DISAGREE for o in opinions):
        raise RuleViolation(
            "联合审查中有部门不同意，不能准予", "joint review: a department disagrees; no grant"
        )


def _check_decision_text(grant: bool, reasons: str, remedy_notice: str) -> tuple[str, str]:
    if grant:
        return (reasons or "").strip(), ""
    reasons = _required_text(
        reasons,
        "第38条: 不予行政许可的，应当说明理由",
        "art. 38: a denial must state its reasons",
    )
    remedy = _required_text(
        remedy_notice,
        "第38条: 不予行政许可的，应当告知申请人享有依法申请行政复议或者提起行政诉讼的权利",
        "art. 38: a denial must tell the applicant of the right to reconsideration or litigation",
    )
    return reasons, remedy


def issue(case: Case, actor: Any, version: int, *, licence_number: str = "") -> Case:
    """制证 (第44条): the licence is issued within 10 working days of the grant."""
    with transaction.atomic():
        application, case = _lock_case(case)
        actor_ = _authorize(actor, application, Action.ISSUE, department=_code(case))
        _check_version(case, version)
        _require_state(case, Action.ISSUE)
        commitments.check_issuable(case)
        case.issued_at = clock.now()
        late = bool(case.issue_due and clock.today() > case.issue_due)
        _move(
            actor_,
            application,
            case,
            Action.ISSUE,
            {"licence_number": licence_number, "issue_due": case.issue_due, "late": late},
        )
        return case


def close(case: Case, actor: Any, version: int, *, delivery: str = "") -> Case:
    """送达 / 办结: the licence or the denial is delivered (at the window, by post, online)."""
    with transaction.atomic():
        application, case = _lock_case(case)
        actor_ = _authorize(actor, application, Action.CLOSE, department=_code(case))
        _check_version(case, version)
        _require_state(case, Action.CLOSE)
        case.closed_at = clock.now()
        _move(actor_, application, case, Action.CLOSE, {"delivery": delivery})
        return case


deliver = close


def withdraw(
    application: Application, actor: Any, *, version: int | None = None, reason: str = ""
) -> Application:
    """撤回: the applicant (or their agent) withdraws; cancelling the root cancels every open
    sub-case (DESIGN §10). Cases already decided keep their decision and go on to delivery."""
    with transaction.atomic():
        application = _lock(application)
        actor_ = _authorize(actor, application, Action.WITHDRAW)
        _check_version(application, version)
        if application.status not in (
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.IN_PROGRESS,
        ):
            raise InvalidTransition(
                f"申请 {application.number} 已结束，不能撤回",
                f"application {application.number} has ended; it cannot be withdrawn",
            )
        cases = _cases(application)
        open_cases = [c for c in cases if transitions.find(c.state, Action.CANCEL) is not None]
        if not open_cases:
            raise RuleViolation(
                "所有办件均已作出决定，不能撤回", "every case is decided; nothing to withdraw"
            )
        application.status = ApplicationStatus.WITHDRAWN
        application.completed_at = clock.now()
        for case in open_cases:
            _move(_SYSTEM, application, case, Action.CANCEL, {"cause": "application_withdrawn"})
        _touch(application)
        data = {"reason": reason, "cancelled": [case.number for case in open_cases]}
        _event(application, None, "withdrawn", actor_, to_state=application.status, data=data)
        _outbox("application.withdrawn", application, data)
        return application


# ------------------------------------------------------------ 告知承诺, 容缺, 信用+秒批 (issue 4)
INSTANT_REASONS = "信用+秒批：申请材料齐全，申请人信用良好，系统自动准予"


def _instant_approve(application: Application, cases: Sequence[Case]) -> None:
    """信用+秒批: accept and grant at once, as the system (the events say so). A refusal by any
    guard leaves the application received for the window, as any other (logged, nothing lost)."""
    try:
        with transaction.atomic():
            _event(application, None, "instant_approval", _SYSTEM, data={"credit": "良好"})
            _accept(application, cases, _SYSTEM, Action.AUTO_ACCEPT, clock.now(), False)
            for case in cases:
                fresh = Case.objects.get(pk=case.pk)
                _decide(fresh, True, INSTANT_REASONS, None, fresh.version, "", Action.AUTO_GRANT)
    except CaseError as error:
        log.warning("instant approval of %s refused: %s", application.number, error)


def terminate(
    case: Case, actor: Any, reason: str, *, cause: str, version: int | None = None
) -> Case:
    """终止办理 of an undecided case (虚假承诺 found, 容缺 not supplied: 42号, 35号)."""
    with transaction.atomic():
        application, case = _lock_case(case)
        actor_ = _authorize(actor, application, Action.TERMINATE, department=_code(case))
        _check_version(case, version)
        reason = _required_text(reason, "终止办理须说明理由", "a termination needs its reasons")
        _move(actor_, application, case, Action.TERMINATE, {"cause": cause, "reason": reason})
        return case


def revoke(case: Case, actor: Any, reason: str, *, cause: str, version: int | None = None) -> Case:
    """撤销 a grant obtained by a false commitment (国办发〔2020〕42号)."""
    with transaction.atomic():
        application, case = _lock_case(case)
        actor_ = _authorize(actor, application, Action.REVOKE, department=_code(case))
        _check_version(case, version)
        reason = _required_text(reason, "撤销许可须说明理由", "a revocation needs its reasons")
        _move(actor_, application, case, Action.REVOKE, {"cause": cause, "reason": reason})
        return case


# ------------------------------------------------------------------------------------ clock
class ClockStatus(NamedTuple):
    """The legal clock of a case today: working days left (negative when overdue), the total
    time limit, and the warning level (green / yellow / red / paused / none)."""

    remaining: int | None
    total: int | None
    level: str


def clock_status(case: Case, today: dt.date | None = None) -> ClockStatus:
    """Derived from the events (acceptance or decision day, approved extension, pauses), not from
    the stored deadline: the two agree, which the tests check."""
    today = today or clock.today()
    state = State(case.state)
    calendar = get_calendar()
    fraction = conf.warning_fraction()
    application = case.application
    if state in DECISION_CLOCK and case.decision_days is not None and application.accepted_at:
        total = case.decision_days
        left = deadlines.remaining(
            calendar,
            _local_date(application.accepted_at),
            total,
            today,
            _pause_intervals(case, expected=False),
        )
        if state == State.PAUSED:
            return ClockStatus(left, total, deadlines.PAUSED)
        return ClockStatus(left, total, deadlines.level(left, total, fraction))
    if state in ISSUE_CLOCK and case.decided_at is not None:
        total = deadlines.ISSUE_DAYS
        left = deadlines.remaining(calendar, _local_date(case.decided_at), total, today)
        return ClockStatus(left, total, deadlines.level(left, total, fraction))
    return ClockStatus(None, None, deadlines.NO_CLOCK)


def raise_supervisions(today: dt.date | None = None) -> dict[str, list[str]]:
    """督办: a Supervision for every running clock that turned yellow or red, once per case ×
    clock × level. Returns ``{"yellow": [case numbers], "red": [...]}``."""
    today = today or clock.today()
    raised: dict[str, list[str]] = {SupervisionLevel.YELLOW: [], SupervisionLevel.RED: []}
    for case, clock_name in _clock_candidates(today):
        status = clock_status(case, today)
        if status.level not in (deadlines.YELLOW, deadlines.RED):
            continue
        if _raise_supervision(case, clock_name, status, today):
            raised[status.level].append(case.number)
    return raised


def _clock_candidates(today: dt.date) -> Iterable[tuple[Case, str]]:
    """Running clocks that may be yellow or red: a prefilter on the stored deadline (a case with
    more than ``fraction × longest limit`` working days left cannot be yellow)."""
    calendar = get_calendar()
    fraction = conf.warning_fraction()
    longest = Case.objects.filter(state__in=_values(DECISION_CLOCK)).aggregate(
        longest=Max("decision_days")
    )["longest"]
    base = Case.objects.select_related("application", "item", "department")
    if longest is not None:
        horizon = calendar.add(today, deadlines.yellow_horizon(longest, fraction))
        decision = (
            base.filter(
                state__in=[State.ACCEPTED.value, State.UNDER_REVIEW.value],
                decision_due__lte=horizon,
            )
            .exclude(_has_red(SupervisionClock.DECISION))
            .order_by("pk")
        )
        for case in list(decision):
            yield case, SupervisionClock.DECISION
    horizon = calendar.add(today, deadlines.yellow_horizon(deadlines.ISSUE_DAYS, fraction))
    issue_clock = (
        base.filter(state__in=_values(ISSUE_CLOCK), issue_due__lte=horizon)
        .exclude(_has_red(SupervisionClock.ISSUE))
        .order_by("pk")
    )
    for case in list(issue_clock):
        yield case, SupervisionClock.ISSUE


def _has_red(clock_name: str) -> Exists:
    return Exists(
        Supervision.objects.filter(
            case=OuterRef("pk"), clock=clock_name, level=SupervisionLevel.RED
        )
    )


def _values(states: Iterable[State]) -> list[str]:
    return sorted(state.value for state in states)


def _raise_supervision(case: Case, clock_name: str, status: ClockStatus, today: dt.date) -> bool:
    with transaction.atomic():
        application, case = _lock_case(case)
        if Supervision.objects.filter(case=case, clock=clock_name, level=status.level).exists():
            return False
        running = DECISION_CLOCK if clock_name == SupervisionClock.DECISION else ISSUE_CLOCK
        if State(case.state) not in running:
            return False
        actor = _authorize(None, application, Action.SUPERVISE)
        reason = _supervision_reason(clock_name, status)
        Supervision.objects.create(
            case=case,
            clock=clock_name,
            level=status.level,
            raised_at=clock.now(),
            reason=reason,
        )
        data = {"clock": clock_name, "level": status.level, "remaining": status.remaining}
        _event(application, case, "supervision_raised", actor, data={**data, "reason": reason})
        _outbox("case.supervision", application, data, case)
        return True


def _supervision_reason(clock_name: str, status: ClockStatus) -> str:
    what = SupervisionClock(clock_name).label
    if status.level == deadlines.RED:
        return f"{what}已超期{-(status.remaining or 0)}个工作日"
    return f"{what}剩余{status.remaining}个工作日(共{status.total}个工作日)"


def supervise(case: Case, level: str, reason: str, actor: Any) -> Supervision:
    """督办 by a supervisor by hand (the scan raises them automatically); once per clock × level."""
    with transaction.atomic():
        application, case = _lock_case(case)
        actor_ = _authorize(actor, application, Action.SUPERVISE)
        _require_state(case, Action.SUPERVISE)
        if level not in SupervisionLevel.values:
            raise RuleViolation(f"未知的督办级别：{level}", f"unknown supervision level: {level}")
        clock_name = (
            SupervisionClock.ISSUE
            if State(case.state) in ISSUE_CLOCK
            else SupervisionClock.DECISION
        )
        reason = _required_text(reason, "督办须写明事由", "a supervision needs a reason")
        row, created = Supervision.objects.get_or_create(
            case=case,
            clock=clock_name,
            level=level,
            defaults={"raised_at": clock.now(), "reason": reason, "raised_by": actor},
        )
        if created:
            data = {"clock": clock_name, "level": level, "reason": reason}
            _event(application, case, "supervision_raised", actor_, data=data)
            _outbox("case.supervision", application, data, case)
        return row


@dataclass
class ScanReport:
    """What one deadline scan did (each list holds application or case numbers)."""

    today: dt.date
    deemed_accepted: list[str] = field(default_factory=list)
    consents: list[str] = field(default_factory=list)
    yellow: list[str] = field(default_factory=list)
    red: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.deemed_accepted or self.consents or self.yellow or self.red)

    def lines(self) -> list[str]:
        return [
            f"{self.today} 逾期视为受理 / deemed accepted: {len(self.deemed_accepted)}"
            + _listing(self.deemed_accepted),
            f"{self.today} 超时默认同意 / silence as consent: {len(self.consents)}"
            + _listing(self.consents),
            f"{self.today} 黄色预警 / yellow: {len(self.yellow)}" + _listing(self.yellow),
            f"{self.today} 红色督办 / red: {len(self.red)}" + _listing(self.red),
        ]


def _listing(numbers: Sequence[str]) -> str:
    return f" ({', '.join(numbers)})" if numbers else ""


def scan(today: dt.date | None = None) -> ScanReport:
    """The periodic deadline scan: deemed acceptance (第32条(四)), silence as consent (超时默认),
    yellow and red supervision. Idempotent: a second run on the same day changes nothing."""
    today = today or clock.today()
    report = ScanReport(today)
    report.deemed_accepted = deem_accepted_overdue(today)
    report.consents = apply_silence_as_consent(today)
    raised = raise_supervisions(today)
    report.yellow = raised[SupervisionLevel.YELLOW]
    report.red = raised[SupervisionLevel.RED]
    return report
