"""The legal clock of a case, in pure functions (no Django import).

Every "日" of the 行政许可法 is a working day (第82条) counted from the day after the triggering
event (receipt, acceptance, decision; reference/standards.md §1.2). The time of special procedures
(听证、检验、检测、鉴定、专家评审…) is not counted (第45条): a pause started on day S and ended on
day E excludes the working days S+1 … E (the event days themselves follow the same "the day of the
event is not counted" convention), so a case paused and resumed on the same day loses nothing.

The services store the deadlines these functions return when an event happens (bk-itsm's clock,
Signalen's stored deadline); :func:`remaining` recomputes the time left from the events alone, so the
two can be checked against each other.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

ONE_DAY = dt.timedelta(days=1)

CORRECTION_NOTICE_DAYS = 5  # 第32条(四): 当场或者在五日内一次告知
DEFAULT_DECISION_DAYS = 20  # 第42条第一款
JOINT_DECISION_DAYS = 45  # 第42条第二款: 统一办理、联合办理、集中办理
DEFAULT_EXTENSION_DAYS = 10  # 第42条第一款
JOINT_EXTENSION_DAYS = 15  # 第42条第二款
ISSUE_DAYS = 10  # 第44条: 颁发、送达 within 10 days of the decision

GREEN = "green"
YELLOW = "yellow"
RED = "red"
PAUSED = "paused"
NO_CLOCK = "none"

Interval = tuple[dt.date, dt.date | None]  # first and last excluded day (None: still open)


class Calendar(Protocol):
    """What the clock needs of :class:`banshi.workdays.core.WorkingCalendar`."""

    def add(self, day: dt.date, n: int) -> dt.date: ...

    def between(self, a: dt.date, b: dt.date) -> int: ...

    def is_span_provisional(self, a: dt.date, b: dt.date) -> bool: ...


class _DeadlineResult(Protocol):
    date: dt.date | None
    provisional: bool


class DeadlineCalendar(Calendar, Protocol):
    def deadline(
        self, start: dt.date, n: int, pauses: Iterable[Interval] = ()
    ) -> _DeadlineResult: ...


@dataclass(frozen=True)
class Due:
    """A stored deadline: the last day (end of day counts), and whether it is provisional (暂定:
    it runs into a year without an official holiday notice)."""

    date: dt.date
    provisional: bool


def due_after(calendar: Calendar, start: dt.date, days: int) -> Due:
    """The ``days``-th working day after ``start`` (第82条), with its provisional flag."""
    date = calendar.add(start, days)
    return Due(date, calendar.is_span_provisional(start, date))


def correction_due(calendar: Calendar, received: dt.date) -> Due:
    """Last day to issue the one-time correction notice (第32条(四)): receipt + 5 working days."""
    return due_after(calendar, received, CORRECTION_NOTICE_DAYS)


def issue_due(calendar: Calendar, decided: dt.date) -> Due:
    """Last day to issue and deliver the licence (第44条): decision + 10 working days."""
    return due_after(calendar, decided, ISSUE_DAYS)


def decision_days(promised: int | None, legal: int | None, *, joint: bool) -> int:
    """The time limit a case is held to: the item's promised days (承诺时限, ≤ legal), else its legal
    days (法律、法规另有规定的, 第42条), else 20 working days, or 45 for joint handling (第42条第二款)."""
    if promised is not None:
        return promised
    if legal is not None:
        return legal
    return JOINT_DECISION_DAYS if joint else DEFAULT_DECISION_DAYS


def extension_days(item_extension: int | None, *, joint: bool) -> int:
    """Working days one extension may add (第42条): the item's own rule, else 10, or 15 when joint.
    0 means the item allows no extension."""
    if item_extension is not None:
        return item_extension
    return JOINT_EXTENSION_DAYS if joint else DEFAULT_EXTENSION_DAYS


def pause_interval(started: dt.date, ended: dt.date | None) -> Interval | None:
    """The excluded working days of a pause (第45条): S+1 … E, or S+1 … open; None if empty."""
    first = started + ONE_DAY
    if ended is not None and ended < first:
        return None
    return (first, ended)


def decision_due(
    calendar: DeadlineCalendar, accepted: dt.date, days: int, pauses: Iterable[Interval] = ()
) -> Due | None:
    """The decision deadline: ``days`` working days after acceptance, pauses excluded.

    None while an open pause stops the clock before the time is used up (the date is unknown).
    """
    result = calendar.deadline(accepted, days, list(pauses))
    if result.date is None:
        return None
    return Due(result.date, result.provisional)


def paused_workdays(
    calendar: Calendar, start: dt.date, today: dt.date, pauses: Iterable[Interval]
) -> int:
    """Working days in (start, today] that fall inside a pause (overlaps counted once)."""
    total = 0
    cursor = start  # every day on or before cursor is already accounted for
    for first, last in sorted(pauses, key=lambda interval: interval[0]):
        low = max(first - ONE_DAY, cursor)
        high = today if last is None else min(last, today)
        if high > low:
            total += calendar.between(low, high)
            cursor = high
    return total


def used_workdays(
    calendar: Calendar, start: dt.date, today: dt.date, pauses: Iterable[Interval] = ()
) -> int:
    """Working days used since ``start`` (not counted) up to ``today`` (counted), pauses excluded."""
    if today <= start:
        return 0
    return calendar.between(start, today) - paused_workdays(calendar, start, today, pauses)


def remaining(
    calendar: Calendar,
    start: dt.date,
    total: int,
    today: dt.date,
    pauses: Iterable[Interval] = (),
) -> int:
    """Working days left after today; 0 on the last day, negative when overdue."""
    return total - used_workdays(calendar, start, today, pauses)


def level(left: int, total: int, fraction: Fraction) -> str:
    """预警级别: red when overdue, yellow when at most ``fraction`` of the time is left, else green.

    An immediate item (total 0) is green on its day and red after it: no yellow noise for it.
    """
    if left < 0:
        return RED
    if left <= total * fraction and left < total:
        return YELLOW
    return GREEN


def opinion_days(total: int, fraction: Fraction) -> int:
    """Working days the consulted departments have for their opinions: the part of the time limit
    before the case turns yellow, so the lead department keeps the last part for its decision."""
    return total - math.floor(total * fraction)


def yellow_horizon(max_total: int, fraction: Fraction) -> int:
    """The most working days a case can have left and already be yellow (for a query prefilter)."""
    return math.floor(max_total * fraction)
