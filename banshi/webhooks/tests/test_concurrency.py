"""Several workers on PostgreSQL share the outbox (SKIP LOCKED) and never send a delivery twice."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from banshi.cases.tests.factories import load_catalogue, make_person, submit
from banshi.webhooks import delivery
from banshi.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
    ),
]


def test_concurrent_workers_send_each_delivery_once(receiver, settings):
    settings.BANSHI_WEBHOOK_BATCH = 3
    load_catalogue()
    WebhookSubscription.objects.create(name="a", url=receiver.url, secret="x")
    WebhookSubscription.objects.create(name="b", url=receiver.url, secret="y")
    person = make_person()
    for _ in range(12):
        submit(person)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            delivery.deliver_until_idle()
        except BaseException as error:  # collected for the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    ids = Counter(request.headers["X-Banshi-Delivery"] for request in receiver.received)
    assert len(ids) == 24 and set(ids.values()) == {1}
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 24
