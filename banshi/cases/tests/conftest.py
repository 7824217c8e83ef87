"""Fixtures for the case engine tests: the test catalogue, and caches reset around every test."""

from __future__ import annotations

import pytest

from banshi.cases.tests.factories import load_catalogue
from banshi.catalog.selectors import invalidate_snapshot
from banshi.workdays.services import reset_calendar_cache


@pytest.fixture(autouse=True)
def _fresh_caches():
    """The catalogue snapshot and the calendar are cached per process: never across tests."""
    invalidate_snapshot()
    reset_calendar_cache()
    yield
    invalidate_snapshot()
    reset_calendar_cache()


@pytest.fixture
def catalogue(db):
    """The test catalogue of ``factories.CATALOGUE``, published on 2025-03-03."""
    return load_catalogue()
