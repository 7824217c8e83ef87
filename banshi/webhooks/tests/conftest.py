"""Fixtures: the case engine's test catalogue, fresh caches, and a live HTTP receiver."""

from __future__ import annotations

import pytest

from banshi.cases.tests.factories import load_catalogue
from banshi.catalog.selectors import invalidate_snapshot
from banshi.webhooks.tests.receiver import Receiver
from banshi.workdays.services import reset_calendar_cache


@pytest.fixture(autouse=True)
def _fresh_caches():
    invalidate_snapshot()
    reset_calendar_cache()
    yield
    invalidate_snapshot()
    reset_calendar_cache()


@pytest.fixture
def catalogue(db):
    return load_catalogue()


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()
