"""WorkingCalendar on the library data: 行政许可法第82条 (working days, holidays skipped, 调休 counted)."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.workdays import core

D = dt.date


# ----------------------------------------------------------------- known days (library 1.11.0)
@pytest.mark.parametrize(
    "day",
    [D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7)],
)
def test_2026_national_day_weekdays_are_holidays_第82条(calendar, day):
    """2026 国庆节+中秋: 10-01..10-07 are 法定节假日, not working days, though Mon–Fri."""
    assert not calendar.is_workday(day)


@pytest.mark.parametrize("day", [D(2026, 9, 20), D(2026, 10, 10)])
def test_2026_national_day_make_up_weekends_are_workdays_第82条(calendar, day):
    """2026-09-20 (Sunday) and 2026-10-10 (Saturday) are 调休上班: working days."""
    assert day.weekday() >= 5
    assert calendar.is_workday(day)


def test_2026_first_working_day_after_national_day_is_october_8(calendar):
    assert calendar.add(D(2026, 9, 30), 1) == D(2026, 10, 8)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 1, 28), False),  # 春节 (Tuesday), 2025 has the new 除夕 holiday
        (D(2025, 2, 4), False),  # 春节 last day (Tuesday)
        (D(2025, 1, 26), True),  # 调休上班 Sunday
        (D(2025, 2, 8), True),  # 调休上班 Saturday
        (D(2025, 10, 8), False),  # 国庆+中秋 (Wednesday)
        (D(2025, 9, 28), True),  # 调休上班 Sunday
        (D(2025, 10, 11), True),  # 调休上班 Saturday
        (D(2025, 10, 9), True),  # an ordinary Thursday
        (D(2025, 10, 12), False),  # an ordinary Sunday
    ],
)
def test_known_2025_days_第82条(calendar, day, working):
    assert calendar.is_workday(day) is working


def test_2026_spring_festival_is_nine_days_with_two_make_up_saturdays(calendar):
    """2026 春节 2-15..2-23 off; 2-14 (Sat) and 2-28 (Sat) are 调休上班."""
    assert [calendar.is_workday(D(2026, 2, day)) for day in range(15, 24)] == [False] * 9
    assert calendar.is_workday(D(2026, 2, 14)) and calendar.is_workday(D(2026, 2, 28))


def test_library_covers_2004_to_2026_and_not_2027(calendar):
    assert all(calendar.covers(year) for year in range(2004, 2027))
    assert not calendar.covers(2027)
    assert set(calendar.sources.values()) == {core.LIBRARY}


# ----------------------------------------------------------------- add
def test_add_does_not_count_the_start_day_第82条(calendar):
    """A limit of 1 working day from Monday 2026-06-01 ends Tuesday 2026-06-02."""
    assert calendar.add(D(2026, 6, 1), 1) == D(2026, 6, 2)


def test_add_zero_returns_the_day_itself_even_on_a_holiday(calendar):
    assert calendar.add(D(2026, 10, 3), 0) == D(2026, 10, 3)


def test_add_skips_holidays_and_counts_make_up_days_第82条(calendar):
    """10 working days after 2026-09-28: 9-29, 9-30, 10-8, 10-9, 10-10 (调休), 10-12..10-16."""
    assert calendar.add(D(2026, 9, 28), 10) == D(2026, 10, 16)


def test_add_from_a_holiday_starts_counting_the_next_working_day(calendar):
    assert calendar.add(D(2026, 10, 3), 1) == D(2026, 10, 8)


def test_add_negative_counts_backwards_skipping_holidays(calendar):
    assert calendar.add(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert calendar.add(D(2026, 10, 3), -1) == D(2026, 9, 30)
    assert calendar.add(D(2026, 10, 12), -1) == D(2026, 10, 10)  # the 调休 Saturday


def test_add_into_a_year_without_data_uses_plain_weekdays(calendar):
    """2027 has no notice in the library: 20 working days after 2026-12-20 is 2027-01-15."""
    assert calendar.add(D(2026, 12, 20), 20) == D(2027, 1, 15)
    assert calendar.is_provisional(D(2027, 1, 15))
    assert not calendar.is_provisional(D(2026, 12, 31))


# ----------------------------------------------------------------- between
def test_between_counts_after_a_up_to_and_including_b_第82条(calendar):
    assert calendar.between(D(2026, 9, 30), D(2026, 10, 9)) == 2  # 10-8, 10-9


def test_between_same_day_is_zero(calendar):
    assert calendar.between(D(2026, 10, 3), D(2026, 10, 3)) == 0


def test_between_is_negative_when_b_before_a(calendar):
    assert calendar.between(D(2026, 10, 9), D(2026, 9, 30)) == -2


def test_between_a_whole_ordinary_week_is_five(calendar):
    assert calendar.between(D(2026, 6, 7), D(2026, 6, 14)) == 5


# ----------------------------------------------------------------- range errors
@pytest.mark.parametrize("day", [D(2003, 12, 31), D(2101, 1, 1)])
def test_dates_outside_the_range_raise_a_bilingual_value_error(calendar, day):
    with pytest.raises(
        ValueError, match=r"超出工作日历范围.*outside the working-day calendar range"
    ):
        calendar.is_workday(day)
    with pytest.raises(ValueError, match="outside"):
        calendar.add(day, 1)
    with pytest.raises(ValueError, match="outside"):
        calendar.between(D(2026, 1, 1), day)


def test_add_past_the_end_of_the_range_raises(calendar):
    with pytest.raises(ValueError, match="outside the calendar range"):
        calendar.add(D(2100, 12, 30), 5)


def test_add_before_the_start_of_the_range_raises_instead_of_wrapping(calendar):
    """A negative list index would silently wrap to 2100; it must raise instead."""
    with pytest.raises(ValueError, match="outside the calendar range"):
        calendar.add(D(2004, 1, 5), -10)


# ----------------------------------------------------------------- construction and overlay
def test_a_date_both_holiday_and_workday_is_rejected():
    with pytest.raises(ValueError, match="both a holiday and a make-up workday"):
        core.WorkingCalendar([D(2027, 1, 2)], [D(2027, 1, 2)], {2027})


def test_a_holiday_in_a_year_without_official_data_is_rejected():
    with pytest.raises(ValueError, match="not marked as a year with official data"):
        core.WorkingCalendar([D(2027, 1, 1)], [], {2026})


def test_an_override_replaces_the_library_year_entirely():
    """The State Council notice is authoritative: none of the library's 2026 days survive."""
    override = core.YearDays(2026, frozenset({D(2026, 6, 1)}), frozenset(), core.ADMIN)
    calendar = core.from_library([override])
    assert not calendar.is_workday(D(2026, 6, 1))
    assert calendar.is_workday(D(2026, 10, 1))  # library holiday, gone with the override
    assert not calendar.is_workday(D(2026, 10, 10))  # library 调休 Saturday, gone too
    assert calendar.sources[2026] == core.ADMIN
    assert calendar.sources[2025] == core.LIBRARY


