"""Concurrent writers stay in one chain: the chain-head row lock serialises them on PostgreSQL
(skipped on SQLite, whose writers are serialised anyway and whose test database is per thread)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from banshi.audit.models import Action, AuditEntry
from banshi.audit.services import record, verify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL (DATABASE_URL=postgres://…)"
        pytest.skip(reason)  # the PostgreSQL pass of CI runs it


def test_concurrent_appends_from_two_connections_keep_one_chain():
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(25):
                record(actor=None, action=Action.VIEW_PERSON, purpose=f"w{n}-{i}")
        except Exception as error:  # collected for the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    assert list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True)) == list(
        range(1, 101)
    )
    assert verify().ok
