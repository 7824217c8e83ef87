"""``banshi deliver_webhooks [--once]``: the outbox dispatcher (signed webhooks).

Without ``--once`` it runs until stopped (SIGTERM or Ctrl-C finish the current round first): a
worker under systemd or a container. With ``--once`` it delivers whatever is due and exits: for a
timer (cron, systemd timer). Several workers may run at once on PostgreSQL (SKIP LOCKED).
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from banshi.webhooks import conf
from banshi.webhooks.delivery import deliver_round, deliver_until_idle


class Command(BaseCommand):
    help = "推送发件箱消息 / deliver outbox messages as signed webhooks (--once: until idle, then exit)"

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="deliver what is due, then exit (for a timer)"
        )

    def handle(self, *args, once: bool, **options):
        if once:
            report = deliver_until_idle()
            self.stdout.write(report.line())
            return
        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(
            f"deliver_webhooks: running, a round every {conf.interval_seconds()} s when idle"
        )
        while not stop.is_set():
            close_old_connections()
            try:
                report = deliver_round()
            except Exception as error:  # a database hiccup: log, wait, try again
                self.stderr.write(f"deliver_webhooks: round failed: {error}")
                close_old_connections()
                stop.wait(conf.interval_seconds())
                continue
            if report.busy:
                self.stdout.write(report.line())
            else:
                stop.wait(conf.interval_seconds())
        self.stdout.write("deliver_webhooks: stopped")
