"""The bundle compiler: bundle + answers + profile -> Plan (pure: no Django import).

A bundle (一件事) only helps the applicant if the platform can say, before anything is filed, which
items apply to their situation (情形引导), what the one merged form (多表合一) and the one material set
(材料一次提交) look like, what can be fetched instead of uploaded (免证 / 免提交), and how long the
parallel approval (并联审批) is expected to take. :func:`compile_plan` answers all of that in one frozen
:class:`Plan`, and the reduction report (``report.py``) reads its figures from the same Plan, so the
numbers shown to a minister and the form shown to an applicant can never disagree.

Rules the compiler applies (DESIGN §4):

* ``when`` conditions (on bundle items and on material requirements) are evaluated with the project's
  expression language over *variables*: the profile value of every data element that has a ``prefill``
  source (keyed by the data element's code), overlaid by the answers (keyed by question code).
  A name with no value makes its condition false; a malformed condition or a value of the wrong type
  raises the expression language's error (with a note naming the condition's place). With
  ``assume_all=True`` every ``when`` counts as true without being evaluated: the largest case, which
  the reduction report shows by default.
* ``after`` edges are kept only between chosen items; days are working days, ``promised_days`` None
  counts as 0 (即办件 or unknown), and the expected time is the longest path through ``after``.
* A material needed by several items appears once. It may come later (容缺) only if *every* applicable
  requirement of it allows ``deficiency_allowed``, and be replaced by a commitment (告知承诺) only if
  every applicable requirement allows ``commitment_allowed``: if one item insists on the paper, the
  applicant has to bring it anyway, so the bundle can promise no more than its strictest item.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from banshi.catalog.schema import (
    Bundle,
    BundleItem,
    Catalogue,
    DataElement,
    Material,
    MaterialRequirement,
    Question,
    ServiceItem,
)
from banshi.expr import ExprError, holds, parse

ROUTE_UPLOAD = "upload"  # 需提交: the applicant uploads it
ROUTE_LICENCE = "licence"  # 免证: fetched from the electronic licence library (电子证照库)
ROUTE_DATA_SHARE = "data_share"  # 免提交: verified through data sharing (数据共享)
ROUTES = (ROUTE_UPLOAD, ROUTE_LICENCE, ROUTE_DATA_SHARE)

ORIGIN_PROFILE = "profile"  # value prefilled from the 一人一档/一企一档 profile
ORIGIN_ANSWER = "answer"  # value carried over from a situation answer (情形引导)

PROFILE_LICENCES = "licences"  # profile key: codes of the licence types the applicant holds

PLAN_BUNDLE = "bundle"
PLAN_ITEM = "item"


class UnknownCodeError(KeyError):
    """A bundle or item code that the catalogue does not hold (未找到编码)."""

    def __init__(self, kind: str, code: str) -> None:
        labels = {"bundle": "一件事", "item": "事项"}
        self.kind = kind
        self.code = code
        self.message = f"未找到{labels.get(kind, kind)}编码 {code!r} / unknown {kind} code {code!r}"
        super().__init__(self.message)

    def __str__(self) -> str:
        # KeyError's own __str__ shows the repr of its argument; show the message as written.
        return self.message


class DependencyCycleError(ValueError):
    """The chosen items' ``after`` edges form a cycle (前置关系成环); ``catalog check`` reports it too."""

    def __init__(self, bundle_code: str, item_codes: Sequence[str]) -> None:
        self.bundle_code = bundle_code
        self.item_codes = tuple(item_codes)
        super().__init__(
            f"一件事 {bundle_code} 的前置关系成环: {', '.join(item_codes)} / "
            f"cycle in `after` of bundle {bundle_code}: {', '.join(item_codes)}"
        )


