"""Sending due deliveries (e-mail, SMS): claim, send outside any transaction, record.

Like the webhooks (:mod:`banshi.webhooks.delivery`): a round claims due deliveries under
``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) by pushing ``next_attempt_at`` one lease ahead
and counting the attempt, commits, then sends each one. Success marks it sent; a failure schedules
a retry after ``backoff × 2^(attempts−1)`` (capped) and after ``BANSHI_NOTIFY_MAX_ATTEMPTS`` the
delivery is dead (the admin lists and re-queues them); a channel not set up here marks it 未发送.
A worker that dies mid-send loses its claim when the lease ends: at-least-once, like every job.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, QuerySet

from banshi.core import clock
from banshi.core.db import skip_locked
from banshi.notify import channels, conf
from banshi.notify.models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    skipped: int = 0

    def line(self) -> str:
        return (
            f"sent {self.sent}, retrying {self.retrying}, dead {self.dead}, skipped {self.skipped}"
        )


def backoff(attempts: int) -> dt.timedelta:
    seconds = conf.backoff_seconds() * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, conf.max_backoff_seconds()))


def send_due(now: dt.datetime | None = None) -> SendReport:
    """One round: claim due e-mail/SMS deliveries, send them, record the outcome."""
    now = now or clock.now()
    report = SendReport()
    lease = dt.timedelta(seconds=conf.lease_seconds())
    with transaction.atomic():
        due = Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        ids = [row.pk for row in skip_locked(due)[: conf.batch()]]
        if not ids:
            return report
        Delivery.objects.filter(pk__in=ids).update(
            attempts=F("attempts") + 1, next_attempt_at=now + lease, last_attempt_at=now
        )
    for delivery in (
        Delivery.objects.filter(pk__in=ids).select_related("notification").order_by("id")
    ):
        outcome = _send_one(delivery, now)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _send_one(delivery: Delivery, now: dt.datetime) -> str:
    rows = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING)
    sender = channels.SENDERS.get(delivery.channel)
    try:
        if sender is None:
            raise channels.NotConfigured(f"unknown channel {delivery.channel!r}")
        sender(delivery)
    except channels.NotConfigured as error:
        rows.update(status=DeliveryStatus.SKIPPED, last_error=str(error)[:1000])
        return "skipped"
    except channels.SendError as error:
        text = str(error)[:1000]
        if delivery.attempts >= conf.max_attempts():
            rows.update(status=DeliveryStatus.DEAD, last_error=text)
            log.error(
                "notification delivery %s dead after %s attempts: %s",
                delivery.pk,
                delivery.attempts,
                text,
            )
            return "dead"
        rows.update(next_attempt_at=now + backoff(delivery.attempts), last_error=text)
        log.warning(
            "notification delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, text
        )
        return "retrying"
    rows.update(status=DeliveryStatus.SENT, sent_at=clock.now(), last_error="")
    return "sent"


def send_until_idle(now: dt.datetime | None = None, *, max_rounds: int = 100) -> SendReport:
    total = SendReport()
    for _ in range(max_rounds):
        report = send_due(now)
        for name in ("sent", "retrying", "dead", "skipped"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        if not (report.sent or report.retrying or report.dead or report.skipped):
            break
    return total


def requeue(deliveries: QuerySet[Delivery]) -> int:
    """Send these again at the next round with a fresh count of attempts (admin action)."""
    return deliveries.exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=clock.now(), last_error=""
    )
