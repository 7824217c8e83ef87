"""``banshi bench workdays``: WorkingCalendar.add against a naive day-by-day loop.

Why this benchmark: every deadline scan computes ``add(date, n)`` for each open case, so ``add``
must be O(1) (two list lookups into precomputed arrays) rather than stepping one day at a time.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.db import DatabaseError

from banshi.core.bench import BenchResult, register
from banshi.workdays import core

SEED = 20261123
FIRST_DAY = dt.date(2020, 1, 1)
LAST_DAY = dt.date(2026, 12, 31)
MAX_N = 60
BASELINE_SHARE = 20  # the baseline runs on the first size // 20 inputs


def make_inputs(size: int, seed: int = SEED) -> list[tuple[dt.date, int]]:
    """``size`` random (date in 2020–2026, n in 1..60) pairs, generated before any timing."""
    rng = random.Random(seed)
    first, span = FIRST_DAY.toordinal(), (LAST_DAY - FIRST_DAY).days + 1
    return [
        (dt.date.fromordinal(first + rng.randrange(span)), rng.randint(1, MAX_N))
        for _ in range(size)
    ]


def naive_add(calendar: core.WorkingCalendar, day: dt.date, n: int) -> dt.date:
    """The baseline: step one day at a time and count the working days (n ≥ 1)."""
    one_day = core.ONE_DAY
    is_workday = calendar.is_workday
    while n:
        day += one_day
        if is_workday(day):
            n -= 1
    return day


def _calendar() -> tuple[core.WorkingCalendar, str]:
    """The platform's calendar (library + database years); the library alone without a database."""
    from banshi.workdays import services

    try:
        return services.get_calendar(), "calendar: library + admin years from the database"
    except DatabaseError as error:
        return core.from_library(), f"calendar: library only (database not usable: {error})"


def _time_ours(calendar: core.WorkingCalendar, inputs: list[tuple[dt.date, int]]) -> float:
    add = calendar.add
    started = time.perf_counter()
    for day, n in inputs:
        add(day, n)
    return time.perf_counter() - started


def _time_baseline(
    calendar: core.WorkingCalendar, inputs: list[tuple[dt.date, int]]
) -> tuple[float, list[dt.date]]:
    started = time.perf_counter()
    results = [naive_add(calendar, day, n) for day, n in inputs]
    return time.perf_counter() - started, results


@register(
    "workdays",
    "工作日计算 WorkingCalendar.add(date, n) vs a day-by-day loop (行政许可法第82条)",
    1_000_000,
)
def bench_workdays(size: int) -> BenchResult:
    calendar, source = _calendar()
    inputs = make_inputs(size)
    sample = inputs[: max(1, size // BASELINE_SHARE)]

    ours_seconds = _time_ours(calendar, inputs)
    baseline_seconds, baseline_results = _time_baseline(calendar, sample)
    ours_results = [calendar.add(day, n) for day, n in sample]
    if ours_results != baseline_results:
        mismatch = next(
            i
            for i, pair in enumerate(zip(ours_results, baseline_results, strict=True))
            if pair[0] != pair[1]
        )
        raise AssertionError(
            f"WorkingCalendar.add disagrees with the day-by-day loop on {sample[mismatch]}: "
            f"{ours_results[mismatch]} != {baseline_results[mismatch]}"
        )
    return BenchResult(
        name="workdays",
        size=size,
        ours_per_s=size / ours_seconds,
        baseline="naive day-by-day loop",
        baseline_per_s=len(sample) / baseline_seconds,
        notes=[
            source,
            f"inputs: {size:,} (date in {FIRST_DAY.year}–{LAST_DAY.year}, n in 1..{MAX_N}), "
            f"seed {SEED}, generated before timing",
            f"ours: {size:,} add() calls in {ours_seconds:.3f} s",
            f"baseline: run on the first {len(sample):,} inputs ({baseline_seconds:.3f} s) "
            "and extrapolated to per second; results identical to ours on that sample",
        ],
    )
