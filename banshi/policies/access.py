"""Who may do what with policies — every answer comes from :mod:`banshi.people.permissions`.

* Writing policies (起草、修订、发布、废止): catalogue administrators (事项管理员) for the
  departments they may see as staff (``department_codes_for``), and system administrators.
* Delivering a policy (确认免申即享名单、推送即申即享、办理申请): reviewers and department heads of
  the issuing department (or staff granted that department).
* Importing a department's data into the portrait: reviewers, department heads and catalogue
  administrators, for their own department.
* Starting a full matching run: catalogue administrators and system administrators.
* The enterprise page: the person the account belongs to, for the enterprises they stand for
  (``applicant_subjects``); the person page and person policies' applications: that person only.
"""

from __future__ import annotations

from typing import Any

from banshi.people.permissions import (
    Role,
    applicant_subjects,
    has_role,
    is_staff_member,
    may_see_department,
    staff_department,
)

WRITER_ROLES = (Role.CATALOGUE_ADMIN, Role.SYSTEM_ADMIN)
DELIVERY_ROLES = (Role.REVIEWER, Role.DEPARTMENT_HEAD)
IMPORT_ROLES = (Role.REVIEWER, Role.DEPARTMENT_HEAD, Role.CATALOGUE_ADMIN)


def may_write(user: Any, department_code: str | None = None) -> bool:
    """May draft, publish, change or repeal policies (of ``department_code`` when given)."""
    if not has_role(user, *WRITER_ROLES):
        return False
    if has_role(user, Role.SYSTEM_ADMIN) or department_code is None:
        return True
    return may_see_department(user, department_code)


def may_deliver(user: Any, department_code: str) -> bool:
    """May confirm lists, push offers and decide applications for the issuing department."""
    return has_role(user, *DELIVERY_ROLES) and may_see_department(user, department_code)


def may_import(user: Any) -> bool:
    return has_role(user, *IMPORT_ROLES) and staff_department(user) is not None


def may_run(user: Any) -> bool:
    return has_role(user, *WRITER_ROLES)


def is_policy_staff(user: Any) -> bool:
    """Sees the staff pages at all."""
    return is_staff_member(user) and (
        has_role(user, *WRITER_ROLES) or has_role(user, *DELIVERY_ROLES)
    )


def is_person(user: Any, person_id: int) -> bool:
    """The account belongs to this person (个人政策: only the person applies for it)."""
    person, _ = applicant_subjects(user)
    return person is not None and person.pk == person_id


def person_of(user: Any):
    """The person the account belongs to (their own policy page), or None."""
    person, _ = applicant_subjects(user)
    return person


def enterprises_of(user: Any) -> list:
    """The enterprises whose policy page the user may see (法定代表人 / 经办人)."""
    _, enterprises = applicant_subjects(user)
    return enterprises
