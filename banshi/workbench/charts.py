"""Small server-rendered SVG charts (no JavaScript library, no outside asset)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360  # drawn small so that it stays legible when a phone scales it down
LABEL = 112
ROW = 26
BAR = 16
PAD = 6
NUMBERS = 44  # room on the right for "3 / 2" (overdue / warning)


class Counted(Protocol):
    name: str
    red: int
    yellow: int


def department_bars(rows: Sequence[Counted], title: str = "各部门超期与预警办件") -> SafeString:
    """Horizontal stacked bars: red (overdue) then yellow (warning) per department.

    Scales to the largest total; each bar carries a ``<title>`` and its numbers as text, and the
    whole chart a title and description, so it reads without colour and with a screen reader."""
    if not rows:
        return mark_safe("")
    height = PAD * 2 + ROW * len(rows)
    scale_width = WIDTH - LABEL - NUMBERS - PAD
    top = max(max(row.red + row.yellow for row in rows), 1)
    parts = [
        f'<svg class="bar-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-labelledby="chart-title chart-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        '<desc id="chart-desc">'
        + escape("；".join(f"{row.name}：超期 {row.red} 件，预警 {row.yellow} 件" for row in rows))
        + "</desc>",
    ]
    for index, row in enumerate(rows):
        y = PAD + index * ROW
        bar_y = y + (ROW - BAR) / 2
        name = escape(row.name if len(row.name) <= 8 else row.name[:7] + "…")
        parts.append(
            f'<text class="bar-label" x="{LABEL - 8}" y="{y + ROW / 2}" '
            f'text-anchor="end" dominant-baseline="middle">{name}</text>'
        )
        x = LABEL
        for value, css, word in ((row.red, "bar-red", "超期"), (row.yellow, "bar-yellow", "预警")):
            if value <= 0:
                continue
            width = max(round(scale_width * value / top, 1), 3)
            parts.append(
                f'<rect class="{css}" x="{x}" y="{bar_y}" width="{width}" height="{BAR}" rx="3">'
                f"<title>{escape(row.name)} {word} {value} 件</title></rect>"
            )
            x += width
        parts.append(
            f'<text class="bar-value" x="{x + 6}" y="{y + ROW / 2}" '
            f'dominant-baseline="middle">{row.red} / {row.yellow}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text part above is escaped
