"""Cross-check every day of 2024–2026 against a second source, the ``holidays`` package."""

from __future__ import annotations

import datetime as dt

import holidays


def test_every_day_2024_to_2026_agrees_with_the_holidays_package_第82条(calendar):
    """Two independently maintained sources of the State Council notices must agree day by day."""
    china = holidays.China(years=range(2024, 2027))
    day, last = dt.date(2024, 1, 1), dt.date(2026, 12, 31)
    differences = []
    while day <= last:
        if calendar.is_workday(day) != china.is_working_day(day):
            differences.append(day)
        day += dt.timedelta(days=1)
    assert differences == []


def test_make_up_weekends_agree_with_the_holidays_package(calendar):
    china = holidays.China(years=range(2024, 2027))
    theirs = sorted(d for d in china.weekend_workdays if 2024 <= d.year <= 2026)
    ours = sorted(
        dt.date(2024, 1, 1) + dt.timedelta(days=i)
        for i in range((dt.date(2026, 12, 31) - dt.date(2024, 1, 1)).days + 1)
        if (dt.date(2024, 1, 1) + dt.timedelta(days=i)).weekday() >= 5
        and calendar.is_workday(dt.date(2024, 1, 1) + dt.timedelta(days=i))
    )
    assert ours == theirs
