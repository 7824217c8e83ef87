"""AST → parameterised SQL ``WHERE`` fragment with the same three-valued meaning as :func:`evaluate`.

This is how a policy condition (免申即享) is matched against every enterprise at once: the rows the
fragment selects are exactly the subjects for which :func:`holds` is true. What keeps the two in step:

* NULL behaves like ``None`` already (comparisons, arithmetic, Kleene AND/OR/NOT, ``IN`` with NULLs).
* Division is real division guarded with ``NULLIF(divisor, 0)`` (SQL integer division truncates, and
  PostgreSQL raises on zero, where the evaluator gives unknown).
* ``x in []`` is a constant false (``not in []`` true), as in the evaluator and SQLite.
* Dates: ISO text on SQLite (``date()``/``julianday()`` for arithmetic), ``DATE`` on PostgreSQL and
  DuckDB.
* Strings order by code point: SQLite's BINARY collation and DuckDB's default (UTF-8 bytes) already
  do; PostgreSQL gets ``COLLATE "C"``.
* Every sub-expression is parenthesised, so SQL's own precedence never matters.

Literals become parameters (``?`` for sqlite and duckdb, ``%s`` for postgresql); only
``TRUE``/``FALSE`` are inlined. The ``duckdb`` dialect (the columnar engine of a full matching run,
:mod:`banshi.policies.columnar`) is PostgreSQL's typed SQL with ``?`` parameters. Known gap: SQLite
has no exact decimal type, so arithmetic on non-integers there is binary floating point, and a
quotient is binary floating point on SQLite and DuckDB (PostgreSQL's NUMERIC is exact).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from .errors import ExprError, ExprTypeError
from .evaluate import KIND_EN, KIND_ZH
from .nodes import Binary, BoolOp, Call, Compare, Expr, ListExpr, Literal, Name, Node, Not, Unary
from .typecheck import node_types

DIALECTS = ("sqlite", "postgresql", "duckdb")
_SQL_OPS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_INT64 = (-(2**63), 2**63 - 1)

Fragment = tuple[str, list[Any]]


class _Compiler:
    def __init__(
        self,
        column: Callable[[str], str],
        dialect: str,
        today: date | None,
        types: dict[int, str],
    ) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r} (known: {', '.join(DIALECTS)})")
        self.column = column
        # DuckDB takes PostgreSQL's typed SQL (TRUE/FALSE, DATE, CASTs); only what differs is
        # switched on ``self.duckdb``
        self.duckdb = dialect == "duckdb"
        self.postgres = dialect == "postgresql" or self.duckdb
        self.placeholder = "?" if dialect in ("sqlite", "duckdb") else "%s"
        self.today = today
        self.types = types

    def type_of(self, node: Node) -> str:
        return self.types.get(id(node), "any")

    def emit(self, node: Expr) -> Fragment:
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, Name):
            return self.column(node.path), []
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Unary):
            sql, params = self.emit(node.operand)
            return f"(-{sql})", params
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, BoolOp):
            parts = [self.emit(operand) for operand in node.operands]
            joiner = f" {node.op.upper()} "
            return "(" + joiner.join(sql for sql, _ in parts) + ")", [
                p for _, ps in parts for p in ps
            ]
        if isinstance(node, Not):
            sql, params = self.emit(node.operand)
            return f"(NOT {sql})", params
        if isinstance(node, ListExpr):
            raise ExprTypeError(
                "列表只能用在 in / not in 的右边",
                "a list can only be the right operand of 'in' / 'not in'",
                node.span,
            )
        raise TypeError(f"not an expression node: {node!r}")

    # -- leaves --------------------------------------------------------------------------------
    def literal(self, node: Literal) -> Fragment:
        if node.type == "bool":
            if self.postgres:
                return ("TRUE" if node.value else "FALSE"), []
            return ("1" if node.value else "0"), []
        if node.type == "date":
            return self.date_parameter(node.value)  # type: ignore[arg-type]
        if node.type == "string":
            sql = f"CAST({self.placeholder} AS TEXT)" if self.postgres else self.placeholder
            return sql, [node.value]
        value = self.number_parameter(node)
        if self.postgres and isinstance(value, int):
            # psycopg may send a small int as smallint, and smallint arithmetic overflows early;
            # bigint still lets an index on an integer column be used.
            big = "HUGEINT" if self.duckdb else "NUMERIC"
            kind = "BIGINT" if _INT64[0] <= value <= _INT64[1] else big
            return f"CAST({self.placeholder} AS {kind})", [value]
        return self.placeholder, [value]

    def number_parameter(self, node: Literal) -> int | float | Decimal:
        value = node.value
        if self.postgres:
            return value  # type: ignore[return-value]
        if isinstance(value, Decimal):
            return float(value)  # sqlite3 cannot bind Decimal; SQLite computes in REAL anyway
        if not _INT64[0] <= value <= _INT64[1]:  # type: ignore[operator]
            raise ExprError(
                f"整数 {value} 超出 SQLite 的 64 位范围 / integer {value} is outside SQLite's 64-bit range"
            )
        return value  # type: ignore[return-value]

    def date_parameter(self, value: date) -> Fragment:
        sql = f"CAST({self.placeholder} AS DATE)" if self.postgres else self.placeholder
        return sql, [value.isoformat()]

    def call(self, node: Call) -> Fragment:
        if node.func == "date":
            return self.date_parameter(node.date_value)
        if self.today is None:
            raise ExprError(
                "表达式用到了 today()，但调用方没有提供 today= 日期 / "
                "the expression uses today() but no today= date was given"
            )
        return self.date_parameter(node.shifted_today(self.today))

    # -- arithmetic ----------------------------------------------------------------------------
    def binary(self, node: Binary) -> Fragment:
        left_type, right_type = self.type_of(node.left), self.type_of(node.right)
        (left, left_params), (right, right_params) = self.emit(node.left), self.emit(node.right)
        params = left_params + right_params
        numeric = left_type == right_type == "number" or (node.op == "-" and left_type == "number")
        if node.op in "*/" or numeric:
            return self.numeric(node.op, left, right), params
        if node.op == "+" and "date" in (left_type, right_type):
            if left_type == "date":
                return self.shift(left, right, "+"), params
            return self.shift(right, left, "+"), right_params + left_params
        if node.op == "-" and left_type == "date" and right_type == "number":
            return self.shift(left, right, "-"), params
        if node.op == "-" and right_type == "date" and left_type in ("date", "any"):
            if self.postgres:
                return f"({left} - {right})", params
            return f"CAST(julianday({left}) - julianday({right}) AS INTEGER)", params
        raise ExprTypeError(
            f"无法判断 {KIND_ZH[left_type]} {node.op} {KIND_ZH[right_type]} 是日期运算还是数值运算，"
            "请在 schema 中给出名称的类型",
            f"cannot tell whether {KIND_EN[left_type]} {node.op} {KIND_EN[right_type]} is date or "
            "number arithmetic: give the names' types in schema=",
            node.span,
        )

    def numeric(self, op: str, left: str, right: str) -> str:
        if op == "/":
            # DuckDB's NUMERIC is DECIMAL(18,3): its quotient is a DOUBLE, like SQLite's REAL
            real = "DOUBLE" if self.duckdb else "NUMERIC" if self.postgres else "REAL"
            return f"(CAST({left} AS {real}) / NULLIF({right}, 0))"
        return f"({left} {op} {right})"

    def shift(self, day: str, days: str, sign: str) -> str:
        """A date moved by a number of days (the number's parameters must follow the date's)."""
        if self.postgres:
            return f"({day} {sign} CAST({days} AS INTEGER))"
        amount = days if sign == "+" else f"(-{days})"
        return f"date({day}, CAST({amount} AS TEXT) || ' days')"

    # -- comparison ----------------------------------------------------------------------------
    def compare(self, node: Compare) -> Fragment:
        if node.op in ("in", "not in"):
            return self.membership(node)
        (left, left_params), (right, right_params) = self.emit(node.left), self.emit(node.right)
        ordering = node.op not in ("==", "!=")
        is_string = "string" in (self.type_of(node.left), self.type_of(node.right))
        if self.postgres and not self.duckdb and ordering and is_string:
            left = f'{left} COLLATE "C"'  # code-point order, whatever the database's collation
        return f"({left} {_SQL_OPS[node.op]} {right})", left_params + right_params

    def membership(self, node: Compare) -> Fragment:
        if not isinstance(node.right, ListExpr):
            raise ExprTypeError(
                f"在 SQL 中 {node.op} 的右边须为列表字面量",
                f"in SQL the right operand of '{node.op}' must be a literal list [...]",
                node.right.span,  # type: ignore[union-attr]
            )
        if not node.right.items:  # nothing is in an empty list, not even NULL
            true, false = ("TRUE", "FALSE") if self.postgres else ("1", "0")
            return (false if node.op == "in" else true), []
        left, params = self.emit(node.left)
        items = [self.emit(item) for item in node.right.items]
        for _, item_params in items:
            params.extend(item_params)
        keyword = "IN" if node.op == "in" else "NOT IN"
        return f"({left} {keyword} (" + ", ".join(sql for sql, _ in items) + "))", params


def to_sql(
    node: Expr,
    column: Callable[[str], str],
    *,
    dialect: str = "sqlite",
    today: date | None = None,
    schema: Mapping[str, str] | None = None,
) -> tuple[str, list[Any]]:
    """A ``WHERE`` fragment and its parameters, selecting the rows where :func:`holds` is true.

    ``column(name)`` returns the SQL for a dotted name: a quoted column reference or a parenthesised
    expression (the caller owns the table layout and the quoting). ``schema`` gives the names' types;
    it is needed where the SQL differs by type (date vs number arithmetic, string ordering on
    PostgreSQL) and is otherwise optional. ``today`` is the value of ``today()``.
    Raises :class:`ExprTypeError` for ill-typed conditions, since SQL would not catch them.
    """
    types = node_types(node, schema)
    result = types[id(node)]
    if result not in ("bool", "any"):
        raise ExprTypeError(
            f"条件的结果应为真假值，而不是{KIND_ZH[result]}",
            f"a condition must be true or false, not {KIND_EN[result]}",
            node.span,
        )
    return _Compiler(column, dialect, today, types).emit(node)
