"""What the public pages show, read from the catalogue (办事指南, 一件事 guides and plans).

Views stay thin: each page asks one function here for a ready-to-render shape. Everything a guide
says about materials, routes, days and reductions comes from the pure compiler
(:func:`~banshi.catalog.compiler.compile_item_plan` / :func:`~banshi.catalog.compiler.compile_plan`)
and the reduction report, so a guide, a plan and the minister's report can never disagree (M-A3:
线上线下信息一致). Nothing here decides a rule; it only arranges what the compiler decided.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from banshi.catalog import models, schema
from banshi.catalog.compiler import (
    ROUTE_DATA_SHARE,
    ROUTE_LICENCE,
    ROUTE_UPLOAD,
    Plan,
    PlannedMaterial,
    compile_item_plan,
    compile_plan,
)
from banshi.catalog.report import TARGETS, entry_from_plan, meets_targets
from banshi.catalog.selectors import (
    catalogue_snapshot,
    current_bundle_version,
    current_item_version,
)
from banshi.expr import ExprError, names, parse
from banshi.portal import flowchart
from banshi.portal.answers import ParsedAnswers, as_query, parse_answers

AUDIENCE_ORDER = ("个人", "法人")
# Life-cycle stages in the order a life or a business goes through them (国办 一件事 lists).
LIFE_EVENT_ORDER = (
    "出生",
    "教育",
    "就业",
    "婚育",
    "居住",
    "生活",
    "出行",
    "医疗",
    "社保",
    "救助",
    "养老",
    "身后",
    "准入准营",
    "开办",
    "招聘用工",
    "工程建设",
    "投资建设",
    "经营发展",
    "生产经营",
    "变更",
    "融资",
    "涉外",
    "注销退出",
    "注销",
)
LOCAL_BATCH = "local"


# ---------------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleCard:
    """A bundle in a list: enough to choose it."""

    code: str
    name: str
    department: str
    department_name: str
    item_count: int
    audience: str
    life_event: str
    batch: str


@dataclass(frozen=True)
class ItemCard:
    """An item in a list."""

    code: str
    name: str
    kind: str
    department: str
    department_name: str
    promised_days: int | None


@dataclass
class Group:
    """A titled list of cards (life-cycle stage, batch, department)."""

    key: str
    title: str
    cards: list[Any] = field(default_factory=list)


@dataclass
class AudienceGroup:
    key: str
    title: str
    stages: list[Group]
    count: int


@dataclass(frozen=True)
class DepartmentCard:
    code: str
    name: str
    item_count: int
    bundle_count: int


@dataclass
class HomePage:
    item_count: int
    bundle_count: int
    department_count: int
    audiences: list[AudienceGroup]
    national_batches: list[Group]
    local_bundles: list[BundleCard]
    departments: list[DepartmentCard]


@dataclass(frozen=True)
class MaterialLine:
    """One material of a guide or plan, with its route and why it may not be asked."""

    code: str
    name: str
    route: str  # compiler ROUTE_*
    route_label: str
    route_note: str  # e.g. 从电子证照库调取「营业执照」, 无需提交
    deficiency_allowed: bool  # 容缺
    commitment_allowed: bool  # 告知承诺
    condition: str  # the `when` text of a conditional material ("" when always needed)
    copies: str
    note: str
    description: str
    item_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class MaterialGroup:
    route: str
    title: str
    lines: tuple[MaterialLine, ...]


@dataclass(frozen=True)
class FieldLine:
    """One field of a (merged) form and where its value comes from."""

    code: str
    label: str
    type: str
    source: str  # how it is filled: prefill source, answer, or typed
    prefilled: bool
    answered: bool
    value: str
    item_count: int


@dataclass(frozen=True)
class VersionInfo:
    number: int
    valid_from: Any  # date | None


@dataclass
class ItemGuide:
    item: schema.ServiceItem
    department_name: str
    days_label: str
    legal_days_label: str
    fee_label: str
    produces_name: str
    materials: list[MaterialLine]
    fields: list[FieldLine]
    steps_wide: flowchart.Diagram | None
    steps_narrow: flowchart.Diagram | None
    bundles: list[BundleCard]
    version: VersionInfo | None


@dataclass(frozen=True)
class QuestionField:
    """A situation question as a form widget, with the applicant's raw answer and any error."""

    code: str
    text: str
    type: str
    widget: str  # number | bool | select | date | text
    options: tuple[str, ...]
    help: str
    value: str
    error: str
    index: int

    @property
    def input_id(self) -> str:
        return f"q{self.index}"


