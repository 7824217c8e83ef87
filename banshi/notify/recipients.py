"""Who a message is for: resolvers named by a topic's ``audience``.

``applicant``: the application's applicant and agent (payload ``application``); for messages about
a person or an enterprise rather than an application (licence expiry, credit), the person with the
ID number in ``person``/``holder``/``id_number``, or the legal representative and handlers of the
enterprise in ``enterprise``/``uscc``. ``department_staff``: the active staff users of the case's
department (payload ``case``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth import get_user_model

from banshi.cases.models import Application, Case
from banshi.notify import topics
from banshi.people.models import Enterprise, Person

Resolved = tuple[list[Any], dict[str, Any]]  # (persons or users, extra context)


def applicant(payload: Mapping[str, Any]) -> Resolved:
    number = payload.get("application")
    if number:
        application = (
            Application.objects.select_related("applicant", "agent").filter(number=number).first()
        )
        if application is None:
            return [], {}
        people = [application.applicant]
        if application.agent_id and application.agent_id != application.applicant_id:
            people.append(application.agent)
        return people, {"title": application.title}
    for key in ("person", "holder", "id_number", "holder_id_number"):
        if payload.get(key):
            return list(Person.objects.filter(id_number=str(payload[key]).upper())), {}
    for key in ("enterprise", "uscc", "holder_uscc"):
        if payload.get(key):
            enterprise = Enterprise.objects.filter(uscc=str(payload[key]).upper()).first()
            if enterprise is None:
                return [], {}
            people = Person.objects.filter(enterprise_roles__enterprise=enterprise).distinct()
            return list(people.order_by("id")), {"enterprise_name": enterprise.name}
    return [], {}


def department_staff(payload: Mapping[str, Any]) -> Resolved:
    number = payload.get("case")
    case = (
        Case.objects.select_related("application").filter(number=number).first() if number else None
    )
    if case is None:
        return [], {}
    users = get_user_model().objects.filter(
        is_active=True, staff_profile__department_id=case.department_id
    )
    return list(users.order_by("id")), {"title": case.application.title}


RESOLVERS: dict[str, Callable[[Mapping[str, Any]], Resolved]] = {
    topics.APPLICANT: applicant,
    topics.DEPARTMENT_STAFF: department_staff,
}


def resolve(audience: str, payload: Mapping[str, Any]) -> Resolved:
    resolver = RESOLVERS.get(audience)
    return resolver(payload) if resolver else ([], {})
