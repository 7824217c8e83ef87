"""The one clock of the platform.

Every rule that depends on "now" or "today" asks this module, so tests can freeze time in one place
and deadlines are always computed in the platform's time zone (Asia/Shanghai by default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

_frozen: dt.datetime | None = None


def zone() -> ZoneInfo:
    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)


def now() -> dt.datetime:
    """The current aware datetime in the platform's zone."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(tz=zone())


def today() -> dt.date:
    """Today's date in the platform's zone (not UTC: a deadline day is a local day)."""
    return now().date()


@contextmanager
def frozen(at: dt.datetime | dt.date) -> Iterator[None]:
    """Freeze the clock (tests, replays). A date freezes at 09:00 local time."""
    global _frozen
    previous = _frozen
    if isinstance(at, dt.datetime):
        _frozen = at if at.tzinfo else at.replace(tzinfo=zone())
    else:
        _frozen = dt.datetime.combine(at, dt.time(9, 0), tzinfo=zone())
    try:
        yield
    finally:
        _frozen = previous
