"""A task only the broker tests load into their worker (``celery worker --include``): it runs a
real job and then, on its first run only, stalls so the test can SIGKILL the worker mid-task."""

from __future__ import annotations

import time
from pathlib import Path

from celery import shared_task
from django.db import transaction

from banshi.core import jobs


@shared_task(name="banshi.tests.stalling_job", acks_late=True, reject_on_worker_lost=True)
def stalling_job(job: str, marker: str, stall: str) -> int:
    """Run ``job``; on the first run stall (``inside`` its transaction, or ``after`` it committed)
    long enough to be killed. Each run appends a line to ``marker``."""
    path = Path(marker)
    with path.open("a") as file:
        file.write("run\n")
    first = path.read_text().count("run") == 1
    if stall == "inside":
        with transaction.atomic():
            jobs.run(job)
            _mark(path, "done-uncommitted")
            if first:
                time.sleep(120)
    else:
        jobs.run(job)
        _mark(path, "committed")
        if first:
            time.sleep(120)
    return 1


def _mark(path: Path, word: str) -> None:
    with path.open("a") as file:
        file.write(word + "\n")
