"""Typed, immutable AST nodes of the expression language.

The AST is the contract between the parser and its three consumers (the Python evaluator, the SQL
compiler and the JSON store), so every node validates itself on construction: a node built by hand or
read back from JSON is as trustworthy as one that came out of :func:`parse`.

Each node carries its source ``span`` (start, end offsets) for messages; spans are excluded from
equality and hashing, so ``parse("a>1") == parse("a > 1")``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Union

from .errors import Span

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})
FUNCTIONS = {"date": 1, "today": 0, "years_ago": 1}  # name -> number of arguments
MAX_YEARS_AGO = 200  # years_ago(n): n is a whole number literal 0 … 200
LITERAL_TYPES = frozenset({"number", "string", "bool", "date"})
ARITHMETIC_OPS = frozenset({"+", "-", "*", "/"})
COMPARE_OPS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not in"})
BOOL_OPS = frozenset({"and", "or"})

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_cjk(ch: str) -> bool:
    """CJK ideographs (unified, extensions A–G, compatibility), allowed in names like ``企业.名称``."""
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x323AF
    )


def is_name_start(ch: str) -> bool:
    """First character of a name segment: ASCII letter, ``_`` or a CJK ideograph (never a digit)."""
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ch == "_" or is_cjk(ch)


def is_name_char(ch: str) -> bool:
    """Later characters of a name segment: a name start or an ASCII digit."""
    return is_name_start(ch) or ("0" <= ch <= "9")


def is_valid_name(path: str) -> bool:
    """True when ``path`` is a dotted name the parser would read back as one :class:`Name`."""
    if not path or path.lower() in KEYWORDS:
        return False
    for segment in path.split("."):
        if not segment or not is_name_start(segment[0]):
            return False
        if not all(is_name_char(ch) for ch in segment[1:]):
            return False
    return True


def parse_iso_date(text: str) -> date | None:
    """``YYYY-MM-DD`` exactly (no week dates, no compact forms), or None when it is no real date."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        return None


class Node:
    """Base class of all nodes (for ``isinstance`` checks and type hints)."""

    __slots__ = ()


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, Decimal) and value.is_finite()


def _encodable(text: str) -> bool:
    """No lone surrogates: every string must survive UTF-8 (databases, JSON, the source text)."""
    return text.isascii() or not any("\ud800" <= ch <= "\udfff" for ch in text)


_LITERAL_CHECKS = {
    "number": _is_number,
    "string": lambda v: isinstance(v, str) and _encodable(v),
    "bool": lambda v: isinstance(v, bool),
    # datetime is a date subclass but has a time of day: not a date literal.
    "date": lambda v: isinstance(v, date) and not isinstance(v, datetime),
}


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A constant: ``type`` is number (int or Decimal, never float), string, bool or date.

    Lists are always :class:`ListExpr`, so each construct has exactly one representation.
    """

    value: int | Decimal | str | bool | date
    type: str
    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        check = _LITERAL_CHECKS.get(self.type)
        if check is None:
            raise ValueError(f"unknown literal type {self.type!r}")
        if not check(self.value):
            raise ValueError(f"{self.value!r} is not a {self.type} literal")


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A dotted field code such as ``shop.area`` or ``enterprise.registered_capital``."""

    path: str
    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not is_valid_name(self.path):
            raise ValueError(f"invalid name {self.path!r}")


@dataclass(frozen=True, slots=True)
class ListExpr(Node):
    """``[a, b, ...]``; only meaningful as the right operand of ``in`` / ``not in``."""

    items: tuple[Expr, ...]
    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", _nodes(self.items, "items"))


