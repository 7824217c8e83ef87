"""Server-side SVG diagrams for the guides (pure: no Django import).

Two pictures explain a service better than a table: the steps of an item (办理流程/环节) drawn as a
chain of boxes, and a bundle's dependency graph (并联审批: which items can run at once, which wait for
another's licence, and the critical path that sets the expected days). They are drawn here, on the
server, as inline SVG, so the guide works without JavaScript, prints, and needs no chart library or CDN
(DESIGN §8). Everything is escaped here; the caller may mark the result safe.

Sizes are estimated, not measured (no font metrics on the server): a CJK character counts one em,
other characters 0.6 em, which is close enough for Noto/PingFang/Microsoft YaHei at these sizes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise

PAD = 8  # margin around the drawing
STEP_W, STEP_H = 128, 64  # one step box
STEP_GAP_X, STEP_GAP_Y = 32, 36  # between step boxes (arrows live in the gaps)
NODE_W, NODE_H = 184, 72  # one item box of the dependency graph
NODE_GAP_X, NODE_GAP_Y = 64, 16


@dataclass(frozen=True)
class Diagram:
    """An SVG document fragment with its natural size (CSS may scale it down)."""

    svg: str
    width: int
    height: int

    def __str__(self) -> str:
        return self.svg


@dataclass(frozen=True)
class Node:
    """A box of the dependency graph: the item's name and one detail line (department, days)."""

    label: str
    detail: str = ""


def char_width(char: str, size: float) -> float:
    """Estimated advance of one character at ``size`` px: wide (CJK, full-width) ones take a full em."""
    return size if unicodedata.east_asian_width(char) in ("W", "F") else size * 0.6


def text_width(text: str, size: float) -> float:
    """Estimated width of a line of text at ``size`` px."""
    return sum(char_width(char, size) for char in text)


def wrap(text: str, max_width: float, size: float, max_lines: int = 2) -> list[str]:
    """Break ``text`` into at most ``max_lines`` lines no wider than ``max_width``.

    Chinese breaks between any two characters; a Latin word is kept whole when a space allows it.
    Text that does not fit ends with an ellipsis (…), so a long item name never overflows its box.
    """
    text = " ".join(text.split())
    lines: list[str] = []
    current = ""
    for char in text:
        if text_width(current + char, size) <= max_width:
            current += char
            continue
        if char != " " and " " in current and not _is_wide(char):
            head, _, tail = current.rpartition(" ")
            lines.append(head)
            current = tail + char
        else:
            lines.append(current.rstrip())
            current = "" if char == " " else char
    if current:
        lines.append(current)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and text_width(last + "…", size) > max_width:
        last = last[:-1]
    kept[-1] = last + "…"
    return kept


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _open(prefix: str, width: int, height: int, title: str, desc: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img"'
        f' aria-labelledby="{prefix}-title {prefix}-desc" data-width="{width}">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>',
        "<defs>",
        f'<marker id="{prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9"'
        ' markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="fc-arrowhead" fill="#5b6473"/></marker>',
        f'<marker id="{prefix}-arrow-critical" viewBox="0 0 10 10" refX="9" refY="5"'
        ' markerWidth="11" markerHeight="11" markerUnits="userSpaceOnUse"'
        ' orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="fc-arrowhead fc-critical" fill="#b3261e"/></marker>',
        "</defs>",
    ]


def _first_baseline(top: float, box_height: float, lines: int, size: int = 14) -> float:
    """Baseline of the first of ``lines`` lines so the block sits in the middle of the box."""
    block = lines * (size + 3) - 3
    return top + (box_height - block) / 2 + size * 0.85


def _text_lines(
    lines: Sequence[str], x: float, first_baseline: float, size: int, css_class: str
) -> str:
    spans = "".join(
        f'<tspan x="{x:g}" y="{first_baseline + i * (size + 3):g}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text class="{css_class}" text-anchor="middle" font-size="{size}"'
        f' fill="currentColor">{spans}</text>'
    )


def steps_svg(
    steps: Sequence[str],
    *,
    per_row: int = 5,
    title: str = "办理流程",
    id_prefix: str = "steps",
) -> Diagram:
    """The steps (环节) as numbered boxes, left to right, ``per_row`` to a row, rows joined by an
    arrow that turns down and back to the left: narrow screens get a smaller ``per_row``."""
    per_row = max(1, per_row)
    count = len(steps)
    columns = min(per_row, count) or 1
    rows = (count + per_row - 1) // per_row or 1
    width = PAD * 2 + columns * STEP_W + (columns - 1) * STEP_GAP_X
    height = PAD * 2 + rows * STEP_H + (rows - 1) * STEP_GAP_Y
    desc = " → ".join(f"{i}. {step}" for i, step in enumerate(steps, start=1))
    parts = _open(id_prefix, width, height, title, desc, "flowchart flowchart-steps")

    def box(index: int) -> tuple[int, int]:
        row, column = divmod(index, per_row)
        return (
            PAD + column * (STEP_W + STEP_GAP_X),
            PAD + row * (STEP_H + STEP_GAP_Y),
        )

    for index in range(count - 1):
        x1, y1 = box(index)
        x2, y2 = box(index + 1)
        if y1 == y2:
            path = f"M{x1 + STEP_W},{y1 + STEP_H / 2:g} L{x2 - 2},{y2 + STEP_H / 2:g}"
        else:
            mid_y = y1 + STEP_H + STEP_GAP_Y / 2
            path = (
                f"M{x1 + STEP_W / 2:g},{y1 + STEP_H} L{x1 + STEP_W / 2:g},{mid_y:g}"
                f" L{x2 + STEP_W / 2:g},{mid_y:g} L{x2 + STEP_W / 2:g},{y2 - 2}"
            )
        parts.append(
            f'<path class="fc-edge" d="{path}" fill="none" stroke="#5b6473" stroke-width="1.5"'
            f' marker-end="url(#{id_prefix}-arrow)"/>'
        )
    for index, step in enumerate(steps):
        x, y = box(index)
        lines = wrap(step, STEP_W - 16, 14, max_lines=2)
        parts.append(
            f'<g class="fc-node"><rect class="fc-box" x="{x}" y="{y}" width="{STEP_W}"'
            f' height="{STEP_H}" rx="8" fill="#eef4fb" stroke="#1f5fa8" stroke-width="1.5"/>'
            f'<circle class="fc-badge" cx="{x + 14}" cy="{y + 14}" r="9" fill="#1f5fa8"/>'
            f'<text class="fc-index" x="{x + 14}" y="{y + 18}" text-anchor="middle"'
            f' font-size="11" fill="#ffffff">{index + 1}</text>'
            + _text_lines(
                lines, x + STEP_W / 2, _first_baseline(y + 6, STEP_H, len(lines)), 14, "fc-label"
            )
            + "</g>"
        )
    parts.append("</svg>")
    return Diagram("".join(parts), width, height)


