"""``banshi worker [CELERY OPTIONS]``: a Celery worker running the background jobs.

The same as ``celery -A banshi.celery worker``; options pass through (``-c 4``, ``-Q banshi``).
Needs ``BROKER_URL``: the embedded default runs its jobs in the ``banshi serve`` process instead.
"""

from __future__ import annotations

import argparse
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from banshi.core import taskqueue

CELERY_COMMAND = "worker"


def exec_celery(command: str, extra: list[str]) -> None:
    if not taskqueue.broker_url():
        raise CommandError(
            "未设置 BROKER_URL：嵌入式部署在 banshi serve 进程内运行后台任务 / "
            "BROKER_URL is empty: the embedded default runs background jobs inside banshi serve"
        )
    argv = [sys.executable, "-m", "celery", "-A", "banshi.celery", command, *extra]
    if command == "worker" and not any(a in ("-Q", "--queues") for a in extra):
        argv += ["-Q", taskqueue.queue_name()]
    os.execv(sys.executable, argv)


class Command(BaseCommand):
    help = "启动后台任务进程 / start a Celery worker (options pass through to celery worker)"

    def add_arguments(self, parser):
        parser.add_argument("celery_args", nargs=argparse.REMAINDER)

    def handle(self, *args, celery_args: list[str], **options):
        exec_celery(CELERY_COMMAND, celery_args)
