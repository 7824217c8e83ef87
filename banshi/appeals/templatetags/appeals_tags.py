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


@register.simple_tag(takes_context=True)
def staff_nav(context) -> list[dict]:
    """The staff menu of the 12345 and 好差评 pages: only the pages the user's roles may open (the
    same role lists the views check), so nobody is shown a link that ends in 403."""
    from banshi.appeals import views as appeal_views
    from banshi.people import permissions
    from banshi.ratings import views as rating_views

    request = context.get("request")
    user = getattr(request, "user", None)
    links = [
        ("appeals:desk", "desk", "12345 工单", appeal_views.STAFF_ROLES),
        ("appeals:intake", "intake", "登记诉求", ("hotline_agent", "window_clerk")),
        ("appeals:knowledge", "knowledge", "知识库", appeal_views.STAFF_ROLES),
        ("appeals:board", "board", "督办看板", appeal_views.BOARD_ROLES),
        ("appeals:report", "report", "诉求报表", appeal_views.REPORT_ROLES),
        ("ratings:desk", "rectify", "差评整改", rating_views.STAFF),
        ("ratings:report", "rating_report", "好差评报表", rating_views.REPORT_ROLES),
    ]
    from django.urls import reverse

    return [
        {"url": reverse(name), "key": key, "label": label}
        for name, key, label, roles in links
        if user is not None and permissions.has_role(user, *roles)
    ]
