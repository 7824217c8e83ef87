"""Template filters for documents: dates the Chinese way, in the platform's time zone."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from banshi.documents.content import chinese_date, chinese_datetime

register = template.Library()


def _unbroken(text: str) -> SafeString:
    """A date never breaks across lines (``.date { white-space: nowrap }``)."""
    return format_html('<span class="date">{}</span>', text) if text else SafeString("")


@register.filter
def cn_date(value: dt.date | dt.datetime | None) -> SafeString:
    """``2026年11月23日``; an aware datetime is first turned into local time."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return _unbroken(chinese_date(value.date()))
    return _unbroken(chinese_date(value))


@register.filter
def cn_datetime(value: dt.datetime | None) -> SafeString:
    """``2026年11月23日14时05分`` in local time."""
    if value is None:
        return SafeString("")
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return _unbroken(chinese_datetime(value))


@register.filter
def sentence(value: str) -> str:
    """The text ending with a full stop (``。``) unless it already ends with punctuation."""
    text = (value or "").strip()
    return text if not text or text[-1] in "。！？；.!?;" else text + "。"
