"""Who may open which workbench page (the roles); what they may see is filtered in the queries.

Every page is for staff only: an anonymous visitor is sent to the login page, a signed-in user
without one of the page's roles (an applicant, a catalogue administrator on a case page …) gets
the Chinese 403 page. The check itself is the project's one permission check
(:func:`banshi.people.permissions.role_required`); this module only names the role groups and turns
a refusal — of the page, or of an action by the case engine — into the workbench's 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from banshi.people.permissions import Role, role_required

# Staff who work on applications and cases (the system administrator is kept out of case work:
# 三员分立; catalogue administrators, hotline agents and auditors have their own pages).
CASE_ROLES = (
    Role.WINDOW_CLERK,
    Role.REVIEWER,
    Role.DEPARTMENT_HEAD,
    Role.CHIEF_SERVICE_OFFICER,
    Role.SUPERVISOR,
    Role.GOVERNMENT_HEAD,
)
# The comprehensive window's queue (综合窗口受理); supervisors may look at it.
INTAKE_ROLES = (Role.WINDOW_CLERK, Role.SUPERVISOR)
# The board of warnings and overdue cases (督办看板): supervisors across departments, heads for
# their own department (the query narrows what each sees).
SUPERVISION_ROLES = (
    Role.SUPERVISOR,
    Role.GOVERNMENT_HEAD,
    Role.DEPARTMENT_HEAD,
    Role.CHIEF_SERVICE_OFFICER,
)
ANY_STAFF = tuple(Role)


def forbidden(request: HttpRequest, error: Exception | None = None) -> HttpResponse:
    """The Chinese 403 page, with the engine's reason when it gave one."""
    reason = getattr(error, "zh", "") or ""
    english = getattr(error, "en", "") or ""
    return render(
        request,
        "workbench/forbidden.html",
        {"reason": reason, "reason_en": english},
        status=403,
    )


def staff_page(*roles: str) -> Callable:
    """View decorator: login first, then one of ``roles``; any PermissionDenied → the 403 page."""

    def decorator(view: Callable) -> Callable:
        guarded = role_required(*roles)(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                return guarded(request, *args, **kwargs)
            except PermissionDenied as error:
                return forbidden(request, error)

        return wrapped

    return decorator
