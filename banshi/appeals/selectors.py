"""Read queries for the 12345 pages: work queues per role, the supervision board, tracking.

Lists never carry the caller's identity unmasked (DESIGN §8): rows are plain model instances and
templates show :func:`banshi.appeals.services.masked_caller`. Department queues filter in the
database through :func:`banshi.people.permissions.department_q` on indexed columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from banshi.appeals import services, transitions
from banshi.appeals.models import Appeal, AppealExtension, Assignment, Category, Supervision
from banshi.appeals.transitions import Role, State
from banshi.core import clock
from banshi.people import permissions

SESSION_KEY = "appeals_verified"  # {number: phone} the caller proved on the tracking page
LIST_LIMIT = 50


@dataclass
class Queue:
    key: str
    title: str
    rows: list[Appeal]
    total: int
    hint: str = ""


@dataclass
class Desk:
    """What a staff member's 12345 page shows: one queue per piece of work they own."""

    roles: frozenset[Role]
    queues: list[Queue] = field(default_factory=list)


def _base() -> QuerySet[Appeal]:
    return Appeal.objects.select_related("category", "category__parent", "lead_department")


def _queue(key: str, title: str, query: QuerySet, hint: str = "") -> Queue:
    return Queue(key, title, list(query[:LIST_LIMIT]), query.count(), hint)


def desk(user: Any) -> Desk:
    roles = services.staff_roles(user)
    today = clock.today()
    result = Desk(roles)
    if Role.HOTLINE_AGENT in roles or Role.SUPERVISOR in roles:
        routing = [state.value for state in transitions.AWAITING_DISPATCH]
        result.queues += [
            _queue(
                "dispatch",
                "待派单(新受理、退单、重办)",
                _base().filter(state__in=routing).order_by("received_at"),
                "按分类默认承办单位派单，退单的请核实退单理由后重新派单",
            ),
            _queue(
                "extension",
                "待审批延期",
                _base()
                .filter(extensions__decision=AppealExtension.Decision.PENDING)
                .order_by("due"),
            ),
            _queue(
                "callback",
                "待回访",
                _base().filter(state=State.REPLIED).order_by("callback_due"),
                "收到答复后按时限回访诉求人",
            ),
            _queue(
                "close",
                "已回访待办结",
                _base().filter(state=State.CALLED_BACK).order_by("called_back_at"),
            ),
            _queue(
                "overdue",
                "超期未办结",
                _base()
                .filter(state__in=list(transitions.OPEN_WITH_DEPARTMENT), due__lt=today)
                .order_by("due"),
            ),
        ]
    if Role.DEPARTMENT in roles:
        mine = Assignment.objects.filter(
            permissions.department_q(user, "department__code"),
        )
        lead_open = mine.filter(
            role=Assignment.Role.LEAD,
            status__in=[Assignment.Status.OPEN, Assignment.Status.ACKNOWLEDGED],
        ).values("appeal_id")
        assist_open = mine.filter(
            role=Assignment.Role.ASSIST, status=Assignment.Status.OPEN
        ).values("appeal_id")
        current = _base().filter(state__in=list(transitions.OPEN_WITH_DEPARTMENT))
        result.queues += [
            _queue(
                "acknowledge",
                "待签收",
                current.filter(pk__in=lead_open, state=State.DISPATCHED).order_by("ack_due"),
                "派单后按时限签收；不属于本单位职责的，在退单时限内附依据退单",
            ),
            _queue(
                "handle",
                "办理中",
                current.filter(pk__in=lead_open).exclude(state=State.DISPATCHED).order_by("due"),
            ),
            _queue("assist", "协办", current.filter(pk__in=assist_open).order_by("due")),
        ]
    if Role.WINDOW_CLERK in roles and Role.HOTLINE_AGENT not in roles:
        result.queues.append(
            _queue(
                "window",
                "本人登记的反映",
                _base().filter(received_by=user).order_by("-received_at"),
            )
        )
    return result


def visible(user: Any) -> QuerySet[Appeal]:
    """Tickets the staff member may open: the centre and supervisors see all; a department sees
    the tickets dispatched to it (any round); a window clerk those they took in."""
    roles = services.staff_roles(user)
    if Role.HOTLINE_AGENT in roles or Role.SUPERVISOR in roles:
        return _base()
    condition = Q(pk__in=[])
    if Role.DEPARTMENT in roles:
        condition |= Q(
            pk__in=Assignment.objects.filter(
                permissions.department_q(user, "department__code")
            ).values("appeal_id")
        )
    if Role.WINDOW_CLERK in roles:
        condition |= Q(received_by=user)
    return _base().filter(condition)


