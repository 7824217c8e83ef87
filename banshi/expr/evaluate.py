"""Evaluate an AST for one subject, with SQL's three-valued logic.

``None`` means *unknown* (a name with no value), exactly like SQL ``NULL``: comparisons and arithmetic
with an unknown are unknown, ``and``/``or`` follow Kleene logic, ``not unknown`` is unknown. Keeping
these rules identical to SQL is what lets :func:`banshi.expr.to_sql` select exactly the subjects for
which :func:`holds` is true (a property the tests check against SQLite).

Numbers are ``int`` or ``Decimal`` (floats from callers are converted through their ``repr``), so money
compares exactly. Decimal operations use a fixed context (28 significant digits) rather than the
thread's, so results do not depend on the caller's ``decimal`` settings.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from .errors import ExprError, ExprTypeError
from .nodes import (
    Binary,
    BoolOp,
    Call,
    Compare,
    Expr,
    ListExpr,
    Literal,
    Name,
    Node,
    Not,
    Unary,
    walk,
)

CONTEXT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

KIND_ZH = {
    "number": "数值",
    "string": "字符串",
    "bool": "布尔值",
    "date": "日期",
    "list": "列表",
    "any": "任意值",
}
KIND_EN = {"number": "a number", "string": "a string", "bool": "a boolean", "date": "a date", "list": "a list", "any": "any value"}  # fmt: skip

_ORDERING = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def kind_of(value: Any) -> str | None:
    """The language type of a normalised run-time value (None for unknown)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, date):
        return "date"
    if isinstance(value, tuple):
        return "list"
    raise TypeError(f"not a normalised value: {value!r}")  # pragma: no cover - internal invariant


def _negate(value: int | Decimal) -> int | Decimal:
    return -value if isinstance(value, int) else CONTEXT.minus(value)


def _type_error(node: Node, zh: str, en: str) -> ExprTypeError:
    return ExprTypeError(zh, en, getattr(node, "span", None))


