"""The policy app's settings (docs/settings.md lists them).

Read from Django settings when the project defines them, else from the environment variable of the
same name, else the default (the pattern of :mod:`banshi.cases.conf`), so ``settings.py`` needs no
line per setting and tests override them with ``settings``.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

TRUE = {"1", "true", "yes", "on"}


def _raw(name: str) -> Any:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if isinstance(value, str) and not value.strip():
        return None
    return value


def match_on_change() -> bool:
    """Run the incremental match in-process right after a policy is published or changed, or a
    portrait changes (default true: the embedded default). Production may turn it off and run
    ``banshi match_policies --changed`` / ``--full`` from cron or a worker instead."""
    value = _raw("BANSHI_POLICY_MATCH_ON_CHANGE")
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE


def import_max_rows() -> int:
    """The largest department data file accepted, in data rows (default 200,000)."""
    value = _raw("BANSHI_POLICY_IMPORT_MAX_ROWS")
    return int(value) if value is not None else 200_000


def match_workers() -> int:
    """Database sessions a full matching run uses at once on PostgreSQL (default 2; SQLite has one
    writer and always uses 1)."""
    value = _raw("BANSHI_POLICY_MATCH_WORKERS")
    return max(1, int(value)) if value is not None else 2


FULL_RUN_ENGINES = ("duckdb", "database")


def full_run_engine() -> str:
    """Where a full matching run evaluates the policies: ``duckdb`` (default: the portrait is read
    once into an in-process columnar engine and every policy evaluated there, results copied back)
    or ``database`` (one ``INSERT … SELECT`` per policy in the database itself)."""
    value = _raw("BANSHI_POLICY_FULL_RUN_ENGINE")
    if value is None:
        return "duckdb"
    chosen = str(value).strip().lower()
    if chosen not in FULL_RUN_ENGINES:
        raise ValueError(
            f"BANSHI_POLICY_FULL_RUN_ENGINE 只能是 {' 或 '.join(FULL_RUN_ENGINES)} / "
            f"BANSHI_POLICY_FULL_RUN_ENGINE must be one of {', '.join(FULL_RUN_ENGINES)}: {value!r}"
        )
    return chosen


def _positive_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} 必须是正整数 / must be a positive integer: {value!r}") from None
    if number < 1:
        raise ValueError(f"{name} 必须是正整数 / must be a positive integer: {value!r}")
    return number


def full_run_hours() -> int:
    """Hours between the background job's full matching runs (every policy × every subject),
    which also finishes a run that was interrupted. Default 24."""
    return _positive_int("BANSHI_POLICY_FULL_RUN_HOURS", 24)


def changes_minutes() -> int:
    """Minutes between the background job's incremental runs over queued portrait changes (the
    path production takes when ``BANSHI_POLICY_MATCH_ON_CHANGE`` is off). Default 5."""
    return _positive_int("BANSHI_POLICY_CHANGES_MINUTES", 5)
