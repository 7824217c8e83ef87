"""Reading and checking catalogue YAML (DESIGN §4 contract): every problem named on its own line."""

from __future__ import annotations

from pathlib import Path

from banshi.catalog.parsing import check_paths, check_references, find_cycle, read_catalogue_text
from banshi.catalog.tests.samples import GOOD


def problems_of(text: str) -> list[str]:
    catalogue, problems = read_catalogue_text(text, "t.yaml")
    return [str(p) for p in problems + check_references(catalogue)]


def test_a_good_catalogue_has_no_problems():
    assert problems_of(GOOD) == []


def test_a_good_catalogue_is_read_into_typed_entries():
    catalogue, _ = read_catalogue_text(GOOD)
    item = catalogue.items["SCJG-XK-001"]
    assert item.promised_days == 10
    assert item.materials[1].when == "shop.area > 300"
    assert item.materials[1].deficiency_allowed is True
    assert catalogue.bundles["KBCYD"].items[1].after == ("SCJG-DJ-001",)


def test_malformed_yaml_names_the_file_and_line():
    problems = problems_of("version: 1\nitems:\n  - code: [unclosed\n")
    assert len(problems) == 1
    assert problems[0].startswith("t.yaml:")
    assert "malformed YAML" in problems[0]


def test_problem_lines_point_at_the_entry():
    text = GOOD.replace(
        "department: SCJG\n    legal_days: 20", "department: NOPE\n    legal_days: 20"
    )
    [problem] = problems_of(text)
    line = GOOD.splitlines().index("  - code: SCJG-XK-001") + 1
    assert problem.startswith(f"t.yaml:{line}:")
    assert "item SCJG-XK-001" in problem and "unknown department NOPE" in problem


def test_unknown_material_item_and_licence_type_are_each_named():
    text = (
        GOOD.replace("{material: LEASE}]", "{material: NOPE-MAT}]")
        .replace("produces: YYZZ", "produces: NOPE-LIC")
        .replace("{item: SCJG-DJ-001}\n", "{item: SCJG-DJ-001}\n      - {item: NOPE-ITEM}\n")
    )
    problems = "\n".join(problems_of(text))
    assert "unknown material NOPE-MAT" in problems
    assert "unknown licence type NOPE-LIC" in problems
    assert "unknown item NOPE-ITEM" in problems


def test_duplicate_codes_are_problems():
    text = GOOD.replace(
        "  - {code: LEASE, name: 经营场所使用证明}",
        "  - {code: LEASE, name: 经营场所使用证明}\n  - {code: LEASE, name: 又一个}",
    )
    assert any("duplicate" in p and "LEASE" in p for p in problems_of(text))


def test_a_cycle_in_after_names_the_bundle():
    text = GOOD.replace("{item: SCJG-DJ-001}\n", "{item: SCJG-DJ-001, after: [SCJG-XK-001]}\n")
    problems = problems_of(text)
    assert any("bundle KBCYD" in p and "cycle" in p for p in problems)


def test_after_naming_an_item_outside_the_bundle_is_a_problem():
    text = GOOD.replace("after: [SCJG-DJ-001]", "after: [XF-JC-001]")
    assert any("after names an item not in this bundle: XF-JC-001" in p for p in problems_of(text))


def test_an_expression_syntax_error_quotes_the_expression():
    text = GOOD.replace('when: "shop.area > 300"', 'when: "shop.area >> 300"')
    [problem] = problems_of(text)
    assert "'shop.area >> 300'" in problem


def test_unknown_names_in_expressions_are_not_problems():
    text = GOOD.replace('when: "shop.area > 300"', 'when: "nobody.knows > 1"')
    assert problems_of(text) == []


def test_promised_days_above_legal_days_is_a_problem():
    text = GOOD.replace(
        "legal_days: 20\n    promised_days: 10", "legal_days: 5\n    promised_days: 10"
    )
    assert any("promised_days 10 exceeds legal_days 5" in p for p in problems_of(text))


def test_unknown_item_kind_and_field_type_are_problems():
    text = GOOD.replace(
        "kind: 行政许可\n    department: SCJG\n    legal_days: 20",
        "kind: 许可\n    department: SCJG\n    legal_days: 20",
    )
    text = text.replace("type: number}\n", "type: money}\n", 1)
    problems = "\n".join(problems_of(text))
    assert "unknown item kind '许可'" in problems
    assert "unknown type 'money'" in problems


def test_every_problem_is_reported_not_just_the_first():
    text = GOOD.replace(
        "department: SCJG\n    legal_days: 3", "department: X1\n    legal_days: 3"
    ).replace("[{material: LEASE}]", "[{material: X2}]")
    assert len(problems_of(text)) == 2


def test_later_files_may_reference_codes_of_earlier_files(tmp_path: Path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("version: 1\ndepartments:\n  - {code: GA, name: 公安局}\n", encoding="utf-8")
    second.write_text(
        "version: 1\nitems:\n  - {code: GA-1, name: 户口登记, kind: 行政确认, department: GA}\n",
        encoding="utf-8",
    )
    _, problems = check_paths([first, second])
    assert problems == []


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path):
    _, problems = check_paths([tmp_path / "absent.yaml"])
    assert len(problems) == 1 and "cannot read file" in str(problems[0])


def test_find_cycle_returns_the_cycle_path():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": []}) is None


def test_a_question_mark_inside_flow_text_is_text_as_in_the_design_example():
    catalogue, problems = read_catalogue_text(GOOD)
    assert problems == []
    assert catalogue.bundles["KBCYD"].questions[0].text == "经营面积是多少平方米?"


def test_question_marks_in_quoted_strings_and_keys_survive():
    text = 'version: 1\ndepartments:\n  - {code: "A?", name: "谁? 什么?"}\n'
    catalogue, problems = read_catalogue_text(text)
    assert problems == []
    assert catalogue.departments["A?"].name == "谁? 什么?"
