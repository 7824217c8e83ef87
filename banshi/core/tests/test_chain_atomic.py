"""``core.db.chain_atomic``: a block whose writes are one Chain, run last. When nothing ran on
the connection before it in the block, the chain's statement is the whole transaction (no
BEGIN / COMMIT round trips); otherwise the block is the plain atomic block."""

from __future__ import annotations

from unittest import mock

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError

from banshi.core import db
from banshi.core.tests.marks import POSTGRES_TRANSACTIONS
from banshi.people.models import Person

pytestmark = POSTGRES_TRANSACTIONS  # `other`: another connection, to see what is committed


def _people_seen_by(other) -> set[str]:
    with other.cursor() as cursor:
        cursor.execute("SELECT id_number FROM people_person")
        return {row[0] for row in cursor.fetchall()}


def _chain(*id_numbers: str) -> db.Chain:
    chain = db.Chain()
    chain.add("p", [db.build(Person, id_number=number, name="甲") for number in id_numbers])
    return chain


@pytest.fixture
def commands():
    """The commands psycopg sends of its own (BEGIN, COMMIT, ROLLBACK)."""
    sent: list[bytes] = []
    original = psycopg.Connection._exec_command

    def spy(self, command, *args, **kwargs):
        sent.append(bytes(command) if isinstance(command, bytes | bytearray) else command)
        return original(self, command, *args, **kwargs)

    with mock.patch.object(psycopg.Connection, "_exec_command", spy):
        yield sent


def test_a_chain_that_is_the_block_s_only_statement_is_committed_by_it(other, commands):
    connection.ensure_connection()
    with db.chain_atomic():
        _chain("11010519491231002X").run()
        assert _people_seen_by(other) == {"11010519491231002X"}  # before the block ends
    assert commands == []  # no BEGIN, no COMMIT


def test_a_chain_after_another_statement_runs_inside_the_block_s_transaction(other):
    with db.chain_atomic():
        Person.objects.exists()  # the transaction begins here
        _chain("11010519491231002X").run()
        assert _people_seen_by(other) == set()  # not before the commit
    assert _people_seen_by(other) == {"11010519491231002X"}


def test_a_statement_after_the_committing_chain_is_refused_and_the_chain_stays(other):
    with pytest.raises(TransactionManagementError), db.chain_atomic():
        _chain("11010519491231002X").run()
        Person.objects.exists()
    assert _people_seen_by(other) == {"11010519491231002X"}
    assert Person.objects.count() == 1  # the connection works after the block


def test_a_failing_chain_as_the_transaction_writes_nothing_and_the_connection_goes_on():
    with pytest.raises(IntegrityError), db.chain_atomic():
        _chain("11010519491231002X", "11010519491231002X").run()  # a unique identifier twice
    assert not Person.objects.exists()
    assert connection.get_autocommit() and connection.connection.autocommit
    with db.chain_atomic():
        _chain("110101199003077777").run()
    assert Person.objects.count() == 1


def test_inside_an_outer_transaction_the_block_is_the_plain_atomic_block(other):
    with transaction.atomic(), db.chain_atomic():
        _chain("11010519491231002X").run()
        assert _people_seen_by(other) == set()
    assert _people_seen_by(other) == {"11010519491231002X"}


def test_a_chain_in_an_inner_block_runs_inside_the_transaction(other):
    with db.chain_atomic():
        with transaction.atomic():  # a savepoint: it could be rolled back alone
            _chain("11010519491231002X").run()
        assert _people_seen_by(other) == set()
    assert _people_seen_by(other) == {"11010519491231002X"}


def test_on_commit_callbacks_of_the_block_run_after_the_chain_committed(other):
    seen: list[set[str]] = []
    with db.chain_atomic():
        transaction.on_commit(lambda: seen.append(_people_seen_by(other)))
        _chain("11010519491231002X").run()
        assert seen == []
    assert seen == [{"11010519491231002X"}]
