"""Fixtures for the 好差评 tests: fresh caches and a frozen working Monday (2025-03-03)."""

from __future__ import annotations

import pytest

from banshi.catalog.selectors import invalidate_snapshot
from banshi.workdays.services import reset_calendar_cache


@pytest.fixture(autouse=True)
def _fresh():
    from banshi.appeals.tests.factories import MONDAY
    from banshi.core import clock

    invalidate_snapshot()
    reset_calendar_cache()
    with clock.frozen(MONDAY):
        yield
    invalidate_snapshot()
    reset_calendar_cache()


@pytest.fixture(autouse=True)
def _windows_seeded(request):
    """The data migration creates windows only for departments that exist; tests that use the
    database get the example windows and their departments, as ``banshi setup`` does."""
    names = set(request.fixturenames)
    if names & {"transactional_db", "live_server"}:
        request.getfixturevalue("transactional_db")
    elif "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        yield
        return
    from django.apps import apps

    from banshi.appeals import seed as appeals_seed
    from banshi.ratings import seed

    appeals_seed.apply(apps.get_model)
    seed.apply(apps.get_model)
    yield


@pytest.fixture(autouse=True)
def _departments_linked(db):
    """The data migrations create no catalogue departments; create and link them, as
    ``banshi setup`` does after loading the catalogue."""
    from django.apps import apps

    from banshi.appeals import seed as appeal_seed
    from banshi.ratings import seed

    appeal_seed.apply(apps.get_model)
    seed.apply(apps.get_model)
