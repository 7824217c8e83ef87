"""The outbox consumer: case-engine messages → messages to people, in the dispatch transaction.

Registered in :mod:`banshi.core.outbox` by ``NotifyConfig.ready()``. Topics without a template and
messages whose recipients cannot be found are skipped (never raised: raising would hold back every
consumer's copy of the batch). ``source_key`` = ``outbox:<id>:<recipient>`` makes a repeat a no-op.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from banshi.cases.models import OutboxMessage
from banshi.notify import recipients, services, topics
from banshi.people.models import Person

log = logging.getLogger(__name__)


def consume(messages: Sequence[OutboxMessage], now: dt.datetime) -> int:
    created = 0
    for message in messages:
        spec = topics.get(message.topic)
        if spec is None:
            continue
        payload = message.payload if isinstance(message.payload, dict) else {}
        people, extra = recipients.resolve(spec.audience, payload)
        if not people:
            log.info("outbox %s (%s): nobody to notify", message.pk, message.topic)
        for recipient in people:
            kind = "p" if isinstance(recipient, Person) else "u"
            key = f"outbox:{message.pk}:{kind}{recipient.pk}"
            context = {**payload, **extra}
            if services.notify(recipient, message.topic, context, source_key=key, now=now):
                created += 1
    return created
