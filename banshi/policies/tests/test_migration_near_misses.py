"""Migration 0003: near misses that earlier versions stored as ``Match`` rows become ``NearMiss``
rows and per-policy counts, so a run made before the upgrade reads the same after it."""

from __future__ import annotations

import importlib
from decimal import Decimal

from django.apps import apps
from django.db import connection

from banshi.policies import engine
from banshi.policies.models import Match, MatchRunPolicy, NearMiss

THREE = [
    ("注册资本不低于500万元", "enterprise.registered_capital >= 500"),
    ("高新技术企业", "enterprise.is_high_tech == true"),
    ("注册在一号街道", "enterprise.district in ['410173001']"),
]


class _Editor:
    """What the migration's function uses of a schema editor: its connection."""

    connection = connection


def _as_before_the_migration(run_id: int, results: dict) -> None:
    """Store a run's results the way the code before 0003 did: every result a ``Match`` row."""
    NearMiss.objects.filter(run_id=run_id).delete()
    MatchRunPolicy.objects.filter(run_id=run_id).update(missed_counts=[])
    Match.objects.bulk_create(
        Match(
            run_id=run_id,
            policy_version_id=version_id,
            enterprise_id=enterprise_id,
            matched=matched,
            held=held,
            unknown=unknown,
            missed=missed,
        )
        for (version_id, enterprise_id), (matched, held, unknown, missed) in results.items()
        if not matched
    )


def test_near_misses_stored_as_match_rows_are_moved_into_near_miss_rows(
    make_enterprise, make_policy
):
    make_enterprise(registered_capital=Decimal("600"), is_high_tech=True, district="410173001")
    make_enterprise(registered_capital=Decimal("300"), is_high_tech=True, district="410173001")
    make_enterprise(registered_capital=None, is_high_tech=True, district="410173001")
    make_enterprise(registered_capital=Decimal("300"), is_high_tech=False, district="410173001")
    version = make_policy(THREE)
    run = engine.run_full()
    results = engine.stored_results(run.pk)
    counts = MatchRunPolicy.objects.get(run=run, policy_version=version).missed_counts
    assert counts == [2, 0, 0]  # capital missed by one, unknown for another
    _as_before_the_migration(run.pk, results)
    assert not NearMiss.objects.filter(run_id=run.pk).exists()

    migration = importlib.import_module("banshi.policies.migrations.0003_near_miss_sets")
    migration.move_near_misses(apps, _Editor())

    assert engine.stored_results(run.pk) == results
    assert not Match.objects.filter(run_id=run.pk, matched=False).exists()
    assert MatchRunPolicy.objects.get(run=run, policy_version=version).missed_counts == counts
