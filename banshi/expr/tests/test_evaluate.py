"""Evaluation: SQL three-valued logic, numbers, dates, variable lookup, run-time type errors."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from banshi.expr import ExprError, ExprTypeError, evaluate, holds, names, parse


def ev(source: str, variables: dict | None = None, **kwargs):
    return evaluate(parse(source), variables or {}, **kwargs)


# -- unknowns ---------------------------------------------------------------------------------


def test_missing_name_is_unknown():
    assert ev("shop.area") is None


def test_name_with_value_none_is_unknown():
    assert ev("shop.area", {"shop.area": None}) is None


@pytest.mark.parametrize("source", ["x > 1", "x == 1", "x != 1", "1 < x", "x == x", "x != 'a'"])
def test_comparison_with_unknown_is_unknown(source):
    assert ev(source) is None


@pytest.mark.parametrize("source", ["x + 1", "1 - x", "x * 2", "x / 2", "-x", "2024-01-01 + x"])
def test_arithmetic_with_unknown_is_unknown(source):
    assert ev(source) is None


def test_not_unknown_is_unknown():
    assert ev("not x") is None


@pytest.mark.parametrize(
    ("left", "right", "result"),
    [
        (True, True, True),
        (True, False, False),
        (True, None, None),
        (False, None, False),
        (None, False, False),
        (None, None, None),
        (False, False, False),
    ],
)
def test_and_is_kleene(left, right, result):
    assert ev("a and b", {"a": left, "b": right}) is result


@pytest.mark.parametrize(
    ("left", "right", "result"),
    [
        (True, None, True),
        (None, True, True),
        (False, None, None),
        (None, None, None),
        (False, False, False),
        (False, True, True),
    ],
)
def test_or_is_kleene(left, right, result):
    assert ev("a or b", {"a": left, "b": right}) is result


def test_and_chain_is_false_if_any_operand_is_false_even_after_an_unknown():
    assert ev("x > 1 and false and y", {}) is False


def test_in_with_unknown_left_is_unknown():
    assert ev("x in [1, 2]") is None


def test_in_with_a_match_is_true_even_if_the_list_has_an_unknown():
    assert ev("1 in [1, x]") is True


def test_in_without_a_match_but_with_an_unknown_item_is_unknown():
    assert ev("1 in [2, x]") is None


def test_not_in_with_an_unknown_item_is_unknown():
    assert ev("1 not in [2, x]") is None


def test_not_in_without_unknowns_is_plain():
    assert ev("3 not in [1, 2]") is True


def test_nothing_is_in_an_empty_list_not_even_an_unknown():
    assert ev("x in []") is False
    assert ev("x not in []") is True


def test_in_with_an_unknown_list_is_unknown():
    assert ev("1 in tags") is None


def test_in_a_list_valued_variable():
    assert ev("'餐饮' in enterprise.tags", {"enterprise.tags": ["零售", "餐饮"]}) is True


# -- holds ------------------------------------------------------------------------------------


def test_holds_is_false_for_an_unknown():
    assert holds(parse("shop.area > 300"), {}) is False


def test_holds_is_true_only_for_true():
    assert holds(parse("shop.area > 300"), {"shop.area": 301}) is True
    assert holds(parse("shop.area > 300"), {"shop.area": 300}) is False


def test_holds_of_a_non_boolean_value_is_false():
    assert holds(parse("shop.area"), {"shop.area": 1}) is False


# -- numbers ----------------------------------------------------------------------------------


def test_decimal_arithmetic_is_exact():
    assert ev("0.1 + 0.2 == 0.3") is True


def test_integer_arithmetic_stays_integer():
    assert ev("7 * 6 - 2") == 40
    assert type(ev("7 * 6 - 2")) is int


def test_division_is_exact_not_integer_division():
    assert ev("7 / 2") == Decimal("3.5")


def test_division_by_zero_is_unknown():
    assert ev("x / 0", {"x": 5}) is None
    assert ev("x / y > 1", {"x": 5, "y": 0}) is None


def test_division_by_decimal_zero_is_unknown():
    assert ev("1 / 0.0") is None


def test_int_and_decimal_compare_by_value():
    assert ev("x == 1.0", {"x": 1}) is True


def test_float_variables_become_exact_decimals():
    assert ev("x + 0.2 == 0.3", {"x": 0.1}) is True


def test_nan_variable_is_unknown():
    assert ev("x > 1", {"x": float("nan")}) is None


def test_infinite_variable_is_a_type_error():
    with pytest.raises(ExprTypeError):
        ev("x > 1", {"x": float("inf")})


def test_unary_minus():
    assert ev("-x", {"x": Decimal("2.5")}) == Decimal("-2.5")


def test_money_compares_exactly():
    assert ev(
        "enterprise.registered_capital >= 500.00", {"enterprise.registered_capital": Decimal("500")}
    )


# -- strings and booleans ---------------------------------------------------------------------


def test_strings_compare_by_code_point():
    assert ev("'Z' < 'a'") is True
    assert ev("'z' < '中'") is True


def test_string_membership():
    assert ev("person.gender in ['男', '女']", {"person.gender": "女"}) is True


def test_boolean_equality():
    assert ev("flag == true", {"flag": True}) is True


# -- dates ------------------------------------------------------------------------------------


def test_date_plus_days():
    assert ev("d + 30", {"d": date(2024, 1, 31)}) == date(2024, 3, 1)


def test_days_plus_date():
    assert ev("30 + d", {"d": date(2024, 1, 31)}) == date(2024, 3, 1)


def test_date_minus_days():
    assert ev("2024-03-01 - 1") == date(2024, 2, 29)


def test_date_minus_date_is_days():
    assert ev("2024-03-01 - 2024-01-01") == 60


def test_date_literal_and_date_function_are_equal():
    assert ev("2024-01-01 == date('2024-01-01')") is True


def test_today_comes_from_the_caller():
    assert ev("today() - 2024-01-01", today=date(2024, 1, 11)) == 10


def test_today_without_a_value_is_an_error_not_the_clock():
    with pytest.raises(ExprError, match="today="):
        ev("today() > 2024-01-01")


def test_established_more_than_three_years_ago():
    variables = {"enterprise.established": date(2020, 5, 1)}
    assert ev("today() - enterprise.established > 3 * 365", variables, today=date(2024, 1, 1))


def test_shifting_past_year_9999_is_unknown():
    assert ev("9999-12-31 + 1") is None


def test_fractional_days_are_a_type_error():
    with pytest.raises(ExprTypeError, match="whole"):
        ev("2024-01-01 + 1.5")


def test_whole_decimal_days_are_fine():
    assert ev("2024-01-01 + 2.0") == date(2024, 1, 3)


# -- variable lookup --------------------------------------------------------------------------


def test_flat_dotted_key():
    assert ev("shop.area", {"shop.area": 120}) == 120


def test_nested_mappings():
    assert ev("shop.area", {"shop": {"area": 120}}) == 120


def test_flat_key_wins_over_nested():
    assert ev("shop.area", {"shop.area": 1, "shop": {"area": 2}}) == 1


def test_flat_key_with_none_does_not_fall_back_to_nested():
    assert ev("shop.area", {"shop.area": None, "shop": {"area": 2}}) is None


def test_nested_path_through_a_non_mapping_is_unknown():
    assert ev("shop.area", {"shop": 5}) is None


def test_datetime_value_is_refused():
    with pytest.raises(ExprTypeError, match=r"\.date\(\)"):
        ev("d > 2024-01-01", {"d": datetime(2024, 1, 2, 8, 0)})


def test_unsupported_value_type_is_refused():
    with pytest.raises(ExprTypeError, match="unsupported"):
        ev("x == 1", {"x": object()})


# -- run-time type errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "variables"),
    [
        ("d > 5", {"d": date(2024, 1, 1)}),
        ("true + 1", {}),
        ("x + 1", {"x": "12"}),
        ("'a' + 'b'", {}),
        ("1 and true", {}),
        ("not 'a'", {}),
        ("-true", {}),
        ("x * 2", {"x": date(2024, 1, 1)}),
        ("2024-01-01 + 2024-01-02", {}),
        ("1 - 2024-01-01", {}),
        ("true < false", {}),
        ("[1] == [1]", {}),
        ("1 in ['a']", {}),
        ("1 in 1", {}),
        ("[1] in [1]", {}),
        ("x == 1", {"x": True}),
    ],
)
def test_type_mismatch_raises(source, variables):
    with pytest.raises(ExprTypeError):
        ev(source, variables)


def test_run_time_type_error_points_at_the_node():
    with pytest.raises(ExprTypeError) as info:
        ev("a > 1 and d > 5", {"a": 2, "d": date(2024, 1, 1)})
    assert info.value.span == (10, 15)


def test_type_error_with_one_unknown_side_is_still_raised_for_impossible_operands():
    with pytest.raises(ExprTypeError):
        ev("x + 'a'")


# -- names ------------------------------------------------------------------------------------


def test_names_lists_every_dotted_name_once():
    assert names(parse("a.b > 1 and (a.b < c or d in [e, 1])")) == {"a.b", "c", "d", "e"}


def test_names_of_a_constant_is_empty():
    assert names(parse("1 + 2 > today() - 2024-01-01")) == set()
