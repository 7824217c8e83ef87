"""The 12345 ticket (工单) state machine as data (pure: no Django import).

reference/standards.md §4 (国办发〔2020〕53号 and local norms): 受理 → 派单 → 签收 → 办理 → 答复 → 督办 →
办结 → 回访 → 评价, with 退单 → 重新派单, 延期 (requested before expiry, approved by the centre) and
重办 (an unsatisfied caller). Engine notes of §4::

    NEW → ANSWERED_DIRECT | DISPATCHED → SIGNED → IN_PROGRESS → (EXTENSION_REQ) → REPLIED → CALLBACK
        → CLOSED | REOPENED, plus RETURNED → RE_DISPATCHED

Here SIGNED is ``acknowledged``, CALLBACK is ``called_back``, RE_DISPATCHED is the ``redispatch``
action back into ``dispatched`` (the event keeps the difference), and an extension request is an
:class:`~banshi.appeals.models.AppealExtension` row, not a state, because handling goes on while the
centre decides. Matters not to accept (§4.5) end in ``not_accepted``; every closed ticket is
archived (办结归档).

Why a table (Signalen ``ALLOWED_STATUS_CHANGES``, DIGIT State/Action/roles): each edge is one row
naming the states it leaves, the state it reaches and who may take it, so it can be checked against
the rules line by line and the pages can ask "which buttons for this user here?" without repeating
rules. Data guards (time windows, reasons from the list, the department the ticket went to) live in
:mod:`banshi.appeals.services`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    NEW = "new"
    ANSWERED_DIRECT = "answered_direct"
    NOT_ACCEPTED = "not_accepted"
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"
    REPLIED = "replied"
    CALLED_BACK = "called_back"
    REOPENED = "reopened"
    CLOSED = "closed"
    ARCHIVED = "archived"


STATE_LABELS = {
    State.NEW: "待派单",
    State.ANSWERED_DIRECT: "已直接答复",
    State.NOT_ACCEPTED: "不予受理",
    State.DISPATCHED: "已派单(待签收)",
    State.ACKNOWLEDGED: "已签收",
    State.IN_PROGRESS: "办理中",
    State.RETURNED: "已退单(待重新派单)",
    State.REPLIED: "已答复(待回访)",
    State.CALLED_BACK: "已回访",
    State.REOPENED: "重办(待派单)",
    State.CLOSED: "已办结",
    State.ARCHIVED: "已归档",
}

# What the caller sees on the tracking page (no internal detail such as "returned").
PUBLIC_STATE_LABELS = {
    State.NEW: "已受理，正在派单",
    State.ANSWERED_DIRECT: "已答复",
    State.NOT_ACCEPTED: "不予受理",
    State.DISPATCHED: "已转承办单位",
    State.ACKNOWLEDGED: "承办单位已签收",
    State.IN_PROGRESS: "承办单位办理中",
    State.RETURNED: "正在重新派单",
    State.REPLIED: "承办单位已答复",
    State.CALLED_BACK: "已回访",
    State.REOPENED: "重新办理中",
    State.CLOSED: "已办结",
    State.ARCHIVED: "已办结",
}


class Role(StrEnum):
    """Who acts. ``department`` stands for the staff of the department a ticket was dispatched to
    (reviewer, department head, chief service officer); ``caller`` is the person who filed it (web,
    or verified by number and phone); ``system`` is the deadline scan."""

    CALLER = "caller"
    HOTLINE_AGENT = "hotline_agent"
    WINDOW_CLERK = "window_clerk"
    DEPARTMENT = "department"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"


ROLE_LABELS = {
    Role.CALLER: "诉求人",
    Role.HOTLINE_AGENT: "12345 中心(坐席)",
    Role.WINDOW_CLERK: "办不成事反映窗口",
    Role.DEPARTMENT: "承办单位",
    Role.SUPERVISOR: "效能监督",
    Role.SYSTEM: "系统",
}

# people.Role values that act as the department a ticket was dispatched to.
DEPARTMENT_STAFF_ROLES = frozenset({"reviewer", "department_head", "chief_service_officer"})


class Action(StrEnum):
    TAKE_IN = "take_in"  # 受理 (登记工单)
    ANSWER_DIRECTLY = "answer_directly"  # 知识库直接答复 (§4.8)
    REFUSE = "refuse"  # 不予受理并告知依据 (§4.5)
    DISPATCH = "dispatch"  # 派单 (即时转办, §4.3)
    REDISPATCH = "redispatch"  # 退单后重新派单
    ACKNOWLEDGE = "acknowledge"  # 签收
    ASSIST = "assist"  # 协办单位意见
    ADD_NOTE = "add_note"  # 办理过程记录
    REQUEST_EXTENSION = "request_extension"  # 申请延期
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    RETURN = "return"  # 退单
    REPLY = "reply"  # 办结答复
    CALLBACK = "callback"  # 回访 (满意度测评)
    CLOSE = "close"  # 办结
    REOPEN = "reopen"  # 重办
    ARCHIVE = "archive"  # 归档
    REMIND = "remind"  # 催办
    SUPERVISE = "supervise"  # 督办


ACTION_LABELS = {
    Action.TAKE_IN: "受理登记",
    Action.ANSWER_DIRECTLY: "直接答复",
    Action.REFUSE: "不予受理",
    Action.DISPATCH: "派单",
    Action.REDISPATCH: "重新派单",
    Action.ACKNOWLEDGE: "签收",
    Action.ASSIST: "提交协办意见",
    Action.ADD_NOTE: "记录办理过程",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.APPROVE_EXTENSION: "批准延期",
    Action.REJECT_EXTENSION: "不批准延期",
    Action.RETURN: "退单",
    Action.REPLY: "办结答复",
    Action.CALLBACK: "回访",
    Action.CLOSE: "办结",
    Action.REOPEN: "重办",
    Action.ARCHIVE: "归档",
    Action.REMIND: "催办",
    Action.SUPERVISE: "督办",
}


@dataclass(frozen=True)
class Transition:
    """One row: from ``sources`` by ``action`` to ``target`` (None = the state does not change)."""

    action: Action
    sources: frozenset[State]
    target: State | None
    roles: frozenset[Role]
    note: str = ""

    def target_from(self, state: State) -> State:
        return self.target if self.target is not None else state


def _row(
    action: Action,
    sources: Iterable[State],
    target: State | None,
    roles: Iterable[Role],
    note: str = "",
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), note)


S, R = State, Role
HANDLING = (S.ACKNOWLEDGED, S.IN_PROGRESS)
WITH_DEPARTMENT = (S.DISPATCHED, *HANDLING)
CENTRE = (R.HOTLINE_AGENT,)

TABLE: tuple[Transition, ...] = (
    _row(
        Action.TAKE_IN,
        [],  # creation: no state before it
        S.NEW,
        [R.CALLER, R.HOTLINE_AGENT, R.WINDOW_CLERK],
        "§4.2 受理; §4.3 统一受理 (热线、网站、办不成事窗口)",
    ),
    _row(Action.ANSWER_DIRECTLY, [S.NEW], S.ANSWERED_DIRECT, CENTRE, "§4.8 知识库直接答复"),
    _row(Action.REFUSE, [S.NEW], S.NOT_ACCEPTED, CENTRE, "§4.5 不予受理并告知依据"),
    _row(Action.DISPATCH, [S.NEW, S.REOPENED], S.DISPATCHED, CENTRE, "§4.2 派单, §4.3 即时转办"),
    _row(Action.REDISPATCH, [S.RETURNED], S.DISPATCHED, CENTRE, "§4.1 SLA 回退: 中心重新派单"),
    _row(Action.ACKNOWLEDGE, [S.DISPATCHED], S.ACKNOWLEDGED, [R.DEPARTMENT], "§4.1 SLA 签收"),
    _row(Action.ASSIST, WITH_DEPARTMENT, None, [R.DEPARTMENT], "§4.3 多部门协同"),
    _row(Action.ADD_NOTE, HANDLING, S.IN_PROGRESS, [R.DEPARTMENT], "§4.2 办理"),
    _row(Action.REQUEST_EXTENSION, HANDLING, None, [R.DEPARTMENT], "§4.1 SLA 延期: 到期前申请"),
    _row(
        Action.APPROVE_EXTENSION,
        HANDLING,
        None,
        [R.HOTLINE_AGENT, R.SUPERVISOR],
        "§4.1 SLA 延期: 中心批准",
    ),
    _row(Action.REJECT_EXTENSION, HANDLING, None, [R.HOTLINE_AGENT, R.SUPERVISOR]),
    _row(
        Action.RETURN,
        WITH_DEPARTMENT,
        S.RETURNED,
        [R.DEPARTMENT],
        "§4.1 SLA 回退: 时限内、附依据、理由规范",
    ),
    _row(Action.REPLY, HANDLING, S.REPLIED, [R.DEPARTMENT], "§4.2 回复"),
    _row(
        Action.CALLBACK,
        [S.REPLIED],
        S.CALLED_BACK,
        [R.HOTLINE_AGENT, R.CALLER],
        "§4.1 SLA 回访; §4.3 满意度测评",
    ),
    _row(Action.CLOSE, [S.CALLED_BACK], S.CLOSED, CENTRE, "§4.2 办结"),
    _row(
        Action.REOPEN,
        [S.CALLED_BACK, S.CLOSED],
        S.REOPENED,
        [R.HOTLINE_AGENT, R.CALLER],
        "§4.1 SLA 回访: 不满意 → 重办",
    ),
    _row(
        Action.ARCHIVE,
        [S.CLOSED, S.ANSWERED_DIRECT, S.NOT_ACCEPTED],
        S.ARCHIVED,
        [R.HOTLINE_AGENT, R.SYSTEM],
        "§4.1 SLA 办结归档",
    ),
    _row(
        Action.REMIND,
        WITH_DEPARTMENT,
        None,
        [R.HOTLINE_AGENT, R.SUPERVISOR, R.SYSTEM],
        "§4.1 SLA 催办: 到期前提醒、超期催办",
    ),
    _row(
        Action.SUPERVISE,
        WITH_DEPARTMENT,
        None,
        [R.SUPERVISOR, R.SYSTEM],
        "§4.2 督办; §4.1 超期再逾5个工作日通报",
    ),
)

_BY_ACTION: dict[Action, Transition] = {row.action: row for row in TABLE}
if len(_BY_ACTION) != len(TABLE):  # pragma: no cover - a table edit error, caught at import
    raise RuntimeError("appeal transition table: one row per action")

# The ticket is with a department (its clocks run).
OPEN_WITH_DEPARTMENT = frozenset(WITH_DEPARTMENT)
# Waiting for the centre to route it.
AWAITING_DISPATCH = frozenset({S.NEW, S.RETURNED, S.REOPENED})
# Nothing more will happen, except archiving (and a reopen of ``closed`` within its window).
ENDED = frozenset({S.ANSWERED_DIRECT, S.NOT_ACCEPTED, S.CLOSED, S.ARCHIVED})
# The caller may rate (好差评) once the request is closed (standards §3.3: 12345 handling is rated).
RATABLE = frozenset({S.ANSWERED_DIRECT, S.CLOSED, S.ARCHIVED})


def rule(action: Action | str) -> Transition:
    return _BY_ACTION[Action(action)]


def find(state: State | str, action: Action | str) -> Transition | None:
    row = rule(action)
    return row if State(state) in row.sources else None


def allowed_actions(state: State | str, roles: Iterable[Role | str]) -> list[Action]:
    """Actions holders of ``roles`` may take from ``state`` (buttons and API hints)."""
    held = {Role(role) for role in roles if role in Role._value2member_map_}
    return [row.action for row in TABLE if State(state) in row.sources and row.roles & held]


def table_roles(people_roles: Iterable[str]) -> frozenset[Role]:
    """The table roles a staff member's ``people.Role`` values give (department staff → DEPARTMENT)."""
    held: set[Role] = set()
    for role in people_roles:
        if role in DEPARTMENT_STAFF_ROLES:
            held.add(Role.DEPARTMENT)
        elif role in (Role.HOTLINE_AGENT, Role.WINDOW_CLERK, Role.SUPERVISOR):
            held.add(Role(role))
    return frozenset(held)
