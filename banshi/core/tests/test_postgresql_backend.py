"""The PostgreSQL backend's health check (banshi.core.postgresql): a kept connection is checked
on its socket, and the server is asked only when the socket says something happened."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection

from banshi.core.tests.marks import POSTGRES_TRANSACTIONS

pytestmark = POSTGRES_TRANSACTIONS


@pytest.fixture
def kept(other):
    """A second connection to the test database, as a worker keeps one between requests."""
    other.ensure_connection()
    return other


def _backend_pid(db) -> int:
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _wait_readable(db, seconds: float = 5.0) -> None:
    import select

    select.select([db.connection.pgconn.socket], [], [], seconds)


def test_an_idle_connection_is_usable_without_a_statement(kept):
    with mock.patch.object(type(kept.connection), "cursor", side_effect=AssertionError("sent")):
        assert kept.is_usable()


def test_the_django_backend_is_what_banshi_runs():
    from django.db import connections

    assert type(connections["default"]).__module__ == "banshi.core.postgresql.base"
    assert connection.vendor == "postgresql"


def test_a_connection_whose_server_process_was_ended_is_not_usable(kept):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [_backend_pid(kept)])
    _wait_readable(kept)
    assert not kept.is_usable()


def test_the_next_request_connects_again_after_the_server_ended_the_connection(kept):
    old = _backend_pid(kept)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [old])
    _wait_readable(kept)
    kept.health_check_done = False  # a new request: Django checks before its first query
    assert _backend_pid(kept) != old


def test_a_pending_notification_asks_the_server_and_keeps_the_connection(kept):
    with kept.cursor() as cursor:
        cursor.execute("LISTEN banshi_health_test")
    with connection.cursor() as cursor:
        cursor.execute("NOTIFY banshi_health_test")
    _wait_readable(kept)  # the notification arrives at the notifier's commit
    with mock.patch.object(type(kept.connection), "cursor", wraps=kept.connection.cursor) as asked:
        assert kept.is_usable()
    assert asked.called  # Django's SELECT 1 decided


def test_a_connection_inside_a_transaction_is_asked_as_django_does(kept):
    kept.set_autocommit(False)
    with kept.cursor() as cursor:
        cursor.execute("SELECT 1")  # the transaction is open now
    with mock.patch.object(type(kept.connection), "cursor", wraps=kept.connection.cursor) as asked:
        assert kept.is_usable()
    assert asked.called
    kept.rollback()
