"""Reading catalogue YAML files into a :class:`~banshi.catalog.schema.Catalogue` and checking them.

Pure (no Django import). ``read_catalogue`` never raises on bad content: it returns the catalogue it
could build and the list of problems, one per offending code, so ``banshi catalog check`` can name
every problem at once and ``banshi catalog load`` can refuse a bad catalogue before touching the
database (all-or-nothing). The expression language checks ``when`` syntax; unknown names in
expressions are not problems (DESIGN §4).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from banshi.catalog.schema import (
    FIELD_TYPES,
    ITEM_KINDS,
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
from banshi.expr import ExprSyntaxError, parse

SECTIONS = ("departments", "data_elements", "licence_types", "materials", "items", "bundles")


@dataclass(frozen=True)
class Problem:
    """One problem in a catalogue, named by file, line and the offending code."""

    message: str
    source: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = f"{self.source}:{self.line}: " if self.line else f"{self.source}: "
        return f"{where}{self.message}"


class CatalogueError(Exception):
    """Raised when a catalogue cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _LineDict(dict):
    """A mapping that remembers the YAML line it started on (1-based)."""

    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    """Safe YAML loader whose mappings carry their line number, for messages that point at it."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    result = _LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# YAML 1.2 lets a plain scalar contain "?" (as in ``{text: 经营面积是多少平方米?, type: number}``, the
# DESIGN example), but PyYAML (YAML 1.1) ends a plain scalar at "?" inside flow collections. A "?"
# that directly follows a non-blank character can never be the key indicator, so it is swapped for a
# private-use character before scanning and swapped back in every string afterwards.
_QUESTION_MARK = re.compile(r"(?<=[^\s\[{,])\?")
_PLACEHOLDER = "\ue000"


def _construct_str(loader: _LineLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node).replace(_PLACEHOLDER, "?")


_LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)


def _load_yaml(text: str):
    return yaml.load(_QUESTION_MARK.sub(_PLACEHOLDER, text), Loader=_LineLoader)


@dataclass
class _Reader:
    """Accumulates entries and problems across the files of one load or check."""

    catalogue: Catalogue = field(default_factory=Catalogue)
    problems: list[Problem] = field(default_factory=list)
    source: str = ""

    def problem(self, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(message, self.source, line))


def read_catalogue(paths: Iterable[str | Path]) -> tuple[Catalogue, list[Problem]]:
    """Parse catalogue files in order; later files may reference codes of earlier ones."""
    reader = _Reader()
    for path in paths:
        path = Path(path)
        reader.source = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reader.problem(f"无法读取文件 / cannot read file: {error}")
            continue
        _read_text(reader, text)
    return reader.catalogue, reader.problems


def read_catalogue_text(text: str, source: str = "<text>") -> tuple[Catalogue, list[Problem]]:
    """Parse one catalogue document given as text (tests, admin uploads)."""
    reader = _Reader(source=source)
    _read_text(reader, text)
    return reader.catalogue, reader.problems


def _read_text(reader: _Reader, text: str) -> None:
    try:
        document = _load_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        reader.problem(f"YAML 格式错误 / malformed YAML: {reason}", line)
        return
    if document is None:
        return
    if not isinstance(document, Mapping):
        reader.problem("文件顶层必须是映射 / the top level must be a mapping", 1)
        return
    version = document.get("version")
    if version != 1:
        reader.problem(
            f"不支持的目录版本 / unsupported catalogue version: {version!r} (expected 1)", 1
        )
    for key in document:
        if key not in (*SECTIONS, "version"):
            reader.problem(
                f"未知的顶层键 / unknown top-level key: {key}", getattr(document, "line", None)
            )
    for section in SECTIONS:
        entries = document.get(section) or []
        if not isinstance(entries, list):
            reader.problem(f"{section} 必须是列表 / {section} must be a list")
            continue
        for raw in entries:
            if not isinstance(raw, Mapping):
                reader.problem(
                    f"{section} 的条目必须是映射 / each {section} entry must be a mapping"
                )
                continue
            READERS[section](reader, raw)


# --- field helpers -------------------------------------------------------------------------------


def _line(raw: Mapping) -> int | None:
    return getattr(raw, "line", None)


def _code(reader: _Reader, raw: Mapping, kind: str) -> str | None:
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip():
        reader.problem(f"{kind} 缺少 code / {kind} without a code", _line(raw))
        return None
    return code.strip()


def _text(
    reader: _Reader, raw: Mapping, key: str, label: str, *, required: bool = False
) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            reader.problem(f"{label} 缺少 {key} / {label} has no {key}", _line(raw))
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        reader.problem(f"{label}: {key} 必须是文本 / {key} must be text", _line(raw))
        return None
    return value.strip()


def _int(reader: _Reader, raw: Mapping, key: str, label: str, default: int | None) -> int | None:
    value = raw.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        reader.problem(
            f"{label}: {key} 必须是非负整数 / {key} must be a whole number ≥ 0, got {value!r}",
            _line(raw),
        )
        return default
    return value


def _bool(reader: _Reader, raw: Mapping, key: str, label: str) -> bool:
    value = raw.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        reader.problem(
            f"{label}: {key} 必须是 true/false / {key} must be true or false", _line(raw)
        )
        return False
    return value


def _strings(reader: _Reader, raw: Mapping, key: str, label: str) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        reader.problem(f"{label}: {key} 必须是文本列表 / {key} must be a list of text", _line(raw))
        return ()
    return tuple(str(v).strip() for v in value)


def _expression(reader: _Reader, text: Any, label: str, line: int | None) -> str | None:
    if text is None:
        return None
    if isinstance(text, bool):
        text = "true" if text else "false"
    if not isinstance(text, str):
        text = str(text)
    try:
        parse(text)
    except ExprSyntaxError as error:
        first = str(error).splitlines()[0]
        reader.problem(f"{label}: 表达式错误 / bad expression {text!r}: {first}", line)
    return text


def _store(
    reader: _Reader, bucket: dict, code: str, entry: Any, kind: str, line: int | None
) -> None:
    if code in bucket:
        previous = bucket[code]
        where = f" ({previous.source}:{previous.line})" if getattr(previous, "line", None) else ""
        reader.problem(f"重复的{kind}编码 / duplicate {kind} code: {code}{where}", line)
        return
    bucket[code] = entry


# --- one reader per section ----------------------------------------------------------------------


def _read_department(reader: _Reader, raw: Mapping) -> None:
    code = _code(reader, raw, "department")
    if code is None:
        return
    label = f"department {code}"
    entry = Department(
        code=code,
        name=_text(reader, raw, "name", label, required=True) or code,
        short_name=_text(reader, raw, "short_name", label),
        line=_line(raw),
        source=reader.source,
    )
    _store(reader, reader.catalogue.departments, code, entry, "部门 department", _line(raw))


def _read_data_element(reader: _Reader, raw: Mapping) -> None:
    code = _code(reader, raw, "data element")
    if code is None:
        return
    label = f"data element {code}"
    kind = raw.get("type", "text")
    if kind not in FIELD_TYPES:
        reader.problem(f"{label}: 未知类型 / unknown type {kind!r}", _line(raw))
        kind = "text"
    options = _strings(reader, raw, "options", label)
    if kind == "enum" and not options:
        reader.problem(f"{label}: enum 类型需要 options / an enum needs options", _line(raw))
    entry = DataElement(
        code=code,
        label=_text(reader, raw, "label", label, required=True) or code,
        type=kind,
        prefill=_text(reader, raw, "prefill", label),
        options=options,
        help=_text(reader, raw, "help", label),
        line=_line(raw),
        source=reader.source,
    )
    _store(reader, reader.catalogue.data_elements, code, entry, "数据元 data element", _line(raw))


def _read_licence_type(reader: _Reader, raw: Mapping) -> None:
    code = _code(reader, raw, "licence type")
    if code is None:
        return
    label = f"licence type {code}"
    entry = LicenceType(
        code=code,
        name=_text(reader, raw, "name", label, required=True) or code,
        department=_text(reader, raw, "department", label),
        valid_years=_int(reader, raw, "valid_years", label, None),
        line=_line(raw),
        source=reader.source,
    )
    _store(reader, reader.catalogue.licence_types, code, entry, "证照类型 licence type", _line(raw))


def _read_material(reader: _Reader, raw: Mapping) -> None:
    code = _code(reader, raw, "material")
    if code is None:
        return
    label = f"material {code}"
    entry = Material(
        code=code,
        name=_text(reader, raw, "name", label, required=True) or code,
        licence_type=_text(reader, raw, "licence_type", label),
        data_share=_text(reader, raw, "data_share", label),
        description=_text(reader, raw, "description", label),
        line=_line(raw),
        source=reader.source,
    )
    _store(reader, reader.catalogue.materials, code, entry, "材料 material", _line(raw))


def _read_requirement(reader: _Reader, raw: Any, label: str, line: int | None):
    if isinstance(raw, str):
        return MaterialRequirement(material=raw.strip())
    if not isinstance(raw, Mapping) or not isinstance(raw.get("material"), str):
        reader.problem(
            f"{label}: 材料条目需要 material / each material entry needs material:", line
        )
        return None
    line = _line(raw) or line
    return MaterialRequirement(
        material=raw["material"].strip(),
        when=_expression(reader, raw.get("when"), label, line),
        deficiency_allowed=_bool(reader, raw, "deficiency_allowed", label),
        commitment_allowed=_bool(reader, raw, "commitment_allowed", label),
        copies=_text(reader, raw, "copies", label),
        note=_text(reader, raw, "note", label),
    )


def _read_item(reader: _Reader, raw: Mapping) -> None:
    code = _code(reader, raw, "item")
    if code is None:
        return
    label = f"item {code}"
    line = _line(raw)
    kind = _text(reader, raw, "kind", label, required=True) or "公共服务"
    if kind not in ITEM_KINDS:
        reader.problem(f"{label}: 未知事项类型 / unknown item kind {kind!r}", line)
    materials_raw = raw.get("materials") or []
    if not isinstance(materials_raw, list):
        reader.problem(f"{label}: materials 必须是列表 / materials must be a list", line)
        materials_raw = []
    requirements = tuple(
        requirement
        for requirement in (_read_requirement(reader, m, label, line) for m in materials_raw)
        if requirement is not None
    )
    entry = ServiceItem(
        code=code,
        name=_text(reader, raw, "name", label, required=True) or code,
        kind=kind,
        department=_text(reader, raw, "department", label, required=True) or "",
        legal_days=_int(reader, raw, "legal_days", label, None),
        promised_days=_int(reader, raw, "promised_days", label, None),
        visits=_int(reader, raw, "visits", label, 0) or 0,
        steps=_strings(reader, raw, "steps", label),
        fields=_strings(reader, raw, "fields", label),
        materials=requirements,
        produces=_text(reader, raw, "produces", label),
        basic_code=_text(reader, raw, "basic_code", label),
        implementation_code=_text(reader, raw, "implementation_code", label),
        legal_basis=_text(reader, raw, "legal_basis", label),
        conditions=_text(reader, raw, "conditions", label),
        review_points=_text(reader, raw, "review_points", label),
        service_object=_text(reader, raw, "service_object", label),
        handling_forms=_strings(reader, raw, "handling_forms", label),
        fee=_text(reader, raw, "fee", label),
        online_level=_text(reader, raw, "online_level", label),
        special_procedures=_strings(reader, raw, "special_procedures", label),
        address=_text(reader, raw, "address", label),
        hours=_text(reader, raw, "hours", label),
        contact=_text(reader, raw, "contact", label),
        supervision=_text(reader, raw, "supervision", label),
        result=_text(reader, raw, "result", label),
        pause_allowed=raw.get("pause_allowed", True) is not False,
        extension_days=_int(reader, raw, "extension_days", label, None),
        description=_text(reader, raw, "description", label),
        instant_approval=_bool(reader, raw, "instant_approval", label),
        commitment_verify_days=_int(reader, raw, "commitment_verify_days", label, None),
        remarked_licence=_bool(reader, raw, "remarked_licence", label),
        line=line,
        source=reader.source,
    )
    _check_credit_keys(reader, entry, label, line)
    if (
        entry.legal_days is not None
        and entry.promised_days is not None
        and entry.promised_days > entry.legal_days
    ):
        reader.problem(
            f"{label}: 承诺时限不得超过法定时限 / promised_days {entry.promised_days} exceeds "
            f"legal_days {entry.legal_days}",
            line,
        )
    _store(reader, reader.catalogue.items, code, entry, "事项 item", line)


def _check_credit_keys(reader: _Reader, entry: ServiceItem, label: str, line: int | None) -> None:
    """The issue-4 keys must make sense together: a verification period only where a material
    may be replaced by a commitment, a remarked licence only where one may be supplied later."""
    if entry.commitment_verify_days == 0:
        reader.problem(
            f"{label}: commitment_verify_days 必须大于0 / commitment_verify_days must be ≥ 1",
            line,
        )
    if entry.commitment_verify_days and not any(m.commitment_allowed for m in entry.materials):
        reader.problem(
            f"{label}: 没有允许告知承诺的材料，不应设置 commitment_verify_days / "
            "commitment_verify_days is set but no material allows a commitment",
            line,
        )
    if entry.remarked_licence and not any(m.deficiency_allowed for m in entry.materials):
        reader.problem(
            f"{label}: 没有允许容缺的材料，不应设置 remarked_licence / "
            "remarked_licence is set but no material may be supplied later",
            line,
        )


def _read_question(reader: _Reader, raw: Any, label: str, line: int | None) -> Question | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("code"), str):
        reader.problem(f"{label}: 问题需要 code / each question needs a code", line)
        return None
    line = _line(raw) or line
    kind = raw.get("type", "text")
    if kind not in FIELD_TYPES:
        reader.problem(
            f"{label}: 问题 {raw['code']} 类型未知 / unknown question type {kind!r}", line
        )
        kind = "text"
    options = _strings(reader, raw, "options", label)
    if kind == "enum" and not options:
        reader.problem(
            f"{label}: 问题 {raw['code']} 需要 options / enum question needs options", line
        )
    return Question(
        code=raw["code"].strip(),
        text=_text(reader, raw, "text", label, required=True) or raw["code"],
        type=kind,
        options=options,
        help=_text(reader, raw, "help", label),
    )


def _read_bundle_item(reader: _Reader, raw: Any, label: str, line: int | None):
    if isinstance(raw, str):
        return BundleItem(item=raw.strip())
    if not isinstance(raw, Mapping) or not isinstance(raw.get("item"), str):
        reader.problem(f"{label}: 事项条目需要 item / each bundle entry needs item:", line)
        return None
    line = _line(raw) or line
    return BundleItem(
        item=raw["item"].strip(),
        after=_strings(reader, raw, "after", label),
        when=_expression(reader, raw.get("when"), label, line),
    )


def _read_bundle(reader: _Reader, raw: Mapping) -> None:
    code = _code(reader, raw, "bundle")
    if code is None:
        return
    label = f"bundle {code}"
    line = _line(raw)
    items = tuple(
        entry
        for entry in (
            _read_bundle_item(reader, i, label, line) for i in _list(reader, raw, "items", label)
        )
        if entry is not None
    )
    questions = tuple(
        entry
        for entry in (
            _read_question(reader, q, label, line) for q in _list(reader, raw, "questions", label)
        )
        if entry is not None
    )
    entry = Bundle(
        code=code,
        name=_text(reader, raw, "name", label, required=True) or code,
        department=_text(reader, raw, "department", label, required=True) or "",
        items=items,
        questions=questions,
        steps=_strings(reader, raw, "steps", label),
        visits=_int(reader, raw, "visits", label, 0) or 0,
        silence_is_consent=_bool(reader, raw, "silence_is_consent", label),
        promised_days=_int(reader, raw, "promised_days", label, None),
        description=_text(reader, raw, "description", label),
        audience=_text(reader, raw, "audience", label),
        life_event=_text(reader, raw, "life_event", label),
        batch=_text(reader, raw, "batch", label),
        line=line,
        source=reader.source,
    )
    _store(reader, reader.catalogue.bundles, code, entry, "一件事 bundle", line)


def _list(reader: _Reader, raw: Mapping, key: str, label: str) -> list:
    value = raw.get(key) or []
    if not isinstance(value, list):
        reader.problem(f"{label}: {key} 必须是列表 / {key} must be a list", _line(raw))
        return []
    return value


READERS = {
    "departments": _read_department,
    "data_elements": _read_data_element,
    "licence_types": _read_licence_type,
    "materials": _read_material,
    "items": _read_item,
    "bundles": _read_bundle,
}


# --- cross-reference checks ----------------------------------------------------------------------


@dataclass(frozen=True)
class KnownCodes:
    """Codes that exist outside the files being checked (already in the database)."""

    departments: frozenset[str] = frozenset()
    data_elements: frozenset[str] = frozenset()
    licence_types: frozenset[str] = frozenset()
    materials: frozenset[str] = frozenset()
    items: frozenset[str] = frozenset()


def check_references(catalogue: Catalogue, known: KnownCodes | None = None) -> list[Problem]:
    """Every code a catalogue uses must be declared (in these files or, for a load, in the database);
    ``after`` must name items of the same bundle and must not form a cycle."""
    known = known or KnownCodes()
    departments = set(catalogue.departments) | known.departments
    elements = set(catalogue.data_elements) | known.data_elements
    licences = set(catalogue.licence_types) | known.licence_types
    materials = set(catalogue.materials) | known.materials
    items = set(catalogue.items) | known.items
    problems: list[Problem] = []

    def report(entry: Any, message: str) -> None:
        problems.append(Problem(message, entry.source, entry.line))

    for licence in catalogue.licence_types.values():
        if licence.department and licence.department not in departments:
            report(
                licence,
                f"licence type {licence.code}: 未知部门 / unknown department {licence.department}",
            )
    for material in catalogue.materials.values():
        if material.licence_type and material.licence_type not in licences:
            report(
                material,
                f"material {material.code}: 未知证照类型 / unknown licence type {material.licence_type}",
            )
    for item in catalogue.items.values():
        if item.department not in departments:
            report(item, f"item {item.code}: 未知部门 / unknown department {item.department}")
        for code in item.fields:
            if code not in elements:
                report(item, f"item {item.code}: 未知数据元 / unknown data element {code}")
        for requirement in item.materials:
            if requirement.material not in materials:
                report(
                    item, f"item {item.code}: 未知材料 / unknown material {requirement.material}"
                )
        if item.produces and item.produces not in licences:
            report(item, f"item {item.code}: 未知证照类型 / unknown licence type {item.produces}")
    for bundle in catalogue.bundles.values():
        problems.extend(_check_bundle(bundle, departments, items))
    return problems


def _check_bundle(bundle: Bundle, departments: set[str], items: set[str]) -> list[Problem]:
    problems: list[Problem] = []

    def report(message: str) -> None:
        problems.append(Problem(f"bundle {bundle.code}: {message}", bundle.source, bundle.line))

    if bundle.department not in departments:
        report(f"未知部门 / unknown department {bundle.department}")
    members = [entry.item for entry in bundle.items]
    seen: set[str] = set()
    for code in members:
        if code not in items:
            report(f"未知事项 / unknown item {code}")
        if code in seen:
            report(f"事项重复 / item listed twice: {code}")
        seen.add(code)
    for entry in bundle.items:
        for dependency in entry.after:
            if dependency not in seen:
                report(
                    f"{entry.item} 的 after 引用了本一件事之外的事项 / after names an item not in this bundle: {dependency}"
                )
    question_codes = [q.code for q in bundle.questions]
    for code in {c for c in question_codes if question_codes.count(c) > 1}:
        report(f"问题编码重复 / duplicate question code {code}")
    cycle = find_cycle({entry.item: entry.after for entry in bundle.items})
    if cycle:
        report(f"after 存在循环依赖 / cycle in after: {' -> '.join(cycle)}")
    return problems


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """Return one cycle (first node repeated at the end) in a dependency graph, or None."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def check_paths(
    paths: Iterable[str | Path], known: KnownCodes | None = None
) -> tuple[Catalogue, list[Problem]]:
    """Parse and cross-check files: the catalogue and every problem, in file order."""
    catalogue, problems = read_catalogue(paths)
    return catalogue, problems + check_references(catalogue, known)
