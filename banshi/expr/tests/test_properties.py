"""Property-based tests: round trips, SQL ≡ Python on SQLite, and a parser that only ever says 'syntax'."""

from __future__ import annotations

import contextlib
import json
import random
import sqlite3
import time
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banshi.expr import (
    ExprError,
    ExprSyntaxError,
    evaluate,
    from_json,
    holds,
    infer_type,
    parse,
    to_json,
    to_sql,
    unparse,
)
from banshi.expr.typecheck import node_types

from . import strategies as s

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

# -- (1) and (2): round trips ---------------------------------------------------------------------


@given(s.trees)
def test_parse_of_unparse_gives_back_the_same_tree(tree):
    assert parse(unparse(tree)) == tree


@given(s.trees)
def test_unparse_is_a_fixed_point(tree):
    text = unparse(tree)
    assert unparse(parse(text)) == text


@given(s.trees)
def test_json_round_trip_gives_back_the_same_tree(tree):
    assert from_json(json.loads(json.dumps(to_json(tree)))) == tree


@given(s.trees)
def test_json_round_trip_keeps_spans_of_parsed_trees(tree):
    parsed = parse(unparse(tree))
    again = from_json(json.loads(json.dumps(to_json(parsed))))
    assert to_json(again) == to_json(parsed)


# -- (3): SQL selects exactly the rows where holds() is true -------------------------------------


def _table(rows: list[dict]) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    columns = ", ".join(
        f"{name} {'REAL' if name == 'd1' else s.SQL_TYPES[kind]}" for name, kind in s.SCHEMA.items()
    )
    connection.execute(f"CREATE TABLE t (id INTEGER PRIMARY KEY, {columns})")
    for index, row in enumerate(rows):
        values = [_to_sqlite(row[name]) for name in s.SCHEMA]
        marks = ", ".join("?" * (len(values) + 1))
        connection.execute(f"INSERT INTO t VALUES ({marks})", [index, *values])
    return connection


def _to_sqlite(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value  # bool binds as 0/1, None as NULL


def _column(name: str) -> str:
    return f'"{name}"'


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s.conditions, st.lists(s.rows, min_size=1, max_size=8), s.dates_in_range)
def test_sqlite_selects_exactly_the_rows_where_the_condition_holds(condition, rows, today):
    sql, params = to_sql(condition, _column, dialect="sqlite", today=today, schema=s.SCHEMA)
    with _table(rows) as connection:
        selected = {r[0] for r in connection.execute(f"SELECT id FROM t WHERE {sql}", params)}
    expected = {i for i, row in enumerate(rows) if holds(condition, row, today=today)}
    assert selected == expected, (unparse(condition), sql, params)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s.conditions, st.lists(s.rows, min_size=1, max_size=8), s.dates_in_range)
def test_sqlite_gives_the_same_three_valued_result_as_evaluate(condition, rows, today):
    sql, params = to_sql(condition, _column, dialect="sqlite", today=today, schema=s.SCHEMA)
    with _table(rows) as connection:
        got = [r[0] for r in connection.execute(f"SELECT {sql} FROM t ORDER BY id", params)]
    as_sql = {True: 1, False: 0, None: None}
    expected = [as_sql[evaluate(condition, row, today=today)] for row in rows]
    assert got == expected, (unparse(condition), sql, params)


_DUCKDB_TYPES = {"number": "BIGINT", "string": "VARCHAR", "bool": "BOOLEAN", "date": "DATE"}


def _duckdb_table(rows: list[dict]):
    """The rows in an in-memory DuckDB table typed like PostgreSQL's portrait (d1 a 2-place
    DECIMAL), the columnar engine of a full matching run."""
    import duckdb

    connection = duckdb.connect(":memory:")
    columns = ", ".join(
        f"{name} {'DECIMAL(18, 2)' if name == 'd1' else _DUCKDB_TYPES[kind]}"
        for name, kind in s.SCHEMA.items()
    )
    connection.execute(f"CREATE TABLE t (id INTEGER PRIMARY KEY, {columns})")
    marks = ", ".join("?" * (len(s.SCHEMA) + 1))
    connection.executemany(
        f"INSERT INTO t VALUES ({marks})",
        [[index, *(row[name] for name in s.SCHEMA)] for index, row in enumerate(rows)],
    )
    return connection


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s.conditions, st.lists(s.rows, min_size=1, max_size=8), s.dates_in_range)
def test_duckdb_selects_exactly_the_rows_where_the_condition_holds(condition, rows, today):
    sql, params = to_sql(condition, _column, dialect="duckdb", today=today, schema=s.SCHEMA)
    connection = _duckdb_table(rows)
    try:
        found = connection.execute(f"SELECT id FROM t WHERE {sql}", params).fetchall()
    finally:
        connection.close()
    expected = {i for i, row in enumerate(rows) if holds(condition, row, today=today)}
    assert {r[0] for r in found} == expected, (unparse(condition), sql, params)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s.conditions, st.lists(s.rows, min_size=1, max_size=8), s.dates_in_range)
