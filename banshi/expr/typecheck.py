"""Static checks run when a condition is saved, so mistakes surface in the editor, not in a case.

:func:`infer_type` computes the type of an expression from a schema (name → type) and refuses
ill-typed operations with a message pointing at the offending span. ``any`` stands for a name whose
type is not known; it is compatible with everything, so a check without a schema only catches what
the literals alone prove wrong (``2024-01-01 > 5``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from .errors import ExprError, ExprNameError, ExprTypeError
from .evaluate import KIND_EN, KIND_ZH, evaluate, names
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
from .parser import parse

TYPES = frozenset({"number", "string", "bool", "date", "list", "any"})
# Catalogue data-element types (DESIGN §4) map onto the language's types.
SCHEMA_ALIASES = {
    "text": "string",
    "id_number": "string",
    "uscc": "string",
    "phone": "string",
    "email": "string",
    "address": "string",
    "enum": "string",
    "boolean": "bool",
}


def normalise_schema(schema: Mapping[str, str] | None) -> dict[str, str]:
    """The schema with catalogue aliases resolved; unknown type names are a programming error."""
    result: dict[str, str] = {}
    for name, kind in (schema or {}).items():
        resolved = SCHEMA_ALIASES.get(kind, kind)
        if resolved not in TYPES:
            raise ValueError(f"unknown type {kind!r} for {name!r} (known: {sorted(TYPES)})")
        result[name] = resolved
    return result


class _Checker:
    def __init__(self, schema: Mapping[str, str], strict: bool, source: str | None) -> None:
        self.schema = schema
        self.strict = strict
        self.source = source
        self.types: dict[int, str] = {}  # id(node) -> type, for the SQL compiler's choices

    def error(self, node: Node, zh: str, en: str) -> ExprTypeError:
        return ExprTypeError(zh, en, getattr(node, "span", None), self.source)

    def infer(self, node: Expr) -> str:
        result = self.infer_uncached(node)
        self.types[id(node)] = result
        return result

    def infer_uncached(self, node: Expr) -> str:
        if isinstance(node, Literal):
            return node.type
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Call):
            return "date"
        if isinstance(node, ListExpr):
            self.element_type(node)
            return "list"
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Binary):
            return self.binary(node, self.infer(node.left), self.infer(node.right))
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, BoolOp):
            for operand in node.operands:
                self.truth(operand, node.op)
            return "bool"
        if isinstance(node, Not):
            self.truth(node.operand, "not")
            return "bool"
        raise TypeError(f"not an expression node: {node!r}")

    def name(self, node: Name) -> str:
        if node.path in self.schema:
            return self.schema[node.path]
        if self.strict:
            close = difflib.get_close_matches(node.path, list(self.schema), n=3)
            raise ExprNameError(node.path, node.span, self.source, known=", ".join(close))
        return "any"

    def unary(self, node: Unary) -> str:
        kind = self.infer(node.operand)
        if kind not in ("number", "any"):
            raise self.error(
                node, f"负号只能用于数值，不能用于{KIND_ZH[kind]}", f"cannot negate {KIND_EN[kind]}"
            )
        return "number"

    def binary(self, node: Binary, left: str, right: str) -> str:
        result = _ARITHMETIC.get((node.op, left, right))
        if result is None:
            raise self.error(
                node,
                f"不能计算 {KIND_ZH[left]} {node.op} {KIND_ZH[right]}",
                f"cannot compute {KIND_EN[left]} {node.op} {KIND_EN[right]}",
            )
        return result

    def compare(self, node: Compare) -> str:
        left = self.infer(node.left)
        if node.op in ("in", "not in"):
            self.membership(node, left)
            return "bool"
        right = self.infer(node.right)
        forbidden = ("list", "bool") if node.op not in ("==", "!=") else ("list",)
        known = "any" not in (left, right)
        if left in forbidden or right in forbidden or (known and left != right):
            raise self.error(
                node,
                f"不能用 {node.op} 比较{KIND_ZH[left]}与{KIND_ZH[right]}",
                f"cannot compare {KIND_EN[left]} with {KIND_EN[right]} using {node.op}",
            )
        return "bool"

    def membership(self, node: Compare, left: str) -> None:
        if isinstance(node.right, ListExpr):
            element = self.element_type(node.right)
            right_ok = True
        else:
            element, right_ok = "any", self.infer(node.right) in ("list", "any")
        if left == "list" or not right_ok:
            raise self.error(
                node,
                f"{node.op} 的左边应为单个值，右边应为列表",
                f"'{node.op}' needs a single value on the left and a list on the right",
            )
        if "any" not in (left, element) and left != element:
            raise self.error(
                node,
                f"不能在{KIND_ZH[element]}列表中查找{KIND_ZH[left]}",
                f"cannot look for {KIND_EN[left]} in a list of {element} values",
            )

    def element_type(self, node: ListExpr) -> str:
        """The one type shared by all items (``any`` if none is known); mixed lists are refused."""
        element = "any"
        for item in node.items:
            kind = self.infer(item)
            if kind == "list":
                raise self.error(item, "列表中不能再含列表", "a list cannot contain a list")
            if kind == "any":
                continue
            if element not in ("any", kind):
                raise self.error(
                    item,
                    f"列表中的值类型须一致：{KIND_ZH[element]}与{KIND_ZH[kind]}",
                    f"list items must share one type, found {KIND_EN[element]} and {KIND_EN[kind]}",
                )
            element = kind
        return element

    def truth(self, operand: Expr, what: str) -> None:
        kind = self.infer(operand)
        if kind not in ("bool", "any"):
            raise self.error(
                operand,
                f"{what} 的操作数应为真假值，而不是{KIND_ZH[kind]}",
                f"'{what}' needs true/false operands, not {KIND_EN[kind]}",
            )


def _arithmetic_table() -> dict[tuple[str, str, str], str]:
    """(op, left, right) → result type; a missing key is a type error."""
    table: dict[tuple[str, str, str], str] = {}
    for op in "+-*/":
        for left, right in (
            ("number", "number"),
            ("number", "any"),
            ("any", "number"),
            ("any", "any"),
        ):
            table[(op, left, right)] = (
                "number" if op in "*/" or "any" not in (left, right) else "any"
            )
    table.update(
        {
            ("+", "date", "number"): "date",
            ("+", "number", "date"): "date",
            ("+", "date", "any"): "date",
            ("+", "any", "date"): "date",
            ("-", "date", "number"): "date",
            ("-", "date", "date"): "number",
            ("-", "any", "date"): "number",
            ("-", "date", "any"): "any",
            ("-", "number", "any"): "number",
        }
    )
    return table


_ARITHMETIC = _arithmetic_table()


def infer_type(
    node: Expr,
    schema: Mapping[str, str] | None = None,
    *,
    strict: bool = False,
    source: str | None = None,
) -> str:
    """The static type of ``node``: number, string, bool, date, list or any.

    ``schema`` maps names to types (catalogue types such as ``text`` or ``enum`` count as string).
    Names missing from it are ``any``, or an :class:`ExprNameError` when ``strict``. Ill-typed
    operations and division by a constant zero raise :class:`ExprTypeError`; with ``source`` the
    message shows the expression with the offending part underlined.
    """
    checker = _Checker(normalise_schema(schema), strict, source)
    result = checker.infer(node)
    check_division_by_literal_zero(node, source=source)
    return result


def node_types(node: Expr, schema: Mapping[str, str] | None = None) -> dict[int, str]:
    """Type of every node of the tree, keyed by ``id(node)`` (raises like :func:`infer_type`)."""
    checker = _Checker(normalise_schema(schema), False, None)
    checker.infer(node)
    return checker.types


def check_division_by_literal_zero(node: Expr, *, source: str | None = None) -> None:
    """Refuse ``x / 0`` (and ``x / (2 - 2)``): at run time it would silently make a condition unknown."""
    for item in walk(node):
        if not (isinstance(item, Binary) and item.op == "/"):
            continue
        divisor = item.right
        if names(divisor) or any(isinstance(n, Call) and n.func == "today" for n in walk(divisor)):
            continue
        try:
            value = evaluate(divisor, {})
        except ExprError:
            continue  # ill-typed: infer_type reports it
        if value is not None and not isinstance(value, bool) and value == 0:
            raise ExprTypeError("除数为 0", "division by zero", divisor.span, source)


def check_condition(
    source: str, schema: Mapping[str, str] | None = None, *, strict: bool = False
) -> Expr:
    """Parse and check a ``when`` or policy condition as it is saved; returns the AST to store.

    The result must be true/false (or a name of unknown type): ``shop.area + 1`` is no condition.
    """
    node = parse(source)
    kind = infer_type(node, schema, strict=strict, source=source)
    if kind not in ("bool", "any"):
        raise ExprTypeError(
            f"条件的结果应为真假值，而不是{KIND_ZH[kind]}",
            f"a condition must be true or false, not {KIND_EN[kind]}",
            node.span,
            source,
        )
    return node
