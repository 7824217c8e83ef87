"""The outbox dispatcher: due outbox rows → signed POSTs to subscribed departments' systems.

One round has two steps, each safe to interrupt at any point:

1. **Dispatch** (one short transaction): take the due :class:`OutboxMessage` rows (``sent_at``
   empty, ``next_attempt_at`` come), locked with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL
   so several workers share the work without waiting on each other (plain on SQLite, whose
   writers queue anyway); create one :class:`WebhookDelivery` per matching subscription and mark
   the message dispatched (``sent_at``); the other consumers registered in
   :mod:`banshi.core.outbox` (notifications) get the same messages in the same transaction, so
   each consumer sees every message exactly once. A crash before the commit leaves the message due; after
   it, the deliveries exist. Nothing is lost for a committed change, and a rolled-back change never
   wrote a message in the first place.
2. **Send**: claim due deliveries (same locking) by pushing their ``next_attempt_at`` one lease
   ahead and counting the attempt, commit, then POST each one outside any transaction. 2xx marks it
   sent; anything else schedules a retry after ``backoff × 2^(attempts−1)`` (capped), and after
   ``BANSHI_WEBHOOK_MAX_ATTEMPTS`` the delivery is ``dead`` (the admin lists and re-queues them).
   A worker that dies mid-send loses its claim when the lease ends and the delivery goes out again:
   delivery is at-least-once, and ``X-Banshi-Delivery`` lets the receiver drop a repeat.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, QuerySet

from banshi.cases.models import Case, OutboxMessage
from banshi.core import clock, outbox
from banshi.core.db import skip_locked
from banshi.webhooks import conf
from banshi.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from banshi.webhooks.signing import signature

log = logging.getLogger(__name__)

USER_AGENT = "Banshi-Webhooks/1"


@dataclass
class RoundReport:
    """What one or more rounds did."""

    dispatched: int = 0  # outbox messages handed to webhooks
    created: int = 0  # deliveries created for them
    sent: int = 0  # delivered (2xx)
    retrying: int = 0  # failed, scheduled again
    dead: int = 0  # failed for the last time

    @property
    def busy(self) -> bool:
        return bool(self.dispatched or self.sent or self.retrying or self.dead)

    def add(self, other: RoundReport) -> None:
        for name in ("dispatched", "created", "sent", "retrying", "dead"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self) -> str:
        return (
            f"outbox {self.dispatched} dispatched, {self.created} deliveries created; "
            f"sent {self.sent}, retrying {self.retrying}, dead {self.dead}"
        )


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt after ``attempts`` failed ones: base × 2^(attempts−1), capped."""
    seconds = conf.backoff_seconds() * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, conf.max_backoff_seconds()))


# ------------------------------------------------------------------------------ 1. dispatch
def dispatch_outbox(now: dt.datetime | None = None) -> RoundReport:
    """Turn due outbox messages into deliveries (one per matching active subscription)."""
    now = now or clock.now()
    report = RoundReport()
    with transaction.atomic():
        due = OutboxMessage.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now)
        messages = list(skip_locked(due.order_by("id"))[: conf.batch()])
        if not messages:
            return report
        subscriptions = list(
            WebhookSubscription.objects.filter(active=True).select_related("department")
        )
        departments = _departments(messages) if subscriptions else {}
        rows = [
            WebhookDelivery(
                subscription=subscription,
                message=message,
                topic=message.topic,
                next_attempt_at=now,
                created_at=now,
            )
            for message in messages
            for subscription in subscriptions
            if subscription.wants(message.topic, departments.get(message.pk))
        ]
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        outbox.hand_to_consumers(messages, now)  # notifications etc., in this same transaction
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
            sent_at=now, attempts=F("attempts") + 1, last_error=""
        )
    report.dispatched, report.created = len(messages), len(rows)
    return report


def _departments(messages: Iterable[OutboxMessage]) -> dict[int, frozenset[str] | None]:
    """The department codes each message concerns: its case's, or every case's of its
    application; None when it names neither."""
    case_of: dict[int, str] = {}
    application_of: dict[int, str] = {}
    for message in messages:
        payload = message.payload if isinstance(message.payload, dict) else {}
        if payload.get("case"):
            case_of[message.pk] = str(payload["case"])
        elif payload.get("application"):
            application_of[message.pk] = str(payload["application"])
    by_case = dict(
        Case.objects.filter(number__in=set(case_of.values())).values_list(
            "number", "department__code"
        )
    )
    by_application: dict[str, set[str]] = defaultdict(set)
    rows = Case.objects.filter(application__number__in=set(application_of.values()))
    for number, code in rows.values_list("application__number", "department__code"):
        by_application[number].add(code)
    result: dict[int, frozenset[str] | None] = {}
    for pk, number in case_of.items():
        result[pk] = frozenset([by_case[number]]) if number in by_case else None
    for pk, number in application_of.items():
        result[pk] = frozenset(by_application[number]) if number in by_application else None
    return result