def dependency_svg(
    levels: Sequence[Sequence[str]],
    edges: Sequence[tuple[str, str]],
    nodes: Mapping[str, Node],
    critical_path: Sequence[str] = (),
    *,
    title: str = "事项办理顺序",
    id_prefix: str = "dag",
) -> Diagram:
    """The chosen items as a layered graph: one column per level (items of a column can be handled
    at the same time), an arrow for each ``after`` edge, the critical path (关键路径) in red.

    ``levels`` and ``edges`` are :attr:`Plan.levels` and :attr:`Plan.edges`; ``nodes`` labels every
    code. Codes missing from ``nodes`` are drawn with the code as label.
    """
    tallest = max((len(level) for level in levels), default=0)
    columns = len(levels)
    width = PAD * 2 + max(columns, 1) * NODE_W + max(columns - 1, 0) * NODE_GAP_X
    height = PAD * 2 + max(tallest, 1) * NODE_H + max(tallest - 1, 0) * NODE_GAP_Y
    position: dict[str, tuple[float, float]] = {}
    for column, level in enumerate(levels):
        column_height = len(level) * NODE_H + (len(level) - 1) * NODE_GAP_Y
        top = PAD + (height - 2 * PAD - column_height) / 2
        for row, code in enumerate(level):
            position[code] = (
                PAD + column * (NODE_W + NODE_GAP_X),
                top + row * (NODE_H + NODE_GAP_Y),
            )
    critical_edges = set(pairwise(critical_path))
    critical_nodes = set(critical_path)
    described = "; ".join(
        f"{index}: " + ", ".join(_label(nodes, code) for code in level)
        for index, level in enumerate(levels, start=1)
    )
    parts = _open(id_prefix, width, height, title, described, "flowchart flowchart-dag")
    # Ordinary edges first, critical ones last, so red is drawn on top.
    ordered = sorted(edges, key=lambda edge: edge in critical_edges)
    for before, after in ordered:
        if before not in position or after not in position:
            continue
        x1, y1 = position[before]
        x2, y2 = position[after]
        start_x, start_y = x1 + NODE_W, y1 + NODE_H / 2
        end_x, end_y = x2 - 2, y2 + NODE_H / 2
        bend = max((end_x - start_x) / 2, 16)
        is_critical = (before, after) in critical_edges
        css = "fc-edge fc-critical" if is_critical else "fc-edge"
        colour, stroke, marker = (
            ("#b3261e", 2.5, f"{id_prefix}-arrow-critical")
            if is_critical
            else ("#5b6473", 1.5, f"{id_prefix}-arrow")
        )
        parts.append(
            f'<path class="{css}" d="M{start_x:g},{start_y:g} C{start_x + bend:g},{start_y:g}'
            f' {end_x - bend:g},{end_y:g} {end_x:g},{end_y:g}" fill="none" stroke="{colour}"'
            f' stroke-width="{stroke}" marker-end="url(#{marker})"/>'
        )
    for level in levels:
        for code in level:
            x, y = position[code]
            node = nodes.get(code, Node(label=code))
            is_critical = code in critical_nodes
            css = "fc-node fc-critical" if is_critical else "fc-node"
            stroke, stroke_width = ("#b3261e", 2.5) if is_critical else ("#1f5fa8", 1.5)
            label_lines = wrap(node.label, NODE_W - 16, 14, max_lines=2)
            detail = wrap(node.detail, NODE_W - 16, 11, max_lines=1) if node.detail else []
            block = len(label_lines) * 17 + (14 if detail else 0)
            baseline = y + (NODE_H - block) / 2 + 13
            parts.append(
                f'<g class="{css}" data-code="{escape(code)}"><rect class="fc-box" x="{x:g}"'
                f' y="{y:g}" width="{NODE_W}" height="{NODE_H}" rx="8" fill="#eef4fb"'
                f' stroke="{stroke}" stroke-width="{stroke_width}"/>'
                + _text_lines(label_lines, x + NODE_W / 2, baseline, 14, "fc-label")
                + (
                    _text_lines(
                        detail, x + NODE_W / 2, baseline + len(label_lines) * 17, 11, "fc-detail"
                    )
                    if detail
                    else ""
                )
                + "</g>"
            )
    parts.append("</svg>")
    return Diagram("".join(parts), width, height)


def _label(nodes: Mapping[str, Node], code: str) -> str:
    node = nodes.get(code)
    return node.label if node else code
