"""Syntax errors: one per kind, with its position and a message in Chinese and English."""

from __future__ import annotations

import time

import pytest

from banshi.expr import ExprError, ExprSyntaxError, parse


def error_of(source: str) -> ExprSyntaxError:
    with pytest.raises(ExprSyntaxError) as info:
        parse(source)
    return info.value


def test_message_format_matches_the_contract_exactly():
    assert str(error_of("shop.area > ")) == (
        "表达式语法错误，第 12 个字符处应为数值或名称 / syntax error at character 12: "
        "expected a value or a name\n  shop.area > \n              ^"
    )


def test_error_keeps_position_source_and_both_reasons():
    error = error_of("shop.area > ")
    assert (error.position, error.source) == (12, "shop.area > ")
    assert (error.zh, error.en) == ("应为数值或名称", "expected a value or a name")


def test_syntax_error_is_a_value_error():
    assert isinstance(error_of(")"), ValueError)
    assert isinstance(error_of(")"), ExprError)


def test_unexpected_character():
    error = error_of("a > 1 $ 2")
    assert error.position == 6
    assert "无法识别的字符 '$'" in str(error) and "unexpected character '$'" in str(error)


def test_full_width_parenthesis_suggests_the_ascii_one():
    error = error_of("（a）")
    assert error.position == 0
    assert "'('" in error.en


def test_single_equals_suggests_double_equals():
    error = error_of("x = 1")
    assert error.position == 2 and "'=='" in error.en


def test_double_ampersand_suggests_and():
    assert "'and'" in error_of("a && b").en


def test_unterminated_string_points_at_the_opening_quote():
    error = error_of("name == '张三")
    assert error.position == 8
    assert "缺少结束引号" in error.zh and "unterminated string" in error.en


def test_unknown_escape():
    error = error_of(r"'a\qb'")
    assert error.position == 2 and "unknown escape" in error.en


def test_bad_unicode_escape():
    assert "4 hex digits" in error_of(r"'\u12'").en


def test_unclosed_parenthesis_points_at_the_end_and_names_the_opening():
    error = error_of("(a > 1 and b")
    assert error.position == 12
    assert "close the '(' at character 0" in error.en and "第 0 个字符处的 '('" in error.zh


def test_unclosed_parenthesis_before_another_token():
    error = error_of("(a ]")
    assert error.position == 3 and "found ']'" in error.en


def test_extra_closing_parenthesis():
    error = error_of("a > 1)")
    assert error.position == 5 and "without a matching '('" in error.en


def test_unclosed_bracket():
    error = error_of("x in [1, 2")
    assert error.position == 10 and "expected ']' or ','" in error.en


def test_extra_closing_bracket():
    assert error_of("x]").position == 1


def test_trailing_tokens():
    error = error_of("a > 1 b")
    assert error.position == 6
    assert "expected an operator or the end of the expression, found 'b'" in error.en


def test_chained_comparison_points_at_the_second_operator():
    error = error_of("1 < x < 5")
    assert error.position == 6
    assert "cannot be chained" in error.en and "and" in error.zh


def test_chained_equality_is_also_refused():
    assert error_of("a == b == c").position == 7


def test_unknown_function():
    error = error_of("now()")
    assert error.position == 0
    assert "unknown function 'now'" in error.en and "未知函数" in error.zh


def test_bad_date_literal():
    error = error_of("d > 2024-02-30")
    assert error.position == 4
    assert "invalid date '2024-02-30'" in error.en and "无效" in error.zh


def test_date_with_one_digit_month_is_a_bad_date_not_arithmetic():
    assert "invalid date '2024-1-1'" in error_of("2024-1-1").en


def test_bad_date_inside_date_function():
    error = error_of("date('2023-02-29')")
    assert error.position == 5 and "invalid date" in error.en


def test_date_function_needs_a_string():
    assert "date() takes one date string" in error_of("date(20240101)").en


def test_today_takes_no_arguments():
    assert "no arguments" in error_of("today(1)").en


def test_empty_expression():
    error = error_of("")
    assert error.position == 0 and "empty" in error.en and "为空" in error.zh


def test_blank_expression_is_empty_too():
    assert "empty" in error_of("   ").en


def test_uppercase_keyword_is_refused_with_a_hint():
    error = error_of("a AND b")
    assert error.position == 2 and "write 'and'" in error.en


def test_capitalised_true_is_not_silently_a_name():
    assert "write 'true'" in error_of("flag == True").en


def test_not_between_values_must_be_not_in():
    assert "expected 'in' after 'not'" in error_of("a not b").en


def test_not_as_comparison_operand_needs_parentheses():
    assert "needs parentheses" in error_of("a == not b").en


def test_number_glued_to_letters():
    assert "not a valid number" in error_of("12abc > 1").en


def test_name_ending_in_a_dot():
    error = error_of("shop. > 1")
    assert error.position == 5 and "after '.'" in error.en


def test_deep_nesting_is_a_syntax_error_not_a_recursion_error():
    error = error_of("(" * 5000 + "a" + ")" * 5000)
    assert "nested too deeply" in error.en


def test_long_operator_chain_is_a_syntax_error_not_a_recursion_error():
    assert "nested too deeply" in error_of(" + ".join(["a"] * 5000)).en


def test_long_flat_condition_parses_in_linear_time():
    # 20,000 clauses take under a second; the quadratic version this guards against took 13 s.
    source = " or ".join(f"x{i} == {i}" for i in range(20_000))
    started = time.perf_counter()
    assert len(parse(source).operands) == 20_000
    assert time.perf_counter() - started < 5.0


def test_mixed_and_or_chains_flatten_per_operator():
    tree = parse(" or ".join(["a and b and c"] * 3))
    assert len(tree.operands) == 3 and all(len(x.operands) == 3 for x in tree.operands)


def test_caret_is_under_the_error_even_after_chinese_characters():
    # 名称 is two characters but four columns wide in a terminal.
    lines = str(error_of("名称 > ")).splitlines()
    assert lines[1] == "  名称 > "
    assert lines[2] == "         ^"


def test_caret_line_shows_only_the_line_with_the_error():
    lines = str(error_of("a > 1 and\nb <")).splitlines()
    assert lines[1:] == ["  b <", "     ^"]


def test_parse_refuses_non_strings():
    with pytest.raises(TypeError):
        parse(None)  # type: ignore[arg-type]
