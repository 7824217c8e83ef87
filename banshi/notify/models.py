"""Messages to applicants and staff: the in-platform message, one delivery per channel, and each
person's choice of channels.

The outbox consumer (:mod:`banshi.notify.consumer`) turns case-engine messages into
:class:`Notification` rows in the dispatch round's transaction (``source_key`` makes a repeat a
no-op); each notification gets one :class:`Delivery` per channel, sent by
:mod:`banshi.notify.delivery` with back-off until it is sent or dead.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    INBOX = "inbox", "站内消息"
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"


class Notification(models.Model):
    """消息: one message to one person (applicant) or one staff user, shown in /messages/.

    Exactly one of ``person`` and ``user`` is set. ``source_key`` (outbox message × topic ×
    recipient) is unique, so handing the same outbox message over twice creates nothing new.
    """

    person = models.ForeignKey(
        "people.Person",
        verbose_name="收件人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="工作人员",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    topic = models.CharField("主题", max_length=60)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=300, blank=True)
    source_key = models.CharField("来源键", max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField("创建时间")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "read_at"], name="notify_person_unread"),
            models.Index(fields=["user", "read_at"], name="notify_user_unread"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, user__isnull=True)
                | models.Q(person__isnull=True, user__isnull=False),
                name="notification_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def recipient(self):
        return self.person or self.user


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    DEAD = "dead", "已放弃"
    SKIPPED = "skipped", "未发送"


class Delivery(models.Model):
    """发送记录: one notification over one channel, retried with back-off until sent or dead.

    ``address`` (e-mail or phone) is copied when the delivery is made, so a later change to the
    profile does not redirect a message already written for the old address.
    """

    notification = models.ForeignKey(
        Notification, verbose_name="消息", on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    address = models.CharField("地址", max_length=254, blank=True)
    status = models.CharField(
        "状态", max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    last_attempt_at = models.DateTimeField("最近尝试", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "发送记录"
        verbose_name_plural = "发送记录"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="notify_delivery_once")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notify_due")]

    def __str__(self) -> str:
        return f"{self.notification} · {self.get_channel_display()} ({self.get_status_display()})"


class Preference(models.Model):
    """通知偏好: which channels a person wants besides the in-platform message (always on).

    Addresses come from the profile (:class:`banshi.people.models.Person` ``email``/``phone``):
    a channel without an address is skipped. No row = the default channels
    (``BANSHI_NOTIFY_DEFAULT_CHANNELS``).
    """

    person = models.OneToOneField(
        "people.Person",
        verbose_name="自然人",
        on_delete=models.CASCADE,
        related_name="notify_preference",
    )
    email = models.BooleanField("电子邮件通知", default=True)
    sms = models.BooleanField("短信通知", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = "通知偏好"

    def __str__(self) -> str:
        return str(self.person)
