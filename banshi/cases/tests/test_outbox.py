"""The transactional outbox: written with the change, gone with a rolled-back one."""

from __future__ import annotations

import pytest
from django.db import transaction

from banshi.cases import services
from banshi.cases.models import Application, CaseEvent, OutboxMessage
from banshi.cases.tests.factories import MONDAY, clerk, fresh, load_catalogue, submit
from banshi.core import clock


@pytest.mark.usefixtures("catalogue")
def test_every_transition_writes_an_outbox_message_with_the_event():
    application = submit()
    with clock.frozen(MONDAY):
        services.accept(application, clerk(), application.version)
    topics = list(OutboxMessage.objects.values_list("topic", flat=True))
    assert topics.count("case.accept") == 2 and "application.accepted" in topics
    message = OutboxMessage.objects.filter(topic="case.accept").first()
    assert message.sent_at is None and message.attempts == 0
    assert message.payload["application"] == application.number


@pytest.mark.usefixtures("catalogue")
def test_nothing_is_written_for_a_rolled_back_change():
    application = submit()
    before = OutboxMessage.objects.count(), CaseEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic(), clock.frozen(MONDAY):
        services.accept(application, clerk(), application.version)
        raise RuntimeError("the caller's transaction fails afterwards")
    assert (OutboxMessage.objects.count(), CaseEvent.objects.count()) == before
    assert fresh(application).status == "submitted"


@pytest.mark.django_db(transaction=True)
def test_a_crash_in_a_real_transaction_leaves_nothing(monkeypatch):
    """Same as the crash test of test_submit, with real commits (no test transaction around)."""
    load_catalogue()

    def explode(*args, **kwargs):
        raise RuntimeError("crash after the cases were created")

    monkeypatch.setattr(services, "_record_submission", explode)
    with pytest.raises(RuntimeError):
        submit()
    assert Application.objects.count() == 0
    assert OutboxMessage.objects.count() == CaseEvent.objects.count() == 0
