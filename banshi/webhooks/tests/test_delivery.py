"""Signed webhooks from the transactional outbox, against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import socket

import pytest
from django.core.management import call_command
from django.db import transaction

from banshi.cases import services
from banshi.cases.models import OutboxMessage
from banshi.cases.tests.factories import MONDAY, clerk, load_catalogue, submit
from banshi.catalog.models import Department
from banshi.core import clock
from banshi.webhooks import delivery
from banshi.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from banshi.webhooks.signing import verify_signature
from banshi.webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.usefixtures("catalogue")

T0 = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
SECRET = "s3cret-of-the-department"


def subscribe(receiver: Receiver, *, department: str | None = None, topics: str = ""):
    return WebhookSubscription.objects.create(
        name="部门系统",
        url=receiver.url,
        secret=SECRET,
        department=Department.objects.get(code=department) if department else None,
        topics=topics,
    )


def test_a_committed_message_is_posted_signed_and_marked_sent(receiver):
    subscribe(receiver)
    application = submit()
    report = delivery.deliver_until_idle()
    assert report.sent == 1
    [request] = receiver.received
    headers = request.headers
    assert headers["X-Banshi-Event"] == "application.submitted"
    assert verify_signature(
        SECRET, headers["X-Banshi-Timestamp"], request.body, headers["X-Banshi-Signature"]
    )
    document = json.loads(request.body)
    assert document["event"] == "application.submitted"
    assert document["id"] == headers["X-Banshi-Delivery"]
    assert document["data"]["application"] == application.number
    row = WebhookDelivery.objects.get()
    assert row.status == DeliveryStatus.SENT and row.attempts == 1 and row.last_status == 200
    assert OutboxMessage.objects.get().sent_at is not None


def test_a_500_is_retried_after_the_backoff_then_delivered():
    failing_once = Receiver(statuses=[500]).start()
    try:
        subscribe(failing_once)
        submit()
        delivery.deliver_round(T0)
        row = WebhookDelivery.objects.get()
        assert (row.status, row.attempts, row.last_status) == ("pending", 1, 500)
        assert row.next_attempt_at == T0 + dt.timedelta(seconds=30)
        delivery.deliver_round(T0 + dt.timedelta(seconds=29))
        assert len(failing_once.received) == 1  # not yet due
        delivery.deliver_round(T0 + dt.timedelta(seconds=30))
        row.refresh_from_db()
        assert row.status == DeliveryStatus.SENT and row.attempts == 2
        first, second = failing_once.received
        assert first.headers["X-Banshi-Delivery"] == second.headers["X-Banshi-Delivery"]
    finally:
        failing_once.stop()


def test_the_backoff_doubles_with_each_failed_attempt():
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert delivery.backoff(40).total_seconds() == 6 * 3600


def test_after_the_last_attempt_the_delivery_is_dead(settings):
    settings.BANSHI_WEBHOOK_MAX_ATTEMPTS = 3
    always_failing = Receiver(default=503).start()
    try:
        subscribe(always_failing)
        submit()
        at = T0
        for _ in range(3):
            delivery.deliver_round(at)
            at += dt.timedelta(hours=7)
        row = WebhookDelivery.objects.get()
        assert (row.status, row.attempts, row.last_status) == ("dead", 3, 503)
        delivery.deliver_round(at + dt.timedelta(days=1))
        assert len(always_failing.received) == 3
    finally:
        always_failing.stop()


def test_dead_deliveries_are_listed_in_the_admin(admin_client, receiver):
    subscription = subscribe(receiver)
    submit()
    delivery.dispatch_outbox()
    WebhookDelivery.objects.update(status=DeliveryStatus.DEAD, last_error="HTTP 500")
    response = admin_client.get("/admin/webhooks/webhookdelivery/", {"status__exact": "dead"})
    assert response.status_code == 200
    assert "application.submitted" in response.content.decode()
    assert subscription.name in response.content.decode()


def test_an_unreachable_receiver_is_retried_with_the_error_recorded():
    with socket.socket() as probe:  # a port nobody listens on once this closes
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    WebhookSubscription.objects.create(name="down", url=f"http://127.0.0.1:{port}/x", secret=SECRET)
    submit()
    report = delivery.deliver_round(T0)
    row = WebhookDelivery.objects.get()
    assert report.retrying == 1 and row.status == "pending" and row.last_status is None
    assert "refused" in row.last_error.lower() or "error" in row.last_error.lower()


def test_nothing_is_sent_for_a_rolled_back_change(receiver):
    subscribe(receiver)
    with pytest.raises(RuntimeError), transaction.atomic():
        submit()
        raise RuntimeError("the submitting transaction fails after the outbox row was written")
    assert OutboxMessage.objects.count() == 0
    delivery.deliver_until_idle()
    assert receiver.received == [] and WebhookDelivery.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_crash_during_sending_loses_nothing(receiver, monkeypatch):
    """Committed change, worker dies after claiming the delivery: sent on a later run."""
    load_catalogue()
    subscribe(receiver)
    submit()

    def crash(row):
        raise KeyboardInterrupt("the worker was killed mid-send")

    with monkeypatch.context() as patched:
        patched.setattr(delivery, "send", crash)
        with pytest.raises(KeyboardInterrupt):
            delivery.deliver_round(T0)
    assert receiver.received == []
    delivery.deliver_round(T0 + dt.timedelta(seconds=delivery.conf.lease_seconds()))
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_a_crash_while_dispatching_leaves_the_message_due(receiver, monkeypatch):
    """Committed change, worker dies inside the dispatch transaction: the message stays due."""
    load_catalogue()
    subscribe(receiver)
    submit()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("the worker was killed while dispatching")

    with monkeypatch.context() as patched:
        patched.setattr(WebhookDelivery.objects, "bulk_create", crash)
        with pytest.raises(KeyboardInterrupt):
            delivery.deliver_round(T0)
    assert OutboxMessage.objects.get().sent_at is None
    assert WebhookDelivery.objects.count() == 0
    delivery.deliver_until_idle()
    assert len(receiver.received) == 1


def test_a_department_subscription_gets_only_its_departments_messages(receiver):
    other = Receiver().start()
    try:
        subscribe(receiver, department="SCJG")
        subscribe(other, department="XF")
        submit(answers={"shop.area": 100, "need_seal": False})  # SCJG items only
        delivery.deliver_until_idle()
        assert len(receiver.received) == 1 and other.received == []
    finally:
        other.stop()


def test_topics_select_the_messages(receiver):
    subscribe(receiver, topics="case.*")
    application = submit(answers={"shop.area": 100, "need_seal": False})
    delivery.deliver_until_idle()
    assert receiver.received == []
    with clock.frozen(MONDAY):
        services.accept(application, clerk(), application.version)
    delivery.deliver_until_idle()
    events = {request.headers["X-Banshi-Event"] for request in receiver.received}
    assert events == {"case.accept"} and len(receiver.received) == 2


def test_an_inactive_subscription_gets_nothing(receiver):
    subscription = subscribe(receiver)
    subscription.active = False
    subscription.save()
    submit()
    delivery.deliver_until_idle()
    assert receiver.received == []


def test_the_command_delivers_what_is_due_once(receiver, capsys):
    subscribe(receiver)
    submit()
    call_command("deliver_webhooks", "--once")
    assert len(receiver.received) == 1
    assert "sent 1" in capsys.readouterr().out


def test_send_again_requeues_a_dead_delivery(receiver):
    subscribe(receiver)
    submit()
    delivery.dispatch_outbox()
    WebhookDelivery.objects.update(status=DeliveryStatus.DEAD, attempts=10)
    assert delivery.requeue(WebhookDelivery.objects.all()) == 1
    delivery.deliver_until_idle()
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SENT
