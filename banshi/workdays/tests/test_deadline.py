"""Deadlines with pauses: 行政许可法第82条 (working days) and 第45条 (excluded procedure time)."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.workdays import core

D = dt.date


def test_deadline_without_pauses_is_add_第82条(calendar):
    result = calendar.deadline(D(2026, 9, 28), 10)
    assert result == core.Deadline(D(2026, 10, 16), provisional=False, paused_workdays=0)


def test_deadline_of_zero_days_is_the_start_day(calendar):
    assert calendar.deadline(D(2026, 6, 1), 0).date == D(2026, 6, 1)


def test_deadline_pause_working_days_do_not_count_第45条(calendar):
    """20 days from 2026-06-01 is 06-30; an expert review 06-03..06-09 (5 working days) moves it
    by 5 working days to 07-07."""
    result = calendar.deadline(D(2026, 6, 1), 20, [(D(2026, 6, 3), D(2026, 6, 9))])
    assert result.date == D(2026, 7, 7)
    assert result.paused_workdays == 5


def test_deadline_pause_over_a_weekend_only_moves_nothing_第45条(calendar):
    result = calendar.deadline(D(2026, 6, 1), 20, [(D(2026, 6, 6), D(2026, 6, 7))])
    assert result.date == calendar.add(D(2026, 6, 1), 20)
    assert result.paused_workdays == 0


def test_deadline_overlapping_pauses_are_counted_once_第45条(calendar):
    pauses = [(D(2026, 6, 3), D(2026, 6, 9)), (D(2026, 6, 8), D(2026, 6, 10))]
    result = calendar.deadline(D(2026, 6, 1), 20, pauses)
    assert result.paused_workdays == 6  # 06-03, 04, 05, 08, 09, 10
    assert result.date == calendar.add(D(2026, 6, 30), 6)


def test_deadline_pause_after_the_deadline_changes_nothing(calendar):
    result = calendar.deadline(D(2026, 6, 1), 5, [(D(2026, 7, 1), D(2026, 7, 10))])
    assert result.date == D(2026, 6, 8)
    assert result.paused_workdays == 0


def test_deadline_pause_before_the_start_is_ignored(calendar):
    result = calendar.deadline(D(2026, 6, 10), 5, [(D(2026, 6, 1), D(2026, 6, 9))])
    assert result.date == calendar.add(D(2026, 6, 10), 5)


def test_deadline_pause_starting_on_the_start_day_counts_only_following_days(calendar):
    """The start day is never counted (第82条), so pausing it removes nothing extra."""
    result = calendar.deadline(D(2026, 6, 1), 5, [(D(2026, 6, 1), D(2026, 6, 2))])
    assert result.paused_workdays == 1  # only 06-02
    assert result.date == D(2026, 6, 9)


def test_deadline_open_pause_means_the_date_is_not_known_yet_第45条(calendar):
    """An expert review still running (no end date) stops the clock for an unknown time."""
    result = calendar.deadline(D(2026, 6, 1), 20, [(D(2026, 6, 3), None)])
    assert result.date is None
    assert not result.known


def test_deadline_open_pause_after_the_deadline_leaves_it_known(calendar):
    result = calendar.deadline(D(2026, 6, 1), 1, [(D(2026, 6, 3), None)])
    assert result.date == D(2026, 6, 2)


def test_deadline_reaching_a_year_without_data_is_provisional(calendar):
    result = calendar.deadline(D(2026, 12, 20), 20)
    assert result.date == D(2027, 1, 15)
    assert result.provisional


def test_deadline_within_covered_years_is_not_provisional(calendar):
    assert not calendar.deadline(D(2026, 11, 2), 20).provisional


def test_deadline_pause_ending_before_it_starts_is_an_error(calendar):
    with pytest.raises(ValueError, match="pause ends"):
        calendar.deadline(D(2026, 6, 1), 5, [(D(2026, 6, 9), D(2026, 6, 3))])


def test_deadline_negative_limit_is_an_error(calendar):
    with pytest.raises(ValueError, match="cannot be negative"):
        calendar.deadline(D(2026, 6, 1), -1)


def test_deadline_is_a_frozen_dataclass():
    result = core.Deadline(D(2026, 6, 1), False, 0)
    with pytest.raises(AttributeError):
        result.provisional = True  # type: ignore[misc]
