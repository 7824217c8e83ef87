"""Credit endpoints: departments push credit records and list memberships (the same validation as
the file import: :mod:`banshi.credit.imports`), and staff read a subject's credit level."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema

from banshi.api.auth import AUTH
from banshi.api.errors import ApiError, not_found
from banshi.api.schemas import ErrorOut
from banshi.audit.services import record_profile_read
from banshi.catalog.models import Department
from banshi.core import clock
from banshi.credit import conf, imports, selectors, services
from banshi.people import identifiers
from banshi.people import permissions as people_permissions
from banshi.people.models import Enterprise, Person

router = Router(tags=["credit 信用"], auth=AUTH)

ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 422)}


class CreditRowIn(Schema):
    identifier: str
    name: str = ""
    kind: str = ""
    severity: str = ""
    facts: str = ""
    occurred_on: str = ""
    valid_until: str = ""
    external_id: str = ""
    basis: str = ""
    list: str = ""


class CreditPushIn(Schema):
    department: str
    records: list[CreditRowIn]


class RejectedRow(Schema):
    row: int
    column: str
    zh: str
    en: str


class CreditPushOut(Schema):
    batch: int
    accepted: int
    duplicates: int
    rejected: list[RejectedRow]


class StandingOut(Schema):
    name: str
    level: str
    label: str
    gated: bool
    instant_approval: bool
    counting_records: int
    lists: list[str]


def _staff_of(request, code: str) -> Department:
    user = request.auth
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise not_found(f"部门 {code}", f"department {code}")
    if not people_permissions.is_staff_member(user) or not people_permissions.may_see_department(
        user, code
    ):
        raise ApiError(
            403,
            "other_department",
            f"只能推送本部门({code})的信用记录",
            f"you may push credit records only for your own department ({code})",
        )
    return department


@router.post(
    "/credit/records",
    response={200: CreditPushOut, **ERRORS},
    summary="推送信用记录 / push credit records",
)
def push_records(request, body: CreditPushIn):
    """A department pushes records (or list memberships: ``list`` = abnormal / serious). Bad rows
    are returned in ``rejected`` with the reason in both languages; the good ones are stored; a
    repeated ``external_id`` counts as a duplicate."""
    department = _staff_of(request, body.department)
    if len(body.records) > conf.import_max_rows():
        raise ApiError(
            422,
            "too_many_rows",
            f"一次最多推送 {conf.import_max_rows()} 条",
            f"at most {conf.import_max_rows()} rows per request",
        )
    rows: list[tuple[int, dict[str, Any]]] = [
        (number, row.dict()) for number, row in enumerate(body.records, start=1)
    ]
    checked = imports.check_rows(rows, clock.today())
    outcome = services.import_rows(
        department, checked.rows, checked.rejected(), source="api", user=request.auth
    )
    batch = outcome.batch
    return {
        "batch": batch.pk,
        "accepted": batch.accepted,
        "duplicates": batch.duplicates,
        "rejected": batch.rejected,
    }


@router.get(
    "/credit/subjects/{identifier}",
    response={200: StandingOut, **ERRORS},
    summary="主体信用等级 / a subject's credit level",
)
def subject_standing(request, identifier: str, on: dt.date | None = None):
    """The level (A 良好 / B 一般 / C 较差 / D 失信) of the person or enterprise with this
    identifier, and whether 告知承诺 / 容缺 are closed to it (staff only)."""
    if not people_permissions.is_staff_member(request.auth):
        raise ApiError(403, "staff_only", "只有工作人员可以查询", "staff only")
    value = identifiers.normalise(identifier)
    subject: Person | Enterprise | None = (
        Enterprise.objects.filter(uscc=value).first()
        or Person.objects.filter(id_number=value).first()
    )
    if subject is None:
        raise not_found("该主体", "subject")
    found = selectors.standing(subject, on)
    record_profile_read(request, subject, purpose="信用查询")  # 审计: staff saw who it is
    return {
        "name": subject.name,
        "level": found.level,
        "label": found.label,
        "gated": found.gated,
        "instant_approval": found.good,
        "counting_records": len(found.counting_records),
        "lists": [entry.list_kind for entry in found.current_lists],
    }