# ---------------------------------------------------------------------------------------------
# The Plan
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedItem:
    """One chosen item (事项) of the plan, with its place in the parallel schedule (并联审批)."""

    code: str
    name: str
    department: str
    promised_days: int | None
    depends_on: tuple[str, ...]  # chosen items whose output it needs first (`after`)
    earliest_start: int  # working days from submission
    earliest_finish: int
    level: int  # topological level: items of one level can run in parallel
    on_critical_path: bool
    fields: tuple[str, ...]  # its form fields (data element codes, distinct, in order)
    materials: tuple[str, ...]  # its applicable materials (material codes, distinct, in order)
    steps: tuple[str, ...]
    visits: int
    produces: str | None

    @property
    def duration(self) -> int:
        """Working days the item takes in the schedule: 承诺时限, None counted as 0."""
        return self.promised_days or 0


@dataclass(frozen=True)
class FormField:
    """One field of the merged form (多表合一): a data element asked once for all items."""

    code: str
    label: str
    type: str
    options: tuple[str, ...]
    prefill: str | None  # the profile source that can fill it (表单预填), if any
    items: tuple[str, ...]  # chosen items that use it
    value: Any = None  # the known value, when a profile or an answer supplies one
    value_origin: str | None = None  # ORIGIN_PROFILE | ORIGIN_ANSWER | None

    @property
    def has_prefill(self) -> bool:
        """Whether the data element declares a prefill source (what the report counts as 免填写)."""
        return self.prefill is not None


@dataclass(frozen=True)
class AnsweredQuestion:
    """A situation question (情形引导) of the bundle with the applicant's answer, if any."""

    code: str
    text: str
    type: str
    options: tuple[str, ...]
    answer: Any = None
    answered: bool = False


@dataclass(frozen=True)
class MergedForm:
    """The one form of the bundle: every data element once in first-use order, and the questions."""

    fields: tuple[FormField, ...]
    questions: tuple[AnsweredQuestion, ...]

    def field(self, code: str) -> FormField:
        """The merged field with this data element code (KeyError when the form does not ask it)."""
        for form_field in self.fields:
            if form_field.code == code:
                return form_field
        raise KeyError(code)


@dataclass(frozen=True)
class PlannedMaterial:
    """One distinct applicable material (材料一次提交) and how it reaches the departments.

    ``route`` is ROUTE_LICENCE when the material type names a ``licence_type`` (it then wins over a
    ``data_share`` source: the licence itself is the stronger proof), ROUTE_DATA_SHARE when it names a
    data-sharing source, ROUTE_UPLOAD otherwise. For the licence route, ``licence_held`` says whether
    the profile lists that licence type (None without a profile), and ``produced_by`` names a chosen
    item that issues the licence type and precedes (through ``after``, transitively) every chosen
    item needing the material: the bundle obtains the licence on the way.
    """

    code: str
    name: str
    items: tuple[str, ...]  # chosen items that need it, in bundle order
    route: str
    licence_type: str | None
    data_share: str | None
    licence_held: bool | None
    produced_by: str | None
    deficiency_allowed: bool  # 容缺: every applicable requirement allows it
    commitment_allowed: bool  # 告知承诺: every applicable requirement allows it

    @property
    def to_upload(self) -> bool:
        """Whether the applicant has to upload it: no fetch route, or a licence they do not hold
        and that no earlier item of the bundle issues (then upload it, or obtain the licence first)."""
        if self.route == ROUTE_UPLOAD:
            return True
        return self.route == ROUTE_LICENCE and self.licence_held is False and not self.produced_by


@dataclass(frozen=True)
class Measure:
    """A before/after pair of the reduction report (压减): before = items one by one, after = bundle."""

    before: int
    after: int

    @property
    def reduction(self) -> float:
        """1 − after / before, and 0 when there was nothing before (no division by zero)."""
        return 1 - self.after / self.before if self.before else 0.0


@dataclass(frozen=True)
class FieldMeasure(Measure):
    """Form fields: before/after plus how many merged fields a prefill source fills (免填写)."""

    prefilled: int = 0

    @property
    def no_typing_rate(self) -> float:
        """1 − (after − prefilled) / before: the share of the items' fields the applicant need not
        type; 0 when there were no fields."""
        return 1 - (self.after - self.prefilled) / self.before if self.before else 0.0


