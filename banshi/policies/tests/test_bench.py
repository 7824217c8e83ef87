"""``banshi bench match`` on a tiny data set: it runs, compares, and prints the contract's JSON."""

from __future__ import annotations

import json

from django.core.management import call_command

from banshi.core.bench import CONTRACT_KEYS
from banshi.policies import benchmarks


def test_the_benchmark_runs_and_prints_the_contract_keys(db, monkeypatch, capsys):
    monkeypatch.setattr(benchmarks, "POLICIES", 12)
    monkeypatch.setattr(benchmarks, "LOOP_SAMPLE", 40)
    call_command("bench", "match", "--size", "150", "--json")
    lines = capsys.readouterr().out.strip().splitlines()
    data = json.loads(lines[-1])
    assert set(CONTRACT_KEYS) <= set(data)
    assert {"ratio_vs_loop", "ratio_vs_sql", "database"} <= set(data)
    assert data["name"] == "match" and data["size"] == 150 and data["policies"] == 12
    assert data["results_identical"] is True
    assert any("hand-written SQL" in line for line in lines)
    assert data["peak_mb"] > 0 and data["incremental_policy_s"] >= 0
    assert set(data["cpu_s"]) == {"ours", "handwritten", "handwritten_in_database", "loop"}
    assert data["full_run_engine"].startswith("duckdb")
    assert data["handwritten_sql_in_database_s"] > 0


def test_the_benchmark_refuses_a_database_with_real_data(make_enterprise):
    make_enterprise("真实企业")
    try:
        benchmarks.bench_match(10)
    except benchmarks.BenchRefused as refused:
        assert "empty database" in str(refused)
    else:  # pragma: no cover
        raise AssertionError("the benchmark ran on real data")


def test_the_benchmark_is_listed(capsys, db):
    call_command("bench", "list")
    assert "match" in capsys.readouterr().out
