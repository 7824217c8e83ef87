"""``banshi serve [ADDRESS]``: serve the platform with a production-grade WSGI server.

gunicorn (from the lock file) with workers sized to the machine; Django's runserver only in DEBUG.
Static files are served by WhiteNoise, so no proxy is needed on a single machine. In the embedded
default (no ``BROKER_URL``) the deadline scan runs in-process in each worker (idempotent, row-locked);
production leaves ``BANSHI_INPROCESS_SCHEDULER`` unset and runs ``banshi scan_deadlines`` from a timer.
"""

from __future__ import annotations

import os
import shutil
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from banshi.core.serving import WORKER_CLASS


class Command(BaseCommand):
    help = "启动服务 / serve the platform (gunicorn; runserver when DEBUG)"

    def add_arguments(self, parser):
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("BANSHI_WORKERS", "0"))
        )

    def handle(self, *args, address: str, workers: int, **options):
        if not settings.BROKER_URL:
            os.environ.setdefault("BANSHI_INPROCESS_SCHEDULER", "true")
        if settings.DEBUG:
            call_command("runserver", address, use_reloader=False)
            return
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            call_command("runserver", address, use_reloader=False, insecure=True)
            return
        workers = workers or max(2, (os.cpu_count() or 1) * 2)
        os.execv(
            gunicorn,
            [
                gunicorn,
                "banshi.wsgi:application",
                "--bind",
                address,
                "--workers",
                str(workers),
                "--threads",
                "2",
                "--worker-class",
                WORKER_CLASS,  # takes a connection only while a thread is free
                "--access-logfile",
                "-",
                "--timeout",
                "60",
            ],
        )
