"""Fixtures for the portal tests: a small catalogue loaded through the real loader."""

from __future__ import annotations

import pytest

from banshi.catalog.parsing import read_catalogue_text
from banshi.catalog.selectors import invalidate_snapshot
from banshi.catalog.services import apply_catalogue
from banshi.portal.tests.catalogue import PORTAL_CATALOGUE


@pytest.fixture(autouse=True)
def fresh_snapshot():
    """The catalogue snapshot is cached per process: never let one test see another's catalogue."""
    invalidate_snapshot()
    yield
    invalidate_snapshot()


def load_portal_catalogue():
    parsed, problems = read_catalogue_text(PORTAL_CATALOGUE)
    assert not problems, problems
    return apply_catalogue(parsed)


@pytest.fixture
def catalogue(db, django_capture_on_commit_callbacks):
    """The test catalogue, with the loader's on-commit work (snapshot refresh, search index) run."""
    with django_capture_on_commit_callbacks(execute=True):
        load_portal_catalogue()
    invalidate_snapshot()
    return PORTAL_CATALOGUE
