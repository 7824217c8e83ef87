"""Sending over the outside channels: e-mail through Django's SMTP backend, SMS through a gateway.

Each sender returns nothing on success and raises :class:`SendError` (temporary: retried with
back-off) or :class:`NotConfigured` (the channel is off here: the delivery is marked 未发送).
"""

from __future__ import annotations

import json
import logging
import smtplib
import string
import urllib.error
import urllib.request
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend
from django.utils.module_loading import import_string

from banshi.notify import conf
from banshi.notify.models import Delivery
from banshi.people.identifiers import mask_phone

log = logging.getLogger(__name__)


class SendError(Exception):
    """A failed attempt that may succeed later."""


class NotConfigured(Exception):
    """The channel is not set up on this installation."""


# ------------------------------------------------------------------------------ e-mail
def full_link(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.BANSHI_PUBLIC_URL + link


def email_text(delivery: Delivery) -> str:
    notification = delivery.notification
    lines = [notification.body]
    if notification.link:
        lines += ["", f"查看详情：{full_link(notification.link)}"]
    lines += ["", f"—— {settings.BANSHI_REGION_NAME} 办事平台（系统邮件，请勿直接回复）"]
    return "\n".join(lines)


def send_email(delivery: Delivery) -> None:
    options = conf.smtp()
    if not options["host"]:
        raise NotConfigured("未配置 SMTP 服务器 (BANSHI_SMTP_HOST) / no SMTP host configured")
    connection = EmailBackend(fail_silently=False, **options)
    message = EmailMessage(
        subject=delivery.notification.title,
        body=email_text(delivery),
        from_email=conf.email_from(),
        to=[delivery.address],
        connection=connection,
        headers={"X-Banshi-Notification": str(delivery.notification_id)},
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise SendError(f"{type(error).__name__}: {error}"[:1000]) from error


# ------------------------------------------------------------------------------ SMS
class SmsGateway(Protocol):
    """An SMS gateway: sends ``text`` to ``phone`` or raises :class:`SendError`."""

    def send(self, phone: str, text: str) -> None: ...


class LoggingSmsGateway:
    """The embedded default: writes the message to the log (masked phone) instead of sending."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS (logging gateway) to %s: %s", mask_phone(phone), text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpSmsGateway:
    """An HTTP gateway: POSTs a JSON body built from a template to a URL; 2xx means accepted.

    The template is JSON whose strings may hold ``$phone`` and ``$text`` (``string.Template``),
    substituted after parsing so any text is escaped correctly; ``token`` goes into
    ``Authorization: Bearer``.
    """

    def __init__(self, url: str, body: str, token: str = "", timeout: int = 10) -> None:
        self.url, self.body, self.token, self.timeout = url, json.loads(body), token, timeout
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())

    def document(self, phone: str, text: str) -> Any:
        values = {"phone": phone, "text": text}

        def fill(node: Any) -> Any:
            if isinstance(node, str):
                return string.Template(node).safe_substitute(values)
            if isinstance(node, list):
                return [fill(item) for item in node]
            if isinstance(node, dict):
                return {key: fill(item) for key, item in node.items()}
            return node

        return fill(self.body)

    def send(self, phone: str, text: str) -> None:
        data = json.dumps(self.document(phone, text), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Banshi-SMS/1"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                response.read(4096)
        except urllib.error.HTTPError as error:
            body = error.read(300).decode("utf-8", "replace").strip()
            raise SendError(f"HTTP {error.code}: {body}"[:1000]) from error
        except (urllib.error.URLError, OSError) as error:
            raise SendError(f"{type(error).__name__}: {getattr(error, 'reason', error)}") from error


def sms_gateway() -> SmsGateway:
    """The configured gateway: ``BANSHI_SMS_GATEWAY`` (a dotted class path), else the HTTP gateway
    when ``BANSHI_SMS_URL`` is set, else the logging gateway."""
    custom = str(conf.value("BANSHI_SMS_GATEWAY")).strip()
    if custom:
        return import_string(custom)()
    if conf.sms_url():
        return HttpSmsGateway(conf.sms_url(), conf.sms_body(), conf.sms_token(), conf.sms_timeout())
    return LoggingSmsGateway()


def sms_text(delivery: Delivery) -> str:
    notification = delivery.notification
    return f"【{settings.BANSHI_REGION_NAME}】{notification.title}：{notification.body}"


def send_sms(delivery: Delivery) -> None:
    sms_gateway().send(delivery.address, sms_text(delivery))


SENDERS = {"email": send_email, "sms": send_sms}
