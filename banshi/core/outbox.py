"""Consumers of the transactional outbox: every registered consumer sees every message once.

The outbox (:class:`banshi.cases.models.OutboxMessage`) has one ``sent_at``: one dispatch round
takes the due rows under a lock and marks them dispatched. To let several consumers (signed
webhooks, notifications, …) each see every message exactly once, the round hands the messages to
every consumer registered here **inside the same transaction** before it marks them: each consumer
only writes its own rows (deliveries, notifications), so either all consumers have the message and
it is marked, or none has it and it stays due. A consumer that raises rolls the whole round back
(the message is retried next round, never half-consumed); consumers therefore skip messages they
cannot use instead of raising.

A consumer is one line in its app's ``AppConfig.ready()``::

    outbox.register_consumer("notify", "banshi.notify.consumer:consume")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.module_loading import import_string

Consumer = Callable[[Sequence[Any], dt.datetime], int]

_consumers: dict[str, str | Consumer] = {}


def register_consumer(name: str, consumer: str | Consumer) -> None:
    """Add (or replace) a consumer: a callable ``(messages, now) -> rows created`` or its dotted
    path (imported when first used, so registering never imports models)."""
    _consumers[name] = consumer


def unregister_consumer(name: str) -> None:
    _consumers.pop(name, None)


def consumers() -> dict[str, Consumer]:
    """The registered consumers, by name, resolved."""
    resolved: dict[str, Consumer] = {}
    for name, consumer in list(_consumers.items()):
        if isinstance(consumer, str):
            consumer = import_string(consumer.replace(":", "."))
            _consumers[name] = consumer
        resolved[name] = consumer
    return resolved


def hand_to_consumers(messages: Sequence[Any], now: dt.datetime) -> dict[str, int]:
    """Give a dispatch round's messages to every consumer (call inside the round's transaction)."""
    if not messages:
        return {}
    return {name: int(consumer(messages, now) or 0) for name, consumer in consumers().items()}
