"""``banshi bench submit`` runs end to end at a tiny size and ends with the contract's JSON line.

Not a timed test: the figures are whatever this machine gives; only the shape is checked.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from banshi.cases.models import Application, OutboxMessage
from banshi.core.bench import CONTRACT_KEYS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the bench needs PostgreSQL (DATABASE_URL=postgres://…)",
)
def test_the_submit_bench_runs_end_to_end_and_prints_the_contract_keys(capsys):
    call_command("bench", "submit", "--size", "3", "--json")
    output = capsys.readouterr().out.strip().splitlines()
    data = json.loads(output[-1])
    assert set(CONTRACT_KEYS) <= set(data)
    assert data["name"] == "submit" and data["size"] == 3
    assert data["ours_per_s"] > 0 and data["baseline_per_s"] > 0 and data["ratio"] > 0
    assert data["p50_ms"] > 0 and data["p95_ms"] >= data["p50_ms"]
    assert any("data size" in line for line in output)
    # the database runs on this machine in the test set-up: its CPU is read for both sides
    # (in clock ticks of 10 ms: three baseline transactions may well take none)
    assert data["database_cpu_ms_per_submission"] >= 0 and data["baseline_database_cpu_ms"] >= 0
    assert Application.objects.count() == 0 and OutboxMessage.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="checks the refusal on SQLite")
def test_the_submit_bench_refuses_sqlite_with_a_clear_message():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench", "submit", "--size", "1")
