"""The case state machine as data (pure: no Django import).

Why a table and not ``if`` chains: every edge is one row naming the states it leaves, the state it
reaches and the roles that may take it, so a reviewer can check it against the law (行政许可法, see
reference/standards.md §1.4) line by line, the workbench can ask "which actions may this user take
here?" without duplicating rules, and a new edge is one more row annotated with what asked for it
(Signalen's ``ALLOWED_STATUS_CHANGES``, DIGIT's State/Action/roles tables).

Guards that depend on data (the 5-working-day window of 第32条(四), prerequisites, on-the-spot items,
extension approvers) live in the services; this table only says who may move a case from where to
where.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    """办件状态 (reference/standards.md §1.4)."""

    RECEIVED = "received"
    CORRECTION_REQUESTED = "correction_requested"
    ACCEPTED = "accepted"
    UNDER_REVIEW = "under_review"
    PAUSED = "paused"
    DECIDED_GRANT = "decided_grant"
    DECIDED_DENY = "decided_deny"
    ISSUED = "issued"
    CLOSED = "closed"
    REFUSED_AT_INTAKE = "refused_at_intake"
    WITHDRAWN = "withdrawn"
    TERMINATED = "terminated"  # 终止办理: 虚假承诺 / 容缺逾期未补 (42号, 35号)
    REVOKED = "revoked"  # 撤销行政许可决定: 虚假承诺 found after the grant


STATE_LABELS = {
    State.RECEIVED: "已收件",
    State.CORRECTION_REQUESTED: "待补正",
    State.ACCEPTED: "已受理",
    State.UNDER_REVIEW: "审查中",
    State.PAUSED: "特别程序中(中止计时)",
    State.DECIDED_GRANT: "准予许可",
    State.DECIDED_DENY: "不予许可",
    State.ISSUED: "已制证",
    State.CLOSED: "已办结",
    State.REFUSED_AT_INTAKE: "不予受理",
    State.WITHDRAWN: "已撤回",
    State.TERMINATED: "终止办理",
    State.REVOKED: "已撤销许可",
}


class Role(StrEnum):
    """Who acts. Staff roles match ``banshi.people.models.Role``; ``applicant`` is derived (the
    applicant or their authorised agent), ``system`` is the scheduler, ``government_head`` is the head
    of the people's government at that level (第42条第二款), a role the people app may not list yet."""

    APPLICANT = "applicant"
    WINDOW_CLERK = "window_clerk"
    REVIEWER = "reviewer"
    DEPARTMENT_HEAD = "department_head"
    GOVERNMENT_HEAD = "government_head"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"


# Roles that act only on their own department's cases (DESIGN §8: department × role). The window
# clerk works at the comprehensive window (综合窗口) and takes in applications for every department;
# the government head and the supervisor stand above departments.
DEPARTMENT_BOUND = frozenset({Role.REVIEWER, Role.DEPARTMENT_HEAD})


class Action(StrEnum):
    """What can be done to a case (one service function per action or group of actions)."""

    REQUEST_CORRECTION = "request_correction"  # 补正 (第32条(四))
    ANSWER_CORRECTION = "answer_correction"  # 申请人提交补正材料
    REFUSE_AT_INTAKE = "refuse_at_intake"  # 不予受理 (第32条(一)(二))
    CORRECT_ON_THE_SPOT = "correct_on_the_spot"  # 当场更正 (第32条(三))
    ACCEPT = "accept"  # 受理 (第32条(五))
    DEEM_ACCEPT = "deem_accept"  # 逾期不告知视为受理 (第32条(四))
    START_REVIEW = "start_review"  # 审查
    GIVE_OPINION = "give_opinion"  # 联合审查意见
    DEEM_CONSENT = "deem_consent"  # 超时默认
    PAUSE = "pause"  # 特别程序 (第45条)
    RESUME = "resume"
    REQUEST_EXTENSION = "request_extension"  # 延期 (第42条)
    APPROVE_EXTENSION = "approve_extension"
    GRANT = "grant"  # 准予 (第38条)
    DENY = "deny"  # 不予 (第38条)
    DECIDE_ON_THE_SPOT = "decide_on_the_spot"  # 当场决定 (第34条)
    DENY_ON_THE_SPOT = "deny_on_the_spot"
    ISSUE = "issue"  # 制证 (第44条)
    CLOSE = "close"  # 送达 / 办结
    WITHDRAW = "withdraw"  # 申请人撤回
    CANCEL = "cancel"  # 随总件撤销 (root cancelled)
    SUPERVISE = "supervise"  # 督办
    TERMINATE = "terminate"  # 终止办理 (虚假承诺 / 容缺逾期未补正)
    REVOKE = "revoke"  # 撤销准予决定 (虚假承诺, 42号)
    AUTO_ACCEPT = "auto_accept"  # 信用+秒批: accepted by the system
    AUTO_GRANT = "auto_grant"  # 信用+秒批: granted by the system


