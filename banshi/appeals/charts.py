"""Server-rendered SVG charts for the report pages: horizontal bars and a line (no JS, no CDN).

Pure functions from (label, value) pairs to an inline ``<svg>`` string, escaped and marked safe.
The SVG scales to its container (``viewBox``, width 100%), carries a ``<title>`` and ``role="img"``
with an ``aria-label`` summarising the data, and uses ``currentColor``-free fixed colours that meet
contrast on white. Numbers are drawn as text next to each bar, so the chart reads without colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#1f5fa8"
BAR_ALT = "#8a5300"
GRID = "#d5dbe3"
TEXT = "#1d232b"
MUTED = "#555f6d"


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _nice_scale(peak: float) -> tuple[float, float]:
    """An axis top and a whole-number tick step: 1, 2 or 5 × 10^k, about four ticks."""
    if peak <= 4:
        return max(1.0, float(int(peak) + (peak % 1 > 0))), 1.0
    raw = peak / 4
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    top = step * -(-peak // step)
    return float(top), float(step)


def _clip(label: str, size: int) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def bar_chart(
    rows: Sequence[tuple[str, float | None]],
    *,
    title: str,
    percent: bool = False,
    width: int = 360,
    max_rows: int = 12,
    label_chars: int = 10,
    colour: str = BAR,
) -> SafeString:
    """Horizontal bars, one row per (label, value); ``None`` values are drawn as "—"."""
    rows = list(rows)[:max_rows]
    if not rows:
        return mark_safe(f'<p class="chart-empty">{escape(title)}：本期无数据</p>')
    row_height, top, value_width = 30, 8, 58
    longest = max(len(_clip(str(label), label_chars)) for label, _ in rows)
    label_width = min(150, max(50, 14 * longest + 12))
    height = top * 2 + row_height * len(rows)
    plot = width - label_width - value_width
    peak = 1.0 if percent else max((value or 0) for _, value in rows) or 1
    summary = "；".join(
        f"{label} {_fmt(value, percent) if value is not None else '—'}" for label, value in rows
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}：{escape(summary)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for quarter in range(5):
        x = label_width + plot * quarter / 4
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - top + 4}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
    for index, (label, value) in enumerate(rows):
        y = top + index * row_height
        bar = plot * ((value or 0) / peak) if peak else 0
        parts.append(
            f'<text x="{label_width - 8}" y="{y + row_height / 2 + 5:.1f}" text-anchor="end" '
            f'font-size="14" fill="{TEXT}">{escape(_clip(str(label), label_chars))}</text>'
        )
        if value is not None and bar > 0:
            parts.append(
                f'<rect x="{label_width}" y="{y + 5}" width="{max(bar, 2):.1f}" '
                f'height="{row_height - 10}" rx="3" fill="{colour}"/>'
            )
        shown = _fmt(value, percent) if value is not None else "—"
        parts.append(
            f'<text x="{label_width + bar + 6:.1f}" y="{y + row_height / 2 + 5:.1f}" '
            f'font-size="14" fill="{MUTED}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 360,
    height: int = 170,
) -> SafeString:
    """A line with dots over ordered points (e.g. tickets per day); x labels thinned to fit."""
    points = list(points)
    if not points:
        return mark_safe(f'<p class="chart-empty">{escape(title)}：本期无数据</p>')
    left, right, top, bottom = 40, 12, 12, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    peak, step_value = _nice_scale(max(value for _, value in points))
    step = plot_w / max(len(points) - 1, 1)

    def xy(index: int, value: float) -> tuple[float, float]:
        return left + index * step, top + plot_h * (1 - value / peak)

    summary = "；".join(f"{label} {value:g}" for label, value in points)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}：{escape(summary)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    tick = 0.0
    while tick <= peak + 1e-9:
        _, y = xy(0, tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="{MUTED}">{tick:,.0f}</text>'
        )
        tick += step_value
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}"
        for i, (x, y) in enumerate(xy(i, v) for i, (_, v) in enumerate(points))
    )
    parts.append(f'<path d="{path}" fill="none" stroke="{BAR}" stroke-width="2"/>')
    every = max(1, len(points) // 5)
    last = len(points) - 1
    for index, (label, value) in enumerate(points):
        x, y = xy(index, value)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BAR}"/>')
        # the last label ends at its point (not clipped at the edge); a thinned one too close to
        # it is left out so the two do not overlap
        crowded = index != last and last - index < max(2, every * 2 // 3)
        if (index % every == 0 and not crowded) or index == last:
            anchor = "end" if index == last and last > 0 else "middle"
            parts.append(
                f'<text x="{x:.1f}" y="{height - 8}" text-anchor="{anchor}" font-size="12" '
                f'fill="{MUTED}">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
