"""E-mail through a real SMTP server (aiosmtpd) and SMS through a real HTTP gateway (loopback)."""

from __future__ import annotations

import datetime as dt
import email
import json
from email import policy

import pytest

from banshi.cases.tests.factories import make_person
from banshi.core import clock
from banshi.notify import channels, delivery, services
from banshi.notify.models import Delivery, DeliveryStatus
from banshi.webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.django_db


def person_with(email_address: str = "", phone: str = ""):
    person = make_person("张三")
    person.email, person.phone = email_address, phone
    person.save()
    return person


def test_an_email_reaches_a_real_smtp_server_with_chinese_subject_and_body(smtp_server, settings):
    settings.BANSHI_PUBLIC_URL = "https://banshi.example.gov.cn"
    person = person_with(email_address="zhangsan@example.cn")
    services.notify(
        person, "case.grant", {"application": "BS-7", "title": "开办餐饮店", "case": "C-7"}
    )
    report = delivery.send_until_idle()
    assert report.sent == 1
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["zhangsan@example.cn"]
    raw = envelope.original_content
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii(), "Chinese headers travel RFC 2047-encoded"
    assert b"=?utf-8?" in headers.lower() and b'charset="utf-8"' in headers
    message = email.message_from_bytes(raw, policy=policy.default)
    assert str(message["Subject"]) == "准予许可"
    assert "办事平台" in str(message["From"])
    body = message.get_body().get_content()
    assert "您申请的「开办餐饮店」（办件 C-7）已准予" in body
    assert "https://banshi.example.gov.cn/applications/BS-7/" in body
    assert Delivery.objects.get(channel="email").status == DeliveryStatus.SENT


def test_without_an_smtp_host_email_is_marked_not_sent(settings):
    settings.BANSHI_SMTP_HOST = ""
    services.notify(person_with(email_address="a@example.cn"), "case.grant", {})
    assert delivery.send_until_idle().skipped == 1
    row = Delivery.objects.get(channel="email")
    assert row.status == DeliveryStatus.SKIPPED and "BANSHI_SMTP_HOST" in row.last_error


def test_an_unreachable_smtp_server_is_retried_after_the_backoff(settings):
    settings.BANSHI_SMTP_HOST, settings.BANSHI_SMTP_PORT = "127.0.0.1", 9  # nothing listens
    settings.BANSHI_NOTIFY_BACKOFF_SECONDS = 60
    t0 = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)
    with clock.frozen(t0):
        services.notify(person_with(email_address="a@example.cn"), "case.grant", {})
        assert delivery.send_due().retrying == 1
    row = Delivery.objects.get(channel="email")
    assert row.status == DeliveryStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at == t0 + dt.timedelta(seconds=60) and row.last_error


def test_sms_goes_to_the_http_gateway_as_json(settings):
    gateway = Receiver().start()
    try:
        settings.BANSHI_SMS_URL = gateway.url
        settings.BANSHI_SMS_BODY = '{"to": "$phone", "content": "$text", "sign": "办事"}'
        settings.BANSHI_SMS_TOKEN = "t0ken"
        services.notify(
            person_with(phone="13800138000"), "application.correction_notice", {"due": "2025-03-10"}
        )
        assert delivery.send_until_idle().sent == 1
    finally:
        gateway.stop()
    [request] = gateway.received
    document = json.loads(request.body.decode("utf-8"))
    assert document["to"] == "13800138000" and document["sign"] == "办事"
    assert "请补正材料" in document["content"] and "2025-03-10" in document["content"]
    assert request.headers["Authorization"] == "Bearer t0ken"


def test_a_failing_sms_gateway_is_retried_then_dead_after_max_attempts(settings):
    gateway = Receiver(default=503).start()
    try:
        settings.BANSHI_SMS_URL = gateway.url
        settings.BANSHI_NOTIFY_MAX_ATTEMPTS = 2
        t0 = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)
        with clock.frozen(t0):
            services.notify(person_with(phone="13800138000"), "case.grant", {})
            assert delivery.send_due().retrying == 1
        with clock.frozen(t0 + dt.timedelta(hours=1)):
            assert delivery.send_due().dead == 1
    finally:
        gateway.stop()
    row = Delivery.objects.get(channel="sms")
    assert row.status == DeliveryStatus.DEAD and row.attempts == 2 and "HTTP 503" in row.last_error
    assert delivery.requeue(Delivery.objects.filter(pk=row.pk)) == 1


def test_the_embedded_default_sms_gateway_logs_with_a_masked_phone(settings, caplog):
    settings.BANSHI_SMS_URL = ""
    assert isinstance(channels.sms_gateway(), channels.LoggingSmsGateway)
    services.notify(person_with(phone="13800138000"), "case.grant", {})
    with caplog.at_level("INFO", logger="banshi.notify.channels"):
        assert delivery.send_until_idle().sent == 1
    assert "138****8000" in caplog.text and "13800138000" not in caplog.text
