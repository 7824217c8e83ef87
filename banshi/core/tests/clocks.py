"""A monotonic clock moved by hand, for tests of caches that re-check after some seconds."""

from __future__ import annotations

from types import ModuleType


def hand_clock(monkeypatch, module: ModuleType) -> list[float]:
    """Replace ``module._monotonic`` by a clock the test moves: ``now[0] += 6``."""
    moment = [1000.0]
    monkeypatch.setattr(module, "_monotonic", lambda: moment[0])
    return moment