@dataclass(frozen=True)
class PlanItemLine:
    code: str
    name: str
    department_name: str
    days_label: str
    depends_on: tuple[str, ...]  # names
    start: int
    finish: int
    window_label: str  # when it runs, in working days from submission
    level: int
    critical: bool


@dataclass(frozen=True)
class SkippedItemLine:
    code: str
    name: str
    department_name: str
    condition: str
    reason: str


@dataclass(frozen=True)
class ReductionLine:
    key: str
    title: str
    before: int
    after: int
    rate: float
    target: float | None
    met: bool | None


@dataclass
class BundlePlan:
    """The plan section of a bundle page (the part htmx swaps)."""

    code: str
    answered: bool
    answer_query: dict[str, str]
    items: list[PlanItemLine]
    skipped: list[SkippedItemLine]
    graph: flowchart.Diagram | None
    levels: list[list[str]]  # names, for the text alternative of the graph
    critical_path: list[str]  # names
    fields: list[FieldLine]
    material_groups: list[MaterialGroup]
    expected_days: int
    days_before: int
    steps_wide: flowchart.Diagram | None
    steps_narrow: flowchart.Diagram | None
    steps: tuple[str, ...]
    visits: int
    visits_before: int
    reductions: list[ReductionLine]
    errors: dict[str, str]
    questions: list[QuestionField]
    problem: str = ""


@dataclass
class BundleGuide:
    bundle: schema.Bundle
    department_name: str
    card: BundleCard
    questions: list[QuestionField]
    plan: BundlePlan
    version: VersionInfo | None
    departments: list[tuple[str, str]]  # (code, name) of every department involved


@dataclass
class DepartmentPage:
    code: str
    name: str
    items: list[ItemCard]
    lead_bundles: list[BundleCard]
    joined_bundles: list[BundleCard]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _department_name(catalogue: schema.Catalogue, code: str) -> str:
    department = catalogue.departments.get(code)
    return department.name if department else code


def bundle_card(catalogue: schema.Catalogue, bundle: schema.Bundle) -> BundleCard:
    return BundleCard(
        code=bundle.code,
        name=bundle.name,
        department=bundle.department,
        department_name=_department_name(catalogue, bundle.department),
        item_count=len(bundle.items),
        audience=bundle.audience or "",
        life_event=bundle.life_event or "",
        batch=bundle.batch or "",
    )


def item_card(catalogue: schema.Catalogue, item: schema.ServiceItem) -> ItemCard:
    return ItemCard(
        code=item.code,
        name=item.name,
        kind=item.kind,
        department=item.department,
        department_name=_department_name(catalogue, item.department),
        promised_days=item.promised_days,
    )


def days_label(days: int | None, *, short: bool = False) -> str:
    """承诺时限 in words: 0 is 即办件 (handled on the spot)."""
    if days is None:
        return _("未公布")
    if days == 0:
        return _("即办件") if short else _("即办件（当场办结）")
    return ngettext("%(days)s 个工作日", "%(days)s 个工作日", days) % {"days": days}


def window_label(start: int, finish: int) -> str:
    """When an item runs in the parallel schedule, in working days counted from submission."""
    if finish == start:
        if start == 0:
            return _("受理当天即办")
        return _("第 %(day)s 个工作日即办") % {"day": start}
    if finish == start + 1:
        return _("第 %(day)s 个工作日") % {"day": finish}
    return _("第 %(start)s–%(finish)s 个工作日") % {"start": start + 1, "finish": finish}


def prefill_source(source: str) -> str:
    """A prefill source in words: 一企一档 / 一人一档 (the profiles of M-D1), else its name."""
    if source.startswith("enterprise"):
        return _("一企一档")
    if source.startswith("person"):
        return _("一人一档")
    return source


