"""The SVG diagrams of guides and plans (pure: no Django needed)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from banshi.portal.flowchart import (
    NODE_W,
    Node,
    dependency_svg,
    steps_svg,
    text_width,
    wrap,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(diagram) -> ET.Element:
    return ET.fromstring(diagram.svg)


def test_steps_are_numbered_boxes_joined_by_arrows():
    root = parse(steps_svg(["申请", "受理", "审查", "决定"]))
    assert len(root.findall(f".//{SVG}rect")) == 4
    assert len(root.findall(f".//{SVG}path[@class='fc-edge']")) == 3
    assert [t.text for t in root.findall(f".//{SVG}text[@class='fc-index']")] == [
        "1",
        "2",
        "3",
        "4",
    ]


def test_steps_wrap_into_rows_of_per_row():
    wide = steps_svg(["a", "b", "c", "d", "e"], per_row=5)
    narrow = steps_svg(["a", "b", "c", "d", "e"], per_row=2)
    assert narrow.width < wide.width and narrow.height > wide.height
    rows = {rect.get("y") for rect in parse(narrow).findall(f".//{SVG}rect")}
    assert len(rows) == 3


def test_the_diagram_describes_itself_for_screen_readers():
    root = parse(steps_svg(["申请", "办结"], title="办理流程", id_prefix="s1"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "s1-title s1-desc"
    assert root.find(f"{SVG}title").text == "办理流程"
    assert root.find(f"{SVG}desc").text == "1. 申请 → 2. 办结"


def test_text_is_escaped():
    svg = steps_svg(['<script>alert("x")</script>', "a & b"]).svg
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "a &amp; b" in svg
    parse(steps_svg(["<b>", "&"]))  # still well-formed XML


def test_no_steps_gives_an_empty_but_valid_drawing():
    root = parse(steps_svg([]))
    assert root.findall(f".//{SVG}rect") == []


def test_wrap_breaks_chinese_anywhere_and_ends_with_an_ellipsis():
    lines = wrap("公众聚集场所投入使用营业前消防安全检查", 98, 14, max_lines=2)
    assert len(lines) == 2 and lines[1].endswith("…")
    assert all(text_width(line, 14) <= 98 for line in lines)


def test_wrap_keeps_latin_words_whole_when_it_can():
    assert wrap("fire safety inspection", 100, 14, max_lines=3) == ["fire safety", "inspection"]


def test_dependency_graph_puts_each_level_in_a_column():
    diagram = dependency_svg(
        levels=[("A",), ("B", "C")],
        edges=[("A", "B"), ("A", "C")],
        nodes={"A": Node("登记"), "B": Node("许可"), "C": Node("消防")},
        critical_path=("A", "B"),
    )
    root = parse(diagram)
    xs = {g.get("data-code"): float(g.find(f"{SVG}rect").get("x")) for g in root.iter(f"{SVG}g")}
    assert xs["B"] == xs["C"] > xs["A"]
    assert diagram.width >= 2 * NODE_W


def test_dependency_graph_highlights_the_critical_path():
    svg = dependency_svg(
        levels=[("A",), ("B", "C")],
        edges=[("A", "B"), ("A", "C")],
        nodes={"A": Node("登记"), "B": Node("许可"), "C": Node("消防")},
        critical_path=("A", "B"),
    ).svg
    assert len(re.findall(r'class="fc-node fc-critical" data-code="(A|B)"', svg)) == 2
    assert 'class="fc-node" data-code="C"' in svg
    assert svg.count('class="fc-edge fc-critical"') == 1
    assert svg.count('class="fc-edge"') == 1


def test_dependency_graph_labels_unknown_codes_with_the_code():
    svg = dependency_svg(levels=[("X-1",)], edges=[], nodes={}).svg
    assert "X-1" in svg


def test_the_module_does_not_import_django():
    import ast
    from pathlib import Path

    import banshi.portal.flowchart as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {
        name.name if isinstance(node, ast.Import) else node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (node.names if isinstance(node, ast.Import) else [node])
    }
    assert not any(str(name).startswith("django") for name in imported)
