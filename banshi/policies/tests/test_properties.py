"""Property: the database's matches equal Python's ``explain`` — random conditions, random portraits.

Conditions are random well-typed expressions over the real attribute schema (comparisons, ``in``
lists, integer arithmetic, quotients, dates with ``today()`` and day shifts, ``and``/``or``/``not``);
portraits are random rows where every attribute is missing about one time in four. For each
example a policy is published and matched by the engine (the ``INSERT … SELECT`` of a real run),
and every enterprise's row — or its absence — must be exactly what :func:`explain` computes:
matched, the conditions that held, those that were unknown, the one missed. A missing value is
never counted as met (unknown ≠ true), on SQLite and on PostgreSQL alike.

Within the documented limits of :mod:`banshi.expr`: arithmetic is on whole numbers (SQLite has no
exact decimals), and a quotient is only compared, never computed with further.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st

from banshi.expr import (
    Binary,
    BoolOp,
    Call,
    Compare,
    ListExpr,
    Literal,
    Name,
    Not,
    unparse,
)
from banshi.people.models import Enterprise
from banshi.policies import engine, services
from banshi.policies.explain import explain
from banshi.policies.models import EnterprisePortrait
from banshi.policies.synthetic import fake_uscc

pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

INTS = ("employees", "insured_employees", "patents")
DECIMALS = ("registered_capital", "revenue", "rd_ratio")
CODES = ("tax_credit_level", "credit_level", "industry_section")  # one character
TEXTS = ("district",)
BOOLS = ("is_high_tech", "is_specialized", "has_export")
DATES = ("established_on",)
ALPHABET = "ABaZ中"
FIRST, LAST = dt.date(2020, 1, 1), dt.date(2025, 12, 31)


def _names(*columns: str) -> st.SearchStrategy:
    return st.sampled_from([f"enterprise.{c}" for c in columns]).map(Name)


small_ints = st.integers(min_value=-3, max_value=40).map(lambda v: Literal(v, "number"))
two_places = st.decimals(min_value=-50, max_value=500, places=2)
decimal_literals = two_places.map(lambda v: Literal(v, "number"))
code_literals = st.sampled_from(list(ALPHABET)).map(lambda v: Literal(v, "string"))
text_literals = st.text(alphabet=ALPHABET, max_size=3).map(lambda v: Literal(v, "string"))
dates = st.dates(min_value=FIRST, max_value=LAST)
date_literals = dates.map(lambda d: Literal(d, "date"))

int_exprs = st.recursive(
    st.one_of(small_ints, _names(*INTS)),
    lambda inner: st.tuples(st.sampled_from("+-*"), inner, inner).map(lambda t: Binary(*t)),
    max_leaves=3,
)
number_operands = st.one_of(
    int_exprs,
    st.tuples(int_exprs, int_exprs).map(lambda p: Binary("/", *p)),  # compared only
    decimal_literals,
    _names(*DECIMALS),
)
date_leaves = st.one_of(_names(*DATES), date_literals, st.just(Call("today", ())))
date_exprs = st.one_of(
    date_leaves,
    st.tuples(date_leaves, small_ints).map(lambda p: Binary("+", *p)),
    st.tuples(date_leaves, small_ints).map(lambda p: Binary("-", *p)),
)
ORDER = ["==", "!=", "<", "<=", ">", ">="]


def _compare(operands: st.SearchStrategy, ops=ORDER) -> st.SearchStrategy:
    return st.tuples(st.sampled_from(ops), operands, operands).map(lambda t: Compare(*t))


def _member(left: st.SearchStrategy, items: st.SearchStrategy) -> st.SearchStrategy:
    lists = st.lists(items, max_size=4).map(lambda xs: ListExpr(tuple(xs)))
    return st.tuples(st.sampled_from(["in", "not in"]), left, lists).map(lambda t: Compare(*t))


atoms = st.one_of(
    _compare(number_operands),
    _member(st.one_of(_names(*INTS), _names(*DECIMALS)), st.one_of(small_ints, decimal_literals)),
    _compare(st.one_of(_names(*CODES), code_literals)),
    _compare(st.one_of(_names(*TEXTS), text_literals)),
    _member(_names(*CODES), code_literals),
    _compare(date_exprs),
    st.tuples(date_leaves, date_leaves, small_ints).map(
        lambda t: Compare("<=", Binary("-", t[0], t[1]), t[2])
    ),
    _names(*BOOLS),
    _compare(
        st.one_of(_names(*BOOLS), st.booleans().map(lambda v: Literal(v, "bool"))), ["==", "!="]
    ),
)
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        inner.map(Not),
        st.builds(
            BoolOp,
            st.sampled_from(["and", "or"]),
            st.lists(inner, min_size=2, max_size=3).map(tuple),
        ),
    ),
    max_leaves=5,
)


def _maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy, strategy, strategy)


portraits = st.fixed_dictionaries(
    {
        **{c: _maybe(st.integers(min_value=-5, max_value=40)) for c in INTS},
        **{c: _maybe(two_places) for c in DECIMALS},
        **{c: _maybe(st.sampled_from(list(ALPHABET))) for c in CODES},
        **{c: _maybe(st.text(alphabet=ALPHABET, max_size=3)) for c in TEXTS},
        **{c: _maybe(st.booleans()) for c in BOOLS},
        **{c: _maybe(dates) for c in DATES},
    }
)


class _Rollback(Exception):
    pass


def _create(departments, sources):
    return services.create_policy(
        "PROP",
        departments["KJ"],
        title="性质检验",
        mode="auto_grant",
        benefit_amount=Decimal(1),
        conditions=[(f"条件{i}", source) for i, source in enumerate(sources)],
    )


def _rows(run, version) -> dict[int, tuple]:
    stored = engine.stored_results(run.pk, version_ids=[version.pk])
    return {enterprise_id: row for (_, enterprise_id), row in stored.items()}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    nodes=st.lists(conditions, min_size=1, max_size=3),
    rows=st.lists(portraits, min_size=1, max_size=12),
    today=dates,
)
def test_the_database_matches_exactly_what_python_explains(departments, staff, nodes, rows, today):
    sources = [unparse(node) for node in nodes]
    try:
        with transaction.atomic():
            enterprises = Enterprise.objects.bulk_create(
                [Enterprise(uscc=fake_uscc(900_000 + i), name=f"性质{i}") for i in range(len(rows))]
            )
            EnterprisePortrait.objects.bulk_create(
                [
                    EnterprisePortrait(enterprise=enterprise, **row)
                    for enterprise, row in zip(enterprises, rows, strict=True)
                ]
            )
            try:
                version = _create(departments, sources)
            except services.PolicyError as error:  # e.g. a literal zero divisor: refused on save
                assert "除数为 0" in str(error), str(error)
                reject()
            version = services.publish(version)
            run = engine.run_policy(version, today=today)
            found = _rows(run, version)
            # the incremental path (every enterprise "changed") writes the very same rows
            services._queue_changes([enterprise.pk for enterprise in enterprises])
            engine.run_changed_subjects(today=today)
            assert _rows(run, version) == found, sources
            event(f"matched: {any(row[0] for row in found.values())}")
            event(f"near misses: {any(not row[0] for row in found.values())}")
            event(f"unknown conditions: {any(row[2] for row in found.values())}")
            for enterprise in enterprises:
                explanation = explain(version, enterprise, today=today)
                if explanation.matched or explanation.near_miss:
                    missed = explanation.missed.index if explanation.missed else None
                    expected = (
                        explanation.matched,
                        explanation.held_mask,
                        explanation.unknown_mask,
                        missed,
                    )
                    assert found.get(enterprise.pk) == expected, (
                        sources,
                        enterprise.portrait.__dict__,
                    )
                else:
                    assert enterprise.pk not in found, (sources, enterprise.portrait.__dict__)
            raise _Rollback
    except _Rollback:
        pass