# ------------------------------------------------------------------------------ 2. send
def send_due(now: dt.datetime | None = None) -> RoundReport:
    """Claim due deliveries, POST them, record the outcome."""
    now = now or clock.now()
    report = RoundReport()
    lease = dt.timedelta(seconds=conf.lease_seconds())
    with transaction.atomic():
        due = WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            subscription__active=True,
        ).order_by("next_attempt_at", "id")
        ids = [row.pk for row in skip_locked(due)[: conf.batch()]]
        if not ids:
            return report
        WebhookDelivery.objects.filter(pk__in=ids).update(
            attempts=F("attempts") + 1, next_attempt_at=now + lease, last_attempt_at=now
        )
    claimed = WebhookDelivery.objects.filter(pk__in=ids).select_related("subscription", "message")
    for delivery in claimed.order_by("id"):
        status, error = send(delivery)
        outcome = _record(delivery, status, error, now)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def body_of(delivery: WebhookDelivery) -> bytes:
    """The JSON body (UTF-8): the same on every retry of a delivery."""
    message = delivery.message
    document = {
        "id": str(delivery.delivery_id),
        "event": message.topic,
        "key": message.key,
        "created_at": message.created_at,
        "data": message.payload,
    }
    text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def headers_for(delivery: WebhookDelivery, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Banshi-Event": delivery.message.topic,
        "X-Banshi-Delivery": str(delivery.delivery_id),
        "X-Banshi-Timestamp": str(timestamp),
        "X-Banshi-Signature": signature(delivery.subscription.secret, timestamp, body),
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer other than 2xx: never follow it with the signed body."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# Direct connections only (no proxy from the environment), no redirects.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST one delivery; returns (HTTP status or None, error text or "")."""
    body = body_of(delivery)
    request = urllib.request.Request(
        delivery.subscription.url,
        data=body,
        headers=headers_for(delivery, body, int(time.time())),
        method="POST",
    )
    try:
        with _OPENER.open(request, timeout=conf.timeout()) as response:
            response.read(4096)
            return response.status, ""
    except urllib.error.HTTPError as error:
        text = error.read(300).decode("utf-8", "replace").strip()
        return error.code, f"HTTP {error.code} {error.reason}: {text}"[:1000]
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        return None, f"{type(error).__name__}: {reason}"[:1000]


def _record(delivery: WebhookDelivery, status: int | None, error: str, now: dt.datetime) -> str:
    rows = WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING)
    if status is not None and 200 <= status < 300:
        rows.update(
            status=DeliveryStatus.SENT, sent_at=clock.now(), last_status=status, last_error=""
        )
        return "sent"
    if delivery.attempts >= conf.max_attempts():
        rows.update(status=DeliveryStatus.DEAD, last_status=status, last_error=error)
        log.error(
            "webhook %s to %s dead after %s attempts: %s",
            delivery.delivery_id,
            delivery.subscription.url,
            delivery.attempts,
            error,
        )
        return "dead"
    rows.update(
        next_attempt_at=now + backoff(delivery.attempts), last_status=status, last_error=error
    )
    log.warning(
        "webhook %s to %s failed (attempt %s): %s",
        delivery.delivery_id,
        delivery.subscription.url,
        delivery.attempts,
        error,
    )
    return "retrying"


# ------------------------------------------------------------------------------ rounds
def deliver_round(now: dt.datetime | None = None) -> RoundReport:
    """One round: dispatch due outbox messages, then send due deliveries."""
    report = dispatch_outbox(now)
    report.add(send_due(now))
    return report


def deliver_until_idle(now: dt.datetime | None = None, *, max_rounds: int = 1000) -> RoundReport:
    """Rounds until nothing is due (``banshi deliver_webhooks --once``)."""
    total = RoundReport()
    for _ in range(max_rounds):
        report = deliver_round(now)
        total.add(report)
        if not (report.dispatched or report.sent or report.retrying or report.dead):
            break
    return total


def requeue(deliveries: QuerySet[WebhookDelivery]) -> int:
    """Send these again at the next round, with a fresh count of attempts (admin action)."""
    return deliveries.exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=clock.now(), last_error=""
    )
