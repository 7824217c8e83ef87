"""Append-only at the database level (等保 安全审计 c): on PostgreSQL a trigger refuses a raw UPDATE
or DELETE of an audit entry, while the retention purge still removes old entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from banshi.audit import services
from banshi.audit.models import Action, AuditEntry
from banshi.core import clock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
TABLE = AuditEntry._meta.db_table


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        reason = "the append-only trigger exists only on PostgreSQL (DATABASE_URL=postgres://…)"
        pytest.skip(reason)  # the PostgreSQL pass of CI runs it


def _raw(statement: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_raw_update_of_an_entry_is_refused():
    entry = services.record(actor=None, action=Action.VIEW_PERSON, purpose="原用途")
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"UPDATE {TABLE} SET purpose = %s WHERE sequence = %s", ["改", entry.sequence])
    assert AuditEntry.objects.get(sequence=entry.sequence).purpose == "原用途"


def test_a_raw_delete_of_an_entry_is_refused():
    entry = services.record(actor=None, action=Action.VIEW_PERSON)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM {TABLE} WHERE sequence = %s", [entry.sequence])
    assert AuditEntry.objects.filter(sequence=entry.sequence).exists()


def test_the_purge_still_removes_old_entries_and_leaves_the_guard_on():
    with clock.frozen(dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)):
        services.record(actor=None, action=Action.VIEW_PERSON)
        services.record(actor=None, action=Action.VIEW_PERSON)
    with clock.frozen(dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)):
        result = services.purge(days=180)
    assert result.purged == 2
    assert services.verify().ok
    remaining = AuditEntry.objects.get(action=Action.PURGE)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM {TABLE} WHERE sequence = %s", [remaining.sequence])
