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


@pytest.fixture(autouse=True)
def _departments_linked(request):
    """The data migration seeds categories without creating catalogue departments (they belong to
    the catalogue); tests that use the database get them created and linked, as ``banshi setup``
    does after loading the catalogue."""
    names = set(request.fixturenames)
    if names & {"transactional_db", "live_server"}:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        yield
        return
    from django.apps import apps

    from banshi.appeals import seed

    seed.apply(apps.get_model)
    yield
