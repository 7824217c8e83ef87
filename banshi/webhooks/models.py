"""Webhook subscriptions of departments' systems, and one delivery per message × subscription.

The case engine writes :class:`banshi.cases.models.OutboxMessage` rows in the transaction of each
change. The dispatcher (:mod:`banshi.webhooks.delivery`) turns each due message into one
:class:`WebhookDelivery` per matching subscription, in one transaction, and marks the message
dispatched; then it POSTs each delivery, signed, and retries failures with exponential back-off
until the receiver answers 2xx or the attempts run out (``dead``, listed in the admin).
"""

from __future__ import annotations

import fnmatch
import secrets
import uuid
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def split_topics(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").replace("，", " ").split() if part]


class WebhookSubscription(models.Model):
    """接口推送订阅: a department's system that wants to hear about changes.

    ``department`` empty = every department's cases. ``topics``: outbox topics separated by spaces
    or commas, ``*`` wildcards allowed (``case.* application.submitted``); empty = every topic.
    ``secret`` signs every delivery (HMAC-SHA256); give it to the receiver once, over a safe channel.
    """

    name = models.CharField("名称", max_length=100)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="空表示全部部门",
    )
    url = models.URLField("接收地址", max_length=500, help_text="http(s)://…，收到后返回 2xx")
    secret = models.CharField(
        "签名密钥", max_length=200, default=new_secret, help_text="HMAC-SHA256 签名用"
    )
    topics = models.CharField(
        "事件主题",
        max_length=500,
        blank=True,
        help_text="以空格或逗号分隔，可用通配符，如 case.* application.submitted；空表示全部",
    )
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "推送订阅"
        verbose_name_plural = "推送订阅"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise ValidationError({"url": "只支持 http 和 https 地址 / http(s) URLs only"})

    @property
    def topic_patterns(self) -> list[str]:
        return split_topics(self.topics)

    def wants(self, topic: str, departments: frozenset[str] | None) -> bool:
        """Whether a message on ``topic`` concerning ``departments`` goes to this subscription.
        ``departments`` None means unknown (the message names no case or application): only
        subscriptions for every department get it."""
        patterns = self.topic_patterns
        if patterns and not any(fnmatch.fnmatchcase(topic, p) for p in patterns):
            return False
        if self.department_id is None:
            return True
        return departments is not None and self.department.code in departments


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已送达"
    DEAD = "dead", "已放弃"


class WebhookDelivery(models.Model):
    """One message to one subscription: attempts, back-off and outcome.

    ``delivery_id`` is sent as ``X-Banshi-Delivery`` and stays the same on every retry: receivers
    use it to ignore a delivery they have already processed (at-least-once delivery).
    """

    delivery_id = models.UUIDField("推送编号", default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name="订阅",
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    message = models.ForeignKey(
        "cases.OutboxMessage",
        verbose_name="发件箱消息",
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
    )
    topic = models.CharField("主题", max_length=60)
    status = models.CharField(
        "状态", max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    last_attempt_at = models.DateTimeField("最近尝试", null=True, blank=True)
    last_status = models.PositiveSmallIntegerField("最近响应码", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "推送记录"
        verbose_name_plural = "推送记录"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "message"], name="webhook_delivery_once"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.topic} → {self.subscription} ({self.get_status_display()})"