ACTION_LABELS = {
    Action.REQUEST_CORRECTION: "一次性告知补正",
    Action.ANSWER_CORRECTION: "提交补正材料",
    Action.REFUSE_AT_INTAKE: "不予受理",
    Action.CORRECT_ON_THE_SPOT: "当场更正",
    Action.ACCEPT: "受理",
    Action.DEEM_ACCEPT: "逾期视为受理",
    Action.START_REVIEW: "开始审查",
    Action.GIVE_OPINION: "出具联合审查意见",
    Action.DEEM_CONSENT: "超时默认同意",
    Action.PAUSE: "启动特别程序(中止计时)",
    Action.RESUME: "结束特别程序(恢复计时)",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.APPROVE_EXTENSION: "批准延期",
    Action.GRANT: "准予许可",
    Action.DENY: "不予许可",
    Action.DECIDE_ON_THE_SPOT: "当场准予",
    Action.DENY_ON_THE_SPOT: "当场不予许可",
    Action.ISSUE: "制证",
    Action.CLOSE: "送达办结",
    Action.WITHDRAW: "撤回申请",
    Action.CANCEL: "随申请撤销",
    Action.SUPERVISE: "督办",
    Action.TERMINATE: "终止办理",
    Action.REVOKE: "撤销许可决定",
    Action.AUTO_ACCEPT: "信用+秒批 自动受理",
    Action.AUTO_GRANT: "信用+秒批 自动准予",
}