def test_an_override_for_a_new_year_makes_it_covered():
    override = core.YearDays(2027, frozenset({D(2027, 1, 1)}), frozenset(), core.ADMIN)
    calendar = core.from_library([override])
    assert calendar.covers(2027) and not calendar.is_provisional(D(2027, 6, 1))
    assert not calendar.is_workday(D(2027, 1, 1))


def test_an_empty_override_is_still_official_data():
    """A notice with no listed days means plain weeks, but the year is covered (not provisional)."""
    calendar = core.from_library([core.YearDays(2027, frozenset(), frozenset(), core.ADMIN)])
    assert calendar.covers(2027)
    assert calendar.is_workday(D(2027, 1, 1))


def test_uncovered_years_lists_every_year_without_data_on_the_span(calendar):
    assert calendar.uncovered_years(D(2026, 12, 1), D(2028, 1, 3)) == [2027, 2028]
    assert calendar.uncovered_years(D(2028, 1, 3), D(2026, 12, 1)) == [2027, 2028]
    assert calendar.uncovered_years(D(2025, 1, 1), D(2026, 12, 31)) == []


def test_core_is_pure_python_without_django():
    """The calendar arithmetic can run in a worker or script without Django set up."""
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, banshi.workdays.core; assert 'django' not in sys.modules"
    repository = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=repository)
