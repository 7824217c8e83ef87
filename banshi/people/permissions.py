"""The one permission check of the project: who a user is, and what they may see (DESIGN §8).

Every front door (portal, workbench, API) and every domain app asks here; none reads
``StaffProfile.roles`` or ``is_superuser`` itself.

Rules
-----
* A **staff member** is an active user with a :class:`StaffProfile` that lists at least one role,
  or a superuser (who holds the ``system_admin`` role implicitly, and no other: 三员分立 keeps the
  system administrator out of case work and audit unless their profile says otherwise).
* A staff member **sees only their department's cases unless granted more**: the profile's
  ``extra_departments``, or ``all_departments`` (e.g. the comprehensive window, 综合窗口). The
  roles in :data:`ALL_DEPARTMENT_ROLES` (supervisor, system admin, government head) see every
  department.
* An **applicant sees only their own**: the person linked to the account, the enterprises that
  person stands for (法定代表人 / 经办人), and what they filed as an agent.

How the case engine uses it (queries filter in the database, indexed on ``department``)::

    from banshi.people.permissions import department_q, applicant_q, has_role, Role

    # workbench list: cases of the user's departments
    Case.objects.filter(department_q(request.user, field="department__code"))
    # portal list: the applicant's own applications
    Application.objects.filter(
        applicant_q(request.user, person="applicant", enterprise="enterprise", agent="agent")
    )
    # one object, any front door: staff scope OR applicant scope
    Case.objects.filter(visibility_q(request.user, department="department__code",
                        person="application__applicant", enterprise="application__enterprise",
                        agent="application__agent"), pk=pk)
    # who may act
    if not has_role(request.user, Role.REVIEWER, Role.DEPARTMENT_HEAD): raise PermissionDenied
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q

from banshi.people.models import Enterprise, Person, Role, StaffProfile

__all__ = [
    "ALL_DEPARTMENTS",
    "ALL_DEPARTMENT_ROLES",
    "Role",
    "applicant_q",
    "applicant_subjects",
    "department_codes_for",
    "department_q",
    "has_role",
    "is_applicant",
    "is_staff_member",
    "may_see_department",
    "person_for",
    "role_required",
    "roles_of",
    "sees_all_departments",
    "staff_department",
    "staff_profile",
    "visibility_q",
]

# Roles that stand above departments: they see every department's cases.
ALL_DEPARTMENT_ROLES = frozenset({Role.SUPERVISOR, Role.SYSTEM_ADMIN, Role.GOVERNMENT_HEAD})


class _AllDepartments:
    """``department_codes_for`` answer for "every department": contains every code.

    Compare with ``is ALL_DEPARTMENTS``; do not pass it to ``__in`` (use :func:`department_q`).
    """

    _instance: _AllDepartments | None = None

    def __new__(cls) -> _AllDepartments:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __contains__(self, code: object) -> bool:
        return True

    def __bool__(self) -> bool:
        return True

    def __iter__(self):
        raise TypeError("ALL_DEPARTMENTS is not a list of codes: use department_q()")

    def __repr__(self) -> str:
        return "ALL_DEPARTMENTS"


ALL_DEPARTMENTS = _AllDepartments()
_NOTHING = Q(pk__in=[])


def _active(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
    )


def staff_profile(user: Any) -> StaffProfile | None:
    """The user's :class:`StaffProfile`, or ``None`` (anonymous, inactive, or no profile)."""
    if not _active(user):
        return None
    try:
        return user.staff_profile
    except ObjectDoesNotExist:
        return None


def roles_of(user: Any) -> frozenset[str]:
    """Every role the user holds (a superuser holds ``system_admin`` too)."""
    if not _active(user):
        return frozenset()
    profile = staff_profile(user)
    roles = set(profile.roles) if profile else set()
    if user.is_superuser:
        roles.add(Role.SYSTEM_ADMIN.value)
    return frozenset(roles)


