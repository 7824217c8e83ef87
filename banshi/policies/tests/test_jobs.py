"""The matching background jobs (banshi.core.jobs): the incremental run over queued portrait
changes and the periodic full run that also finishes an interrupted one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from banshi.core import clock, jobs
from banshi.policies import engine, services
from banshi.policies.models import Match, MatchRun, PortraitChange

TWO = [
    ("注册资本不低于500万元", "enterprise.registered_capital >= 500"),
    ("高新技术企业", "enterprise.is_high_tech == true"),
]


class Crash(Exception):
    pass


def test_both_jobs_are_registered_with_intervals_from_the_settings(settings):
    settings.BANSHI_POLICY_CHANGES_MINUTES = 7
    settings.BANSHI_POLICY_FULL_RUN_HOURS = 12
    registered = jobs.registered()
    assert registered["policies.match_changes"].interval == 7 * 60
    assert registered["policies.full_run"].interval == 12 * 3600


def test_a_bad_interval_is_refused_with_a_bilingual_message(settings):
    settings.BANSHI_POLICY_FULL_RUN_HOURS = "0"
    with pytest.raises(ValueError, match=r"正整数.*positive integer"):
        jobs.get("policies.full_run").interval  # noqa: B018


def test_the_changes_job_rematches_queued_enterprises(make_enterprise, make_policy):
    version = make_policy(TWO)
    enterprise = make_enterprise(registered_capital=Decimal("100"), is_high_tech=True)
    full = engine.run_full()
    services.set_portrait_values(enterprise, {"enterprise.registered_capital": 900})
    jobs.run("policies.match_changes")
    row = Match.objects.get(run=full, policy_version=version, enterprise_id=enterprise.pk)
    assert row.matched
    assert not PortraitChange.objects.filter(processed_by__isnull=True).exists()


def test_the_full_run_job_finishes_an_interrupted_run(make_enterprise, make_policy):
    make_enterprise(registered_capital=Decimal("600"), is_high_tech=True)
    for _ in range(2):
        make_policy(TWO)

    def crash(run, version):
        raise Crash("power cut")

    with pytest.raises(Crash):
        engine.run_full(on_policy_done=crash)
    interrupted = MatchRun.objects.get(kind=MatchRun.Kind.FULL)
    jobs.run("policies.full_run")
    interrupted.refresh_from_db()
    assert interrupted.status == MatchRun.Status.FINISHED
    assert MatchRun.objects.filter(kind=MatchRun.Kind.FULL, subject_kind="enterprise").count() == 1


def test_the_full_run_job_waits_an_interval_after_a_finished_run(make_enterprise, make_policy):
    make_enterprise(registered_capital=Decimal("600"), is_high_tech=True)
    make_policy(TWO)
    jobs.run("policies.full_run")
    jobs.run("policies.full_run")  # another web process, or a restart: the run is fresh
    full = MatchRun.objects.filter(kind=MatchRun.Kind.FULL, subject_kind="enterprise")
    assert full.count() == 1
    with clock.frozen(clock.now() + dt.timedelta(hours=25)):
        jobs.run("policies.full_run")
    assert full.count() == 2


def test_the_full_run_job_leaves_a_run_still_being_written_alone(make_enterprise, make_policy):
    make_enterprise(registered_capital=Decimal("600"), is_high_tech=True)
    make_policy(TWO)
    now = clock.now()
    running = MatchRun.objects.create(
        kind=MatchRun.Kind.FULL,
        subject_kind="enterprise",
        status=MatchRun.Status.RUNNING,
        today=now.date(),
        plan=[],
        started_at=now,
        heartbeat_at=now,
    )
    jobs.run("policies.full_run")  # no error: skipped and logged
    running.refresh_from_db()
    assert running.status == MatchRun.Status.RUNNING
    assert MatchRun.objects.filter(kind=MatchRun.Kind.FULL, subject_kind="enterprise").count() == 1


def test_resume_does_not_take_over_a_run_with_a_fresh_heartbeat(make_enterprise, make_policy):
    make_policy(TWO)
    now = clock.now()
    MatchRun.objects.create(
        kind=MatchRun.Kind.FULL,
        subject_kind="enterprise",
        status=MatchRun.Status.RUNNING,
        today=now.date(),
        plan=[],
        started_at=now,
        heartbeat_at=now,
    )
    with pytest.raises(engine.MatchBusy):
        engine.run_full(resume=True)
    with clock.frozen(now + engine.STALE_AFTER + dt.timedelta(minutes=1)):
        resumed = engine.run_full(resume=True)  # silent for longer than STALE_AFTER: interrupted
    assert resumed.status == MatchRun.Status.FINISHED
