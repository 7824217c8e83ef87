"""The shipped national catalogue: clean, loadable, and the README's table is its real report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from banshi.catalog import services
from banshi.catalog.canonical import dump_catalogue
from banshi.catalog.management.commands.catalog import national_files
from banshi.catalog.parsing import check_paths
from banshi.catalog.report import render_markdown, report
from banshi.catalog.selectors import build_catalogue
from banshi.core import clock

README = Path(__file__).resolve().parents[3] / "README.md"
FIRST_BATCH = {
    "开办餐饮店一件事",
    "企业信息变更一件事",
    "开办运输企业一件事",
    "企业破产信息核查一件事",
    "经营主体注销登记一件事",
    "企业上市合法合规信息核查一件事",
    "水电气网联合报装一件事",
    "信用修复一件事",
    "新生儿出生一件事",
    "教育入学一件事",
    "社会保障卡居民服务一件事",
    "残疾人服务一件事",
    "退休一件事",
}


def national():
    catalogue, problems = check_paths(national_files())
    return catalogue, problems


def test_the_national_catalogue_checks_clean():
    _, problems = national()
    assert [str(p) for p in problems] == []


def test_the_thirteen_first_batch_bundles_are_shipped():
    catalogue, _ = national()
    names = {bundle.name for bundle in catalogue.bundles.values() if bundle.batch == "2024-1"}
    assert names == FIRST_BATCH


def test_the_airport_zone_featured_bundles_are_shipped():
    catalogue, _ = national()
    local = {bundle.name for bundle in catalogue.bundles.values() if bundle.batch == "local"}
    assert "外贸一类事" in local


def test_the_readme_table_is_the_report_of_the_shipped_catalogue():
    catalogue, _ = national()
    text = README.read_text(encoding="utf-8")
    match = re.search(
        r"<!-- REDUCTION-TABLE:BEGIN -->\n(.*?)\n<!-- REDUCTION-TABLE:END -->", text, re.S
    )
    assert match, "README lost its reduction table markers"
    expected = render_markdown(report(catalogue)).strip()
    assert match.group(1).strip() == expected, (
        "README table is stale: run `banshi catalog report banshi/catalog/national/*.yaml --markdown`"
    )


@pytest.mark.django_db
def test_the_national_catalogue_loads_and_round_trips(tmp_path):
    first = services.load_catalogue(national_files())
    assert first.created["bundle"] == len(national()[0].bundles)
    assert not services.load_catalogue(national_files()).changed
    exported = tmp_path / "export.yaml"
    exported.write_text(dump_catalogue(build_catalogue(clock.today())), encoding="utf-8")
    assert not services.load_catalogue([exported]).changed
