"""Who may do what to applications and cases, as the case engine asks it.

The answers come from the project's one permission check (:mod:`banshi.people.permissions`: roles,
department scope, the person behind an account) and from :mod:`banshi.people.services` (agent
authorisations); this module only phrases them in the engine's terms, so nothing else in the case
engine reads ``StaffProfile`` or ``Authorisation`` itself.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q

from banshi.cases.transitions import Role
from banshi.people import permissions as people_permissions
from banshi.people import services as people_services
from banshi.people.models import Authorisation, Enterprise, Person

if TYPE_CHECKING:
    from collections.abc import Container

    from banshi.cases.models import Application


def staff_roles(user) -> frozenset[str]:
    """The staff roles a user holds (a superuser holds ``system_admin``; applicants none)."""
    return people_permissions.roles_of(user)


def department_codes(user) -> Container[str]:
    """The departments whose cases the user may see and, for department-bound roles, act on:
    their own, those granted on their profile, or every department (``ALL_DEPARTMENTS``)."""
    return people_permissions.department_codes_for(user)


def sees_every_department(user) -> bool:
    """Supervisors, system administrators, government heads and all-department profiles."""
    return people_permissions.department_codes_for(user) is people_permissions.ALL_DEPARTMENTS


def department_filter(user, field: str) -> Q:
    """A query filter on the department code at ``field`` for what the user may see as staff."""
    return people_permissions.department_q(user, field=field)


def person_of(user) -> Person | None:
    """The Person record behind an applicant's account, if any."""
    return people_permissions.person_for(user)


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


def may_represent(person: Person, enterprise: Enterprise, *, code: str, day: dt.date) -> bool:
    """Whether ``person`` may apply for ``enterprise`` (法定代表人, 经办人, or authorised)."""
    return people_services.may_act_for(person, enterprise, scope=code, on=day)


def find_authorisation(
    agent: Person,
    *,
    person: Person | None,
    enterprise: Enterprise | None,
    code: str,
    day: dt.date,
) -> Authorisation | None:
    """A valid 代办授权 to ``agent`` covering ``code`` on ``day``: from the enterprise when there
    is one, else from the person."""
    principal = enterprise if enterprise is not None else person
    if principal is None:
        return None
    return people_services.find_authorisation(agent, principal, scope=code, on=day)
