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
import ipaddress
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


def trusted_proxies() -> frozenset[str]:
    raw = getattr(settings, "BANSHI_TRUSTED_PROXIES", None)
    if raw is None:
        raw = os.environ.get("BANSHI_TRUSTED_PROXIES", "127.0.0.1,::1")
    if isinstance(raw, str):
        raw = raw.split(",")
    return frozenset(part.strip() for part in raw if part and part.strip())


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The caller's address. Behind a trusted proxy (``BANSHI_TRUSTED_PROXIES``) it is the last
    X-Forwarded-For entry that is not a trusted proxy; entries further left can be forged by the
    client and are never read. None when the request came from a trusted proxy that named no
    client: then only the per-number limit applies, so one shared proxy address never blocks
    every caller at once."""
    if request is None:
        return None
    peer = _ip(request.META.get("REMOTE_ADDR") or "")
    trusted = trusted_proxies()
    if peer is None or peer not in trusted:
        return peer
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for entry in reversed(forwarded):
        address = _ip(entry)
        if address is None:
            return None  # a malformed chain: trust nothing in it
        if address not in trusted:
            return address
    return None


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