def normalise(value: Any, node: Node, *, inside_list: bool = False) -> Any:
    """A caller's value in the evaluator's terms: float → Decimal, NaN → unknown, list → tuple."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | Decimal):
        number = value if isinstance(value, Decimal) else Decimal(repr(value))
        if number.is_nan():  # SQL stores NaN as NULL, so it is unknown here too
            return None
        if not number.is_finite():
            raise _type_error(
                node, f"值 {value} 不是有限数", f"value {value} is not a finite number"
            )
        return number
    if isinstance(value, datetime):
        raise _type_error(
            node,
            "值是日期时间而不是日期，请传入 .date()",
            "value is a datetime, not a date: pass .date()",
        )
    if isinstance(value, date):
        return value
    if isinstance(value, list | tuple | set | frozenset) and not inside_list:
        return tuple(normalise(item, node, inside_list=True) for item in value)
    raise _type_error(
        node,
        f"不支持的值类型 {type(value).__name__}",
        f"unsupported value type {type(value).__name__}",
    )


def lookup(variables: Mapping[str, Any], path: str) -> Any:
    """The exact key ``"shop.area"`` first, else walk nested mappings ``{"shop": {"area": ...}}``."""
    if path in variables:
        return variables[path]
    current: Any = variables
    for segment in path.split("."):
        if not isinstance(current, Mapping) or segment not in current:
            return None
        current = current[segment]
    return current


class _Evaluator:
    def __init__(self, variables: Mapping[str, Any], today: date | None) -> None:
        self.variables = variables
        self.today = today
        self.dispatch: dict[type, Callable[[Any], Any]] = {
            Literal: self.literal,
            Name: self.name,
            ListExpr: self.list_,
            Call: self.call,
            Unary: self.unary,
            Binary: self.binary,
            Compare: self.compare,
            BoolOp: self.boolop,
            Not: self.not_,
        }

    def eval(self, node: Expr) -> Any:
        return self.dispatch[type(node)](node)

    def literal(self, node: Literal) -> Any:
        return node.value

    def name(self, node: Name) -> Any:
        return normalise(lookup(self.variables, node.path), node)

    def list_(self, node: ListExpr) -> tuple[Any, ...]:
        return tuple(self.eval(item) for item in node.items)

    def call(self, node: Call) -> date:
        if node.func == "date":
            return node.date_value
        if self.today is None:
            raise ExprError(
                "表达式用到了 today()，但调用方没有提供 today= 日期 / "
                "the expression uses today() but no today= date was given"
            )
        return node.shifted_today(self.today)

    def unary(self, node: Unary) -> Any:
        value = self.eval(node.operand)
        kind = kind_of(value)
        if kind is None:
            return None
        if kind != "number":
            raise _type_error(
                node, f"负号只能用于数值，不能用于{KIND_ZH[kind]}", f"cannot negate {KIND_EN[kind]}"
            )
        return _negate(value)

    # -- arithmetic ----------------------------------------------------------------------------
    def binary(self, node: Binary) -> Any:
        left, right = self.eval(node.left), self.eval(node.right)
        kinds = (kind_of(left), kind_of(right))
        allowed = ("number",) if node.op in "*/" else ("number", "date")
        for kind in kinds:
            if kind is not None and kind not in allowed:
                raise self.arithmetic_error(node, kinds)
        if None in kinds:
            return None
        if kinds == ("number", "number"):
            return self.numeric(node, left, right)
        if node.op == "+" and "number" in kinds:
            days, day = (right, left) if kinds[0] == "date" else (left, right)
            return self.shift(node, day, days)
        if node.op == "-" and kinds == ("date", "number"):
            return self.shift(node, left, _negate(right))
        if node.op == "-" and kinds == ("date", "date"):
            return (left - right).days
        raise self.arithmetic_error(node, kinds)

    def arithmetic_error(self, node: Binary, kinds: tuple[str | None, str | None]) -> ExprTypeError:
        left, right = (k or "any" for k in kinds)
        return _type_error(
            node,
            f"不能计算 {KIND_ZH[left]} {node.op} {KIND_ZH[right]}",
            f"cannot compute {KIND_EN[left]} {node.op} {KIND_EN[right]}",
        )

    def numeric(self, node: Binary, left: Any, right: Any) -> Any:
        op = node.op
        if op != "/" and isinstance(left, int) and isinstance(right, int):
            return left + right if op == "+" else left - right if op == "-" else left * right
        if op == "/" and right == 0:
            return None  # like SQL with NULLIF(divisor, 0): unknown, not an exception
        method = {
            "+": CONTEXT.add,
            "-": CONTEXT.subtract,
            "*": CONTEXT.multiply,
            "/": CONTEXT.divide,
        }[op]
        try:
            return method(Decimal(left), Decimal(right))
        except decimal.DecimalException as exc:
            raise _type_error(node, "数值超出范围", "number out of range") from exc

    def shift(self, node: Binary, day: date, days: Any) -> date | None:
        whole = int(days)
        if whole != days:
            raise _type_error(
                node,
                f"天数必须是整数，而不是 {days}",
                f"a number of days must be whole, not {days}",
            )
        try:
            return day + timedelta(days=whole)
        except OverflowError:
            return None  # outside year 1..9999: unknown, as SQLite's date() gives NULL

    # -- comparison ----------------------------------------------------------------------------
    def compare(self, node: Compare) -> bool | None:
        left, right = self.eval(node.left), self.eval(node.right)
        if node.op in ("in", "not in"):
            found = self.membership(node, left, right)
            if found is None or node.op == "in":
                return found
            return not found
        self.check_comparable(node, kind_of(left), kind_of(right))
        if left is None or right is None:
            return None
        if node.op == "==":
            return left == right
        if node.op == "!=":
            return left != right
        return _ORDERING[node.op](left, right)

    def check_comparable(self, node: Compare, left: str | None, right: str | None) -> None:
        ordering = node.op not in ("==", "!=")
        for kind in (left, right):
            if kind == "list" or (ordering and kind == "bool"):
                raise self.compare_error(node, left, right)
        if left is not None and right is not None and left != right:
            raise self.compare_error(node, left, right)

    def compare_error(self, node: Compare, left: str | None, right: str | None) -> ExprTypeError:
        left, right = left or "any", right or "any"
        return _type_error(
            node,
            f"不能用 {node.op} 比较{KIND_ZH[left]}与{KIND_ZH[right]}",
            f"cannot compare {KIND_EN[left]} with {KIND_EN[right]} using {node.op}",
        )

    def membership(self, node: Compare, left: Any, right: Any) -> bool | None:
        """SQL ``IN``: true if an item equals; else unknown if anything was unknown; else false."""
        left_kind, right_kind = kind_of(left), kind_of(right)
        if right_kind not in (None, "list") or left_kind == "list":
            raise _type_error(
                node,
                f"{node.op} 的左边应为单个值，右边应为列表",
                f"'{node.op}' needs a single value on the left and a list on the right",
            )
        if right is None:
            return None
        if not right:
            return False  # nothing is in an empty list, not even an unknown (as in SQL)
        found, unknown = False, left is None
        for item in right:
            item_kind = kind_of(item)
            if item_kind is None:
                unknown = True
                continue
            if left_kind is not None and item_kind != left_kind:
                raise self.compare_error(node, left_kind, item_kind)
            if left is not None and item == left:
                found = True
        if found:
            return True
        return None if unknown else False

    # -- logic ---------------------------------------------------------------------------------
    def truth(self, node: Node, value: Any, what: str) -> bool | None:
        kind = kind_of(value)
        if kind not in (None, "bool"):
            raise _type_error(
                node,
                f"{what} 的操作数应为真假值，而不是{KIND_ZH[kind]}",  # type: ignore[index]
                f"'{what}' needs true/false operands, not {KIND_EN[kind]}",  # type: ignore[index]
            )
        return value

    def boolop(self, node: BoolOp) -> bool | None:
        """Kleene logic, short-circuiting once the result is decided (as SQL engines may)."""
        decisive = node.op == "or"  # True decides 'or', False decides 'and'
        result: bool | None = not decisive
        for operand in node.operands:
            value = self.truth(operand, self.eval(operand), node.op)
            if value is decisive:
                return decisive
            if value is None:
                result = None
        return result

    def not_(self, node: Not) -> bool | None:
        value = self.truth(node, self.eval(node.operand), "not")
        return None if value is None else not value


def evaluate(node: Expr, variables: Mapping[str, Any], *, today: date | None = None) -> Any:
    """The value of ``node`` for one subject; ``None`` means unknown (SQL ``NULL``).

    Raises :class:`ExprTypeError` for operands of the wrong type (``2024-01-01 > 5``), and
    :class:`ExprError` when ``today()`` is used without ``today=``: the package never reads the clock,
    so that a run is reproducible and a policy can be previewed "as of" any day.
    """
    return _Evaluator(variables, today).eval(node)


def holds(node: Expr, variables: Mapping[str, Any], *, today: date | None = None) -> bool:
    """True only when ``node`` evaluates to exactly ``True``: an unknown makes a condition false."""
    return evaluate(node, variables, today=today) is True


def names(node: Node) -> set[str]:
    """The dotted names that ``node`` reads."""
    return {item.path for item in walk(node) if isinstance(item, Name)}
