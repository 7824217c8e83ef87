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
