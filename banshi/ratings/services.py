"""好差评 services: rating a case, a 12345 request or a window visit, and the rectification loop.

Rules (reference/standards.md §3):

* §3.4 five levels, the last two are 差评; §3.12 the indicator set of the service mode (online or
  on-site), scores only for its indicators;
* §3.5 一事一评 / 一次一评: one rating per case, request or visit — ``Rating.subject_key`` is unique,
  so a second one is refused by the database as well as here; late rating within the configured
  working days;
* §3.2 who rates: the applicant (or their enterprise / agent) of the case, the caller of the
  request; §3.7 voluntary: nothing waits for a rating; the rater's identity is kept only if they
  leave it and is never shown to the rated staff;
* §3.8 a bad rating opens a rectification: verify with the rater (callback), then rectify at once
  or within the configured working days, or explain where the demand has no legal basis; reply to
  the rater; revisit. Named bad ratings are called back (rate tracked, target 100 %);
* §3.10 an appeal against a malicious or mistaken bad rating is decided by a supervisor; upheld,
  the rating leaves the statistics.

Every change runs in one transaction, locks its row, checks the optimistic ``version``, appends a
:class:`RectificationEvent` and, for the outside world, an outbox message (no personal data).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction

from banshi.appeals import services as appeal_services
from banshi.appeals import transitions as appeal_transitions
from banshi.appeals.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from banshi.appeals.models import Appeal, AppealEvent
from banshi.cases.models import Case, CaseEvent, OutboxMessage
from banshi.cases.transitions import State as CaseState
from banshi.core import clock
from banshi.people import identifiers, permissions
from banshi.people.models import Person, StaffProfile
from banshi.people.services import PeopleError, clean_phone
from banshi.ratings import conf
from banshi.ratings.models import (
    BAD_LEVELS,
    BadCategory,
    Channel,
    Finding,
    IndicatorSet,
    Level,
    Rating,
    Rectification,
    RectificationEvent,
    RevisitResult,
    ServiceMode,
    SubjectKind,
    Window,
)

MAX_COMMENT = 500
MAX_TEXT = 2000
VISIT_SALT = "banshi.ratings.visit"
# Cases a service was delivered on: decided, closed, or refused at intake (not withdrawn).
RATABLE_CASE_STATES = frozenset(
    {CaseState.CLOSED, CaseState.DECIDED_DENY, CaseState.REFUSED_AT_INTAKE, CaseState.ISSUED}
)
HANDLER_ROLES = ("department_head", "chief_service_officer")
RATED_STAFF_ROLES = ("reviewer", "department_head", "window_clerk")


# ------------------------------------------------------------------------------------ input
def _text(
    value: Any, zh: str, en: str, limit: int, *, required: bool = False, min_length: int = 1
) -> str:
    return appeal_services._text(value, zh, en, limit, required=required, min_length=min_length)


def _level(value: Any) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise RuleViolation(
            "请选择评价等级(非常满意至非常不满意)", "choose a level from 5 (very satisfied) to 1"
        )
    return level


def _indicator_set(mode: str) -> IndicatorSet:
    found = IndicatorSet.objects.filter(service_mode=mode, is_active=True).first()
    if found is None:
        raise RuleViolation(
            "未配置评价指标体系，请联系管理员", f"no active indicator set for {mode} services"
        )
    return found


def _scores(indicator_set: IndicatorSet, scores: Mapping[str, Any] | None, level: int) -> dict:
    """Per-indicator levels (§3.12): only the set's indicators, each 1..5; missing ones take the
    overall level (a rater who answers only the overall question is not forced further, §3.7)."""
    codes = {row.code: row.name for row in indicator_set.indicators.all()}
    given = dict(scores or {})
    unknown = sorted(set(given) - set(codes))
    if unknown:
        raise RuleViolation(
            f"评价指标不属于“{indicator_set.name}”：{'、'.join(unknown)}",
            f"not indicators of {indicator_set.code}: {', '.join(unknown)}",
        )
    result = {}
    for code in codes:
        value = given.get(code)
        result[code] = level if value in (None, "") else _level(value)
    if "overall" in result:
        result["overall"] = level
    return result


def _comment(value: Any, level: int) -> str:
    """A bad rating says what was wrong (GB/T 39734 Annex A 差评评价内容) so it can be verified."""
    return _text(
        value,
        "差评原因" if level in BAD_LEVELS else "评价内容",
        "comment",
        MAX_COMMENT,
        required=level in BAD_LEVELS,
    )


def _within_window(served: dt.datetime | None) -> None:
    """§3.5: late evaluation is allowed within the configured working days after the service."""
    if served is None:
        return
    last = appeal_services.workday_add(
        served.astimezone(clock.zone()).date(), conf.window_workdays()
    ).date
    if clock.today() > last:
        raise RuleViolation(
            f"已超过评价期限({last:%Y-%m-%d})",
            f"the rating period ended on {last:%Y-%m-%d}",
        )


@dataclass(frozen=True)
class _Subject:
    kind: str
    key: str
    label_zh: str
    served_at: dt.datetime | None
    department: Any = None
    staff: Any = None
    item: Any = None
    case: Case | None = None
    appeal: Appeal | None = None
    window: Window | None = None


def _create(
    subject: _Subject,
    *,
    level: Any,
    scores: Mapping[str, Any] | None,
    comment: Any,
    channel: str,
    mode: str,
    person: Person | None = None,
    name: str = "",
    phone: str = "",
) -> Rating:
    level = _level(level)
    indicator_set = _indicator_set(mode)
    values = _scores(indicator_set, scores, level)
    text = _comment(comment, level)
    if Rating.objects.filter(subject_key=subject.key).exists():
        raise _already(subject)
    now = clock.now()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                subject_kind=subject.kind,
                subject_key=subject.key,
                case=subject.case,
                appeal=subject.appeal,
                window=subject.window,
                department=subject.department,
                staff=subject.staff,
                item=subject.item,
                channel=channel,
                indicator_set=indicator_set,
                level=level,
                is_bad=level in BAD_LEVELS,
                scores=values,
                comment=text,
                named=bool(phone),
                rater_person=person,
                rater_name=name if phone else "",
                rater_phone=phone,
                served_at=subject.served_at,
                rated_at=now,
            )
    except IntegrityError:  # a concurrent second rating of the same subject
        raise _already(subject) from None
    _outbox("rating.created", rating, {"level": level, "bad": rating.is_bad})
    if rating.is_bad:
        _open(rating)
    return rating


def _already(subject: _Subject) -> RuleViolation:
    return RuleViolation(
        f"该{subject.label_zh}已经评价过，一事一评，不能重复评价(§3.5)",
        f"this {subject.kind} was already rated: one rating per service (§3.5)",
    )


def _outbox(topic: str, rating: Rating, payload: Mapping[str, Any]) -> None:
    now = clock.now()
    OutboxMessage.objects.create(
        topic=topic,
        key=rating.subject_key[:48],
        payload=appeal_services._json(
            {
                "rating": rating.pk,
                "subject": rating.subject_key,
                "department": rating.department.code if rating.department_id else None,
                **payload,
            }
        ),
        created_at=now,
        next_attempt_at=now,
    )


# ------------------------------------------------------------------------------------ rating
@transaction.atomic
def rate_case(
    user: Any,
    case: Case | str,
    *,
    level: Any,
    scores: Mapping[str, Any] | None = None,
    comment: str = "",
    contact_ok: bool = True,
) -> Rating:
    """一事一评 of a case by its applicant (or the enterprise's representative / the agent)."""
    number = case.number if isinstance(case, Case) else str(case or "")
    found = (
        Case.objects.select_related("application", "department", "item")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound("办件不存在", "no such case")
    mine = (
        type(found.application)
        .objects.filter(
            permissions.applicant_q(
                user, person="applicant", enterprise="enterprise", agent="agent"
            ),
            pk=found.application_id,
        )
        .exists()
    )
    if not mine:
        raise PermissionDenied(
            "只能评价本人(或本单位、受托)办理的办件(§3.2)",
            "you may rate only your own cases (applied for by you, your enterprise or as an agent; §3.2)",
        )
    if found.state not in RATABLE_CASE_STATES:
        raise RuleViolation(
            "办件尚未办结，办结后才能评价", "the case is not finished: rate it once it is"
        )
    served = found.closed_at or found.decided_at or found.updated_at
    _within_window(served)
    person = permissions.person_for(user)
    subject = _Subject(
        SubjectKind.CASE,
        f"case:{found.number}",
        "办件",
        served,
        department=found.department,
        staff=_case_staff(found),
        item=found.item,
        case=found,
    )
    return _create(
        subject,
        level=level,
        scores=scores,
        comment=comment,
        channel=Channel.WEB,
        mode=ServiceMode.ONLINE,
        person=person,
        name=person.name if person and contact_ok else "",
        phone=person.phone if person and contact_ok else "",
    )


def _case_staff(case: Case):
    event = (
        CaseEvent.objects.filter(case=case, actor__isnull=False, actor_role__in=RATED_STAFF_ROLES)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    return event.actor if event else None


@transaction.atomic
def rate_appeal(
    user: Any,
    number: str,
    *,
    phone: str | None,
    level: Any,
    scores: Mapping[str, Any] | None = None,
    comment: str = "",
    contact_ok: bool = True,
) -> Rating:
    """一事一评 of a closed 12345 request by its caller (§3.3: hotline handling is rated)."""
    appeal = (
        Appeal.objects.select_related("lead_department").filter(number=str(number or "")).first()
    )
    if appeal is None:
        raise NotFound("工单不存在", "no such ticket")
    if not appeal_services._is_caller(appeal, user, phone):
        raise PermissionDenied(
            "只能评价本人反映的诉求(§3.2)", "you may rate only requests you made (§3.2)"
        )
    subject = _appeal_subject(appeal)
    return _create(
        subject,
        level=level,
        scores=scores,
        comment=comment,
        channel=Channel.WEB,
        mode=ServiceMode.ONLINE,
        person=appeal.caller_person,
        name=appeal.caller_name if contact_ok else "",
        phone=appeal.caller_phone if contact_ok else "",
    )


@transaction.atomic
def record_hotline_rating(
    user: Any,
    number: str,
    *,
    level: Any,
    comment: str = "",
    contact_ok: bool = True,
) -> Rating:
    """12345 热线渠道 (§3.6): during the callback the agent records the rating the caller gives
    on the phone, for callers who do not use the web. The same rules as on the web: one rating
    per request, closed requests only, within the rating period; voluntary (§3.7), so the agent
    records only what the caller chose to say."""
    if not permissions.has_role(user, "hotline_agent"):
        raise PermissionDenied(
            "只有 12345 坐席可以代录电话评价", "only 12345 agents record ratings given by phone"
        )
    appeal = (
        Appeal.objects.select_related("lead_department").filter(number=str(number or "")).first()
    )
    if appeal is None:
        raise NotFound("工单不存在", "no such ticket")
    subject = _appeal_subject(appeal)
    return _create(
        subject,
        level=level,
        scores=None,
        comment=comment,
        channel=Channel.HOTLINE,
        mode=ServiceMode.ONLINE,
        person=appeal.caller_person,
        name=appeal.caller_name if contact_ok else "",
        phone=appeal.caller_phone if contact_ok else "",
    )


def _appeal_subject(appeal: Appeal) -> _Subject:
    """A closed request as the subject of a rating (checks that it may be rated now)."""
    if appeal_transitions.State(appeal.state) not in appeal_transitions.RATABLE:
        raise RuleViolation(
            "诉求尚未办结，办结后才能评价", "the request is not closed: rate it once it is"
        )
    _within_window(appeal.closed_at)
    reply = (
        AppealEvent.objects.filter(appeal=appeal, kind__in=["reply", "answer_directly"])
        .exclude(actor=None)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    return _Subject(
        SubjectKind.APPEAL,
        f"appeal:{appeal.number}",
        "诉求",
        appeal.closed_at,
        department=appeal.lead_department,
        staff=reply.actor if reply else None,
        appeal=appeal,
    )


def new_visit(window_code: str) -> str:
    """A one-visit token for the window rating page (一次一评): signed, expires."""
    return signing.dumps(
        {"w": window_code, "n": secrets.token_urlsafe(9), "t": int(clock.now().timestamp())},
        salt=VISIT_SALT,
    )


@transaction.atomic
def rate_visit(
    window_code: str,
    token: str,
    *,
    level: Any,
    scores: Mapping[str, Any] | None = None,
    comment: str = "",
    name: str = "",
    phone: str = "",
) -> Rating:
    """一次一评 at a window, from its QR code. A phone makes it a named rating (callback)."""
    window = (
        Window.objects.select_related("department").filter(code=window_code, is_active=True).first()
    )
    if window is None:
        raise NotFound("窗口不存在或已停用", "no such window")
    try:
        data = signing.loads(token or "", salt=VISIT_SALT)
    except signing.BadSignature:
        raise RuleViolation("评价页面无效，请重新扫码", "invalid rating page: scan again") from None
    if not isinstance(data, dict) or data.get("w") != window.code or not data.get("n"):
        raise RuleViolation("评价页面无效，请重新扫码", "invalid rating page: scan again")
    age = clock.now().timestamp() - float(data.get("t") or 0)
    if age > conf.visit_minutes() * 60:  # the platform clock, so tests and replays agree
        raise RuleViolation(
            "评价页面已过期，请重新扫码", "the rating page expired: scan the code again"
        )
    try:
        phone = clean_phone(phone)
    except PeopleError as error:
        raise RuleViolation(error.message_zh, error.message_en) from None
    staff_users = list(
        StaffProfile.objects.filter(window=window.code).values_list("user_id", flat=True)[:2]
    )
    staff = None
    if len(staff_users) == 1:
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.get(pk=staff_users[0])
    subject = _Subject(
        SubjectKind.VISIT,
        f"visit:{window.code}:{data['n']}",
        "次服务",
        clock.now(),
        department=window.department,
        staff=staff,
        window=window,
    )
    return _create(
        subject,
        level=level,
        scores=scores,
        comment=comment,
        channel=Channel.QR,
        mode=ServiceMode.ONSITE,
        name=_text(name, "姓名", "name", 50),
        phone=phone,
    )


# ------------------------------------------------------------------------------------ rectification
def _open(rating: Rating) -> Rectification:
    today = clock.today()
    verify = appeal_services.workday_add(today, conf.verify_workdays())
    due = appeal_services.workday_add(today, conf.rectify_workdays())
    now = clock.now()
    rectification = Rectification.objects.create(
        rating=rating,
        department=rating.department,
        opened_at=now,
        verify_due=verify.date,
        due=due.date,
        due_provisional=verify.provisional or due.provisional,
        updated_at=now,
    )
    _event(
        rectification, "open", None, "system", to_state=rectification.state, data={"due": due.date}
    )
    _outbox("rating.rectification_opened", rating, {"due": due.date})
    return rectification


@dataclass(frozen=True)
class _Handler:
    user: Any
    role: str


def _lock(rectification: Rectification | int) -> Rectification:
    pk = rectification.pk if isinstance(rectification, Rectification) else rectification
    try:
        return (
            Rectification.objects.select_for_update(of=("self",))
            .select_related("rating", "department")
            .get(pk=pk)
        )
    except Rectification.DoesNotExist:
        raise NotFound("整改记录不存在", "no such rectification") from None


def _check_version(rectification: Rectification, expected: int | None) -> None:
    if expected is not None and rectification.version != expected:
        raise ConflictError(
            "该差评整改已被他人处理，请刷新后重试",
            "the rectification was changed by someone else; reload",
        )


def handler_role(rectification: Rectification, user: Any) -> str | None:
    """Who may work a bad rating (谁办理、谁负责): the rated department's head or chief service
    officer, the 12345 centre for requests, a supervisor — never the rated staff member (§3.7)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if rectification.rating.staff_id and rectification.rating.staff_id == user.pk:
        return None
    roles = permissions.roles_of(user)
    if "supervisor" in roles:
        return "supervisor"
    department = rectification.department
    if (
        department is not None
        and roles & set(HANDLER_ROLES)
        and permissions.may_see_department(user, department.code)
    ):
        return "department"
    if "hotline_agent" in roles and rectification.rating.subject_kind == SubjectKind.APPEAL:
        return "hotline_agent"
    return None


def _handler(rectification: Rectification, user: Any, *, supervisor: bool = False) -> _Handler:
    role = handler_role(rectification, user)
    if (
        rectification.rating.staff_id
        and user is not None
        and rectification.rating.staff_id == getattr(user, "pk", None)
    ):
        raise PermissionDenied(
            "被评价的工作人员不能处理对本人的差评(§3.7)",
            "the rated staff member may not handle their own bad rating (§3.7)",
        )
    if role is None or (supervisor and role != "supervisor"):
        raise PermissionDenied(
            "只有效能监督人员可以复核申诉(§3.10)" if supervisor else "无权处理该差评",
            "only a supervisor decides appeals (§3.10)"
            if supervisor
            else "not allowed to handle this bad rating",
        )
    return _Handler(user, role)


def _require(rectification: Rectification, *states: str, action_zh: str) -> None:
    if rectification.state not in states:
        raise InvalidTransition(
            f"当前状态为“{rectification.get_state_display()}”，不能{action_zh}",
            f"not allowed from {rectification.state}",
        )


def _event(
    rectification: Rectification,
    kind: str,
    user: Any,
    role: str,
    *,
    from_state: str = "",
    to_state: str = "",
    data: Mapping[str, Any] | None = None,
) -> None:
    RectificationEvent.objects.create(
        rectification=rectification,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        actor_role=role,
        at=clock.now(),
        data=appeal_services._json(dict(data or {})),
    )


def _move(
    rectification: Rectification, kind: str, handler: _Handler, target: str, data=None
) -> None:
    old = rectification.state
    rectification.state = target
    rectification.version += 1
    rectification.updated_at = clock.now()
    rectification.save()
    _event(
        rectification, kind, handler.user, handler.role, from_state=old, to_state=target, data=data
    )
    _outbox(f"rating.rectification_{kind}", rectification.rating, {"state": target})


@transaction.atomic
def verify(
    rectification: Rectification | int,
    user: Any,
    version: int | None,
    *,
    contacted: bool,
    finding: str,
    category: str,
    note: str,
) -> Rectification:
    """核实 (§3.8): call the rater back and establish the facts."""
    rectification = _lock(rectification)
    _check_version(rectification, version)
    handler = _handler(rectification, user)
    _require(rectification, Rectification.State.VERIFYING, action_zh="核实")
    finding = appeal_services._choice(finding, Finding, "核实结论", "finding")
    category = appeal_services._choice(category, BadCategory, "差评分类", "category")
    text = _text(note, "核实情况", "note", MAX_TEXT, required=True, min_length=5)
    now = clock.now()
    if contacted:
        rectification.contacted_at = now
    rectification.verified_at = now
    rectification.finding = finding
    rectification.category = category
    rectification.verify_note = text
    _move(
        rectification,
        "verify",
        handler,
        Rectification.State.RECTIFYING,
        {"contacted": bool(contacted), "finding": finding, "category": category, "note": text},
    )
    return rectification


@transaction.atomic
def rectify(
    rectification: Rectification | int,
    user: Any,
    version: int | None,
    *,
    measures: str,
    reply: str,
) -> Rectification:
    """整改 (or 解释说明 where there is no legal basis) and the reply to the rater (§3.8)."""
    rectification = _lock(rectification)
    _check_version(rectification, version)
    handler = _handler(rectification, user)
    _require(rectification, Rectification.State.RECTIFYING, action_zh="提交整改")
    label = "解释说明" if rectification.finding == Finding.EXPLAIN else "整改措施"
    rectification.measures = _text(
        measures, label, "measures", MAX_TEXT, required=True, min_length=5
    )
    rectification.reply_text = _text(
        reply, "反馈评价人的内容", "reply to the rater", MAX_TEXT, required=True, min_length=5
    )
    now = clock.now()
    rectification.replied_at = now
    rectification.on_time = clock.today() <= rectification.due
    _move(
        rectification,
        "rectify",
        handler,
        Rectification.State.REPLIED,
        {"finding": rectification.finding, "on_time": rectification.on_time},
    )
    return rectification


@transaction.atomic
def revisit(
    rectification: Rectification | int,
    user: Any,
    version: int | None,
    *,
    result: str,
    note: str = "",
) -> Rectification:
    """回访 (§3.8): ask the rater about the fix; the loop closes and its working days are kept."""
    rectification = _lock(rectification)
    _check_version(rectification, version)
    handler = _handler(rectification, user)
    _require(rectification, Rectification.State.REPLIED, action_zh="回访")
    rectification.revisit_result = appeal_services._choice(
        result, RevisitResult, "回访结果", "result"
    )
    rectification.revisit_note = _text(note, "回访记录", "note", MAX_TEXT)
    now = clock.now()
    rectification.revisited_at = now
    rectification.closed_at = now
    rectification.workdays = appeal_services.workdays_between(
        rectification.opened_at.astimezone(clock.zone()).date(), clock.today()
    )
    _move(
        rectification,
        "revisit",
        handler,
        Rectification.State.CLOSED,
        {"result": rectification.revisit_result, "workdays": rectification.workdays},
    )
    return rectification


@transaction.atomic
def appeal(
    rectification: Rectification | int, user: Any, version: int | None, *, reason: str
) -> Rectification:
    """申诉 (§3.10): the department contests a malicious or mistaken bad rating, in time."""
    rectification = _lock(rectification)
    _check_version(rectification, version)
    handler = _handler(rectification, user)
    _require(
        rectification,
        Rectification.State.VERIFYING,
        Rectification.State.RECTIFYING,
        action_zh="申诉",
    )
    rated = rectification.rating.rated_at.astimezone(clock.zone()).date()
    last = appeal_services.workday_add(rated, conf.appeal_workdays()).date
    if clock.today() > last:
        raise RuleViolation(
            f"已超过申诉期限({last:%Y-%m-%d})", f"the appeal period ended on {last:%Y-%m-%d}"
        )
    rectification.appeal_reason = _text(
        reason, "申诉理由", "reason", MAX_TEXT, required=True, min_length=10
    )
    rectification.appealed_at = clock.now()
    _move(
        rectification,
        "appeal",
        handler,
        Rectification.State.APPEALED,
        {"reason": rectification.appeal_reason},
    )
    return rectification


@transaction.atomic
def decide_appeal(
    rectification: Rectification | int,
    user: Any,
    version: int | None,
    *,
    upheld: bool,
    note: str,
) -> Rectification:
    """申诉复核 by a supervisor: upheld → the rating is excluded from statistics; rejected → the
    rectification goes on where it was."""
    rectification = _lock(rectification)
    _check_version(rectification, version)
    handler = _handler(rectification, user, supervisor=True)
    _require(rectification, Rectification.State.APPEALED, action_zh="复核")
    text = _text(note, "复核意见", "note", MAX_TEXT, required=True, min_length=5)
    rectification.appeal_upheld = bool(upheld)
    rectification.decision_note = text
    rectification.decided_at = clock.now()
    rectification.decided_by = user
    if upheld:
        Rating.objects.filter(pk=rectification.rating_id).update(
            excluded=True, excluded_reason=text[:300]
        )
        rectification.closed_at = clock.now()
        target = Rectification.State.VOID
    else:
        target = (
            Rectification.State.RECTIFYING
            if rectification.verified_at
            else Rectification.State.VERIFYING
        )
    _move(rectification, "decide_appeal", handler, target, {"upheld": bool(upheld), "note": text})
    return rectification


@dataclass(frozen=True)
class RaterContact:
    name: str
    phone: str


@transaction.atomic
def rater_contact(rectification: Rectification | int, user: Any, *, purpose: str) -> RaterContact:
    """A named rater's contact, for the callback; only for handlers, logged with the purpose (§3.7)."""
    rectification = _lock(rectification)
    handler = _handler(rectification, user)
    rating = rectification.rating
    if not rating.named:
        raise RuleViolation("评价人未留联系方式(匿名评价)", "the rater left no contact")
    text = _text(purpose, "查看用途", "purpose", 200, required=True, min_length=2)
    _event(rectification, "contact_viewed", user, handler.role, data={"purpose": text})
    return RaterContact(rating.rater_name or "评价人", rating.rater_phone)


def masked_contact(rating: Rating) -> RaterContact | None:
    if not rating.named:
        return None
    return RaterContact(
        identifiers.mask_name(rating.rater_name) or "评价人",
        identifiers.mask_phone(rating.rater_phone),
    )


# ------------------------------------------------------------------------------------ scan
@dataclass
class ScanReport:
    today: dt.date
    verify_overdue: int = 0
    overdue: int = 0

    def lines(self) -> list[str]:
        return [
            f"ratings scan {self.today}: 核实超期 {self.verify_overdue}, 整改超期督办 {self.overdue}"
        ]


def scan(today: dt.date | None = None) -> ScanReport:
    """Flag bad ratings not verified in time and rectifications past their deadline (once each)."""
    today = today or clock.today()
    report = ScanReport(today)
    late_verify = Rectification.objects.filter(
        state=Rectification.State.VERIFYING, verify_due__lt=today, verify_overdue_at__isnull=True
    )
    for pk in late_verify.values_list("pk", flat=True):
        with transaction.atomic():
            row = _lock(pk)
            if row.state == Rectification.State.VERIFYING and row.verify_overdue_at is None:
                row.verify_overdue_at = clock.now()
                row.save(update_fields=["verify_overdue_at"])
                _event(row, "verify_overdue", None, "system", data={"verify_due": row.verify_due})
                report.verify_overdue += 1
    late = Rectification.objects.filter(
        state__in=[Rectification.State.VERIFYING, Rectification.State.RECTIFYING],
        due__lt=today,
        overdue_at__isnull=True,
    )
    for pk in late.values_list("pk", flat=True):
        with transaction.atomic():
            row = _lock(pk)
            if row.overdue_at is None and row.state in (
                Rectification.State.VERIFYING,
                Rectification.State.RECTIFYING,
            ):
                row.overdue_at = clock.now()
                row.save(update_fields=["overdue_at"])
                _event(row, "overdue", None, "system", data={"due": row.due})
                _outbox("rating.rectification_overdue", row.rating, {"due": row.due})
                report.overdue += 1
    return report


def visible_rectifications(user: Any):
    """Rectifications a staff member may open: supervisors all; department heads and chief
    service officers their departments'; the 12345 centre those of requests."""
    from django.db.models import Q

    roles = permissions.roles_of(user)
    query = Rectification.objects.select_related("rating", "department", "rating__window")
    if "supervisor" in roles or (
        roles & set(HANDLER_ROLES) and permissions.sees_all_departments(user)
    ):
        return query.exclude(rating__staff=user)
    condition = Q(pk__in=[])
    if roles & set(HANDLER_ROLES):
        condition |= permissions.department_q(user, "department__code")
    if "hotline_agent" in roles:
        condition |= Q(rating__subject_kind=SubjectKind.APPEAL)
    return query.filter(condition).exclude(rating__staff=user)