def test_duckdb_gives_the_same_three_valued_result_as_evaluate(condition, rows, today):
    sql, params = to_sql(condition, _column, dialect="duckdb", today=today, schema=s.SCHEMA)
    connection = _duckdb_table(rows)
    try:
        got = [
            r[0] for r in connection.execute(f"SELECT {sql} FROM t ORDER BY id", params).fetchall()
        ]
    finally:
        connection.close()
    expected = [evaluate(condition, row, today=today) for row in rows]
    assert got == expected, (unparse(condition), sql, params)


@given(s.conditions)
def test_generated_conditions_are_well_typed_booleans(condition):
    # node_types: the same checks as infer_type minus the refusal of x / 0, which SQL must handle.
    assert node_types(condition, s.SCHEMA)[id(condition)] == "bool"


# -- (4): the parser fails only with ExprSyntaxError, and quickly -------------------------------

_TOKENS = [
    "a", "shop.area", "企业.名称", "1", "2.5", "-", "+", "*", "/", "(", ")", "[", "]", ",", "'x'",
    '"y"', "'", '"', "\\", "==", "!=", "<", "<=", ">", ">=", "=", "and", "or", "not", "in", "true",
    "false", "True", "2024-01-01", "2024-02-30", "date", "today", "(", ".", "。", "（", " ", "\n",
]  # fmt: skip


def _parse_or_syntax_error(text: str) -> None:
    try:
        tree = parse(text)
    except ExprSyntaxError as error:
        assert 0 <= error.position <= len(text)
        assert error.source == text
        return
    assert parse(unparse(tree)) == tree


@settings(max_examples=1000)
@given(st.text())
def test_parse_of_any_text_returns_a_tree_or_raises_a_syntax_error(text):
    _parse_or_syntax_error(text)


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join))
def test_parse_of_token_soup_returns_a_tree_or_raises_a_syntax_error(text):
    _parse_or_syntax_error(text)


@settings(max_examples=500)
@given(st.lists(st.sampled_from(_TOKENS), max_size=30).map(" ".join))
def test_parse_of_spaced_token_soup_returns_a_tree_or_raises_a_syntax_error(text):
    _parse_or_syntax_error(text)


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(["", " "]))
def test_parse_of_long_input_finishes_quickly(seed, joiner):
    rng = random.Random(seed)
    text = joiner.join(rng.choice(_TOKENS) for _ in range(20_000))
    started = time.perf_counter()
    _parse_or_syntax_error(text)
    assert time.perf_counter() - started < 2.0


# -- the other entry points never fail with anything but ExprError -------------------------------


@given(
    s.trees, st.dictionaries(s.names, st.one_of(st.none(), st.integers(), st.text(), st.dates()))
)
def test_evaluate_of_any_tree_returns_or_raises_an_expr_error(tree, variables):
    with contextlib.suppress(ExprError):
        evaluate(tree, variables, today=date(2024, 1, 1))


@given(s.trees)
def test_infer_type_of_any_tree_returns_a_type_or_raises_an_expr_error(tree):
    with contextlib.suppress(ExprError):
        assert infer_type(tree) in {"number", "string", "bool", "date", "list", "any"}


@given(s.trees, st.sampled_from(["sqlite", "postgresql", "duckdb"]))
def test_to_sql_of_any_tree_returns_sql_or_raises_an_expr_error(tree, dialect):
    try:
        sql, params = to_sql(tree, _column, dialect=dialect, today=date(2024, 1, 1))
    except ExprError:
        return
    placeholder = "%s" if dialect == "postgresql" else "?"
    assert sql.count(placeholder) >= len(params)
