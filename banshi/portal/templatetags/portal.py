"""Small presentation filters for the public pages (formatting only, no rules)."""

from __future__ import annotations

import math

from django import template
from django.utils.safestring import SafeString, mark_safe

from banshi.portal.flowchart import Diagram

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """0.734 → "73%": whole percent, rounded down so that a rate shown as "80%" always meets an
    80% target (0.795 shows 79%, not a misleading 80% next to "not met")."""
    if value is None:
        return "—"
    return f"{math.floor(value * 100 + 1e-9):d}%"


@register.filter
def diagram(value: Diagram | None) -> SafeString | str:
    """Inline SVG from :mod:`banshi.portal.flowchart`, which escapes every text it draws."""
    if value is None:
        return ""
    return mark_safe(value.svg)  # built and escaped by flowchart.py


@register.filter
def min_width(value: Diagram | None, cap: int = 480) -> int:
    """The narrowest a diagram may be squeezed on a phone before its box scrolls instead."""
    if value is None:
        return 0
    return min(value.width, int(cap))


def _halves(value) -> tuple[str, str]:
    if isinstance(value, tuple | list) and len(value) == 2:
        return str(value[0]), str(value[1])
    zh = getattr(value, "zh", None) or getattr(value, "message_zh", None)
    en = getattr(value, "en", None) or getattr(value, "message_en", None)
    if zh is None or en is None:
        text = str(value)
        return text, text
    return str(zh), str(en)


@register.filter
def say(value) -> str:
    """The page language's half of a bilingual message (an object with ``zh``/``en``, or a pair)."""
    from django.utils.translation import get_language

    zh, en = _halves(value)
    return en if (get_language() or "").startswith("en") else zh


@register.filter
def other_language(value) -> str:
    """The other half, shown beside the first so a refusal reads in Chinese and English."""
    from django.utils.translation import get_language

    zh, en = _halves(value)
    return zh if (get_language() or "").startswith("en") else en


@register.filter
def dom_id(value) -> str:
    """A code (``person.id_number``, ``FIRE-PLAN``) as the tail of an HTML id: letters, digits,
    ``_`` and ``-`` kept, anything else becomes ``-``."""
    import re

    return re.sub(r"[^A-Za-z0-9_-]", "-", str(value))


@register.filter
def say_note(value) -> str:
    """A material's route note (``note_zh`` / ``note_en``) in the page language."""
    return say((getattr(value, "note_zh", ""), getattr(value, "note_en", "")))


@register.filter
def type_label(content_type: str) -> str:
    """``application/pdf`` → ``PDF``."""
    from banshi.files.sniff import label

    return label(content_type)


@register.filter
def get_list(mapping, key) -> list:
    """``mapping[key]`` or an empty list (for dicts keyed by codes with dots)."""
    try:
        return mapping.get(key, []) or []
    except AttributeError:
        return []


@register.filter
def as_query(values) -> str:
    """A dict as a URL query string (``shop.area=500&need_seal=true``)."""
    from urllib.parse import urlencode

    return urlencode(dict(values or {}))
