"""Fixtures for the 12345 tests: caches reset around every test (calendar, catalogue snapshot)."""

from __future__ import annotations

import pytest

from banshi.catalog.selectors import invalidate_snapshot
from banshi.workdays.services import reset_calendar_cache


@pytest.fixture(autouse=True)
def _fresh_caches():
    invalidate_snapshot()
    reset_calendar_cache()
    yield
    invalidate_snapshot()
    reset_calendar_cache()


@pytest.fixture(autouse=True)
def _monday():
    """Every test runs on a working Monday of 2025 unless it freezes another moment itself."""
    from banshi.appeals.tests.factories import MONDAY
    from banshi.core import clock

    with clock.frozen(MONDAY):
        yield
