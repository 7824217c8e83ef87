"""Fixtures of the core tests."""

from __future__ import annotations

import pytest
from django.db import connection

# Tests that need a real PostgreSQL server and real transactions (another connection sees only
# what is committed).
POSTGRES_TRANSACTIONS = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
    ),
]


@pytest.fixture
def other():
    """A second connection to the test database: another worker's, or one kept between
    requests; closed at the end."""
    second = connection.copy()
    yield second
    second.close()
