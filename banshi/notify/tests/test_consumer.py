"""The outbox fans out: webhooks and notifications each see every message exactly once."""

from __future__ import annotations

import pytest

from banshi.cases.models import OutboxMessage
from banshi.cases.tests.factories import accepted, make_person, submit
from banshi.core import outbox
from banshi.notify.models import Channel, Delivery, DeliveryStatus, Notification
from banshi.webhooks import delivery as webhooks
from banshi.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.usefixtures("catalogue")


def subscribe() -> WebhookSubscription:
    return WebhookSubscription.objects.create(name="部门系统", url="http://127.0.0.1:9/hook")


def test_one_dispatch_round_feeds_webhooks_and_notifications_once_each():
    subscribe()
    person = make_person("李四")
    application = submit(person)
    webhooks.dispatch_outbox()
    webhooks.dispatch_outbox()  # a second round finds nothing due
    assert WebhookDelivery.objects.count() == 1
    [notification] = Notification.objects.all()
    assert notification.person == person and notification.topic == "application.submitted"
    assert application.number in notification.body and application.title in notification.body
    assert OutboxMessage.objects.get().sent_at is not None


def test_handing_the_same_message_over_again_creates_no_second_notification():
    submit()
    message = OutboxMessage.objects.get()
    outbox.hand_to_consumers([message], message.created_at)
    outbox.hand_to_consumers([message], message.created_at)
    assert Notification.objects.count() == 1


def test_a_failing_consumer_rolls_the_round_back_and_nothing_is_lost():
    subscribe()
    submit()

    def broken(messages, now):
        raise RuntimeError("consumer down")

    outbox.register_consumer("broken", broken)
    try:
        with pytest.raises(RuntimeError):
            webhooks.dispatch_outbox()
    finally:
        outbox.unregister_consumer("broken")
    assert OutboxMessage.objects.get().sent_at is None
    assert not WebhookDelivery.objects.exists() and not Notification.objects.exists()
    webhooks.dispatch_outbox()  # the consumer is back: the message goes to both
    assert WebhookDelivery.objects.count() == 1 and Notification.objects.count() == 1


def test_acceptance_notifies_applicant_and_agent_by_their_channels():
    person = make_person("王五")
    person.email, person.phone = "wangwu@example.cn", "13800138000"
    person.save()
    accepted(person)
    webhooks.dispatch_outbox()
    notification = Notification.objects.get(topic="application.accepted")
    assert notification.title == "申请已受理" and "已受理" in notification.body
    channels = dict(
        Delivery.objects.filter(notification=notification).values_list("channel", "status")
    )
    assert channels == {
        Channel.INBOX: DeliveryStatus.SENT,
        Channel.EMAIL: DeliveryStatus.PENDING,
        Channel.SMS: DeliveryStatus.PENDING,
    }


def test_a_topic_without_template_is_skipped_not_raised():
    person = make_person()
    application = submit(person)
    OutboxMessage.objects.update(sent_at=application.received_at)
    OutboxMessage.objects.create(
        topic="something.new",
        payload={"application": application.number},
        created_at=application.received_at,
        next_attempt_at=application.received_at,
    )
    report = webhooks.dispatch_outbox()
    assert report.dispatched == 1 and not Notification.objects.exists()
