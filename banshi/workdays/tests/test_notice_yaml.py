"""The YAML import format of a State Council 放假安排通知 (pure parser, clear bilingual errors)."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.workdays import core
from banshi.workdays.tests.conftest import TEST_NOTICE_2027

D = dt.date


def parse(text: str) -> core.ParsedNotice:
    return core.parse_notice(text, source="notice.yaml")


def test_parses_the_test_notice_fields():
    notice = parse(TEST_NOTICE_2027)
    assert notice.year == 2027
    assert notice.title.startswith("国务院办公厅关于2027年")
    assert notice.document_number == "国办发明电〔2026〕X号"
    assert notice.published_on == D(2026, 11, 20)


def test_holiday_ranges_are_inclusive():
    days = {d.date: d for d in parse(TEST_NOTICE_2027).days}
    spring = [day for day, entry in days.items() if entry.name == "春节"]
    assert spring == [D(2027, 2, 6) + dt.timedelta(days=i) for i in range(8)]


def test_flat_workday_list_is_single_make_up_days_not_a_range():
    """``workdays: [2027-02-14, 2027-02-20]`` lists two 调休上班 Sundays/Saturdays, not a week."""
    workdays = [d.date for d in parse(TEST_NOTICE_2027).days if d.kind == core.WORKDAY]
    assert workdays == [D(2027, 2, 14), D(2027, 2, 20)]


def test_holiday_forms_single_date_and_mixed_list():
    notice = parse(
        "year: 2027\ntitle: t\nholidays:\n"
        "  元旦: 2027-01-01\n"
        "  清明节: [[2027-04-03, 2027-04-05], 2027-04-06]\n"
        "  劳动节: [2027-05-01, 2027-05-02, 2027-05-05]\n"
    )
    holidays = sorted(d.date for d in notice.days)
    assert holidays == [
        D(2027, 1, 1),
        *[D(2027, 4, day) for day in (3, 4, 5, 6)],
        D(2027, 5, 1),
        D(2027, 5, 2),
        D(2027, 5, 5),
    ]


def test_workdays_may_be_named():
    notice = parse("year: 2027\ntitle: t\nworkdays:\n  春节: [2027-02-14, 2027-02-20]\n")
    assert {(d.date, d.name) for d in notice.days} == {
        (D(2027, 2, 14), "春节"),
        (D(2027, 2, 20), "春节"),
    }


def test_year_days_splits_holidays_and_workdays():
    year_days = parse(TEST_NOTICE_2027).year_days()
    assert D(2027, 10, 1) in year_days.holidays and D(2027, 2, 14) in year_days.workdays
    assert year_days.source == core.ADMIN


def error_of(text: str) -> core.NoticeError:
    with pytest.raises(core.NoticeError) as caught:
        parse(text)
    return caught.value


def test_error_date_outside_the_year_names_file_and_line():
    error = error_of("year: 2027\ntitle: t\nholidays:\n  元旦: [2026-12-31, 2027-01-01]\n")
    assert error.source == "notice.yaml" and error.line == 4
    assert "不在 2027 年内" in str(error) and "outside the notice's year 2027" in str(error)
    assert str(error).startswith("notice.yaml:4: ")


def test_error_date_both_holiday_and_workday():
    error = error_of(
        "year: 2027\ntitle: t\nholidays:\n  春节: [2027-02-06, 2027-02-14]\n"
        "workdays: [2027-02-14, 2027-02-20]\n"
    )
    assert error.line == 5
    assert "既是放假日" in str(error) and "both a holiday" in str(error)


def test_error_malformed_yaml_has_a_line():
    error = error_of("year: 2027\ntitle: [unclosed\nholidays: {}\n")
    assert error.line is not None
    assert "YAML 格式错误" in str(error) and "malformed YAML" in str(error)


def test_error_make_up_day_on_a_weekday():
    error = error_of("year: 2027\ntitle: t\nworkdays: [2027-02-15]\n")
    assert "星期一" in str(error) and "Monday" in str(error)


def test_error_invalid_calendar_date():
    error = error_of("year: 2027\ntitle: t\nholidays:\n  春节: 2027-02-30\n")
    assert error.line == 4 and "not a valid date" in str(error)


def test_error_non_iso_date():
    assert "YYYY-MM-DD" in str(error_of("year: 2027\ntitle: t\nholidays:\n  春节: 2027/02/06\n"))


def test_error_reversed_range():
    error = error_of("year: 2027\ntitle: t\nholidays:\n  春节: [2027-02-13, 2027-02-06]\n")
    assert "before it starts" in str(error)


def test_error_same_date_under_two_names():
    error = error_of("year: 2027\ntitle: t\nholidays:\n  a: 2027-01-01\n  b: 2027-01-01\n")
    assert error.line == 5 and "listed twice" in str(error)


def test_error_duplicate_key():
    error = error_of("year: 2027\nyear: 2028\ntitle: t\n")
    assert error.line == 2 and "duplicate key" in str(error)


def test_error_unknown_key_catches_typos():
    error = error_of("year: 2027\ntitle: t\nholiday:\n  元旦: 2027-01-01\n")
    assert error.line == 3 and "unknown key 'holiday'" in str(error)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: t\n", "missing key 'year'"),
        ("year: 2027\n", "missing key 'title'"),
        ("year: twenty\ntitle: t\n", "4-digit year"),
        ("year: 2200\ntitle: t\n", "outside 2004–2100"),
        ("", "empty"),
        ("- 2027\n", "must be a mapping"),
    ],
)
def test_error_missing_or_bad_header(text, message):
    assert message in str(error_of(text))
