"""Marks shared by tests of several apps."""

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


def postgres_transactions(test):
    """:data:`POSTGRES_TRANSACTIONS` as one decorator."""
    for mark in reversed(POSTGRES_TRANSACTIONS):
        test = mark(test)
    return test
