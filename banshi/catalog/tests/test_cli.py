"""``banshi catalog load|check|report|export`` behave as the DESIGN §4 contract says."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from banshi.catalog.tests.samples import GOOD

CONTRACT_KEYS = {"code", "name", "items", "fields", "materials", "days", "steps", "visits"}


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("catalog", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str, name: str = "c.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_check_prints_one_line_per_problem_and_exits_1(tmp_path):
    bad = GOOD.replace("{material: LEASE}]", "{material: NOPE}]").replace(
        "produces: YYZZ", "produces: NOLIC"
    )
    with pytest.raises(SystemExit) as exit_info:
        run("check", write(tmp_path, bad))
    assert exit_info.value.code == 1


def test_check_lines_name_the_codes(tmp_path, capsys):
    bad = GOOD.replace("{material: LEASE}]", "{material: NOPE}]").replace(
        "produces: YYZZ", "produces: NOLIC"
    )
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("catalog", "check", write(tmp_path, bad), stdout=out, stderr=io.StringIO())
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 2
    assert any("NOPE" in line for line in lines) and any("NOLIC" in line for line in lines)


def test_check_of_a_clean_file_succeeds(tmp_path):
    out, _ = run("check", write(tmp_path, GOOD))
    assert "no problems" in out


@pytest.mark.django_db
def test_report_json_from_the_database_uses_the_contract_keys(tmp_path):
    run("load", write(tmp_path, GOOD))
    out, _ = run("report", "--json")
    data = json.loads(out)
    [bundle] = data["bundles"]
    assert set(bundle) == CONTRACT_KEYS
    assert bundle["items"] == ["SCJG-DJ-001", "SCJG-XK-001"]


@pytest.mark.django_db
def test_report_with_answers_evaluates_conditions(tmp_path):
    run("load", write(tmp_path, GOOD))
    small, _ = run("report", "--bundle", "KBCYD", "--answers", '{"shop.area": 100}', "--json")
    large, _ = run("report", "--bundle", "KBCYD", "--json")
    assert json.loads(small)["bundles"][0]["materials"]["before"] == 2
    assert json.loads(large)["bundles"][0]["materials"]["before"] == 3


def test_report_can_read_files_without_a_database(tmp_path):
    out, _ = run("report", write(tmp_path, GOOD), "--json")
    assert json.loads(out)["bundles"][0]["code"] == "KBCYD"


@pytest.mark.django_db
def test_report_refuses_bad_answers_json(tmp_path):
    with pytest.raises(CommandError):
        run("report", "--answers", "{not json")


@pytest.mark.django_db
def test_load_of_a_bad_file_is_refused_with_every_problem(tmp_path):
    bad = GOOD.replace("{material: LEASE}]", "{material: NOPE}]")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("catalog", "load", write(tmp_path, bad), stdout=io.StringIO(), stderr=err)
    assert "unknown material NOPE" in err.getvalue()


@pytest.mark.django_db
def test_export_writes_yaml_that_checks_clean(tmp_path):
    run("load", write(tmp_path, GOOD))
    target = tmp_path / "export.yaml"
    run("export", "--output", str(target))
    out, _ = run("check", str(target))
    assert "no problems" in out


@pytest.mark.django_db
def test_report_refuses_an_answer_of_the_wrong_type(tmp_path):
    run("load", write(tmp_path, GOOD))
    with pytest.raises(CommandError, match="does not fit a condition"):
        run("report", "--answers", '{"shop.area": "很大"}')
