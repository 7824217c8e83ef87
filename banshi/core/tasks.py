"""Celery tasks: one generic task runs any registered job (:mod:`banshi.core.jobs`) by name, so
beat, workers and the embedded scheduler share one code path and one list of jobs."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from banshi.core import jobs
from banshi.core.taskqueue import TASK_NAME


@shared_task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True)
def run_job(name: str) -> Any:
    """Run a registered job; its result is logged by the worker, never stored."""
    result = jobs.run(name)
    return repr(result)[:200] if result is not None else None
