"""Read queries on applications and cases (no writes; the services write).

Visibility is filtered in the query, never after it (DESIGN §8, §10: Open Zaak's slowest path was
exactly this filter): a staff member sees their department's cases, indexed by department × state,
unless they are a supervisor or a system administrator; an applicant sees their own applications.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from banshi.cases import conf, deadlines, permissions, services
from banshi.cases.models import (
    Application,
    ApplicationStatus,
    Case,
    CaseEvent,
    CorrectionNotice,
    Opinion,
    OpinionValue,
    OutboxMessage,
    Supervision,
)
from banshi.cases.transitions import DECISION_CLOCK, ENDED, ISSUE_CLOCK, OUTPUT_STATES, State
from banshi.core import clock
from banshi.people.models import Person
from banshi.workdays.services import get_calendar


def applications_of(person: Person) -> QuerySet[Application]:
    """Applications a person filed, for themselves or as an agent, newest first."""
    return (
        Application.objects.filter(Q(applicant=person) | Q(agent=person))
        .select_related("bundle_version", "enterprise")
        .order_by("-received_at", "-id")
    )


def application_for_person(person: Person, number: str) -> Application | None:
    """One application by number, only if the person is its applicant or agent."""
    return applications_of(person).filter(number=number).first()


def cases_visible_to(user, *, states: list[str] | None = None) -> QuerySet[Case]:
    """Cases a staff member may see: their departments' (index department × state), or all for
    supervisors, system administrators, government heads and all-department profiles; nothing
    for a user without a staff role."""
    queryset = Case.objects.select_related(
        "application", "department", "item", "item_version"
    ).order_by("decision_due", "pk")
    queryset = queryset.filter(permissions.department_filter(user, "department__code"))
    if states:
        queryset = queryset.filter(state__in=states)
    return queryset


def case_for_staff(user, number: str) -> Case | None:
    """One case by number, only if the staff member may see it."""
    return cases_visible_to(user).filter(number=number).first()


def timeline(application: Application, case: Case | None = None) -> QuerySet[CaseEvent]:
    """The events of an application (or of one of its cases), in the order they happened."""
    events = CaseEvent.objects.filter(application=application).select_related("case", "actor")
    if case is not None:
        events = events.filter(case=case)
    return events.order_by("at", "id")


def supervision_board(user, *, open_only: bool = True) -> QuerySet[Supervision]:
    """督办看板: supervisions of the cases the user may see, red first, oldest first."""
    queryset = Supervision.objects.select_related(
        "case", "case__department", "case__application", "case__item_version"
    ).order_by("level", "raised_at", "pk")  # "red" sorts before "yellow": red first
    if open_only:
        queryset = queryset.filter(resolved_at__isnull=True)
    return queryset.filter(permissions.department_filter(user, "case__department__code"))


def pending_outbox(limit: int = 100) -> QuerySet[OutboxMessage]:
    """Messages due for (re)sending, oldest first (for the dispatcher)."""
    return OutboxMessage.objects.filter(
        sent_at__isnull=True, next_attempt_at__lte=clock.now()
    ).order_by("id")[:limit]


def public_decisions() -> QuerySet[Case]:
    """准予行政许可决定 are public (行政许可法第40条): granted cases, newest decision first.

    Only the decision (item, department, date, case number) is meant for the public page; the
    front door must not show the applicant's personal data.
    """
    return (
        Case.objects.filter(outcome="grant", decided_at__isnull=False)
        .select_related("item_version", "department")
        .order_by("-decided_at", "-pk")
    )


# ------------------------------------------------------------------ clocks and blockers
# What a page shows of the legal clocks and of why a decision is not possible yet: one reading,
# shared by the workbench and any other front door (the services hold the checks themselves).
LEVEL_LABELS = {
    deadlines.GREEN: "正常",
    deadlines.YELLOW: "黄色预警",
    deadlines.RED: "已超期",
    deadlines.PAUSED: "中止计时",
    deadlines.NO_CLOCK: "—",
}


@dataclass(frozen=True)
class ClockView:
    """A clock as a page shows it: working days left (negative = overdue), total, level."""

    remaining: int | None
    total: int | None
    level: str
    due: dt.date | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def overdue_days(self) -> int:
        return -(self.remaining or 0)

    @property
    def warns(self) -> bool:
        return self.level in (deadlines.YELLOW, deadlines.RED)


def case_clock(case: Case, today: dt.date | None = None) -> ClockView:
    """The case's legal clock (决定时限 or 制证送达时限) from the case engine."""
    status = services.clock_status(case, today)
    state = State(case.state)
    due = case.issue_due if state in ISSUE_CLOCK else case.decision_due
    note = "制证送达" if state in ISSUE_CLOCK else ("决定" if state in DECISION_CLOCK else "")
    return ClockView(status.remaining, status.total, status.level, due, note)


def intake_clock(application: Application, today: dt.date | None = None) -> ClockView:
    """The intake clock of 第32条(四): the correction notice or the intake decision is due within
    5 working days of receipt (or of the complete corrections); stopped while the applicant
    corrects. The case engine stores ``intake_due``; this reads it against today."""
    today = today or clock.today()
    if application.status != ApplicationStatus.SUBMITTED:
        return ClockView(None, None, deadlines.NO_CLOCK)
    notice = correction_notice_of(application)
    if notice is not None and notice.answered_at is None:
        return ClockView(None, None, deadlines.PAUSED, notice.due, "等待申请人补正")
    total = deadlines.CORRECTION_NOTICE_DAYS
    left = get_calendar().between(today, application.intake_due)
    level = deadlines.level(left, total, conf.warning_fraction())
    return ClockView(left, total, level, application.intake_due, "受理决定")


def correction_notice_of(application: Application) -> CorrectionNotice | None:
    try:
        return application.correction_notice
    except CorrectionNotice.DoesNotExist:
        return None


@dataclass
class Dependency:
    case: Case
    done: bool  # produced its output (制证/办结 with a grant)
    ended: bool


def prerequisites(case: Case) -> list[Dependency]:
    rows = []
    for other in case.depends_on.select_related("item_version", "department").order_by("position"):
        state = State(other.state)
        done = other.outcome == "grant" and state in OUTPUT_STATES
        rows.append(Dependency(other, done, state in ENDED))
    return rows


def decision_blockers(
    case: Case, deps: Sequence[Dependency], opinions: Sequence[Opinion]
) -> list[str]:
    """Why the decide button is disabled, as the case engine would refuse it (displayed only;
    :func:`banshi.cases.services.decide` is the check)."""
    reasons = []
    running = [dep.case.item_version.name for dep in deps if not dep.done and not dep.ended]
    if running:
        reasons.append(
            f"前置事项（{'、'.join(running)}）尚未办结出证：本办件可以审查，但暂不能作出决定。"
        )
    if case.joint_review:
        pending = [o.department.name for o in opinions if o.opinion == OpinionValue.NONE]
        if pending:
            reasons.append(f"联合审查意见尚未齐备：{'、'.join(pending)}。")
    return reasons
