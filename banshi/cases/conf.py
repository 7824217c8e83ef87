"""The case engine's settings (docs/settings.md lists them).

Each one is read from Django settings when the project defines it, else from the environment
variable of the same name, else the default: so ``settings.py`` needs no line per setting, an operator
sets them like every other variable (12-factor), and a test can override them with ``settings``.
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any

from django.conf import settings

DEFAULT_WARNING_FRACTION = Fraction(1, 3)
DEFAULT_SCAN_MINUTES = 15
DEFAULT_CORRECTION_ANSWER_WORKDAYS = 20


def _raw(name: str) -> Any:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if isinstance(value, str) and not value.strip():
        return None
    return value


def warning_fraction() -> Fraction:
    """黄色预警: the share of the time limit left at which a case turns yellow (default 1/3).

    Accepts a number (0.25) or a fraction text ("1/3"); it must lie in (0, 1).
    """
    value = _raw("BANSHI_WARNING_FRACTION")
    if value is None:
        return DEFAULT_WARNING_FRACTION
    fraction = Fraction(str(value).strip()) if not isinstance(value, Fraction) else value
    if not 0 < fraction < 1:
        raise ValueError(
            f"BANSHI_WARNING_FRACTION 必须在 0 与 1 之间：{value} / must lie between 0 and 1: {value}"
        )
    return fraction


def inprocess_scheduler() -> bool:
    """Whether this process runs the deadline scan in a daemon thread (embedded default only)."""
    value = _raw("BANSHI_INPROCESS_SCHEDULER")
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "true", "yes", "on"}


def scan_minutes() -> int:
    """Minutes between two in-process deadline scans."""
    value = _raw("BANSHI_SCAN_INTERVAL_MINUTES")
    minutes = int(value) if value is not None else DEFAULT_SCAN_MINUTES
    return max(1, minutes)


def correction_answer_workdays() -> int:
    """Working days the applicant is given to answer a correction notice (补正期限, a local rule)."""
    value = _raw("BANSHI_CORRECTION_ANSWER_WORKDAYS")
    return int(value) if value is not None else DEFAULT_CORRECTION_ANSWER_WORKDAYS
