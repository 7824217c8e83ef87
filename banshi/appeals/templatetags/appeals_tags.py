"""Small display helpers for the 12345 and 好差评 pages."""

from __future__ import annotations

import datetime as dt

from django import template

from banshi.core import clock
from banshi.people import identifiers

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.8765 → 87.7%; None → —."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def due_class(due: dt.date | None) -> str:
    """``due-over`` when past, ``due-warn`` when today or tomorrow, else empty."""
    if not due:
        return ""
    today = clock.today()
    if due < today:
        return "due-over"
    if (due - today).days <= 1:
        return "due-warn"
    return ""


@register.filter
def mask_phone(value: str) -> str:
    return identifiers.mask_phone(value or "")


@register.filter
def mask_name(value: str) -> str:
    return identifiers.mask_name(value or "") or "匿名"


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
