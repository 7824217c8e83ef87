"""Static checks: infer_type, unknown names, division by a constant zero, check_condition."""

from __future__ import annotations

import pytest

from banshi.expr import (
    ExprNameError,
    ExprSyntaxError,
    ExprTypeError,
    check_condition,
    check_division_by_literal_zero,
    infer_type,
    parse,
)

SCHEMA = {
    "shop.area": "number",
    "enterprise.name": "text",
    "enterprise.established": "date",
    "enterprise.is_listed": "bool",
    "enterprise.tags": "list",
    "person.gender": "enum",
}


def typ(source: str, schema=SCHEMA, **kwargs) -> str:
    return infer_type(parse(source), schema, source=source, **kwargs)


def type_error(source: str, schema=SCHEMA) -> ExprTypeError:
    with pytest.raises(ExprTypeError) as info:
        typ(source, schema)
    return info.value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1", "number"),
        ("1.5", "number"),
        ("'a'", "string"),
        ("true", "bool"),
        ("2024-01-01", "date"),
        ("date('2024-01-01')", "date"),
        ("today()", "date"),
        ("[1, 2]", "list"),
        ("shop.area", "number"),
        ("shop.area * 2 + 1", "number"),
        ("-shop.area", "number"),
        ("shop.area > 300", "bool"),
        ("enterprise.established + 30", "date"),
        ("30 + enterprise.established", "date"),
        ("enterprise.established - 30", "date"),
        ("today() - enterprise.established", "number"),
        ("enterprise.is_listed and not enterprise.is_listed", "bool"),
        ("person.gender in ['男', '女']", "bool"),
        ("'餐饮' in enterprise.tags", "bool"),
    ],
)
def test_inferred_type(source, expected):
    assert typ(source) == expected


@pytest.mark.parametrize(
    "alias", ["text", "id_number", "uscc", "phone", "email", "address", "enum"]
)
def test_catalogue_text_types_count_as_string(alias):
    assert infer_type(parse("x"), {"x": alias}) == "string"


def test_unknown_schema_type_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown type"):
        infer_type(parse("x"), {"x": "money"})


def test_name_missing_from_the_schema_is_any_when_not_strict():
    assert typ("shop.aera") == "any"


def test_name_missing_from_the_schema_is_an_error_when_strict():
    with pytest.raises(ExprNameError) as info:
        typ("shop.aera > 1", strict=True)
    error = info.value
    assert error.name == "shop.aera" and error.span == (0, 9)
    assert "未知名称 'shop.aera'" in str(error) and "unknown name 'shop.aera'" in str(error)


def test_strict_name_error_suggests_close_names():
    with pytest.raises(ExprNameError, match=r"shop\.area"):
        typ("shop.aera > 1", strict=True)


def test_any_is_compatible_with_everything_known():
    assert typ("x > 1 and y == 'a' and z < today()", {}) == "bool"


def test_without_schema_literals_alone_can_prove_an_error():
    with pytest.raises(ExprTypeError):
        infer_type(parse("2024-01-01 > 5"))


# -- type errors ------------------------------------------------------------------------------


def test_comparing_a_date_with_a_number():
    error = type_error("enterprise.established > 5")
    assert error.span == (0, 26)
    assert "不能用 > 比较日期与数值" in str(error)
    assert "cannot compare a date with a number" in str(error)


def test_type_error_message_underlines_the_span():
    lines = str(type_error("x > 1 and shop.area == 'a'")).splitlines()
    assert lines[1:] == ["  x > 1 and shop.area == 'a'", "            ^^^^^^^^^^^^^^^^"]


@pytest.mark.parametrize(
    "source",
    [
        "shop.area + 'a'",
        "enterprise.name * 2",
        "true + 1",
        "enterprise.established + enterprise.established",
        "1 - enterprise.established",
        "enterprise.established * 2",
        "-enterprise.name",
    ],
)
def test_bad_arithmetic(source):
    assert "cannot compute" in type_error(source).en or "cannot negate" in type_error(source).en


@pytest.mark.parametrize(
    "source", ["shop.area and true", "not shop.area", "enterprise.name or true"]
)
def test_logic_on_non_booleans(source):
    assert "true/false" in type_error(source).en


@pytest.mark.parametrize("source", ["true < false", "enterprise.is_listed >= true"])
def test_booleans_cannot_be_ordered(source):
    assert "cannot compare" in type_error(source).en


def test_lists_cannot_be_compared():
    assert "cannot compare" in type_error("[1] == [1]").en


def test_in_needs_a_list_on_the_right():
    assert "list on the right" in type_error("1 in shop.area").en


def test_in_needs_a_single_value_on_the_left():
    assert "single value" in type_error("[1] in [1]").en


def test_in_item_types_must_match_the_value():
    assert "cannot look for a number" in type_error("shop.area in ['a']").en


def test_list_items_must_share_one_type():
    error = type_error("x in [1, 'a']", {})
    assert error.span == (9, 12)


def test_lists_cannot_nest():
    assert "cannot contain a list" in type_error("x in [[1]]", {}).en


# -- division by a constant zero --------------------------------------------------------------


def test_division_by_literal_zero_is_refused():
    error = type_error("shop.area / 0 > 1")
    assert error.span == (12, 13) and "division by zero" in error.en and "除数为 0" in error.zh


@pytest.mark.parametrize("source", ["x / 0.0", "x / -0", "x / (2 - 2)", "x / (1 * 0)"])
def test_division_by_a_constant_that_is_zero_is_refused(source):
    with pytest.raises(ExprTypeError, match="division by zero"):
        check_division_by_literal_zero(parse(source))


@pytest.mark.parametrize("source", ["x / y", "x / 2", "x / (today() - today())"])
def test_division_by_a_non_constant_or_non_zero_is_accepted(source):
    check_division_by_literal_zero(parse(source))


# -- check_condition --------------------------------------------------------------------------


def test_check_condition_returns_the_tree():
    assert check_condition("shop.area > 300", SCHEMA) == parse("shop.area > 300")


def test_check_condition_refuses_a_non_boolean_result():
    with pytest.raises(ExprTypeError, match="must be true or false"):
        check_condition("shop.area + 1", SCHEMA)


def test_check_condition_accepts_a_name_of_unknown_type():
    assert check_condition("flag") == parse("flag")


def test_check_condition_reports_syntax_errors():
    with pytest.raises(ExprSyntaxError):
        check_condition("shop.area >")


def test_check_condition_messages_quote_the_source():
    with pytest.raises(ExprTypeError, match=r"shop\.area / 0"):
        check_condition("shop.area / 0 > 1", SCHEMA)
