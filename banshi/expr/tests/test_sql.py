"""SQL compilation: the text per dialect, and NULL semantics run in SQLite."""

from __future__ import annotations

import os
import sqlite3
from datetime import date
from decimal import Decimal

import pytest

from banshi.expr import ExprError, ExprTypeError, parse, to_sql

SCHEMA = {"n": "number", "m": "number", "s": "string", "b": "bool", "t": "date", "u": "date"}
TODAY = date(2024, 5, 1)


def column(name: str) -> str:
    return '"' + name.replace(".", "_") + '"'


def sql(source: str, dialect: str = "sqlite", **kwargs):
    kwargs.setdefault("schema", SCHEMA)
    kwargs.setdefault("today", TODAY)
    return to_sql(parse(source), column, dialect=dialect, **kwargs)


def sqlite_value(source: str, **columns):
    """The value SQLite computes for ``source`` on one row holding ``columns``."""
    text, params = sql(source)
    names = list(SCHEMA)
    with sqlite3.connect(":memory:") as connection:
        connection.execute(f"CREATE TABLE t ({', '.join(names)})")
        connection.execute(
            f"INSERT INTO t VALUES ({', '.join('?' * len(names))})", [columns.get(n) for n in names]
        )
        return connection.execute(f"SELECT {text} FROM t", params).fetchone()[0]


# -- text and parameters ----------------------------------------------------------------------


def test_literals_become_question_marks_on_sqlite():
    assert sql("n > 300 and s == '男'") == ('(("n" > ?) AND ("s" = ?))', [300, "男"])


def test_literals_become_percent_s_on_postgresql():
    assert sql("n > 300 and s == '男'", "postgresql") == (
        '(("n" > CAST(%s AS BIGINT)) AND ("s" = CAST(%s AS TEXT)))',
        [300, "男"],
    )


def test_names_go_through_the_column_function():
    assert to_sql(parse("shop.area > 1"), column)[0] == '("shop_area" > ?)'


def test_booleans_are_inlined():
    assert sql("b == true or b == false") == ('(("b" = 1) OR ("b" = 0))', [])
    assert sql("b == true", "postgresql") == ('("b" = TRUE)', [])


def test_not_equal_is_sql_not_equal():
    assert sql("n != 1")[0] == '("n" <> ?)'


def test_decimal_is_a_float_parameter_on_sqlite_and_exact_on_postgresql():
    assert sql("n > 1.5")[1] == [1.5]
    assert sql("n > 1.5", "postgresql")[1] == [Decimal("1.5")]


def test_in_expands_one_placeholder_per_item():
    assert sql("s in ['a', 'b', 'c']") == ('("s" IN (?, ?, ?))', ["a", "b", "c"])


def test_not_in():
    assert sql("n not in [1, m]") == ('("n" NOT IN (?, "m"))', [1])


def test_in_empty_list_is_false_and_not_in_empty_list_is_true():
    assert sql("n in []") == ("0", [])
    assert sql("n not in []") == ("1", [])
    assert sql("n in []", "postgresql") == ("FALSE", [])


def test_division_is_real_and_guarded_against_zero():
    assert sql("n / m > 1")[0] == '((CAST("n" AS REAL) / NULLIF("m", 0)) > ?)'
    assert sql("n / m > 1", "postgresql")[0].startswith('((CAST("n" AS NUMERIC) / NULLIF("m", 0))')


def test_dates_are_iso_text_on_sqlite():
    assert sql("t >= 2024-01-01") == ('("t" >= ?)', ["2024-01-01"])


def test_dates_are_cast_on_postgresql():
    assert sql("t >= date('2024-01-01')", "postgresql") == (
        '("t" >= CAST(%s AS DATE))',
        ["2024-01-01"],
    )


def test_today_is_a_parameter():
    assert sql("t < today()") == ('("t" < ?)', ["2024-05-01"])


def test_today_without_a_value_is_an_error():
    with pytest.raises(ExprError, match="today="):
        sql("t < today()", today=None)


def test_date_shift_on_sqlite_uses_date_function():
    assert sql("t + 30 < u")[0] == '(date("t", CAST(? AS TEXT) || \' days\') < "u")'


def test_date_shift_on_postgresql_adds_integer_days():
    assert sql("30 + t < u", "postgresql") == (
        '(("t" + CAST(CAST(%s AS BIGINT) AS INTEGER)) < "u")',
        [30],
    )


def test_date_difference():
    assert sql("u - t > 3")[0] == '(CAST(julianday("u") - julianday("t") AS INTEGER) > ?)'
    assert sql("u - t > 3", "postgresql")[0] == '(("u" - "t") > CAST(%s AS BIGINT))'


def test_parameters_follow_placeholder_order_when_the_date_is_on_the_right():
    assert sql("5 + date('2024-01-01') == t") == (
        "(date(?, CAST(? AS TEXT) || ' days') = \"t\")",
        ["2024-01-01", 5],
    )


def test_string_ordering_uses_code_points_on_postgresql():
    assert sql("s < 'b'", "postgresql")[0] == '("s" COLLATE "C" < CAST(%s AS TEXT))'


