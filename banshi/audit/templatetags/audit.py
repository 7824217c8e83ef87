"""Masked display (DESIGN §8: ID numbers and phone numbers masked in lists)::

{% load audit %}
{{ person.id_number|mask_id }}  {{ person.phone|mask_phone }}  {{ free_text|masked }}
{% unmask_link application.number %}   (a link to state a purpose and see the full values)
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

from banshi.audit.services import mask_text
from banshi.people import identifiers

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    return identifiers.mask_id_number(value or "")


@register.filter(name="mask_phone")
def mask_phone(value: str) -> str:
    return identifiers.mask_phone(value or "")


@register.filter
def masked(value: str) -> str:
    """Free text with any ID number or mobile number inside it masked."""
    return mask_text(str(value or ""))


@register.simple_tag
def unmask_link(number: str) -> str:
    return format_html(
        '<a class="unmask-link" href="{}">查看完整证件号码和手机号码（须说明用途，记入审计日志）</a>',
        reverse("audit:unmask", args=[number]),
    )


@register.filter
def masked_as(value: str, kind: str) -> str:
    """A form value masked by its data-element type (``id_number``, ``phone``), else as it is."""
    if kind == "id_number":
        return mask_id(value)
    if kind == "phone":
        return mask_phone(value)
    return value
