"""AST → canonical source text, with ``parse(unparse(n)) == n`` for every valid tree.

The canonical form is what the catalogue shows and stores next to the AST: single spaces around
operators, single-quoted strings, only the parentheses the tree needs. Parentheses follow the
parser's precedence table exactly, including the cases where they change the tree although not the
value (``(a and b) and c`` stays nested; ``a - (b - c)`` keeps its grouping).
"""

from __future__ import annotations

from decimal import Decimal

from .nodes import Binary, BoolOp, Call, Compare, Expr, ListExpr, Literal, Name, Node, Not, Unary

_ATOM = 8
_PRECEDENCE = {"or": 1, "and": 2, "+": 5, "-": 5, "*": 6, "/": 6}


def precedence(node: Node) -> int:
    """Binding strength of a node's outermost operator (higher binds tighter)."""
    if isinstance(node, BoolOp | Binary):
        return _PRECEDENCE[node.op]
    if isinstance(node, Not):
        return 3
    if isinstance(node, Compare):
        return 4
    if isinstance(node, Unary):
        return 7
    return _ATOM


def quote(text: str) -> str:
    """A single-quoted string literal; control characters are escaped so the text stays on one line."""
    out = ["'"]
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "'":
            out.append("\\'")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append("'")
    return "".join(out)


def format_number(value: int | Decimal) -> str:
    """Plain digits, never an exponent; a Decimal keeps a decimal point so it reads back as a Decimal."""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text if "." in text else text + ".0"
    return str(value)


def _literal(node: Literal) -> str:
    if node.type == "number":
        return format_number(node.value)  # type: ignore[arg-type]
    if node.type == "string":
        return quote(node.value)  # type: ignore[arg-type]
    if node.type == "bool":
        return "true" if node.value else "false"
    return node.value.isoformat()  # type: ignore[union-attr]


def _wrap(node: Expr, needs_parentheses: bool) -> str:
    text = unparse(node)
    return f"({text})" if needs_parentheses else text


def unparse(node: Expr) -> str:
    """Canonical source text of ``node`` (spans are ignored)."""
    if isinstance(node, Literal):
        return _literal(node)
    if isinstance(node, Name):
        return node.path
    if isinstance(node, ListExpr):
        return "[" + ", ".join(unparse(item) for item in node.items) + "]"
    if isinstance(node, Call):
        return f"{node.func}(" + ", ".join(unparse(arg) for arg in node.args) + ")"
    if isinstance(node, Unary):
        simple = isinstance(node.operand, Name | Call | ListExpr) or (
            isinstance(node.operand, Literal) and node.operand.type != "number"
        )
        return "-" + _wrap(node.operand, not simple)
    if isinstance(node, Not):
        return "not " + _wrap(node.operand, precedence(node.operand) < 3)
    if isinstance(node, Compare):
        left = _wrap(node.left, precedence(node.left) <= 4)
        right = _wrap(node.right, precedence(node.right) <= 4)
        return f"{left} {node.op} {right}"
    if isinstance(node, Binary):
        own = _PRECEDENCE[node.op]
        left = _wrap(node.left, precedence(node.left) < own)
        right = _wrap(node.right, precedence(node.right) <= own)
        return f"{left} {node.op} {right}"
    if isinstance(node, BoolOp):
        own = _PRECEDENCE[node.op]
        return f" {node.op} ".join(_wrap(item, precedence(item) <= own) for item in node.operands)
    raise TypeError(f"not an expression node: {node!r}")
