"""Rate limit of the public progress look-up (§4.3 自助查询 by ticket number + phone).

A ticket number is printed on receipts and screenshots; the phone is the only secret. Without a
limit a script could try every phone number against a number. Rule: after
``BANSHI_APPEAL_TRACK_MAX_FAILURES`` (10) failed look-ups within
``BANSHI_APPEAL_TRACK_WINDOW_MINUTES`` (15), from one address OR for one ticket number, further
look-ups are refused (even a right one) until the oldest failure leaves the window. Counting per
number too stops an attacker who spreads the tries over many addresses. Failures are
:class:`~banshi.appeals.models.TrackingFailure` rows read with one indexed count each.
"""

from __future__ import annotations

import datetime as dt
import os

from django.conf import settings

from banshi.appeals.errors import TooManyAttempts
from banshi.appeals.models import TrackingFailure
from banshi.core import clock

DEFAULTS = {"BANSHI_APPEAL_TRACK_MAX_FAILURES": 10, "BANSHI_APPEAL_TRACK_WINDOW_MINUTES": 15}


def _setting(name: str) -> int:
    raw = getattr(settings, name, None)
    if raw is None:
        raw = os.environ.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return DEFAULTS[name]
    return max(1, int(raw))


def max_failures() -> int:
    return _setting("BANSHI_APPEAL_TRACK_MAX_FAILURES")


def window() -> dt.timedelta:
    return dt.timedelta(minutes=_setting("BANSHI_APPEAL_TRACK_WINDOW_MINUTES"))


def _key(number: str) -> str:
    return str(number or "").strip().upper()[:40]


def check(number: str, ip_address: str | None) -> None:
    """Refuse with :class:`TooManyAttempts` while the number or the address is over the limit."""
    now = clock.now()
    since = now - window()
    limit = max_failures()
    recent = TrackingFailure.objects.filter(at__gt=since)
    scopes = [recent.filter(number=_key(number))]
    if ip_address:
        scopes.append(recent.filter(ip_address=ip_address))
    for failures in scopes:
        times = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            free_at = times[-1] + window()
            minutes = max(1, int(-(-(free_at - now).total_seconds() // 60)))
            raise TooManyAttempts(
                f"查询失败次数过多，请 {minutes} 分钟后再试",
                f"too many failed look-ups: try again in {minutes} minutes",
                retry_after=minutes * 60,
            )


def record_failure(number: str, ip_address: str | None) -> None:
    TrackingFailure.objects.create(
        number=_key(number), ip_address=ip_address or None, at=clock.now()
    )


def forget_old(now: dt.datetime | None = None) -> int:
    """Delete failures older than the window (they count for nothing); the scan calls it."""
    deleted, _ = TrackingFailure.objects.filter(at__lte=(now or clock.now()) - window()).delete()
    return deleted
