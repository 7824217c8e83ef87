"""Hypothesis strategies: random syntax trees, and typed conditions over a small SQLite table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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
    Unary,
)
from banshi.expr.nodes import COMPARE_OPS, is_valid_name

# -- any syntactically valid tree (for round trips) ----------------------------------------------

_SEGMENT = st.from_regex(r"[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]{0,5}", fullmatch=True)
names = st.lists(_SEGMENT, min_size=1, max_size=3).map(".".join).filter(is_valid_name)

decimals = st.integers(min_value=0, max_value=4).flatmap(
    lambda places: st.decimals(
        min_value=-(10**12), max_value=10**12, places=places, allow_nan=False, allow_infinity=False
    )
)
literals = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(lambda v: Literal(v, "number")),
    decimals.map(lambda v: Literal(v, "number")),
    st.text(max_size=12).map(lambda v: Literal(v, "string")),
    st.booleans().map(lambda v: Literal(v, "bool")),
    st.dates().map(lambda v: Literal(v, "date")),
)
calls = st.one_of(
    st.just(Call("today", ())),
    st.dates().map(lambda d: Call("date", (Literal(d.isoformat(), "string"),))),
)
leaves = st.one_of(literals, names.map(Name), calls)


def _extend(children: st.SearchStrategy) -> st.SearchStrategy:
    pairs = st.tuples(children, children)
    return st.one_of(
        children.map(lambda x: Unary("-", x)),
        children.map(Not),
        st.builds(lambda op, lr: Binary(op, *lr), st.sampled_from("+-*/"), pairs),
        st.builds(lambda op, lr: Compare(op, *lr), st.sampled_from(sorted(COMPARE_OPS)), pairs),
        st.builds(
            BoolOp,
            st.sampled_from(["and", "or"]),
            st.lists(children, min_size=2, max_size=4).map(tuple),
        ),
        st.lists(children, max_size=3).map(lambda items: ListExpr(tuple(items))),
    )


trees = st.recursive(leaves, _extend, max_leaves=20)

# -- typed conditions over a table (for the SQL equivalence property) ----------------------------
#
# The rows' numbers are integers and 2-place decimals. Arithmetic uses integers only, and a
# quotient is only ever compared, never computed with further: SQLite computes in binary floating
# point, and within these limits every comparison it makes agrees with exact arithmetic (an exact
# tie is correctly rounded to the same double on both sides; anything else is far from a tie).

SCHEMA = {
    "n1": "number",
    "n2": "number",
    "d1": "number",
    "s1": "string",
    "s2": "string",
    "b1": "bool",
    "b2": "bool",
    "t1": "date",
    "t2": "date",
}
SQL_TYPES = {"number": "INTEGER", "string": "TEXT", "bool": "INTEGER", "date": "TEXT"}
ALPHABET = "aAbZ中文é _"
FIRST_DAY, LAST_DAY = date(2020, 1, 1), date(2025, 12, 31)

small_ints = st.integers(min_value=-20, max_value=20).map(lambda v: Literal(v, "number"))
two_places = st.decimals(min_value=-100, max_value=100, places=2)
decimal_literals = two_places.map(lambda v: Literal(v, "number"))
string_literals = st.text(alphabet=ALPHABET, max_size=3).map(lambda v: Literal(v, "string"))
dates_in_range = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
date_literals = st.one_of(
    dates_in_range.map(lambda d: Literal(d, "date")),
    dates_in_range.map(lambda d: Call("date", (Literal(d.isoformat(), "string"),))),
)


def _name(*choices: str) -> st.SearchStrategy:
    return st.sampled_from(choices).map(Name)


date_leaves = st.one_of(_name("t1", "t2"), date_literals, st.just(Call("today", ())))
day_counts = st.one_of(  # small, so that shifted dates stay within SQLite's and Python's range
    small_ints,
    _name("n1", "n2"),
    st.tuples(date_leaves, date_leaves).map(lambda p: Binary("-", *p)),
)
date_exprs = st.one_of(
    date_leaves,
    st.tuples(date_leaves, day_counts).map(lambda p: Binary("+", *p)),
    st.tuples(day_counts, date_leaves).map(lambda p: Binary("+", *p)),
    st.tuples(date_leaves, day_counts).map(lambda p: Binary("-", *p)),
)
int_exprs = st.recursive(
    st.one_of(
        small_ints,
        _name("n1", "n2"),
        st.tuples(date_exprs, date_exprs).map(lambda p: Binary("-", *p)),
    ),
    lambda inner: st.one_of(
        inner.map(lambda x: Unary("-", x)),
        st.tuples(st.sampled_from("+-*"), inner, inner).map(lambda t: Binary(*t)),
    ),
    max_leaves=4,
)
number_operands = st.one_of(
    int_exprs,
    st.tuples(int_exprs, int_exprs).map(lambda p: Binary("/", *p)),
    decimal_literals,
    _name("d1"),
)
ORDER_OPS = ["==", "!=", "<", "<=", ">", ">="]


def _comparisons(operands: st.SearchStrategy, ops: list[str] = ORDER_OPS) -> st.SearchStrategy:
    return st.tuples(st.sampled_from(ops), operands, operands).map(lambda t: Compare(*t))


def _membership(left: st.SearchStrategy, items: st.SearchStrategy) -> st.SearchStrategy:
    lists = st.lists(items, max_size=4).map(lambda xs: ListExpr(tuple(xs)))
    return st.tuples(st.sampled_from(["in", "not in"]), left, lists).map(lambda t: Compare(*t))


string_operands = st.one_of(_name("s1", "s2"), string_literals)
atoms = st.one_of(
    _comparisons(number_operands),
    _membership(
        st.one_of(int_exprs, _name("d1")),
        st.one_of(small_ints, decimal_literals, _name("n1", "d1")),
    ),
    _comparisons(string_operands),
    _membership(string_operands, string_operands),
    _comparisons(date_exprs),
    _membership(date_exprs, st.one_of(date_literals, _name("t1", "t2"))),
    _name("b1", "b2"),
    st.booleans().map(lambda v: Literal(v, "bool")),
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
        _comparisons(inner, ["==", "!="]),
    ),
    max_leaves=8,
)


def _maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """A value, or NULL about one time in four."""
    return st.one_of(st.none(), strategy, strategy, strategy)


rows = st.fixed_dictionaries(
    {
        "n1": _maybe(st.integers(min_value=-50, max_value=50)),
        "n2": _maybe(st.integers(min_value=-50, max_value=50)),
        "d1": _maybe(two_places.map(Decimal)),
        "s1": _maybe(st.text(alphabet=ALPHABET, max_size=3)),
        "s2": _maybe(st.text(alphabet=ALPHABET, max_size=3)),
        "b1": _maybe(st.booleans()),
        "b2": _maybe(st.booleans()),
        "t1": _maybe(dates_in_range),
        "t2": _maybe(dates_in_range),
    }
)