def timeline(appeal: Appeal, *, public: bool = False) -> list[dict]:
    """The events, oldest first; the public view leaves out internal steps and every name."""
    rows = []
    for event in appeal.events.select_related("department", "actor").order_by("at", "id"):
        if public and event.kind not in PUBLIC_EVENTS:
            continue
        label = transitions.ACTION_LABELS.get(event.kind, event.kind)
        if event.kind == "redispatch" and public:
            label = "重新派单"
        rows.append(
            {
                "at": event.at,
                "kind": event.kind,
                "label": label,
                "to_state": transitions.STATE_LABELS.get(event.to_state, "")
                if event.to_state
                else "",
                "department": event.department.name if event.department else "",
                "actor": "" if public else _actor_label(event),
                "detail": "" if public else _detail(event.data),
            }
        )
    return rows


_DETAIL_KEYS = (
    ("lead_name", "主办"),
    ("assisting_names", "协办"),
    ("due", "办结期限"),
    ("reason_text", "退单理由"),
    ("basis", "依据"),
    ("reason", "理由"),
    ("days", "天数"),
    ("due_after", "延期至"),
    ("note", "说明"),
    ("opinion", "意见"),
    ("text", "答复"),
    ("satisfaction", "满意度"),
    ("level", "级别"),
)
_VALUE_LABELS = {
    "satisfied": "满意",
    "basic": "基本满意",
    "unsatisfied": "不满意",
    "unreachable": "未能联系上",
    "remind": "到期前提醒",
    "overdue": "超期催办",
    "escalated": "超期通报",
}


def _detail(data: dict) -> str:
    parts = []
    for key, label in _DETAIL_KEYS:
        value = data.get(key)
        if key == "reason" and "reason_text" in data:
            continue
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        value = _VALUE_LABELS.get(str(value), value)
        parts.append(f"{label}：{value}")
    return "；".join(parts)


PUBLIC_EVENTS = frozenset(
    {
        "take_in",
        "answer_directly",
        "refuse",
        "dispatch",
        "redispatch",
        "acknowledge",
        "approve_extension",
        "reply",
        "callback",
        "close",
        "reopen",
        "archive",
    }
)


def _actor_label(event) -> str:
    role = transitions.ROLE_LABELS.get(event.actor_role, event.actor_role)
    if event.actor is None:
        return role
    name = event.actor.get_full_name() or event.actor.first_name or event.actor.username
    return f"{role} · {name}"


def category_tree() -> list[tuple[Category, list[Category]]]:
    """Active top-level categories with their active children, for selects."""
    categories = list(
        Category.objects.filter(is_active=True)
        .select_related("default_department")
        .order_by("position", "code")
    )
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    return [(c, children.get(c.pk, [])) for c in categories if not c.parent_id]


def board(today=None) -> dict:
    """督办看板: open tickets by state, overdue by department, open supervisions, extensions."""
    today = today or clock.today()
    open_states = [s.value for s in State if s not in transitions.ENDED]
    by_state = dict(
        Appeal.objects.filter(state__in=open_states)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    overdue = (
        Appeal.objects.filter(state__in=list(transitions.OPEN_WITH_DEPARTMENT), due__lt=today)
        .values("lead_department__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    return {
        "by_state": [
            {"state": state, "label": transitions.STATE_LABELS[state], "n": by_state.get(state, 0)}
            for state in State
            if state.value in open_states
        ],
        "overdue_by_department": list(overdue),
        "overdue": list(
            _base()
            .filter(state__in=list(transitions.OPEN_WITH_DEPARTMENT), due__lt=today)
            .order_by("due")[:LIST_LIMIT]
        ),
        "due_soon": list(
            _base()
            .filter(
                state__in=list(transitions.OPEN_WITH_DEPARTMENT),
                remind_on__lte=today,
                due__gte=today,
            )
            .order_by("due")[:LIST_LIMIT]
        ),
        "supervisions": list(
            Supervision.objects.select_related("appeal", "department").order_by(
                "-raised_at", "-id"
            )[:LIST_LIMIT]
        ),
        "pending_extensions": list(
            AppealExtension.objects.filter(decision=AppealExtension.Decision.PENDING)
            .select_related("appeal", "assignment__department")
            .order_by("requested_at")
        ),
    }


def verified_phone(session, number: str) -> str | None:
    """The phone the caller proved for ``number`` on the tracking page (this session), if any."""
    return (session.get(SESSION_KEY) or {}).get(number)


def remember_verified(session, number: str, phone: str) -> None:
    verified = dict(session.get(SESSION_KEY) or {})
    verified[number] = phone
    while len(verified) > 20:  # a session keeps the last few tickets only
        verified.pop(next(iter(verified)))
    session[SESSION_KEY] = verified


def mine(person, limit: int = 20) -> list[dict]:
    """我的诉求: the requests a logged-in person filed (newest first), with the state as the public
    sees it; none for anybody else."""
    if person is None:
        return []
    rows = Appeal.objects.filter(caller_person=person).order_by("-received_at")[:limit]
    return [
        {
            "number": appeal.number,
            "title": appeal.title,
            "type": appeal.get_appeal_type_display(),
            "received_at": appeal.received_at,
            "state": transitions.PUBLIC_STATE_LABELS[State(appeal.state)],
        }
        for appeal in rows
    ]