def batch_label(batch: str) -> str:
    """``2024-1`` → 2024年第1批 (national batches of 高效办成一件事)."""
    match = re.fullmatch(r"(\d{4})-(\d+)", batch or "")
    if match:
        return _("%(year)s年度第%(number)s批") % {"year": match[1], "number": match[2]}
    if batch == LOCAL_BATCH:
        return _("本地特色")
    return batch or _("其他")


def _ordered(keys: Sequence[str], preferred: Sequence[str]) -> list[str]:
    rank = {key: position for position, key in enumerate(preferred)}
    first_seen = {key: position for position, key in enumerate(dict.fromkeys(keys))}
    return sorted(first_seen, key=lambda key: (rank.get(key, len(rank)), first_seen[key]))


def audience_title(audience: str) -> str:
    return {"个人": _("个人办事"), "法人": _("法人办事")}.get(audience, audience or _("其他"))


# ---------------------------------------------------------------------------------------------
# Home
# ---------------------------------------------------------------------------------------------


def home_page() -> HomePage:
    """The home page: bundles by audience and life-cycle stage, batches, departments, counts."""
    catalogue = catalogue_snapshot()
    cards = [bundle_card(catalogue, bundle) for bundle in catalogue.bundles.values()]
    audiences = []
    for audience in _ordered([card.audience for card in cards], AUDIENCE_ORDER):
        members = [card for card in cards if card.audience == audience]
        stages = [
            Group(
                key=stage,
                title=stage or _("综合"),
                cards=[card for card in members if card.life_event == stage],
            )
            for stage in _ordered([card.life_event for card in members], LIFE_EVENT_ORDER)
        ]
        audiences.append(AudienceGroup(audience, audience_title(audience), stages, len(members)))
    national = [card for card in cards if card.batch and card.batch != LOCAL_BATCH]
    batches = [
        Group(key=batch, title=batch_label(batch), cards=[c for c in national if c.batch == batch])
        for batch in sorted({card.batch for card in national})
    ]
    item_counts: dict[str, int] = {}
    for item in catalogue.items.values():
        item_counts[item.department] = item_counts.get(item.department, 0) + 1
    bundle_counts: dict[str, int] = {}
    for card in cards:
        bundle_counts[card.department] = bundle_counts.get(card.department, 0) + 1
    departments = sorted(
        (
            DepartmentCard(
                code=department.code,
                name=department.name,
                item_count=item_counts.get(department.code, 0),
                bundle_count=bundle_counts.get(department.code, 0),
            )
            for department in catalogue.departments.values()
            if item_counts.get(department.code) or bundle_counts.get(department.code)
        ),
        # Departments that lead bundles first, then the busiest: where people look first.
        key=lambda card: (-card.bundle_count, -card.item_count),
    )
    return HomePage(
        item_count=len(catalogue.items),
        bundle_count=len(catalogue.bundles),
        department_count=len(departments),
        audiences=audiences,
        national_batches=batches,
        local_bundles=[card for card in cards if card.batch == LOCAL_BATCH],
        departments=departments,
    )


# ---------------------------------------------------------------------------------------------
# Department
# ---------------------------------------------------------------------------------------------


def department_page(code: str) -> DepartmentPage | None:
    """A department's items, the bundles it leads and the bundles it takes part in."""
    catalogue = catalogue_snapshot()
    department = catalogue.departments.get(code)
    if department is None:
        return None
    items = [item for item in catalogue.items.values() if item.department == code]
    own = {item.code for item in items}
    lead, joined = [], []
    for bundle in catalogue.bundles.values():
        if bundle.department == code:
            lead.append(bundle_card(catalogue, bundle))
        elif any(entry.item in own for entry in bundle.items):
            joined.append(bundle_card(catalogue, bundle))
    return DepartmentPage(
        code=code,
        name=department.name,
        items=[item_card(catalogue, item) for item in items],
        lead_bundles=lead,
        joined_bundles=joined,
    )