@dataclass(frozen=True)
class Reduction:
    """The five reduction figures of DESIGN §4 "Reduction report conventions (contract)"."""

    fields: FieldMeasure
    materials: Measure
    days: Measure
    steps: Measure
    visits: Measure


@dataclass(frozen=True)
class Plan:
    """What the applicant faces for one bundle (or one item) in one situation."""

    kind: str  # PLAN_BUNDLE | PLAN_ITEM
    code: str
    name: str
    department: str
    assume_all: bool
    items: tuple[PlannedItem, ...]  # chosen items, in bundle order
    edges: tuple[tuple[str, str], ...]  # (prerequisite, dependant) among chosen items
    levels: tuple[tuple[str, ...], ...]  # items that can run in parallel, level by level
    critical_path: tuple[str, ...]  # the chain that sets expected_days (关键路径)
    form: MergedForm
    materials: tuple[PlannedMaterial, ...]
    expected_days: int  # working days: longest path of promised_days through `after`
    steps: tuple[str, ...]  # the bundle's steps (环节)
    visits: int  # the bundle's visits (跑动次数)
    reduction: Reduction

    @property
    def item_codes(self) -> tuple[str, ...]:
        """Codes of the chosen items in bundle order."""
        return tuple(item.code for item in self.items)

    def item(self, code: str) -> PlannedItem:
        """The chosen item with this code (KeyError when it was not chosen)."""
        for planned in self.items:
            if planned.code == code:
                return planned
        raise KeyError(code)

    def material(self, code: str) -> PlannedMaterial:
        """The planned material with this code (KeyError when no chosen item needs it)."""
        for planned in self.materials:
            if planned.code == code:
                return planned
        raise KeyError(code)


# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------


def compile_plan(
    catalogue: Catalogue,
    bundle_code: str,
    answers: Mapping[str, Any] | None = None,
    profile: Mapping[str, Any] | None = None,
    *,
    assume_all: bool = False,
) -> Plan:
    """Compile one bundle (一件事) for one situation into a :class:`Plan`.

    ``answers`` are keyed by question code; ``profile`` is flat and keyed by prefill source name
    (``{"enterprise.name": …, "licences": ["YYZZ", …]}``). Raises :class:`UnknownCodeError` for an
    unknown bundle code or an item code the bundle names but the catalogue lacks.
    """
    bundle = catalogue.bundles.get(bundle_code)
    if bundle is None:
        raise UnknownCodeError("bundle", bundle_code)
    return _compile(catalogue, bundle, PLAN_BUNDLE, answers, profile, assume_all)


def compile_item_plan(
    catalogue: Catalogue,
    item_code: str,
    answers: Mapping[str, Any] | None = None,
    profile: Mapping[str, Any] | None = None,
    *,
    assume_all: bool = False,
) -> Plan:
    """Compile a single item (事项) as a one-item bundle: its own steps and visits, no questions.

    Used for an item applied for on its own, so both paths share one form/material logic.
    """
    item = catalogue.items.get(item_code)
    if item is None:
        raise UnknownCodeError("item", item_code)
    as_bundle = Bundle(
        code=item.code,
        name=item.name,
        department=item.department,
        items=(BundleItem(item=item.code),),
        steps=item.steps,
        visits=item.visits,
    )
    return _compile(catalogue, as_bundle, PLAN_ITEM, answers, profile, assume_all)


