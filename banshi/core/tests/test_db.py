"""The plain statements of the submission's hot path (banshi.core.db): what they write and read
must be what the ORM would write and read."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from banshi.cases.models import DraftStatus, OutboxMessage
from banshi.core import clock
from banshi.core.db import first_id, insert_rows, update_row
from banshi.people.models import Enterprise

pytestmark = pytest.mark.django_db


def _message(key: str, payload) -> OutboxMessage:
    now = clock.now()
    return OutboxMessage(
        topic="t.test", key=key, payload=payload, created_at=now, next_attempt_at=now
    )


def test_insert_rows_gives_each_instance_the_key_of_its_own_row():
    messages = [_message(f"k{n}", {"n": n}) for n in range(3)]
    insert_rows(messages)
    stored = {row.pk: row.key for row in OutboxMessage.objects.filter(topic="t.test")}
    assert stored == {message.pk: message.key for message in messages}
    assert not messages[0]._state.adding


def test_insert_rows_stores_json_and_moments_as_the_orm_reads_them():
    moment = dt.datetime(2026, 11, 24, 10, 30, 15, 123456, tzinfo=dt.UTC)
    message = _message("x", {"名称": "中文", "list": [1, 2], "none": None})
    message.created_at = moment
    insert_rows([message])
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert stored.payload == {"名称": "中文", "list": [1, 2], "none": None}
    assert stored.created_at == moment
    assert stored.attempts == 0  # the model's default, as the ORM would write it


def test_insert_rows_fills_auto_now_fields():
    enterprise = Enterprise(uscc="91410100732147606J", name="测试公司")
    insert_rows([enterprise])
    stored = Enterprise.objects.get(pk=enterprise.pk)
    assert stored.created_at is not None
    assert stored.created_at == enterprise.created_at


def test_insert_rows_raises_the_integrity_error_of_a_duplicate():
    insert_rows([Enterprise(uscc="91410100732147606J", name="甲")])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows([Enterprise(uscc="91410100732147606J", name="乙")])


def test_first_id_finds_the_row_whose_fields_all_match():
    messages = [_message("a", {}), _message("b", {})]
    insert_rows(messages)
    assert first_id(OutboxMessage, topic="t.test", key="b") == messages[1].pk


def test_first_id_is_none_when_no_row_matches():
    insert_rows([_message("a", {})])
    assert first_id(OutboxMessage, topic="t.test", key="z") is None
    assert first_id(OutboxMessage, topic="t.other", key="a") is None


def test_insert_rows_and_update_row_store_a_choice_by_its_value():
    message = _message("e", {})
    message.topic = DraftStatus.SUBMITTED
    insert_rows([message])
    assert OutboxMessage.objects.filter(pk=message.pk, topic="submitted").exists()
    assert update_row(OutboxMessage, message.pk, topic=DraftStatus.OPEN, attempts=3) == 1
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert (stored.topic, stored.attempts) == ("open", 3)


def test_update_row_changes_nothing_for_a_missing_key():
    assert update_row(OutboxMessage, 987654321, attempts=3) == 0