# ---------------------------------------------------------------------------------------------
# Materials and fields (shared by item guides and bundle plans)
# ---------------------------------------------------------------------------------------------


def route_label(route: str) -> str:
    return {
        ROUTE_UPLOAD: _("需上传"),
        ROUTE_LICENCE: _("电子证照免提交"),
        ROUTE_DATA_SHARE: _("数据共享免提交"),
    }[route]


def _route_note(
    catalogue: schema.Catalogue, planned: PlannedMaterial, item_names: Mapping[str, str]
) -> str:
    if planned.route == ROUTE_LICENCE:
        licence = catalogue.licence_types.get(planned.licence_type or "")
        name = licence.name if licence else planned.licence_type
        if planned.produced_by:
            return _(
                "由本一件事中的「%(item)s」办结后出具电子证照「%(licence)s」，自动调取，无需提交"
            ) % {"item": item_names.get(planned.produced_by, planned.produced_by), "licence": name}
        return _("从电子证照库调取「%(licence)s」，无需提交（免证办）") % {"licence": name}
    if planned.route == ROUTE_DATA_SHARE:
        return _("通过数据共享从「%(source)s」核验，无需提交") % {"source": planned.data_share}
    return _("需由申请人上传或提交")


def material_lines(
    catalogue: schema.Catalogue,
    plan: Plan,
    requirements: Mapping[str, Sequence[schema.MaterialRequirement]],
    labels: Mapping[str, str],
) -> list[MaterialLine]:
    """The plan's materials with route notes; ``requirements`` gives conditions and copies."""
    item_names = {item.code: item.name for item in plan.items}
    lines = []
    for planned in plan.materials:
        material = catalogue.materials.get(planned.code)
        needs = requirements.get(planned.code, ())
        conditions = [readable_condition(need.when, labels) for need in needs if need.when]
        lines.append(
            MaterialLine(
                code=planned.code,
                name=planned.name,
                route=planned.route,
                route_label=route_label(planned.route),
                route_note=_route_note(catalogue, planned, item_names),
                deficiency_allowed=planned.deficiency_allowed,
                commitment_allowed=planned.commitment_allowed,
                condition=" / ".join(dict.fromkeys(conditions))
                if len(conditions) == len(needs)
                else "",
                copies="；".join(dict.fromkeys(n.copies for n in needs if n.copies)),
                note="；".join(dict.fromkeys(n.note for n in needs if n.note)),
                description=(material.description or "") if material else "",
                item_names=tuple(item_names.get(code, code) for code in planned.items),
            )
        )
    return lines


def _requirements_by_material(
    catalogue: schema.Catalogue, item_codes: Sequence[str]
) -> dict[str, list[schema.MaterialRequirement]]:
    found: dict[str, list[schema.MaterialRequirement]] = {}
    for code in item_codes:
        item = catalogue.items.get(code)
        for requirement in item.materials if item else ():
            found.setdefault(requirement.material, []).append(requirement)
    return found


def field_lines(plan: Plan) -> list[FieldLine]:
    lines = []
    for form_field in plan.form.fields:
        answered = form_field.value_origin == "answer"
        if form_field.value_origin == "profile":
            source = _("已从%(source)s预填") % {"source": prefill_source(form_field.prefill or "")}
        elif answered:
            source = _("已由情形回答带入")
        elif form_field.prefill:
            source = _("登录后从%(source)s自动预填") % {
                "source": prefill_source(form_field.prefill)
            }
        else:
            source = _("需填写")
        lines.append(
            FieldLine(
                code=form_field.code,
                label=form_field.label,
                type=form_field.type,
                source=source,
                prefilled=form_field.has_prefill,
                answered=answered,
                value="" if form_field.value is None else str(form_field.value),
                item_count=len(form_field.items),
            )
        )
    return lines


def _version(model, owner_field: str, code: str, current) -> VersionInfo | None:
    owner = model.objects.filter(code=code).first()
    version = current(owner) if owner else None
    return VersionInfo(version.number, version.valid_from) if version else None


# ---------------------------------------------------------------------------------------------
# Item guide (办事指南)
# ---------------------------------------------------------------------------------------------


