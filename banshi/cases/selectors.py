"""Read queries on applications and cases (no writes; the services write).

Visibility is filtered in the query, never after it (DESIGN §8, §10: Open Zaak's slowest path was
exactly this filter): a staff member sees their department's cases, indexed by department × state,
unless they are a supervisor or a system administrator; an applicant sees their own applications.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from banshi.cases import permissions
from banshi.cases.models import Application, Case, CaseEvent, OutboxMessage, Supervision
from banshi.core import clock
from banshi.people.models import Person


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
