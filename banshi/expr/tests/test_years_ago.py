"""``years_ago(n)``: the date n years before today(), the same in Python and in SQL."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from banshi.expr import ExprSyntaxError, evaluate, holds, parse, to_sql, unparse


def test_years_ago_is_the_same_day_n_years_before_today():
    assert evaluate(parse("years_ago(80)"), {}, today=date(2026, 11, 24)) == date(1946, 11, 24)


def test_years_ago_from_29_february_is_28_february():
    assert evaluate(parse("years_ago(1)"), {}, today=date(2024, 2, 29)) == date(2023, 2, 28)


def test_an_age_is_a_birth_date_compared_with_years_ago():
    condition = parse("p.birth <= years_ago(80)")
    today = date(2026, 11, 24)
    assert holds(condition, {"p.birth": date(1946, 11, 24)}, today=today)  # 80 today
    assert not holds(condition, {"p.birth": date(1946, 11, 25)}, today=today)  # 80 tomorrow


@pytest.mark.parametrize(
    "source", ["years_ago()", "years_ago('80')", "years_ago(1.5)", "years_ago(201)"]
)
def test_years_ago_takes_one_whole_number_literal(source):
    with pytest.raises(ExprSyntaxError) as error:
        parse(source)
    assert "years_ago" in str(error.value)


def test_years_ago_round_trips_through_unparse():
    assert unparse(parse("years_ago(16)")) == "years_ago(16)"


def test_sql_selects_the_same_birth_dates_as_python():
    today = date(2026, 11, 24)
    condition = parse("birth <= years_ago(80)")
    text, params = to_sql(condition, lambda name: name, dialect="sqlite", today=today)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (birth TEXT)")
    births = [date(1946, 11, 23), date(1946, 11, 24), date(1946, 11, 25), None]
    db.executemany("INSERT INTO t VALUES (?)", [(b and b.isoformat(),) for b in births])
    got = {row[0] for row in db.execute(f"SELECT birth FROM t WHERE {text}", params)}
    want = {b.isoformat() for b in births if holds(condition, {"birth": b}, today=today)}
    assert got == want == {"1946-11-23", "1946-11-24"}
