"""Project-wide pytest plugins: the one browser fixture (banshi/core/tests/browser.py), and a fresh
per-process cache of data-share sources for every test."""

import pytest

pytest_plugins = ["banshi.core.tests.browser"]


@pytest.fixture(autouse=True)
def _fresh_datashare_sources():
    """A test's rolled-back rows send no signal: without this, the next test would find the sources
    an earlier one created (``banshi.datashare.selectors.sources`` keeps them per process)."""
    from banshi.datashare.selectors import invalidate_sources

    invalidate_sources()
    yield
    invalidate_sources()
