"""Platform commands: bench (DESIGN benchmark contract) and setup (idempotent)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from banshi.core.bench import CONTRACT_KEYS, REGISTRY, BenchResult, register


def bench(*args: str) -> str:
    out = io.StringIO()
    call_command("bench", *args, stdout=out)
    return out.getvalue()


def test_bench_list_names_the_benchmarks():
    assert "workdays" in bench("list")


def test_an_unknown_benchmark_is_a_clear_error():
    with pytest.raises(CommandError, match="no benchmark named 'nope'"):
        bench("nope")


def test_json_ends_with_one_line_with_the_contract_keys():
    @register("tiny-test", "a benchmark for this test", 10)
    def tiny(size: int) -> BenchResult:
        return BenchResult("tiny-test", size, 200.0, "half speed", 100.0, p50_ms=1.0, p95_ms=2.0)

    try:
        last = bench("tiny-test", "--size", "3", "--json").strip().splitlines()[-1]
    finally:
        REGISTRY.pop("tiny-test")
    data = json.loads(last)
    assert set(CONTRACT_KEYS) <= set(data)
    assert data["ratio"] == 2.0 and data["size"] == 3 and data["peak_mb"] > 0


@pytest.mark.django_db
def test_workdays_bench_runs_at_a_small_size():
    data = json.loads(bench("workdays", "--size", "2000", "--json").strip().splitlines()[-1])
    assert data["name"] == "workdays" and data["size"] == 2000
    assert data["ours_per_s"] > 0 and data["baseline_per_s"] > 0


@pytest.mark.django_db
def test_setup_is_idempotent_and_creates_the_demo_accounts(settings, tmp_path):
    from django.contrib.auth import get_user_model

    settings.DATA_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("setup", "--demo", "--no-catalogue", stdout=io.StringIO())
    call_command("setup", "--demo", "--no-catalogue", stdout=io.StringIO())
    users = get_user_model().objects
    assert users.filter(username="catalog_admin").count() == 1
    assert users.get(username="sysadmin").check_password("banshi-demo-2026")
