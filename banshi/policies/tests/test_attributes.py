"""The attribute registry (the schema of conditions) and per-type validation of imported cells."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import models

from banshi.policies import attributes
from banshi.policies.attributes import BY_CODE, SCHEMA, ValueProblem, parse_value
from banshi.policies.models import EnterprisePortrait

FIELD_TYPES = {
    "number": (models.DecimalField, models.IntegerField),
    "string": (models.CharField,),
    "bool": (models.BooleanField,),
    "date": (models.DateField,),
}


def test_every_attribute_is_a_nullable_indexed_portrait_column_of_its_type():
    for attribute in attributes.ATTRIBUTES:
        field = EnterprisePortrait._meta.get_field(attribute.column)
        assert isinstance(field, FIELD_TYPES[attribute.type]), attribute.code
        assert field.null and field.db_index, attribute.code
        if isinstance(field, models.IntegerField):
            assert attribute.decimals == 0, attribute.code
        if isinstance(field, models.DecimalField):
            assert attribute.decimals == field.decimal_places, attribute.code


def test_every_portrait_column_is_a_registered_attribute():
    columns = {
        f.column
        for f in EnterprisePortrait._meta.concrete_fields
        if f.column not in ("enterprise_id", "updated_at")
    }
    assert columns == set(attributes.BY_COLUMN)


def test_the_schema_gives_each_code_its_expression_type():
    assert SCHEMA["enterprise.registered_capital"] == "number"
    assert SCHEMA["enterprise.established_on"] == "date"
    assert SCHEMA["enterprise.is_high_tech"] == "bool"
    assert SCHEMA["enterprise.district"] == "string"


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("enterprise.revenue", "enterprise.revenue"),
        ("revenue", "enterprise.revenue"),
        ("上年度营业收入", "enterprise.revenue"),
        ("上年度营业收入(万元)", "enterprise.revenue"),
        ("上年度营业收入（万元）", "enterprise.revenue"),
    ],
)
def test_an_attribute_is_found_by_code_column_or_label(key, code):
    assert attributes.lookup(key).code == code


@pytest.mark.parametrize(
    ("code", "raw", "value"),
    [
        ("enterprise.registered_capital", "1,200.5", Decimal("1200.50")),
        ("enterprise.registered_capital", 300, Decimal("300.00")),
        ("enterprise.registered_capital", "500万元", Decimal("500.00")),
        ("enterprise.employees", "25", 25),
        ("enterprise.employees", 25.0, 25),
        ("enterprise.is_high_tech", "是", True),
        ("enterprise.is_high_tech", "否", False),
        ("enterprise.is_high_tech", "TRUE", True),
        ("enterprise.established_on", "2019/5/1", dt.date(2019, 5, 1)),
        ("enterprise.established_on", "2019年5月1日", dt.date(2019, 5, 1)),
        ("enterprise.established_on", dt.datetime(2019, 5, 1), dt.date(2019, 5, 1)),
        ("enterprise.tax_credit_level", "a", "A"),
        ("enterprise.industry_code", "C3911", "3911"),
        ("enterprise.industry_code", 3911.0, "3911"),
        ("enterprise.district", "410173001", "410173001"),
    ],
)
def test_good_cells_become_typed_values(code, raw, value):
    assert parse_value(BY_CODE[code], raw) == value


@pytest.mark.parametrize(
    ("code", "raw", "zh"),
    [
        ("enterprise.registered_capital", "很多", "不是数值"),
        ("enterprise.registered_capital", "-5", "不能为负"),
        ("enterprise.registered_capital", "1.234", "最多保留 2 位小数"),
        ("enterprise.employees", "2.5", "应为整数"),
        ("enterprise.is_high_tech", "也许", "不是“是”或“否”"),
        ("enterprise.established_on", "2023-02-30", "日期不存在"),
        ("enterprise.established_on", "去年", "不是日期"),
        ("enterprise.tax_credit_level", "E", "不是有效值"),
        ("enterprise.industry_code", "B3911", "门类字母与大类不符"),
        ("enterprise.industry_code", "9999", "不是 GB/T 4754 行业代码"),
        ("enterprise.district", "4101", "格式不对"),
        ("enterprise.registered_capital", True, "不是是/否"),
    ],
)
def test_bad_cells_are_refused_with_a_reason_in_chinese_and_english(code, raw, zh):
    with pytest.raises(ValueProblem) as caught:
        parse_value(BY_CODE[code], raw)
    assert zh in caught.value.zh.replace("应为数值，而不是是/否", "不是是/否")
    assert caught.value.en


def test_an_industry_code_fills_its_division_and_section():
    assert attributes.derived_values({"industry_code": "3911"}) == {
        "industry_division": "39",
        "industry_section": "C",
    }


def test_gb_t_4754_sections_cover_the_divisions():
    assert attributes.section_of_division("01") == "A"
    assert attributes.section_of_division("43") == "C"
    assert attributes.section_of_division("65") == "I"
    assert attributes.section_of_division("99") is None


def test_values_are_shown_in_words_with_units():
    assert (
        attributes.format_value(BY_CODE["enterprise.registered_capital"], Decimal("300"))
        == "300.00 万元"
    )
    assert attributes.format_value(BY_CODE["enterprise.is_high_tech"], False) == "否"
    assert attributes.format_value(BY_CODE["enterprise.tax_credit_level"], "A") == "A（A级）"
    assert attributes.format_value(BY_CODE["enterprise.employees"], None) == "无数据"
