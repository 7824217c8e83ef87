"""The clock's pure functions (第42条, 第44条, 第45条, 第82条), with hypothesis properties."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from banshi.cases import deadlines
from banshi.workdays import core

CALENDAR = core.from_library()
D = dt.date


def test_decision_days_prefer_promised_then_legal_then_the_default__art42():
    assert deadlines.decision_days(10, 20, joint=False) == 10
    assert deadlines.decision_days(None, 15, joint=True) == 15
    assert deadlines.decision_days(None, None, joint=False) == 20
    assert deadlines.decision_days(None, None, joint=True) == 45
    assert deadlines.decision_days(0, 1, joint=False) == 0


def test_extension_days_are_ten_or_fifteen_unless_the_item_says_otherwise__art42():
    assert deadlines.extension_days(None, joint=False) == 10
    assert deadlines.extension_days(None, joint=True) == 15
    assert deadlines.extension_days(0, joint=True) == 0


def test_deadlines_count_a_make_up_saturday_as_a_working_day__art82():
    """2025-10-11 (Saturday) is a 调休 working day; 10-01..10-08 are holidays."""
    due = deadlines.due_after(CALENDAR, D(2025, 10, 9), 2)
    assert due == deadlines.Due(D(2025, 10, 11), False)


def test_the_issue_deadline_is_ten_working_days_after_the_decision__art44():
    assert deadlines.issue_due(CALENDAR, D(2025, 9, 26)).date == D(2025, 10, 16)


def test_a_deadline_in_a_year_without_a_notice_is_provisional__art82():
    due = deadlines.due_after(CALENDAR, D(2026, 12, 20), 20)
    assert due.date.year == 2027 and due.provisional


def test_a_pause_excludes_the_days_after_it_started_up_to_the_day_it_ended__art45():
    assert deadlines.pause_interval(D(2025, 3, 5), D(2025, 3, 14)) == (
        D(2025, 3, 6),
        D(2025, 3, 14),
    )
    assert deadlines.pause_interval(D(2025, 3, 5), D(2025, 3, 5)) is None
    assert deadlines.pause_interval(D(2025, 3, 5), None) == (D(2025, 3, 6), None)


def test_used_days_exclude_pauses__art45():
    pauses = [(D(2025, 3, 6), D(2025, 3, 14))]
    assert deadlines.used_workdays(CALENDAR, D(2025, 3, 3), D(2025, 3, 14), pauses) == 2
    assert deadlines.used_workdays(CALENDAR, D(2025, 3, 3), D(2025, 3, 17), pauses) == 3
    open_pause = [(D(2025, 3, 6), None)]
    assert deadlines.used_workdays(CALENDAR, D(2025, 3, 3), D(2025, 4, 30), open_pause) == 2


def test_levels():
    third = Fraction(1, 3)
    assert deadlines.level(7, 20, third) == "green"
    assert deadlines.level(6, 20, third) == "yellow"
    assert deadlines.level(0, 20, third) == "yellow"
    assert deadlines.level(-1, 20, third) == "red"
    assert deadlines.level(0, 0, third) == "green"  # 即办件 on its day
    assert deadlines.level(-1, 0, third) == "red"


def test_opinions_are_due_before_the_yellow_third():
    assert deadlines.opinion_days(20, Fraction(1, 3)) == 14
    assert deadlines.opinion_days(0, Fraction(1, 3)) == 0


days = st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 6, 30))


@st.composite
def closed_pauses(draw, start):
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        first = start + dt.timedelta(days=draw(st.integers(1, 60)))
        pauses.append((first, first + dt.timedelta(days=draw(st.integers(0, 20)))))
    return pauses


@settings(max_examples=200, deadline=None)
@given(start=days, total=st.integers(1, 60), data=st.data())
def test_time_left_from_events_agrees_with_the_stored_deadline(start, total, data):
    """For a day after every pause (all within the time limit), the time left from the events
    equals the working days from that day to the stored deadline."""
    pauses = data.draw(closed_pauses(start))
    due = deadlines.decision_due(CALENDAR, start, total, pauses)
    last_pause = max((last for _, last in pauses), default=start)
    assume(last_pause <= due.date)
    today = data.draw(
        st.dates(min_value=max(start, last_pause), max_value=due.date + dt.timedelta(days=40))
    )
    assert deadlines.remaining(CALENDAR, start, total, today, pauses) == CALENDAR.between(
        today, due.date
    )


@settings(max_examples=200, deadline=None)
@given(start=days, data=st.data())
def test_used_days_never_decrease_and_never_exceed_elapsed_days(start, data):
    pauses = data.draw(closed_pauses(start))
    a = data.draw(st.dates(min_value=start, max_value=start + dt.timedelta(days=120)))
    b = a + dt.timedelta(days=data.draw(st.integers(0, 30)))
    used_a = deadlines.used_workdays(CALENDAR, start, a, pauses)
    used_b = deadlines.used_workdays(CALENDAR, start, b, pauses)
    assert 0 <= used_a <= used_b <= CALENDAR.between(start, b)


def test_the_clock_core_is_pure():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(deadlines.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert "django" not in imported and "banshi" not in imported


@pytest.mark.parametrize("module", ["deadlines", "transitions"])
def test_pure_modules_import_without_django_settings(module):
    import subprocess
    import sys

    code = f"import banshi.cases.{module}"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": ""},
        cwd=str(__import__("pathlib").Path(__file__).parents[3]),
    )
    assert result.returncode == 0, result.stderr
