"""惠企政策 endpoints: published policies (public), a condition check with its match count (policy
writers), and a department's system pushing enterprise portrait values (部门接口导入).

Thin: who may do what comes from :mod:`banshi.policies.access`; checking, counting and importing
from :mod:`banshi.policies.conditions`, :mod:`banshi.policies.engine` and
:mod:`banshi.policies.services` (the same calls the staff pages make).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status

from banshi.api.auth import AUTH
from banshi.api.errors import ApiError
from banshi.api.schemas import ErrorOut
from banshi.core import clock
from banshi.people.permissions import staff_department
from banshi.policies import access, conditions, engine, selectors, services
from banshi.policies.attributes import REGISTRIES

router = Router(tags=["policies 惠企政策"])

ERRORS = {code: ErrorOut for code in (400, 401, 403, 422)}


class ConditionOut(Schema):
    name: str
    source: str


class PolicyOut(Schema):
    code: str
    title: str
    department: str
    mode: str
    subject_kind: str
    version: int
    valid_from: dt.date | None
    valid_until: dt.date | None
    legal_url: str
    conditions: list[ConditionOut]


class ConditionIn(Schema):
    name: str = ""
    source: str


class CheckIn(Schema):
    conditions: list[ConditionIn]
    subject_kind: str = "enterprise"  # or "person"


class ProblemOut(Schema):
    index: int | None
    message_zh: str
    message_en: str
    detail: str


class CheckOut(Schema):
    ok: bool
    problems: list[ProblemOut]
    subjects: int | None = None
    matched: int | None = None
    near_misses: int | None = None
    per_condition: list[int] | None = None


class ImportIn(Schema):
    records: list[dict[str, Any]]
    subject_kind: str = "enterprise"  # or "person": records keyed by 公民身份号码 / id_number
    as_of: dt.date | None = None
    reference: str = ""
    register_missing: bool = True


class RowErrorOut(Schema):
    row: int
    column: str
    zh: str
    en: str


class ImportOut(Schema):
    id: int
    rows_total: int
    rows_imported: int
    rows_rejected: int
    enterprises_created: (
        int  # subjects registered (enterprises, or persons for subject_kind=person)
    )
    subject_kind: str
    columns: list[str]
    errors: list[RowErrorOut]


@router.get("/policies", response=list[PolicyOut], summary="已发布的惠企政策 / published policies")
def list_policies(request, mode: str | None = None):
    versions = selectors.public_versions(clock.today(), mode=mode or "")
    return [
        {
            "code": version.policy.code,
            "title": version.title,
            "department": version.policy.department.code,
            "mode": version.mode,
            "subject_kind": version.policy.subject_kind,
            "version": version.number,
            "valid_from": version.valid_from,
            "valid_until": version.valid_until,
            "legal_url": version.legal_url,
            "conditions": [{"name": c["name"], "source": c["source"]} for c in version.conditions],
        }
        for version in versions
    ]


@router.post(
    "/policies/check",
    auth=AUTH,
    response={200: CheckOut, **ERRORS},
    summary="检查享受条件并统计符合的企业 / check conditions and count the matching enterprises",
)
def check_conditions(request, payload: CheckIn):
    if not access.may_write(request.auth):
        raise ApiError(
            403,
            "forbidden",
            "只有事项管理员可以编写政策条件",
            "only catalogue admins write policies",
        )
    if payload.subject_kind not in REGISTRIES:
        raise ApiError(
            422,
            "subject_kind",
            f"未知的政策对象 {payload.subject_kind}（enterprise 或 person）",
            f"unknown subject kind {payload.subject_kind} (enterprise or person)",
        )
    result = conditions.check(
        [(c.name, c.source) for c in payload.conditions], payload.subject_kind
    )
    problems = [
        {
            "index": problem.index,
            "message_zh": problem.zh,
            "message_en": problem.en,
            "detail": problem.message,
        }
        for problem in result.problems
    ]
    if not result.ok:
        return {"ok": False, "problems": problems}
    counts = engine.count(result.conditions, subject=engine.subjects_for(payload.subject_kind))
    return {
        "ok": True,
        "problems": [],
        "subjects": counts.subjects,
        "matched": counts.matched,
        "near_misses": counts.near_misses,
        "per_condition": list(counts.per_condition),
    }


@router.post(
    "/policies/portrait-imports",
    auth=AUTH,
    response={201: ImportOut, **ERRORS},
    summary="部门接口导入企业画像数据 / a department pushes portrait values",
)
def import_records(request, payload: ImportIn):
    user = request.auth
    if not access.may_import(user):
        raise ApiError(
            403,
            "forbidden",
            "只有部门审批人员、负责人或事项管理员可以导入本部门数据",
            "only a department's reviewers, heads or catalogue admins import its data",
        )
    try:
        record = services.import_portrait_records(
            payload.records,
            department=staff_department(user),
            user=user,
            reference=payload.reference,
            as_of=payload.as_of,
            register_missing=payload.register_missing,
            subject_kind=payload.subject_kind,
        )
    except services.PolicyError as error:
        raise ApiError(422, error.code, error.zh, error.en) from None
    return Status(
        201,
        {
            "id": record.pk,
            "rows_total": record.rows_total,
            "rows_imported": record.rows_imported,
            "rows_rejected": record.rows_rejected,
            "enterprises_created": record.enterprises_created,
            "subject_kind": record.subject_kind,
            "columns": record.columns,
            "errors": record.errors,
        },
    )
