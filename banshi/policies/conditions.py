"""Policy conditions (政策条件颗粒化): named expressions checked against the attribute schema.

A policy's conditions are a list of ``(name, source)`` pairs: a short name in words that enterprises
read (``注册资本不低于500万元``) and an expression of :mod:`banshi.expr` over the portrait attributes
(``enterprise.registered_capital >= 500``). Saving checks each one strictly against
:data:`banshi.policies.attributes.SCHEMA` with :func:`banshi.expr.check_condition`, so an unknown
attribute, a date compared with a number, a division by zero or an expression that is not true/false
is refused with a message that names the condition and underlines the culprit. The staff editor
writes conditions one per line as ``名称：表达式`` (:func:`parse_lines`).

A policy is for one subject kind (企业 or 个人): its conditions are checked against that kind's
attributes only, and an attribute of the other kind is refused with a message naming it.

Pure: no Django import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from banshi.expr import (
    ExprError,
    check_condition,
    from_json,
    infer_type,
    names,
    parse,
    to_json,
    to_sql,
)
from banshi.expr.errors import caret_lines
from banshi.policies.attributes import SubjectKind, registry, subject_of_code

MAX_CONDITIONS = 30  # one bit each in a match's masks
MAX_NAME = 60
MAX_SOURCE = 1000


@dataclass(frozen=True)
class Problem:
    """Something wrong with one condition (``index`` 0-based; None for the list as a whole)."""

    index: int | None
    zh: str
    en: str
    detail: str = ""  # the expression error with its caret lines, when there is one
    position: int | None = None
    name: str = ""

    @property
    def where(self) -> str:
        if self.index is None:
            return "条件 / conditions"
        named = f"「{self.name}」" if self.name else ""
        return f"第 {self.index + 1} 条条件{named} / condition {self.index + 1}"

    @property
    def headline(self) -> str:
        """The reason, in Chinese and English, without the caret lines."""
        return self.detail.split("\n", 1)[0] if self.detail else f"{self.zh} / {self.en}"

    @property
    def caret(self) -> str:
        """The expression with the culprit underlined (empty when there is no position)."""
        return self.detail.split("\n", 1)[1] if "\n" in self.detail else ""

    @property
    def message(self) -> str:
        if self.detail:
            return f"{self.where}: {self.detail}"
        return f"{self.where}: {self.zh} / {self.en}"


class ConditionError(ValueError):
    """One or more conditions were refused; ``problems`` says which and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(problem.message for problem in problems))


@dataclass
class CheckResult:
    conditions: list[dict[str, Any]] = field(default_factory=list)  # stored form
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def split_line(line: str) -> tuple[str, str]:
    """``名称：表达式`` → (name, source); a line with no name before a colon names itself."""
    for index, char in enumerate(line):
        if char in "'\"":
            break
        if char in ":：":
            return line[:index].strip(), line[index + 1 :].strip()
    return "", line.strip()


def parse_lines(text: str) -> list[tuple[str, str]]:
    """The editor's text, one condition per non-empty line (``#`` starts a comment line)."""
    pairs = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pairs.append(split_line(line))
    return pairs


def as_lines(conditions: list[dict[str, Any]]) -> str:
    """Stored conditions back to the editor's text."""
    return "\n".join(f"{c['name']}：{c['source']}" for c in conditions)


def _expr_problem(index: int, name: str, error: ExprError) -> Problem:
    zh = getattr(error, "zh", None) or str(error)
    en = getattr(error, "en", None) or str(error)
    return Problem(index, zh, en, str(error), getattr(error, "position", None), name)


def _wrong_kind(index: int, name: str, source: str, kind: str) -> Problem | None:
    """An attribute of the other subject kind, named and underlined (企业属性 in a 个人政策)."""
    try:
        read = names(parse(source))
    except ExprError:
        return None  # check_condition reports the syntax error
    for code in sorted(read):
        other = subject_of_code(code)
        if other is None or other == kind:
            continue
        own = dict(SubjectKind.CHOICES)
        position = source.find(code)
        detail = (
            f"「{code}」是{own[other]}属性，{own[kind]}政策只能使用{own[kind]}属性（{kind}.…）"
            f" / {code} belongs to the {SubjectKind.LABELS_EN[other]} portrait: a "
            f"{SubjectKind.LABELS_EN[kind]} policy can only use {kind}.… attributes"
        )
        if position >= 0:
            detail += "\n" + caret_lines(source, position, position + len(code))
        return Problem(
            index,
            f"「{code}」是{own[other]}属性，不能用于{own[kind]}政策",
            f"{code} belongs to the {SubjectKind.LABELS_EN[other]} portrait, not to a "
            f"{SubjectKind.LABELS_EN[kind]} policy",
            detail,
            position if position >= 0 else None,
            name,
        )
    return None


