"""Property tests (hypothesis) of the working-day arithmetic, 行政许可法第82条."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from banshi.workdays import core
from banshi.workdays.benchmarks import naive_add

calendar = core.from_library()
# Far enough from the range ends (2004-01-01 .. 2100-12-31) that ±251 working days stay inside.
days = st.dates(min_value=dt.date(2005, 3, 1), max_value=dt.date(2099, 6, 30))
counts = st.integers(min_value=0, max_value=250)


@given(days, counts)
def test_between_undoes_add_第82条(day, n):
    """Counting the working days after d up to add(d, n) gives back n."""
    assert calendar.between(day, calendar.add(day, n)) == n


@given(days, counts)
def test_add_is_strictly_monotonic_in_n(day, n):
    assert calendar.add(day, n) < calendar.add(day, n + 1)


@given(days, st.integers(min_value=1, max_value=250))
def test_add_lands_on_a_working_day_第82条(day, n):
    assert calendar.is_workday(calendar.add(day, n))
    assert calendar.is_workday(calendar.add(day, -n))


@given(days, st.integers(min_value=1, max_value=250))
def test_add_backwards_undoes_add_from_a_working_day(day, n):
    start = calendar.add(day, 1)  # a working day
    assert calendar.add(calendar.add(start, n), -n) == start


@given(days, days)
def test_between_is_antisymmetric(a, b):
    assert calendar.between(a, b) == -calendar.between(b, a)


@given(days, st.integers(min_value=1, max_value=60))
def test_add_agrees_with_stepping_one_day_at_a_time(day, n):
    assert calendar.add(day, n) == naive_add(calendar, day, n)


@given(days, counts)
def test_deadline_without_pauses_equals_add(day, n):
    assert calendar.deadline(day, n).date == calendar.add(day, n)


@given(
    days,
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=0, max_value=20),
)
def test_deadline_with_one_closed_pause_moves_by_the_paused_workdays_第45条(day, n, offset, length):
    """A pause inside the count pushes the deadline by exactly its working days."""
    first = day + dt.timedelta(days=offset)
    last = first + dt.timedelta(days=length)
    result = calendar.deadline(day, n, [(first, last)])
    assert result.date is not None
    assert calendar.between(day, result.date) == n + result.paused_workdays
    if result.paused_workdays:
        assert first <= calendar.add(day, n)  # only a pause that starts in time can delay


year_2030 = st.dates(min_value=dt.date(2030, 1, 1), max_value=dt.date(2030, 12, 31))


@settings(max_examples=50)
@given(
    st.sets(year_2030, max_size=40),
    st.sets(year_2030, max_size=20),
    year_2030,
    st.integers(min_value=0, max_value=30),
)
def test_any_calendar_agrees_with_the_day_by_day_definition(holidays, workdays, day, n):
    """The precomputed arrays match the definition for arbitrary holiday/调休 sets."""
    workdays = workdays - holidays
    small = core.WorkingCalendar(
        holidays, workdays, {2030, 2031}, start=dt.date(2030, 1, 1), end=dt.date(2031, 12, 31)
    )
    for probe in (day, day + dt.timedelta(days=1)):
        expected = probe in workdays or (probe.weekday() < 5 and probe not in holidays)
        assert small.is_workday(probe) is expected
    if n:
        assert small.add(day, n) == naive_add(small, day, n)
