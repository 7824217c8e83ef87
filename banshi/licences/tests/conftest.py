"""Fixtures for the licence tests: private keys in a temporary key directory, fresh caches, and the
case engine's test catalogue."""

from __future__ import annotations

import pytest

from banshi.cases.tests.factories import load_catalogue
from banshi.catalog.selectors import invalidate_snapshot
from banshi.workdays.services import reset_calendar_cache


@pytest.fixture(autouse=True)
def _key_dir(settings, tmp_path):
    """Private keys of a test never land in the real key directory."""
    settings.BANSHI_LICENCE_KEY_DIR = tmp_path / "keys"
    settings.BANSHI_LICENCE_ALGORITHM = "sm2"
    settings.BANSHI_LICENCE_AUTO_KEYGEN = True
    invalidate_snapshot()
    reset_calendar_cache()
    yield
    invalidate_snapshot()
    reset_calendar_cache()


@pytest.fixture
def catalogue(db):
    return load_catalogue()