def check(
    pairs: list[tuple[str, str]] | list[dict[str, Any]], kind: str = SubjectKind.ENTERPRISE
) -> CheckResult:
    """Check every condition; the stored form (name, source, ast, hint) of those that pass.

    Each source must parse, name only registered attributes of ``kind``, be well typed, divide by
    no constant zero, be true/false, and compile to SQL for both engines. Names must be present
    and distinct.
    """
    result = CheckResult()
    schema = registry(kind).schema
    probe = _probe(kind)
    items: list[tuple[str, str, str]] = []
    for pair in pairs:
        if isinstance(pair, dict):
            items.append((pair.get("name", ""), pair.get("source", ""), pair.get("hint", "")))
        else:
            items.append((pair[0], pair[1], ""))
    if not items:
        result.problems.append(
            Problem(None, "至少需要一条享受条件", "a policy needs at least one condition")
        )
        return result
    if len(items) > MAX_CONDITIONS:
        result.problems.append(
            Problem(
                None,
                f"条件不能超过 {MAX_CONDITIONS} 条",
                f"at most {MAX_CONDITIONS} conditions",
            )
        )
    seen: dict[str, int] = {}
    for index, (name, source, hint) in enumerate(items):
        name, source = (name or "").strip(), (source or "").strip()
        if not source:
            result.problems.append(Problem(index, "条件表达式为空", "the expression is empty"))
            continue
        if len(source) > MAX_SOURCE:
            result.problems.append(
                Problem(index, "条件表达式过长", f"longer than {MAX_SOURCE} characters")
            )
            continue
        wrong = _wrong_kind(index, name, source, kind)
        if wrong is not None:
            result.problems.append(wrong)
            continue
        try:
            node = check_condition(source, schema, strict=True)
            for dialect in ("sqlite", "postgresql"):
                to_sql(node, probe, dialect=dialect, today=dt.date(2000, 1, 1), schema=schema)
        except ExprError as error:
            result.problems.append(_expr_problem(index, name, error))
            continue
        if not name:
            name = source
        if len(name) > MAX_NAME:
            result.problems.append(
                Problem(
                    index, f"名称不能超过 {MAX_NAME} 个字", f"the name is longer than {MAX_NAME}"
                )
            )
            continue
        if name in seen:
            result.problems.append(
                Problem(
                    index,
                    f"名称“{name}”与第 {seen[name] + 1} 条重复",
                    f"the name {name!r} repeats condition {seen[name] + 1}",
                )
            )
            continue
        seen[name] = index
        result.conditions.append(
            {"name": name, "source": source, "ast": to_json(node), "hint": (hint or "").strip()}
        )
    return result


def checked(
    pairs: list[tuple[str, str]] | list[dict[str, Any]], kind: str = SubjectKind.ENTERPRISE
) -> list[dict[str, Any]]:
    """The stored form of the conditions, or :class:`ConditionError` naming every problem."""
    result = check(pairs, kind)
    if result.problems:
        raise ConditionError(result.problems)
    return result.conditions


def _probe(kind: str):
    by_code = registry(kind).by_code

    def column(name: str) -> str:
        return f'"{by_code[name].column}"'

    return column


def check_benefit_expression(
    source: str, subject_kind: str = SubjectKind.ENTERPRISE
) -> dict[str, Any]:
    """A benefit formula (元) over the portrait: must be a number. Returns its AST JSON."""
    wrong = _wrong_kind(0, "", source, subject_kind)
    if wrong is not None:
        raise ConditionError(
            [Problem(None, f"金额计算式：{wrong.zh}", f"benefit formula: {wrong.en}")]
        )
    try:
        node = parse(source)
        kind = infer_type(node, registry(subject_kind).schema, strict=True, source=source)
    except ExprError as error:
        raise ConditionError([_benefit_problem(error)]) from None
    if kind != "number":
        raise ConditionError(
            [
                Problem(
                    None,
                    f"金额计算式的结果应为数值（元），而不是{_KIND_ZH.get(kind, kind)}",
                    f"the benefit formula must give a number (yuan), not {kind}",
                )
            ]
        )
    return to_json(node)


def _benefit_problem(error: ExprError) -> Problem:
    zh = getattr(error, "zh", None) or str(error)
    en = getattr(error, "en", None) or str(error)
    return Problem(None, f"金额计算式：{zh}", f"benefit formula: {en}", str(error))


_KIND_ZH = {"string": "文本", "bool": "是/否", "date": "日期", "list": "列表", "any": "未知类型"}


def attributes_read(
    conditions: list[dict[str, Any]], kind: str = SubjectKind.ENTERPRISE
) -> list[str]:
    """The attribute codes the conditions read, in registry order."""
    used: set[str] = set()
    for condition in conditions:
        used |= names(from_json(condition["ast"]))
    return [code for code in registry(kind).schema if code in used]


def money(value: Any) -> Decimal | None:
    """A benefit amount rounded to fen, never negative (None stays None)."""
    if value is None:
        return None
    amount = Decimal(value)
    if amount < 0:
        amount = Decimal(0)
    return amount.quantize(Decimal("0.01"))
