"""``banshi beat [CELERY OPTIONS]``: the Celery beat scheduler (run exactly one per installation).

It sends ``banshi.run_job`` for every registered job (:mod:`banshi.core.jobs`) at its interval;
the schedule file lives in ``BANSHI_BEAT_SCHEDULE_FILE``.
"""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand

from banshi.core.management.commands.worker import exec_celery


class Command(BaseCommand):
    help = "启动定时任务调度 / start Celery beat (one per installation)"

    def add_arguments(self, parser):
        parser.add_argument("celery_args", nargs=argparse.REMAINDER)

    def handle(self, *args, celery_args: list[str], **options):
        exec_celery("beat", celery_args)
