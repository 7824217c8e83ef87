"""Who may do what to applications and cases: the one place that reads staff roles and departments.

Staff: a user's roles and department come from ``people.StaffProfile`` (DESIGN §8: department ×
role). Applicant side: the applicant's own account, or the account of the agent named on the
application. When ``banshi.people.permissions`` offers the same answers, this module is the single
switch-over point; nothing else in the case engine reads StaffProfile.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q

from banshi.cases.transitions import Role
from banshi.people.models import Authorisation, Enterprise, EnterpriseRole, Person

if TYPE_CHECKING:
    from banshi.cases.models import Application

# Roles that see every department's cases (DESIGN §8: "unless granted more").
SEE_ALL_ROLES = frozenset({"supervisor", "system_admin"})


def _profile(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff_profile
    except ObjectDoesNotExist:
        return None


def staff_roles(user) -> frozenset[str]:
    """The staff roles a user holds (empty for applicants and anonymous users)."""
    profile = _profile(user)
    return frozenset(profile.roles or ()) if profile is not None else frozenset()


def department_codes(user) -> frozenset[str]:
    """Codes of the departments a staff member works for (one today; a set keeps callers ready)."""
    profile = _profile(user)
    if profile is None or profile.department_id is None:
        return frozenset()
    return frozenset({profile.department.code})


def sees_every_department(user) -> bool:
    """Supervisors and system administrators see every department's cases."""
    if user is not None and getattr(user, "is_superuser", False):
        return True
    return bool(staff_roles(user) & SEE_ALL_ROLES)


def person_of(user) -> Person | None:
    """The Person record behind an applicant's account, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except ObjectDoesNotExist:
        return None


def is_applicant_side(user, application: Application) -> bool:
    """Whether ``user`` is the applicant or the agent named on the application."""
    person = person_of(user)
    if person is None:
        return False
    return person.pk in {application.applicant_id, application.agent_id}


def roles_for(user, application: Application) -> frozenset[str]:
    """Every role ``user`` holds towards ``application``: staff roles plus ``applicant``."""
    roles = set(staff_roles(user))
    if is_applicant_side(user, application):
        roles.add(Role.APPLICANT.value)
    return frozenset(roles)


def may_represent(person: Person, enterprise: Enterprise) -> bool:
    """Whether ``person`` may apply for ``enterprise`` in their own name (法定代表人 or 经办人)."""
    return EnterpriseRole.objects.filter(person=person, enterprise=enterprise).exists()


def find_authorisation(
    agent: Person,
    *,
    person: Person | None,
    enterprise: Enterprise | None,
    code: str,
    day: dt.date,
) -> Authorisation | None:
    """A valid 代办授权 from the principal to ``agent`` covering ``code`` on ``day``, if any.

    The principal is the enterprise when there is one, else the person. Scope empty means every
    item; otherwise it must name the bundle or item code applied for.
    """
    principal = (
        Q(principal_enterprise=enterprise) if enterprise is not None else Q(principal_person=person)
    )
    return (
        Authorisation.objects.filter(
            principal,
            agent=agent,
            valid_from__lte=day,
            valid_to__gte=day,
            revoked_at__isnull=True,
        )
        .filter(Q(scope="") | Q(scope=code))
        .order_by("-valid_to", "-id")
        .first()
    )
