"""The Celery application: background work on a real broker in production.

``BROKER_URL`` (``redis://…`` or ``amqp://…``) turns it on; empty (the embedded default) makes every
task run eagerly in the calling process and the periodic jobs run in the in-process scheduler
thread — the same job functions (:mod:`banshi.core.jobs`) either way.

Start a worker and the beat scheduler with ``banshi worker`` and ``banshi beat`` (or
``celery -A banshi.celery worker`` / ``celery -A banshi.celery beat``). Delivery is at-least-once:
``task_acks_late`` + ``task_reject_on_worker_lost`` + prefetch 1 mean a worker that dies mid-task
leaves its message unacknowledged and another worker runs it again, so every task is idempotent.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "banshi.settings")


def _setup_django() -> None:
    """The job registry is filled by the apps' ``ready()``: set Django up unless it is already
    (or is being) set up, which is the case when a Django process imports this module."""
    import django
    from django.apps import apps

    if not apps.ready and not apps.loading:
        django.setup()


_setup_django()

from banshi.core import taskqueue  # noqa: E402 (needs Django set up)

app = Celery("banshi")
app.conf.update(taskqueue.celery_config())
app.conf.beat_schedule = taskqueue.beat_schedule()
import banshi.core.tasks  # noqa: E402,F401 (registers the tasks on this app)