@dataclass(frozen=True, slots=True)
class Call(Node):
    """``date('2024-01-01')``, ``today()`` or ``years_ago(80)``; no other function exists.

    ``years_ago(n)`` is the date n whole years before ``today()`` (29 February → 28 February), so
    an age is a comparison with a birth date: ``person.birth_date <= years_ago(80)`` is 年满80周岁.
    """

    func: str
    args: tuple[Expr, ...] = ()
    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "args", _nodes(self.args, "args"))
        if self.func not in FUNCTIONS:
            raise ValueError(f"unknown function {self.func!r}")
        if len(self.args) != FUNCTIONS[self.func]:
            raise ValueError(f"{self.func}() takes {FUNCTIONS[self.func]} argument(s)")
        if self.func == "date":
            arg = self.args[0]
            valid = isinstance(arg, Literal) and arg.type == "string"
            if not valid or parse_iso_date(arg.value) is None:  # type: ignore[union-attr,arg-type]
                raise ValueError("date() takes one string literal 'YYYY-MM-DD'")
        if self.func == "years_ago":
            arg = self.args[0]
            valid = (
                isinstance(arg, Literal)
                and arg.type == "number"
                and isinstance(arg.value, int)
                and 0 <= arg.value <= MAX_YEARS_AGO
            )
            if not valid:
                raise ValueError(f"years_ago() takes one whole number 0 … {MAX_YEARS_AGO}")

    @property
    def date_value(self) -> date:
        """The constant date of ``date('...')`` (validated on construction)."""
        value = parse_iso_date(self.args[0].value)  # type: ignore[union-attr,arg-type]
        assert value is not None
        return value

    def shifted_today(self, today: date) -> date:
        """The value of ``today()`` or ``years_ago(n)`` given the day ``today()`` means."""
        if self.func == "today":
            return today
        years = int(self.args[0].value)  # type: ignore[union-attr,arg-type]
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February in a year that has none
            return today.replace(year=today.year - years, day=28)


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """Unary minus on a non-literal operand (``-5`` is folded into ``Literal(-5)`` by the parser)."""

    op: str
    operand: Expr
    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        if self.op != "-":
            raise ValueError(f"unknown unary operator {self.op!r}")
        _node(self.operand, "operand")


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """Arithmetic ``+ - * /`` on numbers, and ``date ± days`` / ``date - date``."""

    op: str
    left: Expr
    right: Expr
    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        if self.op not in ARITHMETIC_OPS:
            raise ValueError(f"unknown arithmetic operator {self.op!r}")
        _node(self.left, "left")
        _node(self.right, "right")


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """One comparison (``== != < <= > >=``) or membership test (``in`` / ``not in``); never chained."""

    op: str
    left: Expr
    right: Expr
    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        if self.op not in COMPARE_OPS:
            raise ValueError(f"unknown comparison operator {self.op!r}")
        _node(self.left, "left")
        _node(self.right, "right")


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    """``a and b and c`` / ``a or b``: a chain of the same operator, flattened (≥ 2 operands)."""

    op: str
    operands: tuple[Expr, ...]
    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        if self.op not in BOOL_OPS:
            raise ValueError(f"unknown boolean operator {self.op!r}")
        object.__setattr__(self, "operands", _nodes(self.operands, "operands"))
        if len(self.operands) < 2:
            raise ValueError(f"{self.op} needs at least two operands")


@dataclass(frozen=True, slots=True)
class Not(Node):
    """``not x`` (three-valued: ``not unknown`` is unknown)."""

    operand: Expr
    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)

    def __post_init__(self) -> None:
        _node(self.operand, "operand")


Expr = Union[Literal, Name, ListExpr, Call, Unary, Binary, Compare, BoolOp, Not]  # noqa: UP007


def _node(value: object, what: str) -> None:
    if not isinstance(value, Node):
        raise ValueError(f"{what} must be an expression node, not {type(value).__name__}")


def _nodes(values: object, what: str) -> tuple[Expr, ...]:
    if not isinstance(values, list | tuple):
        raise ValueError(f"{what} must be a tuple of expression nodes")
    for value in values:
        _node(value, what)
    return tuple(values)


def children(node: Node) -> tuple[Expr, ...]:
    """Direct sub-expressions, in source order (used by walkers that do not care about the kind)."""
    if isinstance(node, ListExpr):
        return node.items
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Unary | Not):
        return (node.operand,)
    if isinstance(node, Binary | Compare):
        return (node.left, node.right)
    if isinstance(node, BoolOp):
        return node.operands
    return ()


def walk(node: Node) -> Iterator[Node]:
    """All nodes of the tree, parent before children, without recursion (deep trees are safe)."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
