"""Small display helpers for the workbench templates."""

from __future__ import annotations

from typing import Any

from django import template

from banshi.cases.transitions import STATE_LABELS, State
from banshi.people.permissions import has_role, staff_department
from banshi.workbench.access import CASE_ROLES, INTAKE_ROLES, SUPERVISION_ROLES
from banshi.workbench.selectors import applicant_label

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    try:
        return STATE_LABELS[State(value)]
    except ValueError:
        return value


@register.filter
def field(form: Any, name: str) -> Any:
    """``form|field:"name"``: a bound field by a computed name."""
    return form[name]


@register.filter
def shown(value: Any) -> str:
    """A form value as text: booleans in Chinese, empty as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(str(item) for item in value) or "—"
    return str(value)


@register.inclusion_tag("workbench/_nav.html", takes_context=True)
def workbench_nav(context: template.Context, current: str = "") -> dict[str, Any]:
    """The staff navigation: only the pages the user's roles open."""
    request = context["request"]
    user = request.user
    department = staff_department(user)
    return {
        "request": request,
        "current": current,
        "intake": has_role(user, *INTAKE_ROLES),
        "cases": has_role(user, *CASE_ROLES),
        "supervision": has_role(user, *SUPERVISION_ROLES),
        "name": user.first_name or user.get_username(),
        "department": department.name if department else "",
    }


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    return mapping.get(key, "")


@register.filter
def applicant(application: Any) -> str:
    """The applicant as lists show them (enterprise by name, person masked)."""
    return applicant_label(application)
