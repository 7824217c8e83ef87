"""Webhook delivery settings (docs/settings.md lists them).

Read from Django settings when the project defines them, else from the environment variable of the
same name, else the default, like :mod:`banshi.cases.conf`.
"""

from __future__ import annotations

import os

from django.conf import settings

DEFAULTS = {
    "BANSHI_WEBHOOK_TIMEOUT": 10,  # seconds to wait for a receiver
    "BANSHI_WEBHOOK_MAX_ATTEMPTS": 10,  # then the delivery is dead (visible in the admin)
    "BANSHI_WEBHOOK_BACKOFF_SECONDS": 30,  # first retry after this; doubles each attempt
    "BANSHI_WEBHOOK_MAX_BACKOFF_SECONDS": 6 * 3600,  # the doubling stops here
    "BANSHI_WEBHOOK_BATCH": 100,  # outbox rows / deliveries taken per round
    "BANSHI_WEBHOOK_INTERVAL_SECONDS": 5,  # pause between rounds of deliver_webhooks
}


def _int(name: str) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULTS[name]
    return int(value)


def timeout() -> int:
    return max(1, _int("BANSHI_WEBHOOK_TIMEOUT"))


def max_attempts() -> int:
    return max(1, _int("BANSHI_WEBHOOK_MAX_ATTEMPTS"))


def backoff_seconds() -> int:
    return max(1, _int("BANSHI_WEBHOOK_BACKOFF_SECONDS"))


def max_backoff_seconds() -> int:
    return max(1, _int("BANSHI_WEBHOOK_MAX_BACKOFF_SECONDS"))


def batch() -> int:
    return max(1, _int("BANSHI_WEBHOOK_BATCH"))


def interval_seconds() -> int:
    return max(1, _int("BANSHI_WEBHOOK_INTERVAL_SECONDS"))


def lease_seconds() -> int:
    """How long a claimed delivery is left alone: a worker that dies mid-send loses its claim
    after this, and the next round sends again (receivers dedupe on X-Banshi-Delivery)."""
    return timeout() * 2 + 30
