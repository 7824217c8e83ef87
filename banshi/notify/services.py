"""Use cases of messages: write a message (with its deliveries), mark messages read, preferences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from banshi.core import clock
from banshi.notify import conf, topics
from banshi.notify.models import Channel, Delivery, DeliveryStatus, Notification, Preference
from banshi.people.models import Person


class UnknownTopic(ValueError):
    pass


def wanted_channels(recipient: Person | AbstractBaseUser) -> list[str]:
    """The channels a recipient wants besides the in-platform message."""
    if isinstance(recipient, Person):
        preference = Preference.objects.filter(person=recipient).first()
        if preference is not None:
            return [
                name
                for name, on in ((Channel.EMAIL, preference.email), (Channel.SMS, preference.sms))
                if on
            ]
        return [c for c in conf.default_channels() if c in (Channel.EMAIL, Channel.SMS)]
    return [Channel.EMAIL]  # staff: their account's e-mail, when there is one


def address_of(recipient: Person | AbstractBaseUser, channel: str) -> str:
    if channel == Channel.EMAIL:
        return (getattr(recipient, "email", "") or "").strip()
    if channel == Channel.SMS:
        return (getattr(recipient, "phone", "") or "").strip()
    return ""


@transaction.atomic
def notify(
    recipient: Person | AbstractBaseUser,
    topic: str,
    context: Mapping[str, Any],
    *,
    source_key: str | None = None,
    now: dt.datetime | None = None,
) -> Notification | None:
    """Write one message to ``recipient`` from the template of ``topic``, and one delivery per
    channel it wants and has an address for. With ``source_key``, a second call with the same key
    returns None and writes nothing (the outbox consumer's guard against repeats)."""
    spec = topics.get(topic)
    if spec is None:
        raise UnknownTopic(f"没有消息模板 {topic!r} / no message template for topic {topic!r}")
    if source_key and Notification.objects.filter(source_key=source_key).exists():
        return None
    now = now or clock.now()
    name = getattr(recipient, "name", "") or getattr(recipient, "get_full_name", lambda: "")()
    full = {"contact": settings.BANSHI_CONTACT, "name": name, **context}
    title, body, link = spec.render(full)
    is_person = isinstance(recipient, Person)
    notification = Notification.objects.create(
        person=recipient if is_person else None,
        user=None if is_person else recipient,
        topic=topic,
        title=title[:200],
        body=body,
        link=link[:300],
        source_key=source_key,
        created_at=now,
    )
    rows = [
        Delivery(
            notification=notification,
            channel=Channel.INBOX,
            status=DeliveryStatus.SENT,
            next_attempt_at=now,
            sent_at=now,
        )
    ]
    for channel in wanted_channels(recipient):
        address = address_of(recipient, channel)
        if channel in spec.channels and address:
            rows.append(
                Delivery(
                    notification=notification, channel=channel, address=address, next_attempt_at=now
                )
            )
    Delivery.objects.bulk_create(rows)
    return notification


def mark_read(notifications, now: dt.datetime | None = None) -> int:
    """Mark these (already limited to the reader's own) messages read; read ones keep their time."""
    return notifications.filter(read_at__isnull=True).update(read_at=now or clock.now())


def set_preference(person: Person, *, email: bool, sms: bool) -> Preference:
    preference, _ = Preference.objects.update_or_create(
        person=person, defaults={"email": email, "sms": sms}
    )
    return preference
