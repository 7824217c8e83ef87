"""Benchmark registry behind ``banshi bench NAME [--size N] [--json]`` (DESIGN benchmark contract).

A benchmark measures our implementation and its baseline *in the same run* so that the ratio holds on
a noisy machine, and returns a :class:`BenchResult`. The management command prints a readable table
and, with ``--json``, one JSON object as the last line with exactly the contract's keys.
"""

from __future__ import annotations

import resource
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

CONTRACT_KEYS = (
    "name",
    "size",
    "ours_per_s",
    "baseline",
    "baseline_per_s",
    "ratio",
    "p50_ms",
    "p95_ms",
    "peak_mb",
)


@dataclass
class BenchResult:
    name: str
    size: int
    ours_per_s: float | None
    baseline: str | None
    baseline_per_s: float | None
    p50_ms: float | None = None
    p95_ms: float | None = None
    peak_mb: float | None = None
    notes: list[str] = field(default_factory=list)  # extra readable lines (data size, set-up)
    extra: dict = field(default_factory=dict)  # benchmark-specific keys appended to the JSON line

    @property
    def ratio(self) -> float | None:
        """Ours per second over the baseline's per second (> 1 means we are faster)."""
        if self.ours_per_s is None or not self.baseline_per_s:
            return None
        return self.ours_per_s / self.baseline_per_s

    def as_json(self) -> dict:
        data = {key: getattr(self, key) for key in CONTRACT_KEYS}
        if self.peak_mb is None:
            data["peak_mb"] = peak_memory_mb()
        for key, value in data.items():
            if isinstance(value, float):
                data[key] = round(value, 4)
        data.update(self.extra)
        return data


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    default_size: int
    run: Callable[[int], BenchResult]


REGISTRY: dict[str, Benchmark] = {}


def register(name: str, description: str, default_size: int):
    """Decorator: add a benchmark function ``fn(size) -> BenchResult`` to the registry."""

    def decorate(fn: Callable[[int], BenchResult]) -> Callable[[int], BenchResult]:
        REGISTRY[name] = Benchmark(name, description, default_size, fn)
        return fn

    return decorate


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile_ms(samples_s: list[float], pct: float) -> float | None:
    """The pct-th percentile of a list of durations in seconds, in milliseconds."""
    if not samples_s:
        return None
    if len(samples_s) == 1:
        return samples_s[0] * 1000
    cuts = statistics.quantiles(samples_s, n=100, method="inclusive")
    return cuts[int(pct) - 1] * 1000
