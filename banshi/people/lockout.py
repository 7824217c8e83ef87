"""Login lockout (等保 2.0 level 3, 身份鉴别 b: "limit illegal login attempts"; reference §7.1).

Rule: ``BANSHI_LOGIN_MAX_FAILURES`` (5) failed password logins for one username within
``BANSHI_LOGIN_WINDOW_MINUTES`` (15), with no successful login in between, lock that username for
``BANSHI_LOGIN_LOCK_MINUTES`` (15) from the last failure. While locked, every attempt is refused
without the password being checked (recorded as ``locked``; such refusals do not extend the lock).
The username is the key (lower-cased), whether or not the account exists, so the answer does not
tell an attacker which usernames exist.

Attempts are rows of :class:`~banshi.people.models.LoginAttempt` (the login audit trail too): the
state is read with one indexed query over the last few rows, so it holds across processes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from banshi.core import clock
from banshi.people.models import LoginAttempt

DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW_MINUTES = 15
DEFAULT_LOCK_MINUTES = 15


def max_failures() -> int:
    return max(1, int(getattr(settings, "BANSHI_LOGIN_MAX_FAILURES", DEFAULT_MAX_FAILURES)))


def window() -> dt.timedelta:
    minutes = getattr(settings, "BANSHI_LOGIN_WINDOW_MINUTES", DEFAULT_WINDOW_MINUTES)
    return dt.timedelta(minutes=int(minutes))


def lock_duration() -> dt.timedelta:
    minutes = getattr(settings, "BANSHI_LOGIN_LOCK_MINUTES", DEFAULT_LOCK_MINUTES)
    return dt.timedelta(minutes=int(minutes))


def lockout_key(username: object) -> str:
    return str(username or "").strip().lower()[:150]


@dataclass(frozen=True)
class LockState:
    locked: bool
    until: dt.datetime | None
    remaining: int  # failures left before the lock (0 while locked)

    @property
    def minutes_left(self) -> int:
        if not self.locked or self.until is None:
            return 0
        seconds = (self.until - clock.now()).total_seconds()
        return max(1, int(-(-seconds // 60)))


def lock_state(username: object, *, now: dt.datetime | None = None) -> LockState:
    """Is this username locked now, and how many failures are left before it is?"""
    key = lockout_key(username)
    limit = max_failures()
    now = now or clock.now()
    recent = list(
        LoginAttempt.objects.filter(
            username=key,
            outcome__in=[LoginAttempt.Outcome.SUCCESS, LoginAttempt.Outcome.FAILURE],
        )
        .order_by("-at", "-id")
        .values_list("outcome", "at")[:limit]
    )
    failures = []
    for outcome, at in recent:
        if outcome != LoginAttempt.Outcome.FAILURE:
            break
        failures.append(at)
    if len(failures) == limit and failures[0] - failures[-1] <= window():
        until = failures[0] + lock_duration()
        if now < until:
            return LockState(locked=True, until=until, remaining=0)
    counting = [at for at in failures if at > now - window()]
    return LockState(locked=False, until=None, remaining=max(limit - len(counting), 0))


def record_attempt(
    username: object,
    outcome: str,
    *,
    ip_address: str | None = None,
    now: dt.datetime | None = None,
) -> LoginAttempt:
    return LoginAttempt.objects.create(
        username=lockout_key(username),
        outcome=outcome,
        ip_address=ip_address or None,
        at=now or clock.now(),
    )


def client_ip(request) -> str | None:
    """The peer address (behind a proxy this is the proxy: configure it to pass the client's)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def locked_message(state: LockState) -> str:
    minutes = state.minutes_left
    return (
        f"登录失败次数过多，该账号已被锁定，请 {minutes} 分钟后再试 / "
        f"Too many failed logins: this account is locked, try again in {minutes} minutes"
    )
