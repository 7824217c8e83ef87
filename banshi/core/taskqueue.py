"""The task queue's configuration and the one way to enqueue a job.

``BROKER_URL`` empty (embedded default): :func:`enqueue` runs the job right here (Celery's eager
mode would do the same; calling the function directly needs no broker library at all).
Otherwise the job goes to the broker as the ``banshi.run_job`` task. A broker that is down does
not lose work: the state lives in the database (outbox rows, deliveries, deadlines), the enqueue is
logged and reported as not done, and the next beat tick (or scheduler round) does the same work.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from banshi.core import jobs

log = logging.getLogger(__name__)

TASK_NAME = "banshi.run_job"


def broker_url() -> str:
    return (getattr(settings, "BROKER_URL", "") or "").strip()


def queue_name() -> str:
    return getattr(settings, "BANSHI_TASK_QUEUE", "") or "banshi"


def celery_config() -> dict[str, Any]:
    """Celery settings from Django settings (docs/settings.md, section 后台任务)."""
    url = broker_url()
    visibility = int(getattr(settings, "BANSHI_BROKER_VISIBILITY_TIMEOUT", 3600))
    return {
        "broker_url": url or "memory://",
        "task_always_eager": not url,
        "task_eager_propagates": True,
        "result_backend": None,
        "task_ignore_result": True,
        "task_default_queue": queue_name(),
        # At-least-once: acknowledge after the task ran; a worker that dies mid-task leaves the
        # message to be delivered again (every job is idempotent).
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        # Redis: an unacknowledged message (its worker died) goes back to the queue after
        # ``visibility`` seconds; the sweep that puts it back runs every few seconds.
        "broker_transport_options": {
            "visibility_timeout": visibility,
            "unacked_restore_interval": min(10, max(1, visibility // 3)),
            "unacked_restore_throttle": 1,
        },
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": int(getattr(settings, "BANSHI_BROKER_TIMEOUT", 5)),
        "task_serializer": "json",
        "accept_content": ["json"],
        "timezone": settings.TIME_ZONE,
        "enable_utc": True,
        "worker_hijack_root_logger": False,
        "beat_schedule_filename": str(
            getattr(settings, "BANSHI_BEAT_SCHEDULE_FILE", "") or "celerybeat-schedule"
        ),
    }


def beat_schedule() -> dict[str, dict[str, Any]]:
    """One beat entry per registered job, each the ``banshi.run_job`` task with its name."""
    return {
        name: {
            "task": TASK_NAME,
            "schedule": float(job.interval),
            "args": (name,),
            "options": {"expires": float(job.interval)},  # a backlog of the same tick is pointless
        }
        for name, job in sorted(jobs.registered().items())
    }


def celery_app():
    """The Celery app (:mod:`banshi.celery`), or, when the settings name another broker or queue
    than it was configured with (tests switch brokers), an app made for those settings."""
    from banshi.celery import app

    config = celery_config()
    key = (config["broker_url"], config["task_default_queue"])
    if (app.conf.broker_url, app.conf.task_default_queue) == key:
        return app
    if key not in _other_apps:
        from celery import Celery

        _other_apps[key] = Celery("banshi", set_as_current=False)
        _other_apps[key].conf.update(config)
    return _other_apps[key]


_other_apps: dict[tuple[str, str], Any] = {}


def enqueue(name: str) -> bool:
    """Run job ``name`` in the background now; True when done (embedded) or handed to the broker.

    A broker that cannot be reached returns False after a short retry: nothing is lost, the job's
    work is still due in the database and the next periodic run does it.
    """
    jobs.get(name)  # an unknown name is a programming error: raise here, not in a worker
    if not broker_url():
        jobs.run(name)
        return True
    try:
        celery_app().send_task(
            TASK_NAME,
            args=(name,),
            queue=queue_name(),
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
        )
    except Exception as error:  # kombu raises OperationalError and friends
        log.warning("broker unreachable, job %s left for its next periodic run: %s", name, error)
        return False
    return True