def has_role(user: Any, *roles: str) -> bool:
    """Does the user hold at least one of ``roles`` (``Role`` members or their values)?"""
    held = roles_of(user)
    return any(str(getattr(role, "value", role)) in held for role in roles)


def is_staff_member(user: Any) -> bool:
    """An active staff account: a profile with at least one role, or a superuser."""
    return bool(roles_of(user))


def staff_department(user: Any):
    """The staff member's own department (``catalog.Department``), or ``None``."""
    profile = staff_profile(user)
    return profile.department if profile else None


def department_codes_for(user: Any) -> frozenset[str] | _AllDepartments:
    """The department codes whose cases the user may see as staff.

    :data:`ALL_DEPARTMENTS` for supervisors, system admins, government heads and profiles granted
    ``all_departments``; otherwise the own department plus ``extra_departments``; an empty set for
    everyone else (applicants, anonymous users).
    """
    roles = roles_of(user)
    if not roles:
        return frozenset()
    if ALL_DEPARTMENT_ROLES.intersection(roles):
        return ALL_DEPARTMENTS
    profile = staff_profile(user)
    if profile is None:
        return frozenset()
    if profile.all_departments:
        return ALL_DEPARTMENTS
    codes = {profile.department.code} if profile.department_id else set()
    codes.update(profile.extra_departments.values_list("code", flat=True))
    return frozenset(codes)


def may_see_department(user: Any, code: str) -> bool:
    return code in department_codes_for(user)


def sees_all_departments(user: Any) -> bool:
    return department_codes_for(user) is ALL_DEPARTMENTS


def department_q(user: Any, field: str = "department__code") -> Q:
    """A filter for rows whose department (``field``: a path to the department code) the user may
    see as staff: ``Q()`` for every department, an always-false ``Q`` for non-staff."""
    codes = department_codes_for(user)
    if codes is ALL_DEPARTMENTS:
        return Q()
    if not codes:
        return _NOTHING
    return Q(**{f"{field}__in": sorted(codes)})


def person_for(user: Any) -> Person | None:
    """The natural person (一人一档) linked to the login account, if any."""
    if not _active(user):
        return None
    try:
        return user.person
    except ObjectDoesNotExist:
        return None


def is_applicant(user: Any) -> bool:
    return person_for(user) is not None


def applicant_subjects(user: Any) -> tuple[Person | None, list[Enterprise]]:
    """``(person, enterprises)``: whom the user may apply as, without an authorisation — the linked
    person and the enterprises that person stands for (法定代表人 / 经办人). Acting for others goes
    through :func:`banshi.people.services.may_act_for`."""
    person = person_for(user)
    if person is None:
        return None, []
    enterprises = list(
        Enterprise.objects.filter(person_roles__person=person).distinct().order_by("name", "pk")
    )
    return person, enterprises


def applicant_q(
    user: Any,
    *,
    person: str = "applicant",
    enterprise: str | None = "enterprise",
    agent: str | None = "agent",
) -> Q:
    """A filter for rows that belong to the user as an applicant: filed by or for their person,
    for an enterprise they stand for, or by them as an agent. Field names are paths on the
    filtered model (``None`` skips that part)."""
    own, enterprises = applicant_subjects(user)
    if own is None:
        return _NOTHING
    condition = Q(**{person: own})
    if enterprise and enterprises:
        condition |= Q(**{f"{enterprise}__in": enterprises})
    if agent:
        condition |= Q(**{agent: own})
    return condition


def visibility_q(
    user: Any,
    *,
    department: str = "department__code",
    person: str = "applicant",
    enterprise: str | None = "enterprise",
    agent: str | None = "agent",
) -> Q:
    """Staff scope OR applicant scope, for "may this user see this row at all"."""
    staff = department_q(user, department) if is_staff_member(user) else _NOTHING
    if staff == Q():
        return staff
    return staff | applicant_q(user, person=person, enterprise=enterprise, agent=agent)


def role_required(*roles: str) -> Callable:
    """View decorator: 403 unless the user holds one of ``roles`` (login first when anonymous)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
