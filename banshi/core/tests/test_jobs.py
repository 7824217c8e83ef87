"""The job registry, the embedded timetable, the beat schedule and in-process enqueueing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from banshi.core import jobs, taskqueue

CALLS: list[str] = []


def record() -> str:
    CALLS.append("ran")
    return "ok"


def explode() -> None:
    raise RuntimeError("boom")


@pytest.fixture
def test_job():
    CALLS.clear()
    jobs.register("test.record", "banshi.core.tests.test_jobs:record", every=60)
    yield "test.record"
    jobs.unregister("test.record")


def test_the_apps_register_their_jobs():
    names = set(jobs.registered())
    assert {"cases.scan_deadlines", "cases.retry_notices", "outbox.dispatch"} <= names
    assert {"webhooks.send", "notify.send"} <= names


def test_every_job_is_in_the_beat_schedule_as_the_one_generic_task():
    schedule = taskqueue.beat_schedule()
    assert set(schedule) == set(jobs.registered())
    entry = schedule["notify.send"]
    assert entry["task"] == "banshi.run_job" and entry["args"] == ("notify.send",)


def test_the_celery_configuration_is_at_least_once(settings):
    settings.BROKER_URL = "redis://127.0.0.1:6379/0"
    config = taskqueue.celery_config()
    assert config["task_acks_late"] and config["task_reject_on_worker_lost"]
    assert config["worker_prefetch_multiplier"] == 1 and not config["task_always_eager"]
    assert config["broker_transport_options"]["visibility_timeout"] == 3600


def test_without_a_broker_enqueue_runs_the_job_here(settings, test_job):
    settings.BROKER_URL = ""
    assert taskqueue.enqueue(test_job) is True and CALLS == ["ran"]


def test_an_unknown_job_is_refused_in_chinese_and_english():
    with pytest.raises(LookupError, match=r"没有名为.*no background job"):
        taskqueue.enqueue("no.such.job")


def test_the_timetable_runs_each_job_at_its_interval_and_survives_a_failure(test_job):
    jobs.register("test.explode", "banshi.core.tests.test_jobs:explode", every=60)
    try:
        table = jobs.Timetable()
        t0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        later = t0 + dt.timedelta(days=1)  # the apps' own jobs are not due in this test
        table.last = {name: later for name in jobs.registered() if not name.startswith("test.")}
        assert table.run_due(t0) == {"test.record": "ok", "test.explode": "failed"}
        assert table.run_due(t0 + dt.timedelta(seconds=30)) == {}
        assert table.run_due(t0 + dt.timedelta(seconds=61)) == {
            "test.record": "ok",
            "test.explode": "failed",
        }
    finally:
        jobs.unregister("test.explode")
    assert CALLS == ["ran", "ran"]


def test_worker_and_beat_refuse_without_a_broker(settings):
    settings.BROKER_URL = ""
    for command in ("worker", "beat"):
        with pytest.raises(CommandError, match="BROKER_URL"):
            call_command(command)


@pytest.mark.django_db
def test_the_jobs_command_lists_and_runs(settings, capsys, test_job):
    settings.BROKER_URL = ""
    call_command("jobs")
    assert "notify.send" in capsys.readouterr().out
    call_command("jobs", "--run", test_job)
    assert CALLS == ["ran"]
