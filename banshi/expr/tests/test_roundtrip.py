"""Canonical text (unparse) and JSON storage round trips, and node validation."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from banshi.expr import (
    Binary,
    BoolOp,
    Call,
    Compare,
    ExprError,
    ListExpr,
    Literal,
    Name,
    Not,
    Unary,
    from_json,
    parse,
    to_json,
    unparse,
)

# -- unparse ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "canonical"),
    [
        ("shop.area>300", "shop.area > 300"),
        ('x in ["男","女"]', "x in ['男', '女']"),
        ("((a and b))", "a and b"),
        ("(a and b) and c", "(a and b) and c"),
        ("a and (b or c)", "a and (b or c)"),
        ("(a and b) or c", "a and b or c"),
        ("not (a and b)", "not (a and b)"),
        ("(not a) and b", "not a and b"),
        ("(a == b) == c", "(a == b) == c"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("a * (b + c)", "a * (b + c)"),
        ("-(5)", "-(5)"),
        ("-(-x)", "-(-x)"),
        ("- -5", "-(-5)"),
        ("a - -5", "a - -5"),
        ("-(a + b)", "-(a + b)"),
        ("1.50", "1.50"),
        ("true", "true"),
        ("2024-01-01", "2024-01-01"),
        ('date("2024-01-01")', "date('2024-01-01')"),
        ("today( )", "today()"),
        ("[ ]", "[]"),
        ("x not in [1,]", "x not in [1]"),
        ("企业.名称 == '张三'", "企业.名称 == '张三'"),
    ],
)
def test_canonical_text(source, canonical):
    assert unparse(parse(source)) == canonical


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("it's", r"'it\'s'"),
        ("a\\b", r"'a\\b'"),
        ("two\nlines", r"'two\nlines'"),
        ("\x00", r"'\u0000'"),
        ('"', "'\"'"),
        ("中文", "'中文'"),
    ],
)
def test_strings_are_single_quoted_and_escaped(value, text):
    assert unparse(Literal(value, "string")) == text
    assert parse(text) == Literal(value, "string")


def test_decimal_without_fraction_keeps_a_decimal_point():
    assert unparse(Literal(Decimal("100"), "number")) == "100.0"


def test_decimal_with_exponent_is_written_in_plain_digits():
    assert unparse(Literal(Decimal("1E-7"), "number")) == "0.0000001"


def test_negative_literal_under_unary_minus_is_parenthesised():
    tree = Unary("-", Literal(-5, "number"))
    assert unparse(tree) == "-(-5)"
    assert parse(unparse(tree)) == tree


def test_not_under_a_comparison_is_parenthesised():
    tree = Compare("==", Not(Name("a")), Name("b"))
    assert unparse(tree) == "(not a) == b"
    assert parse(unparse(tree)) == tree


def test_date_before_year_1000_round_trips():
    tree = Literal(date(99, 1, 2), "date")
    assert unparse(tree) == "0099-01-02"
    assert parse(unparse(tree)) == tree


# -- JSON -------------------------------------------------------------------------------------


def test_json_of_a_comparison():
    assert to_json(Compare(">", Name("shop.area"), Literal(300, "number"))) == {
        "node": "compare",
        "op": ">",
        "left": {"node": "name", "path": "shop.area"},
        "right": {"node": "literal", "type": "number", "value": 300},
    }


def test_json_keeps_decimals_as_strings():
    assert to_json(Literal(Decimal("0.10"), "number"))["value"] == "0.10"
    back = from_json(json.loads(json.dumps(to_json(Literal(Decimal("0.10"), "number")))))
    assert back.value == Decimal("0.10") and type(back.value) is Decimal


def test_json_keeps_dates_as_iso_text():
    assert to_json(Literal(date(2024, 1, 1), "date"))["value"] == "2024-01-01"


def test_json_includes_spans_of_parsed_trees():
    assert to_json(parse("a > 1"))["span"] == [0, 5]


def test_json_round_trip_keeps_spans():
    tree = parse("a > 1 and b in [1, 2]")
    assert from_json(to_json(tree)).operands[1].right.span == (15, 21)


@pytest.mark.parametrize(
    "tree",
    [
        BoolOp("or", (Not(Name("a")), Compare("not in", Name("b"), ListExpr(())))),
        Binary("/", Unary("-", Name("x")), Literal(Decimal("2.5"), "number")),
        Call("date", (Literal("2024-02-29", "string"),)),
        Call("today", ()),
        Literal(True, "bool"),
    ],
)
def test_json_round_trip(tree):
    assert from_json(json.loads(json.dumps(to_json(tree)))) == tree


@pytest.mark.parametrize(
    "data",
    [
        {"node": "wat"},
        {"node": "name"},
        {"node": "name", "path": "not a name"},
        {"node": "literal", "type": "number", "value": 1.5},
        {"node": "literal", "type": "number", "value": True},
        {"node": "literal", "type": "date", "value": "2024-02-30"},
        {"node": "literal", "type": "money", "value": 1},
        {
            "node": "binary",
            "op": "%",
            "left": {"node": "name", "path": "a"},
            "right": {"node": "name", "path": "b"},
        },
        {"node": "boolop", "op": "and", "operands": [{"node": "name", "path": "a"}]},
        {"node": "call", "func": "now", "args": []},
        {"node": "call", "func": "date", "args": [{"node": "name", "path": "a"}]},
        {"node": "not", "operand": 1},
        [],
    ],
)
def test_from_json_refuses_malformed_input(data):
    with pytest.raises(ExprError, match="invalid expression JSON"):
        from_json(data)


# -- node validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: Literal(1.5, "number"),
        lambda: Literal(True, "number"),
        lambda: Literal(Decimal("NaN"), "number"),
        lambda: Literal(datetime(2024, 1, 1), "date"),
        lambda: Literal("\ud800", "string"),
        lambda: Literal([1], "list"),
        lambda: Name("a..b"),
        lambda: Name("and"),
        lambda: Name("1a"),
        lambda: Unary("+", Name("a")),
        lambda: Compare("=", Name("a"), Name("b")),
        lambda: BoolOp("xor", (Name("a"), Name("b"))),
        lambda: Call("today", (Name("a"),)),
        lambda: Not("a"),
    ],
)
def test_invalid_nodes_cannot_be_built(make):
    with pytest.raises(ValueError):
        make()


def test_nodes_are_immutable():
    with pytest.raises(AttributeError):
        Name("a").path = "b"  # type: ignore[misc]
