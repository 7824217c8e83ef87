"""The matching engine: results, near misses, unknowns, runs (full, policy, subjects), interruption."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from banshi.core import clock
from banshi.policies import engine, services
from banshi.policies.explain import explain
from banshi.policies.models import (
    Match,
    MatchRun,
    MatchRunPolicy,
    PolicyVersion,
    PortraitChange,
)

THREE = [
    ("注册资本不低于500万元", "enterprise.registered_capital >= 500"),
    ("高新技术企业", "enterprise.is_high_tech == true"),
    ("注册在一号街道", "enterprise.district in ['410173001']"),
]


def rows(run_or_id, version=None):
    run_id = getattr(run_or_id, "pk", run_or_id)
    versions = [version.pk] if version is not None else None
    stored = engine.stored_results(run_id, version_ids=versions)
    return {enterprise_id: row for (_, enterprise_id), row in stored.items()}


@pytest.fixture(autouse=True, params=["duckdb", "database"])
def full_run_engine(request, settings, monkeypatch):
    """Every test here runs with both full-run engines: the columnar one (DuckDB) committing one
    policy per batch, so that progress and interruption are per policy as in the database."""

    settings.BANSHI_POLICY_FULL_RUN_ENGINE = request.param
    monkeypatch.setattr(engine, "BATCH_POLICIES", 1)
    return request.param


@pytest.fixture
def four(make_enterprise):
    """met all / missed capital / capital unknown / missed two."""
    return [
        make_enterprise(registered_capital=Decimal("600"), is_high_tech=True, district="410173001"),
        make_enterprise(registered_capital=Decimal("300"), is_high_tech=True, district="410173001"),
        make_enterprise(registered_capital=None, is_high_tech=True, district="410173001"),
        make_enterprise(
            registered_capital=Decimal("300"), is_high_tech=False, district="410173001"
        ),
    ]


def test_a_full_run_writes_matches_with_the_conditions_that_held(four, make_policy):
    version = make_policy(THREE)
    run = engine.run_full()
    assert rows(run)[four[0].pk] == (True, 0b111, 0, None)
    assert run.status == MatchRun.Status.FINISHED
    assert (run.matched, run.near_misses, run.policies_done) == (1, 2, 1)
    assert PolicyVersion.objects.get(pk=version.pk).current_run_id == run.pk


def test_a_near_miss_records_the_one_condition_missed(four, make_policy):
    make_policy(THREE)
    run = engine.run_full()
    assert rows(run)[four[1].pk] == (False, 0b110, 0, 0)


def test_an_enterprise_missing_two_conditions_gets_no_row(four, make_policy):
    make_policy(THREE)
    run = engine.run_full()
    assert four[3].pk not in rows(run)


def test_a_missing_value_makes_its_condition_unknown_never_met(four, make_policy):
    make_policy(THREE)
    run = engine.run_full()
    assert rows(run)[four[2].pk] == (False, 0b110, 0b001, 0)


@pytest.mark.parametrize(
    "source",
    [
        "not (enterprise.registered_capital < 500)",
        "enterprise.registered_capital != 1",
        "enterprise.registered_capital >= 500 or enterprise.registered_capital < 500",
        "enterprise.registered_capital not in [1, 2]",
        "enterprise.registered_capital / enterprise.employees >= 0",
    ],
)
def test_a_missing_value_never_matches_even_through_negation(make_enterprise, make_policy, source):
    blank = make_enterprise(registered_capital=None, employees=3, is_high_tech=True)
    version = make_policy([("条件", source), ("高新", "enterprise.is_high_tech")])
    run = engine.run_full()
    matched, held, unknown, missed = rows(run)[blank.pk]
    assert not matched and held == 0b10 and unknown == 0b01 and missed == 0
    assert explain(version, blank).results[0].value is None


def test_division_by_a_zero_value_is_unknown_not_an_error(make_enterprise, make_policy):
    zero = make_enterprise(revenue=Decimal("100"), employees=0, is_high_tech=True)
    make_policy(
        [
            ("人均营收", "enterprise.revenue / enterprise.employees >= 1"),
            ("高新", "enterprise.is_high_tech"),
        ]
    )
    run = engine.run_full()
    assert rows(run)[zero.pk] == (False, 0b10, 0b01, 0)


def test_a_policy_of_one_condition_has_no_near_misses(four, make_policy):
    make_policy([("高新", "enterprise.is_high_tech")])
    run = engine.run_full()
    assert set(rows(run)) == {four[0].pk, four[1].pk, four[2].pk}
    assert all(matched for matched, *_ in rows(run).values())


def test_conditions_with_today_use_the_run_date(make_enterprise, make_policy):
    young = make_enterprise(established_on=dt.date(2024, 12, 1), is_high_tech=True)
    old = make_enterprise(established_on=dt.date(2020, 1, 1), is_high_tech=True)
    make_policy(
        [
            ("成立不满3年", "today() - enterprise.established_on <= 1095"),
            ("高新", "enterprise.is_high_tech"),
        ]
    )
    run = engine.run_full()
    assert rows(run)[young.pk][0] is True
    assert rows(run)[old.pk] == (False, 0b10, 0, 0)


def test_only_published_policies_in_force_are_matched(four, make_policy):
    draft = make_policy(THREE, publish=False)
    expired = make_policy(THREE, valid_until=dt.date(2025, 1, 1))
    future = make_policy(THREE, valid_from=dt.date(2026, 1, 1))
    current = make_policy(THREE)
    run = engine.run_full()
    assert run.plan == [current.pk]
    assert not Match.objects.filter(policy_version__in=[draft, expired, future]).exists()


def test_matching_agrees_with_explain_for_every_enterprise(four, make_policy):
    version = make_policy(THREE)
    run = engine.run_full()
    found = rows(run)
    for enterprise in four:
        explanation = explain(version, enterprise)
        if explanation.matched or explanation.near_miss:
            missed = explanation.missed.index if explanation.missed else None
            assert found[enterprise.pk] == (
                explanation.matched,
                explanation.held_mask,
                explanation.unknown_mask,
                missed,
            )
        else:
            assert enterprise.pk not in found


def test_the_editor_count_says_how_many_match_and_miss_one(four):
    conditions = services._clean_content(
        {"title": "t", "mode": "auto_grant", "benefit_amount": "1", "conditions": THREE}
    )["conditions"]
    counts = engine.count(conditions)
    assert (counts.subjects, counts.matched, counts.near_misses) == (4, 1, 2)
    assert counts.per_condition == [1, 3, 4]


def test_the_sql_keeps_a_selective_prefilter_and_checks_the_rarest_condition_first():
    fragments = [("a", []), ("b", []), ("c", [])]
    plan = engine.make_plan(fragments, [0.9, 0.05, 0.2])
    assert plan.order == [1, 2, 0]
    assert plan.prefilter == (1, 2)
    sql, _ = engine.insert_sql(plan, run_id=1, version_id=2)
    assert "(b OR c) AND (CASE WHEN b THEN CASE WHEN c THEN CASE WHEN a" in sql


def test_a_broad_policy_gets_no_prefilter():
    plan = engine.make_plan([("a", []), ("b", [])], [0.6, 0.7])
    assert plan.prefilter is None


# -- incremental runs ------------------------------------------------------------------------


def test_publishing_a_change_matches_that_policy_and_keeps_the_others(four, make_policy, staff):
    first = make_policy(THREE)
    other = make_policy(THREE)
    full = engine.run_full()
    draft = services.new_version(first.policy, user=staff["writer"])
    draft = services.save_draft(
        draft,
        user=staff["writer"],
        conditions=[(n, s.replace("500", "200")) for n, s in THREE],
    )
    changed = services.publish(draft, user=staff["writer"])
    run = engine.run_policy(changed)
    assert run.kind == MatchRun.Kind.POLICY
    assert rows(run, changed)[four[1].pk][0] is True  # 300 >= 200 now
    assert PolicyVersion.objects.get(pk=other.pk).current_run_id == full.pk
    assert rows(full, other)  # the other policy's rows are untouched


def test_publishing_runs_the_match_after_commit_when_enabled(
    four, make_policy, settings, django_capture_on_commit_callbacks
):
    settings.BANSHI_POLICY_MATCH_ON_CHANGE = True
    with django_capture_on_commit_callbacks(execute=True):
        version = make_policy(THREE)
    version.refresh_from_db()
    assert version.current_run is not None
    assert version.current_run.kind == MatchRun.Kind.POLICY
    assert rows(version.current_run)[four[0].pk][0] is True


def test_a_superseded_version_loses_its_results(
    four, make_policy, staff, django_capture_on_commit_callbacks
):
    first = make_policy(THREE)
    engine.run_full()
    draft = services.new_version(first.policy, user=staff["writer"])
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(draft, user=staff["writer"])
    first.refresh_from_db()
    assert first.current_run_id is None
    assert not Match.objects.filter(policy_version=first).exists()


def test_a_changed_enterprise_is_rematched_against_every_policy(four, make_policy):
    version = make_policy(THREE)
    other = make_policy(
        [("高新", "enterprise.is_high_tech"), ("资本", "enterprise.registered_capital >= 100")]
    )
    full = engine.run_full()
    services.set_portrait_values(
        four[3], {"enterprise.is_high_tech": True, "enterprise.registered_capital": 800}
    )
    assert PortraitChange.objects.filter(enterprise=four[3], processed_by__isnull=True).exists()
    run = engine.run_changed_subjects()
    assert run.kind == MatchRun.Kind.SUBJECTS and run.subjects == 1 and run.policies_done == 2
    assert rows(full, version)[four[3].pk] == (True, 0b111, 0, None)
    assert rows(full, other)[four[3].pk][0] is True
    assert not PortraitChange.objects.filter(processed_by__isnull=True).exists()
    assert engine.run_changed_subjects() is None  # nothing queued


def test_a_subject_that_no_longer_qualifies_loses_its_row(four, make_policy):
    version = make_policy(THREE)
    full = engine.run_full()
    services.set_portrait_values(
        four[0], {"enterprise.is_high_tech": False, "enterprise.district": "410173009"}
    )
    engine.run_changed_subjects()
    assert four[0].pk not in rows(full, version)


def test_changes_made_during_a_full_run_are_applied_when_it_switches(four, make_policy):
    version = make_policy(THREE)

    def change_meanwhile(run, done):
        services.set_portrait_values(
            four[3], {"enterprise.is_high_tech": True, "enterprise.registered_capital": 900}
        )

    run = engine.run_full(on_policy_done=change_meanwhile)
    assert rows(run, version)[four[3].pk][0] is True


# -- interruption and resumption --------------------------------------------------------------


class Crash(Exception):
    pass


def test_an_interrupted_run_keeps_the_previous_results_and_resumes(four, make_policy):
    versions = [make_policy(THREE) for _ in range(3)]
    previous = engine.run_full()
    before = {v.pk: rows(previous, v) for v in versions}
    services.set_portrait_values(four[1], {"enterprise.registered_capital": 700})
    PortraitChange.objects.update(processed_by=previous)  # not drained: only the full run sees it

    calls = []

    def crash_after_one(run, version):
        calls.append(version.pk)
        if len(calls) == 1:
            raise Crash("power cut")

    with pytest.raises(Crash):
        engine.run_full(on_policy_done=crash_after_one)
    interrupted = MatchRun.objects.order_by("-pk").first()
    assert interrupted.status == MatchRun.Status.FAILED and "power cut" in interrupted.error
    for version in versions:  # every policy still shows the previous run's rows
        assert PolicyVersion.objects.get(pk=version.pk).current_run_id == previous.pk
        assert rows(previous, version) == before[version.pk]
    assert MatchRunPolicy.objects.filter(run=interrupted).count() == 1

    resumed = engine.run_full(resume=True)
    assert resumed.pk == interrupted.pk and resumed.status == MatchRun.Status.FINISHED
    assert len(calls) == 1  # the callback was not passed again; the one done was skipped
    assert MatchRunPolicy.objects.filter(run=resumed).count() == 3
    for version in versions:
        assert PolicyVersion.objects.get(pk=version.pk).current_run_id == resumed.pk
        assert rows(resumed, version)[four[1].pk][0] is True
        assert not Match.objects.filter(run=previous, policy_version=version).exists()  # purged


def test_a_resumed_run_keeps_its_original_day(four, make_policy):
    make_policy(THREE)
    make_policy(THREE)

    def crash(run, version):
        raise Crash("stop")

    with pytest.raises(Crash):
        engine.run_full(on_policy_done=crash)
    with clock.frozen(dt.date(2025, 7, 1)):
        resumed = engine.run_full(resume=True)
    assert resumed.today == dt.date(2025, 6, 2)


def test_a_second_full_run_is_refused_while_one_is_running(four, make_policy):
    make_policy(THREE)
    MatchRun.objects.create(
        kind=MatchRun.Kind.FULL,
        today=clock.today(),
        started_at=clock.now(),
        heartbeat_at=clock.now(),
    )
    with pytest.raises(engine.MatchBusy):
        engine.run_full()


def test_a_silent_running_run_counts_as_interrupted(four, make_policy):
    make_policy(THREE)
    stale = clock.now() - dt.timedelta(hours=1)
    MatchRun.objects.create(
        kind=MatchRun.Kind.FULL, today=clock.today(), started_at=stale, heartbeat_at=stale
    )
    assert engine.run_full().status == MatchRun.Status.FINISHED


def test_a_policy_repealed_during_an_interruption_is_skipped_on_resume(four, make_policy, staff):
    keep, drop = make_policy(THREE), make_policy(THREE)

    def crash(run, version):
        raise Crash("stop")

    with pytest.raises(Crash):
        engine.run_full(on_policy_done=crash)
    services.repeal(drop.policy, user=staff["writer"])
    resumed = engine.run_full(resume=True)
    assert PolicyVersion.objects.get(pk=keep.pk).current_run_id == resumed.pk
    assert PolicyVersion.objects.get(pk=drop.pk).current_run_id is None


def test_a_full_run_forgets_the_changes_it_has_taken_in(four, make_policy):
    make_policy(THREE)
    services.set_portrait_values(four[3], {"enterprise.employees": 9})
    engine.run_changed_subjects()
    assert PortraitChange.objects.count() == 1
    engine.run_full()
    assert not PortraitChange.objects.exists()