def condition_variables(
    catalogue: Catalogue,
    answers: Mapping[str, Any] | None = None,
    profile: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The flat variables ``when`` sees: each prefillable data element's profile value under the
    data element's code, then the answers on top (an answer given in 情形引导 wins over the profile)."""
    variables: dict[str, Any] = {}
    if profile:
        for element in catalogue.data_elements.values():
            if element.prefill is not None and element.prefill in profile:
                variables[element.code] = profile[element.prefill]
    if answers:
        types = _declared_types(catalogue)
        variables.update(
            {code: coerce_answer(value, types.get(code)) for code, value in answers.items()}
        )
    return variables


def _declared_types(catalogue: Catalogue) -> dict[str, str]:
    """Question and data-element types by code (questions of any bundle; elements win on a clash)."""
    types = {q.code: q.type for bundle in catalogue.bundles.values() for q in bundle.questions}
    types.update({code: element.type for code, element in catalogue.data_elements.items()})
    return types


def coerce_answer(value: Any, kind: str | None) -> Any:
    """Answers often arrive as text (JSON on the command line, a query string): read an ISO date for
    a ``date`` question, a number for a ``number`` one and true/false for a ``bool`` one. Text that
    does not read as its type is passed on unchanged, so the condition reports a clear type error."""
    if not isinstance(value, str) or kind is None:
        return value
    text = value.strip()
    try:
        if kind == "date":
            return dt.date.fromisoformat(text)
        if kind == "number":
            number = Decimal(text)
            return (
                int(number) if number == number.to_integral_value() and "." not in text else number
            )
    except (ValueError, ArithmeticError):
        return value
    if kind == "bool" and text.lower() in ("true", "false", "是", "否"):
        return text.lower() in ("true", "是")
    return value


# ---------------------------------------------------------------------------------------------
# Compilation, step by step
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _parsed(expression: str) -> Any:
    """Parse each distinct ``when`` text once: catalogues repeat the same few conditions."""
    return parse(expression)


def _condition_holds(
    when: str | None, variables: Mapping[str, Any], assume_all: bool, where: str
) -> bool:
    """Whether a ``when`` applies: no condition or assume_all -> True; otherwise evaluate it
    (a missing name makes it false, which the expression language guarantees).

    A malformed expression or an answer of the wrong type (``"abc" > 300``) is not silently read as
    "does not apply": the expression language's error propagates, with a note naming ``where``
    the condition sits, because a wrong plan is worse than none.
    """
    if when is None or not when.strip() or assume_all:
        return True
    try:
        return holds(_parsed(when), variables)
    except ExprError as error:
        error.add_note(f"条件所在 / condition of: {where}")
        raise


def _compile(
    catalogue: Catalogue,
    bundle: Bundle,
    kind: str,
    answers: Mapping[str, Any] | None,
    profile: Mapping[str, Any] | None,
    assume_all: bool,
) -> Plan:
    """Choose items, schedule them, merge their forms and materials, then measure the result."""
    variables = condition_variables(catalogue, answers, profile)
    chosen = _choose_items(catalogue, bundle, variables, assume_all)
    depends_on = _dependencies(chosen)
    bundle_order = [item.code for item, _ in chosen]
    order = _topological_order(bundle.code, bundle_order, depends_on)
    durations = {item.code: item.promised_days or 0 for item, _ in chosen}
    schedule = _schedule(order, bundle_order, depends_on, durations)
    requirements = {
        item.code: _applicable_requirements(item, variables, assume_all) for item, _ in chosen
    }
    items = tuple(
        _planned_item(item, depends_on[item.code], schedule, requirements[item.code])
        for item, _ in chosen
    )
    form = MergedForm(
        fields=_merged_fields(catalogue, items, answers, profile),
        questions=_answered_questions(bundle.questions, answers),
    )
    ancestors = _ancestors(order, depends_on)
    materials = _planned_materials(catalogue, items, requirements, ancestors, profile)
    expected_days = max((item.earliest_finish for item in items), default=0)
    return Plan(
        kind=kind,
        code=bundle.code,
        name=bundle.name,
        department=bundle.department,
        assume_all=assume_all,
        items=items,
        edges=tuple((before, item.code) for item in items for before in item.depends_on),
        levels=_levels(items),
        critical_path=schedule.critical_path,
        form=form,
        materials=materials,
        expected_days=expected_days,
        steps=bundle.steps,
        visits=bundle.visits,
        reduction=_reduction(items, form, materials, expected_days, bundle),
    )


def _choose_items(
    catalogue: Catalogue, bundle: Bundle, variables: Mapping[str, Any], assume_all: bool
) -> list[tuple[ServiceItem, BundleItem]]:
    """Items whose ``when`` holds, in bundle order; an item named twice counts once (its first
    occurrence that holds), so no figure counts an item twice."""
    chosen: list[tuple[ServiceItem, BundleItem]] = []
    seen: set[str] = set()
    for entry in bundle.items:
        item = catalogue.items.get(entry.item)
        if item is None:
            raise UnknownCodeError("item", entry.item)
        where = f"bundle {bundle.code}, item {entry.item}"
        if entry.item in seen or not _condition_holds(entry.when, variables, assume_all, where):
            continue
        seen.add(entry.item)
        chosen.append((item, entry))
    return chosen


def _dependencies(chosen: Sequence[tuple[ServiceItem, BundleItem]]) -> dict[str, tuple[str, ...]]:
    """Each chosen item's ``after`` list restricted to chosen items (an item that does not apply
    delays nobody), without duplicates or self-references, in the order written."""
    chosen_codes = {item.code for item, _ in chosen}
    return {
        item.code: tuple(
            dict.fromkeys(
                code for code in entry.after if code in chosen_codes and code != item.code
            )
        )
        for item, entry in chosen
    }


def _topological_order(
    bundle_code: str, codes: Sequence[str], depends_on: Mapping[str, Sequence[str]]
) -> list[str]:
    """Kahn's order, stable on bundle order (a bundle may list an item before its prerequisite)."""
    remaining = {code: len(depends_on[code]) for code in codes}
    dependants: dict[str, list[str]] = {code: [] for code in codes}
    for code in codes:
        for before in depends_on[code]:
            dependants[before].append(code)
    ready = deque(code for code in codes if remaining[code] == 0)
    order: list[str] = []
    while ready:
        code = ready.popleft()
        order.append(code)
        for dependant in dependants[code]:
            remaining[dependant] -= 1
            if remaining[dependant] == 0:
                ready.append(dependant)
    if len(order) != len(codes):
        raise DependencyCycleError(bundle_code, [code for code in codes if remaining[code] > 0])
    return order


@dataclass(frozen=True)
class _Schedule:
    start: Mapping[str, int]
    finish: Mapping[str, int]
    level: Mapping[str, int]
    critical_path: tuple[str, ...]


def _schedule(
    order: Sequence[str],
    bundle_order: Sequence[str],
    depends_on: Mapping[str, Sequence[str]],
    duration: Mapping[str, int],
) -> _Schedule:
    """Earliest start/finish (critical path method, 关键路径法) and topological level per item;
    ``order`` is topological, ``bundle_order`` breaks ties on the critical path."""
    start: dict[str, int] = {}
    finish: dict[str, int] = {}
    level: dict[str, int] = {}
    for code in order:
        before = depends_on[code]
        start[code] = max((finish[b] for b in before), default=0)
        finish[code] = start[code] + duration[code]
        level[code] = max((level[b] + 1 for b in before), default=0)
    return _Schedule(start, finish, level, _critical_path(bundle_order, depends_on, finish))


def _critical_path(
    bundle_order: Sequence[str],
    depends_on: Mapping[str, Sequence[str]],
    finish: Mapping[str, int],
) -> tuple[str, ...]:
    """The chain that ends last, walked back through the prerequisite finishing latest.

    Ties go to the first item in bundle order, so the path is deterministic.
    """
    if not bundle_order:
        return ()
    rank = {code: position for position, code in enumerate(bundle_order)}
    current = max(bundle_order, key=lambda code: (finish[code], -rank[code]))
    path = [current]
    while depends_on[current]:
        current = max(depends_on[current], key=lambda code: (finish[code], -rank[code]))
        path.append(current)
    return tuple(reversed(path))


def _applicable_requirements(
    item: ServiceItem, variables: Mapping[str, Any], assume_all: bool
) -> tuple[MaterialRequirement, ...]:
    """The item's material requirements whose ``when`` holds (情形 decides the materials too)."""
    return tuple(
        requirement
        for requirement in item.materials
        if _condition_holds(
            requirement.when,
            variables,
            assume_all,
            f"item {item.code}, material {requirement.material}",
        )
    )


def _planned_item(
    item: ServiceItem,
    depends_on: tuple[str, ...],
    schedule: _Schedule,
    requirements: Iterable[MaterialRequirement],
) -> PlannedItem:
    return PlannedItem(
        code=item.code,
        name=item.name,
        department=item.department,
        promised_days=item.promised_days,
        depends_on=depends_on,
        earliest_start=schedule.start[item.code],
        earliest_finish=schedule.finish[item.code],
        level=schedule.level[item.code],
        on_critical_path=item.code in schedule.critical_path,
        fields=_distinct(item.fields),
        materials=_distinct(requirement.material for requirement in requirements),
        steps=item.steps,
        visits=item.visits,
        produces=item.produces,
    )


def _levels(items: Sequence[PlannedItem]) -> tuple[tuple[str, ...], ...]:
    """Items grouped by topological level, bundle order inside a level: each group can run at
    once (并联) after the groups before it."""
    depth = max((item.level for item in items), default=-1) + 1
    return tuple(tuple(item.code for item in items if item.level == lv) for lv in range(depth))


def _merged_fields(
    catalogue: Catalogue,
    items: Sequence[PlannedItem],
    answers: Mapping[str, Any] | None,
    profile: Mapping[str, Any] | None,
) -> tuple[FormField, ...]:
    """多表合一: each data element once, in first-use order, with every item that asks for it."""
    users: dict[str, list[str]] = {}
    for item in items:
        for code in item.fields:
            users.setdefault(code, []).append(item.code)
    return tuple(
        _form_field(_data_element(catalogue, code), tuple(item_codes), answers, profile)
        for code, item_codes in users.items()
    )


def _data_element(catalogue: Catalogue, code: str) -> DataElement:
    """The declared data element, or a plain typed text field for an undeclared code (the checker
    reports those; the compiler still shows the form)."""
    return catalogue.data_elements.get(code) or DataElement(code=code, label=code)


def _form_field(
    element: DataElement,
    item_codes: tuple[str, ...],
    answers: Mapping[str, Any] | None,
    profile: Mapping[str, Any] | None,
) -> FormField:
    """A merged field with its known value: the profile's value of its prefill source (表单预填)
    first, else the answer to a question of the same code (asked once in 情形引导, not retyped)."""
    value: Any = None
    origin: str | None = None
    if profile and element.prefill is not None and element.prefill in profile:
        value, origin = profile[element.prefill], ORIGIN_PROFILE
    elif answers and element.code in answers:
        value, origin = answers[element.code], ORIGIN_ANSWER
    return FormField(
        code=element.code,
        label=element.label,
        type=element.type,
        options=element.options,
        prefill=element.prefill,
        items=item_codes,
        value=value,
        value_origin=origin,
    )


def _answered_questions(
    questions: Sequence[Question], answers: Mapping[str, Any] | None
) -> tuple[AnsweredQuestion, ...]:
    answers = answers or {}
    return tuple(
        AnsweredQuestion(
            code=question.code,
            text=question.text,
            type=question.type,
            options=question.options,
            answer=answers.get(question.code),
            answered=question.code in answers,
        )
        for question in questions
    )


def _planned_materials(
    catalogue: Catalogue,
    items: Sequence[PlannedItem],
    requirements: Mapping[str, Sequence[MaterialRequirement]],
    ancestors: Mapping[str, frozenset[str]],
    profile: Mapping[str, Any] | None,
) -> tuple[PlannedMaterial, ...]:
    """材料一次提交: each applicable material once, in first-need order, with its route."""
    needed_by: dict[str, list[str]] = {}
    needs: dict[str, list[MaterialRequirement]] = {}
    for item in items:
        for requirement in requirements[item.code]:
            users = needed_by.setdefault(requirement.material, [])
            if item.code not in users:
                users.append(item.code)
            needs.setdefault(requirement.material, []).append(requirement)
    held = _held_licences(profile)
    return tuple(
        _planned_material(
            _material(catalogue, code), tuple(needed_by[code]), needs[code], items, ancestors, held
        )
        for code in needed_by
    )


def _material(catalogue: Catalogue, code: str) -> Material:
    """The declared material type, or an upload-only one for an undeclared code."""
    return catalogue.materials.get(code) or Material(code=code, name=code)


def _held_licences(profile: Mapping[str, Any] | None) -> frozenset[str] | None:
    """Licence types the applicant holds (电子证照), or None when no profile was given."""
    if profile is None:
        return None
    return frozenset(profile.get(PROFILE_LICENCES) or ())


def _ancestors(
    order: Sequence[str], depends_on: Mapping[str, Sequence[str]]
) -> dict[str, frozenset[str]]:
    """All items each item waits for, directly or through others (transitive ``after``);
    ``order`` is topological, so every prerequisite is done before its dependants."""
    found: dict[str, frozenset[str]] = {}
    for code in order:
        direct = depends_on[code]
        found[code] = frozenset(direct).union(*(found[before] for before in direct))
    return found


def _planned_material(
    material: Material,
    item_codes: tuple[str, ...],
    requirements: Sequence[MaterialRequirement],
    items: Sequence[PlannedItem],
    ancestors: Mapping[str, frozenset[str]],
    held: frozenset[str] | None,
) -> PlannedMaterial:
    """Route one material; 容缺/告知承诺 only when every applicable requirement allows it."""
    licence_type = material.licence_type
    return PlannedMaterial(
        code=material.code,
        name=material.name,
        items=item_codes,
        route=_route(material),
        licence_type=licence_type,
        data_share=material.data_share,
        licence_held=None if licence_type is None or held is None else licence_type in held,
        produced_by=_producer(licence_type, item_codes, items, ancestors),
        deficiency_allowed=all(requirement.deficiency_allowed for requirement in requirements),
        commitment_allowed=all(requirement.commitment_allowed for requirement in requirements),
    )


def _route(material: Material) -> str:
    """免证 (licence library) before 免提交 (data sharing) before upload."""
    if material.licence_type:
        return ROUTE_LICENCE
    if material.data_share:
        return ROUTE_DATA_SHARE
    return ROUTE_UPLOAD


def _producer(
    licence_type: str | None,
    item_codes: Sequence[str],
    items: Sequence[PlannedItem],
    ancestors: Mapping[str, frozenset[str]],
) -> str | None:
    """The first chosen item issuing ``licence_type`` that every needing item waits for: the bundle
    itself obtains that licence before it is needed (前序事项出证, 后序事项免提交)."""
    if licence_type is None:
        return None
    for item in items:
        if item.produces == licence_type and all(
            item.code in ancestors[needer] for needer in item_codes
        ):
            return item.code
    return None


def _reduction(
    items: Sequence[PlannedItem],
    form: MergedForm,
    materials: Sequence[PlannedMaterial],
    expected_days: int,
    bundle: Bundle,
) -> Reduction:
    """The report's figures, read from the plan's own parts (DESIGN §4, contract).

    ``materials.after`` counts the materials whose type has neither a licence type nor a data-share
    source (the contract's definition, independent of any profile), which is exactly the upload
    route.
    """
    return Reduction(
        fields=FieldMeasure(
            before=sum(len(item.fields) for item in items),
            after=len(form.fields),
            prefilled=sum(1 for form_field in form.fields if form_field.has_prefill),
        ),
        materials=Measure(
            before=sum(len(item.materials) for item in items),
            after=sum(1 for material in materials if material.route == ROUTE_UPLOAD),
        ),
        days=Measure(before=sum(item.duration for item in items), after=expected_days),
        steps=Measure(before=sum(len(item.steps) for item in items), after=len(bundle.steps)),
        visits=Measure(before=sum(item.visits for item in items), after=bundle.visits),
    )


def _distinct(codes: Iterable[str]) -> tuple[str, ...]:
    """Codes without repeats, first occurrence kept."""
    return tuple(dict.fromkeys(codes))