def test_string_equality_needs_no_collation():
    assert "COLLATE" not in sql("s == 'b'", "postgresql")[0]


def test_every_sub_expression_is_parenthesised():
    assert sql("not (n > 1 or -n < 2)")[0] == '(NOT (("n" > ?) OR ((-"n") < ?)))'


def test_unknown_dialect_is_refused():
    with pytest.raises(ValueError, match="dialect"):
        sql("n > 1", "oracle")


def test_a_non_boolean_condition_is_refused():
    with pytest.raises(ExprTypeError, match="true or false"):
        sql("n + 1")


def test_an_ill_typed_condition_is_refused():
    with pytest.raises(ExprTypeError):
        sql("t > 5")


def test_in_a_list_valued_name_is_refused_in_sql():
    with pytest.raises(ExprTypeError, match="literal list"):
        to_sql(parse("'a' in tags"), column, schema={"tags": "list"})


def test_date_or_number_arithmetic_needs_a_schema():
    with pytest.raises(ExprTypeError, match="schema"):
        to_sql(parse("x + 1 > 2"), column)


def test_arithmetic_that_can_only_be_numeric_needs_no_schema():
    assert to_sql(parse("x * 2 > 2"), column)[0] == '(("x" * ?) > ?)'


def test_integer_beyond_64_bits_is_refused_on_sqlite():
    with pytest.raises(ExprError, match="64-bit"):
        sql("n > 99999999999999999999")


def test_integer_beyond_64_bits_is_numeric_on_postgresql():
    assert "NUMERIC" in sql("n > 99999999999999999999", "postgresql")[0]


# -- NULL semantics, run in SQLite ------------------------------------------------------------


def test_sqlite_in_with_null_item_and_no_match_is_null():
    assert sqlite_value("1 in [2, n]") is None


def test_sqlite_in_with_null_item_and_a_match_is_true():
    assert sqlite_value("1 in [1, n]") == 1


def test_sqlite_null_in_empty_list_is_false():
    assert sqlite_value("n in []") == 0


def test_sqlite_division_by_zero_is_null():
    assert sqlite_value("n / m > 1", n=1, m=0) is None


def test_sqlite_division_is_not_integer_division():
    assert sqlite_value("n / m == 3.5", n=7, m=2) == 1


def test_sqlite_false_and_null_is_false():
    assert sqlite_value("false and n > 1") == 0


def test_sqlite_true_or_null_is_true():
    assert sqlite_value("true or n > 1") == 1


def test_sqlite_date_shift_across_a_leap_day():
    assert sqlite_value("t + 1 == 2024-02-29", t="2024-02-28") == 1


def test_sqlite_date_difference():
    assert sqlite_value("u - t == 60", t="2024-01-01", u="2024-03-01") == 1


def test_sqlite_strings_order_by_code_point():
    assert sqlite_value("s < '中'", s="z") == 1


# -- PostgreSQL, when a server is configured --------------------------------------------------


def postgres_dsn() -> str | None:
    """A PostgreSQL server to test against: BANSHI_TEST_POSTGRES_URL (CI sets it for both runs),
    else a postgres DATABASE_URL."""
    url = os.environ.get("BANSHI_TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.replace("postgres://", "postgresql://", 1)
    return None


@pytest.mark.postgres
def test_postgresql_evaluates_like_python():
    if postgres_dsn() is None:
        if os.environ.get("BANSHI_REQUIRE_SERVICES") == "1":
            pytest.fail(
                "BANSHI_REQUIRE_SERVICES=1 but no PostgreSQL is configured (BANSHI_TEST_POSTGRES_URL)"
            )
        pytest.skip("no PostgreSQL configured: set DATABASE_URL=postgres://... to run against it")
    import psycopg

    from banshi.expr import evaluate

    rows = [
        {"n": 7, "m": 2, "s": "z", "b": True, "t": date(2024, 2, 28), "u": date(2024, 3, 1)},
        {"n": None, "m": 0, "s": None, "b": None, "t": None, "u": date(2024, 3, 1)},
    ]
    conditions = [
        "n / m == 3.5",
        "1 in [2, n]",
        "n in []",
        "s < '中'",
        "t + 1 == 2024-02-29",
        "u - t == 2",
        "not b or n * 20 * 20 * 20 > 1",
        "false and n > 1",
        "t < today()",
    ]
    with psycopg.connect(postgres_dsn()) as connection:
        connection.execute(
            "CREATE TEMPORARY TABLE t (id int, n int, m int, s text, b boolean, t date, u date)"
        )
        for i, row in enumerate(rows):
            connection.execute(
                "INSERT INTO t VALUES (%s, %s, %s, %s, %s, %s, %s)", [i, *row.values()]
            )
        for condition in conditions:
            text, params = sql(condition, "postgresql")
            got = [r[0] for r in connection.execute(f"SELECT {text} FROM t ORDER BY id", params)]
            expected = [evaluate(parse(condition), row, today=TODAY) for row in rows]
            assert got == expected, condition
