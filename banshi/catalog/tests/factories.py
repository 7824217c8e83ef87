"""Builders of catalogue schema objects for tests (pure: no Django, no YAML).

Factories over fixtures: each test builds exactly the catalogue its behaviour needs, with defaults
for everything else, so the numbers a test asserts are visible in the test itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from banshi.catalog.schema import (
    Bundle,
    BundleItem,
    Catalogue,
    DataElement,
    Department,
    LicenceType,
    Material,
    MaterialRequirement,
    Question,
    ServiceItem,
)

DEFAULT_DEPARTMENT = "SCJG"

RequirementSpec = str | MaterialRequirement
BundleItemSpec = str | BundleItem


def make_data_element(
    code: str, *, prefill: str | None = None, type: str = "text", label: str | None = None
) -> DataElement:
    """A data element (数据元); ``prefill`` names its profile source."""
    return DataElement(code=code, label=label or code, type=type, prefill=prefill)


def make_material(
    code: str,
    *,
    licence_type: str | None = None,
    data_share: str | None = None,
    name: str | None = None,
) -> Material:
    """A material type (申请材料); ``licence_type`` → 免证, ``data_share`` → 免提交."""
    return Material(code=code, name=name or code, licence_type=licence_type, data_share=data_share)


def make_requirement(
    material: str,
    *,
    when: str | None = None,
    deficiency_allowed: bool = False,
    commitment_allowed: bool = False,
) -> MaterialRequirement:
    """An item's requirement of a material, with its 情形 condition and 容缺/告知承诺 flags."""
    return MaterialRequirement(
        material=material,
        when=when,
        deficiency_allowed=deficiency_allowed,
        commitment_allowed=commitment_allowed,
    )


def make_item(
    code: str,
    *,
    fields: Sequence[str] = (),
    materials: Sequence[RequirementSpec] = (),
    promised_days: int | None = 0,
    legal_days: int | None = None,
    steps: Sequence[str] | int = (),
    visits: int = 0,
    produces: str | None = None,
    department: str = DEFAULT_DEPARTMENT,
    name: str | None = None,
) -> ServiceItem:
    """A service item (事项). ``materials`` takes codes or requirements; ``steps`` an int makes
    that many generic steps (环节)."""
    if isinstance(steps, int):
        steps = tuple(f"环节{number}" for number in range(1, steps + 1))
    return ServiceItem(
        code=code,
        name=name or code,
        kind="行政许可",
        department=department,
        legal_days=legal_days,
        promised_days=promised_days,
        visits=visits,
        steps=tuple(steps),
        fields=tuple(fields),
        materials=tuple(_requirement(spec) for spec in materials),
        produces=produces,
    )


def make_bundle_item(
    item: str, *, after: Sequence[str] = (), when: str | None = None
) -> BundleItem:
    """An item inside a bundle with its ``after`` prerequisites and ``when`` condition."""
    return BundleItem(item=item, after=tuple(after), when=when)


def make_question(code: str, *, type: str = "text", text: str | None = None) -> Question:
    """A situation question (情形引导)."""
    return Question(code=code, text=text or f"{code}?", type=type)


def make_bundle(
    code: str,
    items: Sequence[BundleItemSpec],
    *,
    steps: Sequence[str] | int = (),
    visits: int = 0,
    questions: Sequence[Question | str] = (),
    name: str | None = None,
    department: str = DEFAULT_DEPARTMENT,
) -> Bundle:
    """A bundle (一件事); ``items`` takes codes or bundle items, ``steps`` an int or names."""
    if isinstance(steps, int):
        steps = tuple(f"环节{number}" for number in range(1, steps + 1))
    return Bundle(
        code=code,
        name=name or code,
        department=department,
        items=tuple(make_bundle_item(spec) if isinstance(spec, str) else spec for spec in items),
        questions=tuple(
            make_question(spec) if isinstance(spec, str) else spec for spec in questions
        ),
        steps=tuple(steps),
        visits=visits,
    )


def make_catalogue(
    *,
    items: Iterable[ServiceItem] = (),
    bundles: Iterable[Bundle] = (),
    data_elements: Iterable[DataElement] = (),
    materials: Iterable[Material] = (),
    licence_types: Iterable[LicenceType | str] = (),
    declare_missing: bool = True,
) -> Catalogue:
    """A catalogue of the given entries. With ``declare_missing`` every field and material an item
    uses but the test did not declare is added with defaults (typed field, upload-only material),
    and every licence type a material or item names is declared, as a parsed YAML file would be."""
    items = list(items)
    catalogue = Catalogue(
        departments={
            DEFAULT_DEPARTMENT: Department(code=DEFAULT_DEPARTMENT, name="市场监督管理局")
        },
        data_elements={element.code: element for element in data_elements},
        materials={material.code: material for material in materials},
        licence_types={
            spec if isinstance(spec, str) else spec.code: _licence_type(spec)
            for spec in licence_types
        },
        items={item.code: item for item in items},
        bundles={bundle.code: bundle for bundle in bundles},
    )
    if declare_missing:
        _declare_missing(catalogue)
    return catalogue


def _requirement(spec: RequirementSpec) -> MaterialRequirement:
    return make_requirement(spec) if isinstance(spec, str) else spec


def _licence_type(spec: LicenceType | str) -> LicenceType:
    return LicenceType(code=spec, name=spec) if isinstance(spec, str) else spec


def _declare_missing(catalogue: Catalogue) -> None:
    for item in catalogue.items.values():
        for code in item.fields:
            catalogue.data_elements.setdefault(code, make_data_element(code))
        for requirement in item.materials:
            catalogue.materials.setdefault(
                requirement.material, make_material(requirement.material)
            )
        if item.produces:
            catalogue.licence_types.setdefault(item.produces, _licence_type(item.produces))
    for material in catalogue.materials.values():
        if material.licence_type:
            catalogue.licence_types.setdefault(
                material.licence_type, _licence_type(material.licence_type)
            )
