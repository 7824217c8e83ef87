"""AST ↔ JSON-compatible dicts, for storing the parsed tree next to its source text.

Format (one object per node, ``"node"`` names the kind; ``"span"`` is optional)::

    {"node": "literal", "type": "number", "value": 5}            # int: JSON number
    {"node": "literal", "type": "number", "value": "1.50"}       # Decimal: a string, to stay exact
    {"node": "literal", "type": "date", "value": "2024-01-01"}
    {"node": "name", "path": "shop.area"}
    {"node": "list", "items": [...]}
    {"node": "call", "func": "date", "args": [...]}
    {"node": "unary", "op": "-", "operand": {...}}
    {"node": "binary" | "compare", "op": "+", "left": {...}, "right": {...}}
    {"node": "boolop", "op": "and", "operands": [...]}
    {"node": "not", "operand": {...}}

Decimals travel as strings because JSON numbers become floats in most readers, and money must not.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ExprError
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
    parse_iso_date,
)


def _literal_value(node: Literal) -> Any:
    if isinstance(node.value, Decimal):
        return format(node.value, "f")
    if isinstance(node.value, date):
        return node.value.isoformat()
    return node.value


def to_json(node: Node) -> dict[str, Any]:
    """A JSON-compatible dict for ``node`` (includes spans when the node has them)."""
    out: dict[str, Any]
    if isinstance(node, Literal):
        out = {"node": "literal", "type": node.type, "value": _literal_value(node)}
    elif isinstance(node, Name):
        out = {"node": "name", "path": node.path}
    elif isinstance(node, ListExpr):
        out = {"node": "list", "items": [to_json(item) for item in node.items]}
    elif isinstance(node, Call):
        out = {"node": "call", "func": node.func, "args": [to_json(arg) for arg in node.args]}
    elif isinstance(node, Unary):
        out = {"node": "unary", "op": node.op, "operand": to_json(node.operand)}
    elif isinstance(node, Not):
        out = {"node": "not", "operand": to_json(node.operand)}
    elif isinstance(node, Binary | Compare):
        kind = "binary" if isinstance(node, Binary) else "compare"
        out = {
            "node": kind,
            "op": node.op,
            "left": to_json(node.left),
            "right": to_json(node.right),
        }
    elif isinstance(node, BoolOp):
        out = {"node": "boolop", "op": node.op, "operands": [to_json(x) for x in node.operands]}
    else:
        raise TypeError(f"not an expression node: {node!r}")
    if node.span is not None:  # type: ignore[attr-defined]
        out["span"] = list(node.span)  # type: ignore[attr-defined]
    return out


def _literal_from_json(data: Mapping[str, Any]) -> Any:
    kind, value = data["type"], data["value"]
    if kind == "number" and isinstance(value, str):
        return Decimal(value)
    if kind == "date" and isinstance(value, str):
        parsed = parse_iso_date(value)
        if parsed is None:
            raise ValueError(f"invalid date {value!r}")
        return parsed
    return value


def _span_from_json(data: Mapping[str, Any]) -> tuple[int, int] | None:
    span = data.get("span")
    if span is None:
        return None
    start, end = span
    if not (isinstance(start, int) and isinstance(end, int)):
        raise ValueError(f"invalid span {span!r}")
    return (start, end)


def _from_json(data: Any) -> Expr:
    if not isinstance(data, Mapping):
        raise ValueError(f"expected an object, found {type(data).__name__}")
    kind = data["node"]
    span = _span_from_json(data)
    if kind == "literal":
        return Literal(_literal_from_json(data), data["type"], span=span)
    if kind == "name":
        return Name(data["path"], span=span)
    if kind == "list":
        return ListExpr(tuple(_from_json(x) for x in data["items"]), span=span)
    if kind == "call":
        return Call(data["func"], tuple(_from_json(x) for x in data["args"]), span=span)
    if kind == "unary":
        return Unary(data["op"], _from_json(data["operand"]), span=span)
    if kind == "not":
        return Not(_from_json(data["operand"]), span=span)
    if kind == "binary":
        return Binary(data["op"], _from_json(data["left"]), _from_json(data["right"]), span=span)
    if kind == "compare":
        return Compare(data["op"], _from_json(data["left"]), _from_json(data["right"]), span=span)
    if kind == "boolop":
        return BoolOp(data["op"], tuple(_from_json(x) for x in data["operands"]), span=span)
    raise ValueError(f"unknown node kind {kind!r}")


def from_json(data: Mapping[str, Any]) -> Expr:
    """Rebuild a node from :func:`to_json` output; raises :class:`ExprError` on malformed input."""
    try:
        return _from_json(data)
    except (KeyError, TypeError, ValueError, InvalidOperation, RecursionError) as exc:
        if isinstance(exc, ExprError):
            raise
        raise ExprError(f"表达式 JSON 无效 / invalid expression JSON: {exc!r}") from exc
