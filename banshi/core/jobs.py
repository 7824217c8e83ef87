"""Background jobs: one registry of periodic work, run by Celery beat + workers in production and by
the in-process scheduler thread in the embedded default — the same functions either way.

An app adds its job with one line in its ``AppConfig.ready()``::

    jobs.register("licences.expiry_scan", "banshi.licences.services:scan_expiry", every=3600)

``target`` is a dotted path to a function without arguments (imported only when the job runs, so
registering imports nothing). Every job must be **idempotent**: a worker killed mid-job runs it
again (``task_acks_late`` + ``task_reject_on_worker_lost``), and two schedulers may overlap; the
work itself must take its rows under a lock or a uniqueness constraint, as the outbox dispatch,
the deliveries and the deadline scan do.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """后台任务: a named periodic job."""

    name: str
    target: str
    every: int | Callable[[], int]  # seconds between runs (a callable reads a setting late)
    description: str = ""

    @property
    def interval(self) -> int:
        return max(1, int(self.every() if callable(self.every) else self.every))

    def function(self) -> Callable[[], Any]:
        return import_string(self.target.replace(":", "."))


_jobs: dict[str, Job] = {}


def register(
    name: str, target: str, *, every: int | Callable[[], int], description: str = ""
) -> Job:
    """Add (or replace) a job; returns it."""
    job = Job(name, target, every, description)
    _jobs[name] = job
    return job


def unregister(name: str) -> None:
    _jobs.pop(name, None)


def registered() -> dict[str, Job]:
    return dict(_jobs)


def get(name: str) -> Job:
    try:
        return _jobs[name]
    except KeyError:
        raise LookupError(
            f"没有名为 {name!r} 的后台任务 / no background job named {name!r}"
        ) from None


def run(name: str) -> Any:
    """Run one job now, in this process (a Celery task body, or the embedded scheduler)."""
    return get(name).function()()


class Timetable:
    """When each job last ran in this process: the embedded scheduler's memory."""

    def __init__(self) -> None:
        self.last: dict[str, dt.datetime] = {}

    def due(self, now: dt.datetime) -> list[Job]:
        return [
            job
            for job in _jobs.values()
            if job.name not in self.last
            or (now - self.last[job.name]).total_seconds() >= job.interval
        ]

    def run_due(self, now: dt.datetime) -> dict[str, str]:
        """Run every due job once; a failing job is logged and tried again at its next turn."""
        outcome: dict[str, str] = {}
        for job in self.due(now):
            self.last[job.name] = now
            try:
                run(job.name)
                outcome[job.name] = "ok"
            except Exception:
                log.exception("background job %s failed", job.name)
                outcome[job.name] = "failed"
        return outcome

    def tick_seconds(self) -> int:
        """How often the scheduler should look: the shortest interval, at least 1 s."""
        return min((job.interval for job in _jobs.values()), default=60)