def item_guide(code: str) -> ItemGuide | None:
    """Everything an item's service guide shows; None for an unknown code."""
    catalogue = catalogue_snapshot()
    item = catalogue.items.get(code)
    if item is None:
        return None
    plan = compile_item_plan(catalogue, code, assume_all=True)
    produces = catalogue.licence_types.get(item.produces or "")
    steps_title = _("办理流程")
    return ItemGuide(
        item=item,
        department_name=_department_name(catalogue, item.department),
        days_label=days_label(item.promised_days),
        legal_days_label=days_label(item.legal_days)
        if item.legal_days
        else (_("未公布") if item.legal_days is None else days_label(0)),
        fee_label=item.fee or _("不收费"),
        produces_name=(produces.name if produces else (item.produces or "")),
        materials=material_lines(
            catalogue,
            plan,
            _requirements_by_material(catalogue, [code]),
            condition_labels(catalogue),
        ),
        fields=field_lines(plan),
        steps_wide=flowchart.steps_svg(
            item.steps, per_row=5, title=steps_title, id_prefix="steps-wide"
        )
        if item.steps
        else None,
        steps_narrow=flowchart.steps_svg(
            item.steps, per_row=2, title=steps_title, id_prefix="steps-narrow"
        )
        if item.steps
        else None,
        bundles=[
            bundle_card(catalogue, bundle)
            for bundle in catalogue.bundles.values()
            if any(entry.item == code for entry in bundle.items)
        ],
        version=_version(models.ServiceItem, "item", code, current_item_version),
    )


# ---------------------------------------------------------------------------------------------
# Bundle guide and plan (一件事)
# ---------------------------------------------------------------------------------------------

WIDGETS = {"number": "number", "bool": "bool", "enum": "select", "date": "date"}


def question_fields(bundle: schema.Bundle, parsed: ParsedAnswers) -> list[QuestionField]:
    return [
        QuestionField(
            code=question.code,
            text=question.text,
            type=question.type,
            widget=WIDGETS.get(question.type, "text"),
            options=question.options,
            help=question.help or "",
            value=parsed.raw.get(question.code, ""),
            error=parsed.errors.get(question.code, ""),
            index=index,
        )
        for index, question in enumerate(bundle.questions)
    ]


def _condition_names(condition: str) -> set[str]:
    """The names a ``when`` text reads (question or data element codes); none if it won't parse."""
    try:
        return names(parse(condition))
    except ExprError:
        return set()


_LITERAL = re.compile(r"('[^']*'|\"[^\"]*\")")
_OPERATORS = (("==", "="), ("!=", "≠"), (">=", "≥"), ("<=", "≤"))


def readable_condition(condition: str, labels: Mapping[str, str]) -> str:
    """A ``when`` text for people: names become their labels (经营面积 > 300), ``and``/``or`` and
    ``true``/``false`` become words. Quoted literals are left exactly as written."""
    read = sorted(_condition_names(condition), key=len, reverse=True)
    words = {
        "and": _("且"),
        "or": _("或"),
        "not": _("非"),
        "in": _("属于"),
        "true": _("是"),
        "false": _("否"),
    }
    pieces = []
    for piece in _LITERAL.split(condition):
        if _LITERAL.fullmatch(piece):
            pieces.append(piece)
            continue
        for name in read:
            if name in labels:
                piece = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w.])", labels[name], piece)
        for operator, symbol in _OPERATORS:
            piece = piece.replace(operator, symbol)
        piece = re.sub(
            r"(?<![\w.])(and|or|not|in|true|false)(?![\w.])",
            lambda match: words[match[1]],
            piece,
        )
        pieces.append(piece)
    return "".join(pieces)


def condition_labels(
    catalogue: schema.Catalogue, bundle: schema.Bundle | None = None
) -> dict[str, str]:
    """What to call each name a condition may read: data element labels, then question texts."""
    labels = {code: element.label for code, element in catalogue.data_elements.items()}
    if bundle is not None:
        for question in bundle.questions:
            labels[question.code] = question.text.rstrip("?？")
    return labels


