"""Settings of messages, e-mail (SMTP) and SMS (docs/settings.md, section 消息通知).

Read from Django settings when defined there, else from the environment variable of the same name,
else the default (like :mod:`banshi.webhooks.conf`), so tests override them with ``settings``.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "BANSHI_NOTIFY_DEFAULT_CHANNELS": "email,sms",  # besides the in-platform message, no preference set
    "BANSHI_NOTIFY_MAX_ATTEMPTS": 8,  # then the delivery is dead (listed in the admin)
    "BANSHI_NOTIFY_BACKOFF_SECONDS": 60,  # first retry after this; doubles each attempt
    "BANSHI_NOTIFY_MAX_BACKOFF_SECONDS": 6 * 3600,
    "BANSHI_NOTIFY_BATCH": 100,  # deliveries claimed per round
    "BANSHI_NOTIFY_INTERVAL_SECONDS": 10,  # between delivery rounds
    "BANSHI_SMTP_HOST": "",  # empty: e-mail is not sent (deliveries marked 未发送)
    "BANSHI_SMTP_PORT": 25,
    "BANSHI_SMTP_STARTTLS": False,
    "BANSHI_SMTP_SSL": False,
    "BANSHI_SMTP_USER": "",
    "BANSHI_SMTP_PASSWORD": "",
    "BANSHI_SMTP_TIMEOUT": 10,
    "BANSHI_EMAIL_FROM": "办事平台 <noreply@localhost>",
    "BANSHI_SMS_GATEWAY": "",  # dotted path of an SmsGateway class (overrides the URL)
    "BANSHI_SMS_URL": "",  # empty: the logging gateway (embedded default)
    "BANSHI_SMS_BODY": '{"phone": "$phone", "text": "$text"}',
    "BANSHI_SMS_TOKEN": "",
    "BANSHI_SMS_TIMEOUT": 10,
}


def value(name: str) -> Any:
    result = getattr(settings, name, None)
    if result is None:
        result = os.environ.get(name)
    blank = isinstance(result, str) and not result.strip()
    if result is None or (blank and not isinstance(DEFAULTS[name], str)):
        return DEFAULTS[name]  # unset, or an empty number/switch
    return result


def _int(name: str) -> int:
    return int(value(name))


def _bool(name: str) -> bool:
    raw = value(name)
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in ("1", "true", "yes", "on")


def default_channels() -> list[str]:
    return [
        part.strip()
        for part in str(value("BANSHI_NOTIFY_DEFAULT_CHANNELS")).split(",")
        if part.strip()
    ]


def max_attempts() -> int:
    return max(1, _int("BANSHI_NOTIFY_MAX_ATTEMPTS"))


def backoff_seconds() -> int:
    return max(1, _int("BANSHI_NOTIFY_BACKOFF_SECONDS"))


def max_backoff_seconds() -> int:
    return max(1, _int("BANSHI_NOTIFY_MAX_BACKOFF_SECONDS"))


def batch() -> int:
    return max(1, _int("BANSHI_NOTIFY_BATCH"))


def interval_seconds() -> int:
    return max(1, _int("BANSHI_NOTIFY_INTERVAL_SECONDS"))


def smtp() -> dict[str, Any]:
    """Keyword arguments of Django's SMTP ``EmailBackend``."""
    return {
        "host": str(value("BANSHI_SMTP_HOST")).strip(),
        "port": _int("BANSHI_SMTP_PORT"),
        "username": str(value("BANSHI_SMTP_USER")),
        "password": str(value("BANSHI_SMTP_PASSWORD")),
        "use_tls": _bool("BANSHI_SMTP_STARTTLS"),
        "use_ssl": _bool("BANSHI_SMTP_SSL"),
        "timeout": _int("BANSHI_SMTP_TIMEOUT"),
    }


def email_from() -> str:
    return str(value("BANSHI_EMAIL_FROM"))


def sms_url() -> str:
    return str(value("BANSHI_SMS_URL")).strip()


def sms_body() -> str:
    return str(value("BANSHI_SMS_BODY"))


def sms_token() -> str:
    return str(value("BANSHI_SMS_TOKEN"))


def sms_timeout() -> int:
    return max(1, _int("BANSHI_SMS_TIMEOUT"))


def lease_seconds() -> int:
    """A claimed delivery is left alone this long; a worker that dies mid-send loses the claim."""
    return max(_int("BANSHI_SMTP_TIMEOUT"), sms_timeout()) * 2 + 30
