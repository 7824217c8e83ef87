"""Catalogue endpoints: bundles, items and the compiled plan for given answers (public, read-only).

Thin: parse the query, call the catalogue selectors and the pure compiler, shape the answer.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404
from ninja import Router, Schema
from ninja.errors import HttpError

from banshi.catalog.compiler import UnknownCodeError, compile_plan
from banshi.catalog.report import entry_from_plan
from banshi.catalog.selectors import catalogue_snapshot
from banshi.expr import ExprError

router = Router(tags=["catalogue 事项目录"])


class BundleSummary(Schema):
    code: str
    name: str
    department: str
    audience: str | None
    life_event: str | None
    batch: str | None
    items: list[str]


class ItemSummary(Schema):
    code: str
    name: str
    kind: str
    department: str
    legal_days: int | None
    promised_days: int | None
    visits: int


class PlanItem(Schema):
    code: str
    name: str
    department: str
    promised_days: int | None
    depends_on: list[str]
    earliest_start: int
    earliest_finish: int
    level: int
    on_critical_path: bool


class PlanField(Schema):
    code: str
    label: str
    type: str
    prefill: str | None
    items: list[str]


class PlanMaterial(Schema):
    code: str
    name: str
    route: str
    items: list[str]
    deficiency_allowed: bool
    commitment_allowed: bool


class PlanOut(Schema):
    code: str
    name: str
    items: list[PlanItem]
    edges: list[list[str]]
    levels: list[list[str]]
    critical_path: list[str]
    fields: list[PlanField]
    materials: list[PlanMaterial]
    expected_days: int
    steps: list[str]
    visits: int
    reduction: dict[str, Any]


@router.get("/bundles", response=list[BundleSummary], summary="一件事列表 / list bundles")
def list_bundles(request):
    catalogue = catalogue_snapshot()
    return [
        BundleSummary(
            code=b.code,
            name=b.name,
            department=b.department,
            audience=b.audience,
            life_event=b.life_event,
            batch=b.batch,
            items=[entry.item for entry in b.items],
        )
        for b in catalogue.bundles.values()
    ]


@router.get("/items", response=list[ItemSummary], summary="事项列表 / list service items")
def list_items(request):
    catalogue = catalogue_snapshot()
    return [
        ItemSummary(
            code=i.code,
            name=i.name,
            kind=i.kind,
            department=i.department,
            legal_days=i.legal_days,
            promised_days=i.promised_days,
            visits=i.visits,
        )
        for i in catalogue.items.values()
    ]


@router.get(
    "/bundles/{code}/plan",
    response=PlanOut,
    summary="按情形生成办理方案 / compile the plan for situation answers",
)
def bundle_plan(request, code: str, answers: str | None = None):
    """``answers`` is a JSON object of question code → answer; without it every condition holds."""
    parsed = _answers(answers)
    catalogue = catalogue_snapshot()
    if code not in catalogue.bundles:
        raise Http404("未找到该一件事 / no such bundle")
    try:
        plan = compile_plan(catalogue, code, parsed, assume_all=parsed is None)
    except (UnknownCodeError, ExprError) as error:
        raise HttpError(422, str(error)) from error
    return PlanOut(
        code=plan.code,
        name=plan.name,
        items=[
            PlanItem(
                code=i.code,
                name=i.name,
                department=i.department,
                promised_days=i.promised_days,
                depends_on=list(i.depends_on),
                earliest_start=i.earliest_start,
                earliest_finish=i.earliest_finish,
                level=i.level,
                on_critical_path=i.on_critical_path,
            )
            for i in plan.items
        ],
        edges=[list(edge) for edge in plan.edges],
        levels=[list(level) for level in plan.levels],
        critical_path=list(plan.critical_path),
        fields=[
            PlanField(
                code=f.code, label=f.label, type=f.type, prefill=f.prefill, items=list(f.items)
            )
            for f in plan.form.fields
        ],
        materials=[
            PlanMaterial(
                code=m.code,
                name=m.name,
                route=m.route,
                items=list(m.items),
                deficiency_allowed=m.deficiency_allowed,
                commitment_allowed=m.commitment_allowed,
            )
            for m in plan.materials
        ],
        expected_days=plan.expected_days,
        steps=list(plan.steps),
        visits=plan.visits,
        reduction=entry_from_plan(plan),
    )


def _answers(raw: str | None) -> dict | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise HttpError(
            400, f"answers 不是合法的 JSON / answers is not valid JSON: {error}"
        ) from error
    if not isinstance(value, dict):
        raise HttpError(400, "answers 必须是 JSON 对象 / answers must be a JSON object")
    return value