def _skip_reason(
    condition: str, bundle: schema.Bundle, answers: Mapping[str, Any], labels: Mapping[str, str]
) -> str:
    """Why an item of the bundle does not apply: its ``when`` does not hold for these answers."""
    questions = {question.code: question for question in bundle.questions}
    read = _condition_names(condition)
    condition = readable_condition(condition, labels)
    mentioned = [code for code in questions if code in read]
    unanswered = [questions[code].text for code in mentioned if code not in answers]
    if unanswered:
        return _("适用条件“%(condition)s”不成立：尚未回答“%(questions)s”") % {
            "condition": condition,
            "questions": "”“".join(unanswered),
        }
    return _("适用条件“%(condition)s”不成立") % {"condition": condition}


def reduction_lines(plan: Plan) -> list[ReductionLine]:
    """The four seed targets (免填写 ≥50%, 材料 −60%, 时限 −70%, 环节 −80%) and visits."""
    entry = entry_from_plan(plan)
    met = meets_targets(entry)
    titles = {
        "fields": _("表单字段免填写"),
        "materials": _("申请材料压减"),
        "days": _("办理时限压缩"),
        "steps": _("办理环节压缩"),
    }
    lines = []
    for name, (key, figure, threshold) in TARGETS.items():
        before = entry[key]["before"]
        after = entry[key]["after"]
        if name == "fields":
            after = entry[key]["after"] - entry[key]["prefilled"]
        lines.append(
            ReductionLine(
                key=name,
                title=titles[name],
                before=before,
                after=after,
                rate=entry[key][figure],
                target=threshold,
                met=met[name],
            )
        )
    lines.append(
        ReductionLine(
            key="visits",
            title=_("跑动次数减少"),
            before=entry["visits"]["before"],
            after=entry["visits"]["after"],
            rate=entry["visits"]["reduction"],
            target=None,
            met=None,
        )
    )
    return lines


def _last_published_names(codes: Sequence[str]) -> dict[str, str]:
    """The latest version's name of items the snapshot lacks (so the page can still name them)."""
    if not codes:
        return {}
    names: dict[str, str] = {}
    rows = (
        models.ServiceItemVersion.objects.filter(item__code__in=codes)
        .order_by("item__code", "-number")
        .values_list("item__code", "name")
    )
    for code, name in rows:
        names.setdefault(code, name)
    return names


