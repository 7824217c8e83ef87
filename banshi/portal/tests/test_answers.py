"""Situation answers from the query string, converted per question type (pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from banshi.catalog.schema import Question
from banshi.portal.answers import as_query, parse_answers

AREA = Question(code="shop.area", text="经营面积", type="number")
SEAL = Question(code="need_seal", text="是否刻章", type="bool")
KIND = Question(code="shop.kind", text="类型", type="enum", options=("餐馆", "饮品店"))
OPEN = Question(code="open_date", text="开业日期", type="date")
NAME = Question(code="shop.name", text="店名", type="text")
ALL = (AREA, SEAL, KIND, OPEN, NAME)


def test_a_whole_number_becomes_an_int():
    assert parse_answers(ALL, {"shop.area": "500"}).values == {"shop.area": 500}


def test_a_decimal_number_stays_exact():
    assert parse_answers(ALL, {"shop.area": "300.5"}).values["shop.area"] == Decimal("300.5")


def test_thousands_separators_are_accepted():
    assert parse_answers(ALL, {"shop.area": "1,200"}).values["shop.area"] == 1200


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", "1e400", "--1"])
def test_a_number_that_is_not_one_is_an_error_and_unanswered(text):
    parsed = parse_answers(ALL, {"shop.area": text})
    assert "shop.area" not in parsed.values
    assert (
        parsed.errors["shop.area"].startswith("请输入数字") or "过大" in parsed.errors["shop.area"]
    )


@pytest.mark.parametrize(
    ("text", "value"), [("true", True), ("是", True), ("false", False), ("0", False)]
)
def test_bool_answers(text, value):
    assert parse_answers(ALL, {"need_seal": text}).values == {"need_seal": value}


def test_an_unknown_bool_word_is_an_error():
    assert "是" in parse_answers(ALL, {"need_seal": "maybe"}).errors["need_seal"]


def test_a_date_is_an_iso_date():
    parsed = parse_answers(ALL, {"open_date": "2026-05-01"})
    assert parsed.values == {"open_date": dt.date(2026, 5, 1)}


def test_an_impossible_date_is_an_error():
    assert "YYYY-MM-DD" in parse_answers(ALL, {"open_date": "2026-02-30"}).errors["open_date"]


def test_an_enum_answer_must_be_an_option():
    assert parse_answers(ALL, {"shop.kind": "饮品店"}).values == {"shop.kind": "饮品店"}
    assert "shop.kind" in parse_answers(ALL, {"shop.kind": "酒吧"}).errors


def test_empty_answers_are_unanswered_not_errors():
    parsed = parse_answers(ALL, {"shop.area": "", "need_seal": "  ", "shop.name": ""})
    assert parsed.values == {} and parsed.errors == {}


def test_keys_that_are_not_questions_are_ignored():
    assert parse_answers(ALL, {"evil": "1", "shop.name": " 老王面馆 "}).values == {
        "shop.name": "老王面馆"
    }


def test_the_last_of_repeated_values_wins():
    from django.http import QueryDict

    query = QueryDict("shop.area=100&shop.area=500")
    assert parse_answers(ALL, query).values == {"shop.area": 500}


def test_a_very_long_answer_is_cut_and_kept_as_text():
    parsed = parse_answers(ALL, {"shop.name": "面" * 5000})
    assert len(parsed.values["shop.name"]) == 200


def test_as_query_keeps_what_was_typed():
    parsed = parse_answers(ALL, {"shop.area": "abc", "need_seal": "", "open_date": "2026-05-01"})
    assert as_query(parsed) == {"shop.area": "abc", "open_date": "2026-05-01"}
