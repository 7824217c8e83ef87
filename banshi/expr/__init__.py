"""The one expression language of Banshi (办事): ``when`` conditions and policy conditions (免申即享).

Pure Python, no ``eval``: source text is parsed once into a typed AST (:mod:`.nodes`) that

* evaluates for one subject with SQL's three-valued logic (:func:`evaluate`, :func:`holds`),
* compiles to a parameterised SQL ``WHERE`` fragment with the same meaning (:func:`to_sql`),
* type-checks against a schema when a condition is saved (:func:`infer_type`, :func:`check_condition`),
* round-trips through JSON (:func:`to_json`, :func:`from_json`) and canonical text (:func:`unparse`).

See ``README.md`` next to this file for the grammar and the semantics table.
"""

from .errors import ExprError, ExprNameError, ExprSyntaxError, ExprTypeError
from .evaluate import evaluate, holds, names
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
)
from .parser import parse
from .serialize import from_json, to_json
from .sql import to_sql
from .typecheck import check_condition, check_division_by_literal_zero, infer_type
from .unparse import unparse

__all__ = [
    "Binary",
    "BoolOp",
    "Call",
    "Compare",
    "Expr",
    "ExprError",
    "ExprNameError",
    "ExprSyntaxError",
    "ExprTypeError",
    "ListExpr",
    "Literal",
    "Name",
    "Node",
    "Not",
    "Unary",
    "check_condition",
    "check_division_by_literal_zero",
    "evaluate",
    "from_json",
    "holds",
    "infer_type",
    "names",
    "parse",
    "to_json",
    "to_sql",
    "unparse",
]