def bundle_plan(
    catalogue: schema.Catalogue, bundle: schema.Bundle, parsed: ParsedAnswers
) -> BundlePlan:
    """The live plan for one set of answers: what htmx swaps in when an answer changes."""
    problem = ""
    answers = parsed.values
    unavailable = [entry.item for entry in bundle.items if entry.item not in catalogue.items]
    if unavailable:
        # An item with no version valid today (not yet in force, or withdrawn): plan without it
        # and say so, rather than fail the whole bundle page.
        bundle = dataclasses.replace(
            bundle,
            items=tuple(entry for entry in bundle.items if entry.item in catalogue.items),
        )
        catalogue = dataclasses.replace(
            catalogue, bundles={**catalogue.bundles, bundle.code: bundle}
        )
    try:
        plan = compile_plan(catalogue, bundle.code, answers)
    except ExprError:
        # A condition the catalogue wrote against another type than the question asks: show
        # the unconditional plan and say so, rather than fail the page.
        problem = _("部分适用条件无法按您的回答计算，以下按未回答显示。")
        answers = {}
        plan = compile_plan(catalogue, bundle.code, answers)
    names = {code: item.name for code, item in catalogue.items.items()}
    labels = condition_labels(catalogue, bundle)
    chosen = set(plan.item_codes)
    items = [
        PlanItemLine(
            code=planned.code,
            name=planned.name,
            department_name=_department_name(catalogue, planned.department),
            days_label=days_label(planned.promised_days),
            depends_on=tuple(names.get(code, code) for code in planned.depends_on),
            start=planned.earliest_start,
            finish=planned.earliest_finish,
            window_label=window_label(planned.earliest_start, planned.earliest_finish),
            level=planned.level,
            critical=planned.on_critical_path,
        )
        for planned in plan.items
    ]
    last_names = _last_published_names(unavailable)
    skipped = [
        SkippedItemLine(
            code=code,
            name=last_names.get(code, code),
            department_name="",
            condition="",
            reason=_("该事项当前未发布或已停止实施，未计入方案"),
        )
        for code in unavailable
    ]
    for entry in bundle.items:
        if entry.item in chosen:
            continue
        item = catalogue.items.get(entry.item)
        skipped.append(
            SkippedItemLine(
                code=entry.item,
                name=item.name if item else entry.item,
                department_name=_department_name(catalogue, item.department) if item else "",
                condition=entry.when or "",
                reason=_skip_reason(entry.when or "", bundle, answers, labels),
            )
        )
    nodes = {
        planned.code: flowchart.Node(
            label=planned.name,
            detail=f"{_department_name(catalogue, planned.department)} · "
            f"{days_label(planned.promised_days, short=True)}",
        )
        for planned in plan.items
    }
    graph = (
        flowchart.dependency_svg(
            plan.levels,
            plan.edges,
            nodes,
            plan.critical_path,
            title=_("事项办理顺序与关键路径"),
            id_prefix="plan-graph",
        )
        if plan.items
        else None
    )
    requirements = _requirements_by_material(catalogue, plan.item_codes)
    lines = material_lines(catalogue, plan, requirements, labels)
    groups = [
        MaterialGroup(
            route=route,
            title=route_label(route),
            lines=tuple(line for line in lines if line.route == route),
        )
        for route in (ROUTE_UPLOAD, ROUTE_LICENCE, ROUTE_DATA_SHARE)
    ]
    steps_title = _("一件事办理环节")
    return BundlePlan(
        code=bundle.code,
        answered=bool(answers),
        answer_query=as_query(parsed),
        items=items,
        skipped=skipped,
        graph=graph,
        levels=[[names.get(code, code) for code in level] for level in plan.levels],
        critical_path=[names.get(code, code) for code in plan.critical_path],
        fields=field_lines(plan),
        material_groups=groups,
        expected_days=plan.expected_days,
        days_before=plan.reduction.days.before,
        steps_wide=flowchart.steps_svg(
            plan.steps, per_row=5, title=steps_title, id_prefix="bundle-steps-wide"
        )
        if plan.steps
        else None,
        steps_narrow=flowchart.steps_svg(
            plan.steps, per_row=2, title=steps_title, id_prefix="bundle-steps-narrow"
        )
        if plan.steps
        else None,
        steps=plan.steps,
        visits=plan.visits,
        visits_before=plan.reduction.visits.before,
        reductions=reduction_lines(plan),
        errors=dict(parsed.errors),
        questions=question_fields(bundle, parsed),
        problem=problem,
    )


def bundle_plan_for(code: str, query: Mapping[str, Any]) -> BundlePlan | None:
    """Only the plan section, for the htmx request; None for an unknown code."""
    catalogue = catalogue_snapshot()
    bundle = catalogue.bundles.get(code)
    if bundle is None:
        return None
    return bundle_plan(catalogue, bundle, parse_answers(bundle.questions, query))


def bundle_guide(code: str, query: Mapping[str, Any]) -> BundleGuide | None:
    """The whole bundle page: description, questions with the given answers, and the plan."""
    catalogue = catalogue_snapshot()
    bundle = catalogue.bundles.get(code)
    if bundle is None:
        return None
    parsed = parse_answers(bundle.questions, query)
    departments = dict.fromkeys([bundle.department])
    for entry in bundle.items:
        item = catalogue.items.get(entry.item)
        if item:
            departments[item.department] = None
    return BundleGuide(
        bundle=bundle,
        department_name=_department_name(catalogue, bundle.department),
        card=bundle_card(catalogue, bundle),
        questions=question_fields(bundle, parsed),
        plan=bundle_plan(catalogue, bundle, parsed),
        version=_version(models.Bundle, "bundle", code, current_bundle_version),
        departments=[(dept, _department_name(catalogue, dept)) for dept in departments],
    )