ROLE_LABELS = {
    Role.APPLICANT: "申请人",
    Role.WINDOW_CLERK: "综合窗口人员",
    Role.REVIEWER: "审批人员",
    Role.DEPARTMENT_HEAD: "部门负责人",
    Role.GOVERNMENT_HEAD: "本级人民政府负责人",
    Role.SUPERVISOR: "效能监督",
    Role.SYSTEM: "系统",
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
INTAKE = (S.RECEIVED,)
REVIEWING = (S.ACCEPTED, S.UNDER_REVIEW, S.PAUSED)
OPEN_BEFORE_DECISION = (S.RECEIVED, S.CORRECTION_REQUESTED, *REVIEWING)
STAFF_DECIDERS = (R.REVIEWER, R.DEPARTMENT_HEAD)

TABLE: tuple[Transition, ...] = (
    _row(Action.REQUEST_CORRECTION, INTAKE, S.CORRECTION_REQUESTED, [R.WINDOW_CLERK], "第32条(四)"),
    _row(
        Action.ANSWER_CORRECTION, [S.CORRECTION_REQUESTED], S.RECEIVED, [R.APPLICANT], "第32条(五)"
    ),
    _row(
        Action.REFUSE_AT_INTAKE,
        [S.RECEIVED, S.CORRECTION_REQUESTED],
        S.REFUSED_AT_INTAKE,
        [R.WINDOW_CLERK],
        "第32条(一)(二); unanswered correction",
    ),
    _row(
        Action.CORRECT_ON_THE_SPOT,
        INTAKE,
        None,
        [R.WINDOW_CLERK, R.APPLICANT],
        "第32条(三): 可以当场更正的错误",
    ),
    _row(Action.ACCEPT, INTAKE, S.ACCEPTED, [R.WINDOW_CLERK], "第32条(五)"),
    _row(Action.DEEM_ACCEPT, INTAKE, S.ACCEPTED, [R.SYSTEM], "第32条(四) 逾期不告知"),
    _row(Action.START_REVIEW, [S.ACCEPTED], S.UNDER_REVIEW, STAFF_DECIDERS),
    _row(Action.GIVE_OPINION, REVIEWING, None, STAFF_DECIDERS, "联合审查"),
    _row(Action.DEEM_CONSENT, REVIEWING, None, [R.SYSTEM], "超时默认"),
    _row(Action.PAUSE, [S.UNDER_REVIEW], S.PAUSED, STAFF_DECIDERS, "第45条"),
    _row(Action.RESUME, [S.PAUSED], S.UNDER_REVIEW, STAFF_DECIDERS, "第45条"),
    _row(Action.REQUEST_EXTENSION, [S.UNDER_REVIEW, S.PAUSED], None, STAFF_DECIDERS, "第42条"),
    _row(
        Action.APPROVE_EXTENSION,
        [S.UNDER_REVIEW, S.PAUSED],
        None,
        [R.DEPARTMENT_HEAD, R.GOVERNMENT_HEAD],
        "第42条: 本机关负责人 / 本级人民政府负责人",
    ),
    _row(Action.GRANT, [S.UNDER_REVIEW], S.DECIDED_GRANT, STAFF_DECIDERS, "第38条"),
    _row(Action.DENY, [S.UNDER_REVIEW], S.DECIDED_DENY, STAFF_DECIDERS, "第38条"),
    _row(
        Action.DECIDE_ON_THE_SPOT,
        [S.ACCEPTED],
        S.DECIDED_GRANT,
        [R.WINDOW_CLERK, *STAFF_DECIDERS],
        "第34条",
    ),
    _row(
        Action.DENY_ON_THE_SPOT,
        [S.ACCEPTED],
        S.DECIDED_DENY,
        [R.WINDOW_CLERK, *STAFF_DECIDERS],
        "第34条, 第38条",
    ),
    _row(Action.ISSUE, [S.DECIDED_GRANT], S.ISSUED, STAFF_DECIDERS, "第44条"),
    _row(
        Action.CLOSE,
        [S.ISSUED, S.DECIDED_DENY],
        S.CLOSED,
        [R.WINDOW_CLERK, *STAFF_DECIDERS],
        "送达 (综合窗口出件)",
    ),
    _row(Action.WITHDRAW, OPEN_BEFORE_DECISION, S.WITHDRAWN, [R.APPLICANT]),
    _row(Action.CANCEL, OPEN_BEFORE_DECISION, S.WITHDRAWN, [R.SYSTEM], "cancelling the root"),
    _row(
        Action.SUPERVISE,
        [*REVIEWING, S.DECIDED_GRANT],
        None,
        [R.SUPERVISOR, R.SYSTEM],
        "督办",
    ),
    _row(
        Action.TERMINATE,
        OPEN_BEFORE_DECISION,
        S.TERMINATED,
        [*STAFF_DECIDERS, R.SYSTEM],
        "42号 虚假承诺; 35号 容缺逾期未补正",
    ),
    _row(
        Action.REVOKE,
        [S.DECIDED_GRANT, S.ISSUED, S.CLOSED],
        S.REVOKED,
        [*STAFF_DECIDERS, R.SYSTEM],
        "42号: 虚假承诺 撤销行政决定",
    ),
    _row(Action.AUTO_ACCEPT, INTAKE, S.ACCEPTED, [R.SYSTEM], "信用+秒批 (第32条(五))"),
    _row(Action.AUTO_GRANT, [S.ACCEPTED], S.DECIDED_GRANT, [R.SYSTEM], "信用+秒批 (第34条)"),
)

_BY_ACTION: dict[Action, Transition] = {row.action: row for row in TABLE}
if len(_BY_ACTION) != len(TABLE):  # pragma: no cover - a table edit error, caught at import
    raise RuntimeError("transition table: one row per action")

# A case in one of these states needs nothing more from anybody (the application may complete).
ENDED = frozenset(
    {S.CLOSED, S.DECIDED_DENY, S.REFUSED_AT_INTAKE, S.WITHDRAWN, S.TERMINATED, S.REVOKED}
)
# States in which the decision clock (第42条) runs or is paused.
DECISION_CLOCK = frozenset({S.ACCEPTED, S.UNDER_REVIEW, S.PAUSED})
# States in which the issue clock (第44条) runs.
ISSUE_CLOCK = frozenset({S.DECIDED_GRANT})
# States in which a granted case has produced its output (制证/送达: a prerequisite is satisfied).
OUTPUT_STATES = frozenset({S.ISSUED, S.CLOSED})


def rule(action: Action | str) -> Transition:
    """The row of ``action`` (each action has exactly one row)."""
    return _BY_ACTION[Action(action)]


def find(state: State | str, action: Action | str) -> Transition | None:
    """The row for ``action`` from ``state``, or None when the table has no such edge."""
    row = rule(action)
    return row if State(state) in row.sources else None


def allowed_actions(state: State | str, roles: Iterable[Role | str]) -> list[Action]:
    """Actions that holders of ``roles`` may take from ``state`` (for buttons and API hints)."""
    held = {Role(role) for role in roles if role in Role._value2member_map_}
    return [row.action for row in TABLE if State(state) in row.sources and row.roles & held]
