"""Fixtures of the core tests."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.fixture
def other():
    """A second connection to the test database: another worker's, or one kept between
    requests; closed at the end."""
    second = connection.copy()
    yield second
    second.close()
