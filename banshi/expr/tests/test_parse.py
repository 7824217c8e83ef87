"""Parsing: every construct, precedence, spans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

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
    parse,
)


def shape(node) -> str:
    """A fully parenthesised prefix form, so precedence tests read at a glance."""
    if isinstance(node, Literal):
        return repr(node.value) if node.type != "date" else node.value.isoformat()
    if isinstance(node, Name):
        return node.path
    if isinstance(node, ListExpr):
        return "[" + " ".join(shape(x) for x in node.items) + "]"
    if isinstance(node, Call):
        return f"{node.func}(" + " ".join(shape(x) for x in node.args) + ")"
    if isinstance(node, Unary):
        return f"(neg {shape(node.operand)})"
    if isinstance(node, Not):
        return f"(not {shape(node.operand)})"
    if isinstance(node, Binary | Compare):
        return f"({node.op} {shape(node.left)} {shape(node.right)})"
    return f"({node.op} " + " ".join(shape(x) for x in node.operands) + ")"


# -- literals ---------------------------------------------------------------------------------


def test_integer_parses_to_int():
    assert parse("300") == Literal(300, "number")
    assert type(parse("300").value) is int


def test_decimal_parses_to_decimal_never_float():
    node = parse("12.50")
    assert node == Literal(Decimal("12.50"), "number")
    assert type(node.value) is Decimal


def test_minus_before_a_number_folds_into_a_negative_literal():
    assert parse("-5") == Literal(-5, "number")
    assert parse("- 2.5") == Literal(Decimal("-2.5"), "number")


def test_minus_before_parentheses_stays_a_unary_node():
    assert parse("-(5)") == Unary("-", Literal(5, "number"))


def test_minus_before_a_name_is_a_unary_node():
    assert parse("-x") == Unary("-", Name("x"))


def test_single_quoted_string():
    assert parse("'男'") == Literal("男", "string")


def test_double_quoted_string():
    assert parse('"女"') == Literal("女", "string")


@pytest.mark.parametrize(
    ("source", "value"),
    [
        (r"'it\'s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        (r"'a\\b'", "a\\b"),
        (r"'line\nbreak\ttab\rret'", "line\nbreak\ttab\rret"),
        (r"'\u4e2d'", "中"),
        ("'\"'", '"'),
    ],
)
def test_string_escapes(source, value):
    assert parse(source) == Literal(value, "string")


def test_true_and_false():
    assert parse("true") == Literal(True, "bool")
    assert parse("false") == Literal(False, "bool")


def test_list_of_numbers():
    assert parse("[1, 2]") == ListExpr((Literal(1, "number"), Literal(2, "number")))


def test_list_of_chinese_strings():
    assert shape(parse("['男', '女']")) == "['男' '女']"


def test_empty_list():
    assert parse("[]") == ListExpr(())


def test_list_may_end_with_a_comma():
    assert parse("[1, 2,]") == parse("[1, 2]")


def test_bare_iso_date_is_a_date_literal():
    assert parse("2024-01-01") == Literal(date(2024, 1, 1), "date")


def test_date_function_keeps_its_spelling():
    assert parse("date('2024-01-01')") == Call("date", (Literal("2024-01-01", "string"),))


def test_today_function():
    assert parse("today()") == Call("today", ())


def test_arithmetic_with_spaces_between_digits_is_not_a_date():
    assert shape(parse("2024 - 01 - 01")) == "(- (- 2024 1) 1)"


# -- names ------------------------------------------------------------------------------------


def test_dotted_name():
    assert parse("enterprise.registered_capital") == Name("enterprise.registered_capital")


def test_name_with_digits_and_underscores():
    assert parse("_a1.b_2") == Name("_a1.b_2")


def test_chinese_name():
    assert parse("企业.注册资本") == Name("企业.注册资本")


def test_function_names_without_parentheses_are_plain_names():
    assert parse("date") == Name("date")
    assert parse("today") == Name("today")


def test_keyword_inside_a_dotted_name_is_part_of_the_name():
    assert parse("shop.in") == Name("shop.in")


# -- operators and precedence -----------------------------------------------------------------


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_each_comparison_operator(op):
    assert parse(f"a {op} 1") == Compare(op, Name("a"), Literal(1, "number"))


def test_in_list():
    assert shape(parse("x in [1, 2]")) == "(in x [1 2])"


def test_not_in_is_one_operator():
    assert parse("x not in [1]") == Compare("not in", Name("x"), ListExpr((Literal(1, "number"),)))


def test_not_before_in_negates_the_membership():
    assert shape(parse("not x in [1]")) == "(not (in x [1]))"


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_each_arithmetic_operator(op):
    assert parse(f"a {op} b") == Binary(op, Name("a"), Name("b"))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("not a and b", "(and (not a) b)"),
        ("not a or not b", "(or (not a) (not b))"),
        ("not a == b", "(not (== a b))"),
        ("a == b and c != d", "(and (== a b) (!= c d))"),
        ("a + b > c * d", "(> (+ a b) (* c d))"),
        ("a + b * c", "(+ a (* b c))"),
        ("a * b + c", "(+ (* a b) c)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a / b / c", "(/ (/ a b) c)"),
        ("a - b + c", "(+ (- a b) c)"),
        ("-a * b", "(* (neg a) b)"),
        ("-a - -b", "(- (neg a) (neg b))"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("x + 1 in [2, 3]", "(in (+ x 1) [2 3])"),
        ("not not a", "(not (not a))"),
        ("a or (b or c)", "(or a (or b c))"),
    ],
)
def test_precedence(source, expected):
    assert shape(parse(source)) == expected


def test_and_chain_is_flattened():
    assert parse("a and b and c") == BoolOp("and", (Name("a"), Name("b"), Name("c")))


def test_or_chain_is_flattened():
    assert shape(parse("a or b or c or d")) == "(or a b c d)"


def test_parenthesised_and_is_not_flattened():
    assert shape(parse("(a and b) and c")) == "(and (and a b) c)"


def test_parenthesised_comparisons_may_be_compared():
    assert shape(parse("(a < b) == (c < d)")) == "(== (< a b) (< c d))"


def test_whitespace_includes_newlines_tabs_and_the_full_width_space():
    assert parse("a\n>\t1\u3000and b") == parse("a > 1 and b")


def test_keywords_are_case_sensitive_lowercase():
    assert parse("a and b") == BoolOp("and", (Name("a"), Name("b")))


# -- spans ------------------------------------------------------------------------------------


def test_name_span():
    assert parse("  shop.area").span == (2, 11)


def test_string_span_includes_the_quotes():
    assert parse("'ab'").span == (0, 4)


def test_comparison_span_covers_both_operands():
    node = parse("shop.area > 300")
    assert node.span == (0, 15)
    assert node.right.span == (12, 15)


def test_folded_negative_literal_span_starts_at_the_minus():
    assert parse("x > -5").right.span == (4, 6)


def test_call_span_covers_the_parentheses():
    assert parse("x < today()").right.span == (4, 11)


def test_equality_ignores_spans():
    assert parse("a>1") == parse("  a  >  1 ")
    assert hash(parse("a>1")) == hash(parse("  a  >  1 "))
