"""好差评 settings (docs/settings.md lists them): local rules, so configuration, not code.

Read from Django settings when defined there, else from the environment variable of the same name,
else the default (the pattern of :mod:`banshi.cases.conf`).
"""

from __future__ import annotations

import os

from django.conf import settings

DEFAULTS = {
    # §3.9: no national day count; Sichuan's example is 15 working days (德州: 5).
    "BANSHI_RATING_RECTIFY_WORKDAYS": 15,
    # §3.8: call back and verify; LOCAL example: within 1 working day.
    "BANSHI_RATING_VERIFY_WORKDAYS": 1,
    # §3.5: late evaluation allowed within a period (LOCAL).
    "BANSHI_RATING_WINDOW_WORKDAYS": 15,
    # §3.10: an appeal against a malicious rating within this many working days of the rating.
    "BANSHI_RATING_APPEAL_WORKDAYS": 5,
    # §3.5 一次一评: how long an opened window rating page (one visit) may be submitted.
    "BANSHI_RATING_VISIT_MINUTES": 120,
}


def value(name: str) -> int:
    raw = getattr(settings, name, None)
    if raw is None:
        raw = os.environ.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return DEFAULTS[name]
    number = int(raw)
    if number < 0:
        raise ValueError(f"{name} 不能为负数 / must not be negative: {raw}")
    return number


def rectify_workdays() -> int:
    return value("BANSHI_RATING_RECTIFY_WORKDAYS")


def verify_workdays() -> int:
    return value("BANSHI_RATING_VERIFY_WORKDAYS")


def window_workdays() -> int:
    return value("BANSHI_RATING_WINDOW_WORKDAYS")


def appeal_workdays() -> int:
    return value("BANSHI_RATING_APPEAL_WORKDAYS")


def visit_minutes() -> int:
    return value("BANSHI_RATING_VISIT_MINUTES")
