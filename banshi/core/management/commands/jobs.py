"""``banshi jobs [--run NAME] [--enqueue NAME]``: list the background jobs, run one here (cron,
debugging) or hand one to the broker."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from banshi.core import jobs, taskqueue


class Command(BaseCommand):
    help = "列出/运行后台任务 / list, run or enqueue background jobs"

    def add_arguments(self, parser):
        parser.add_argument("--run", metavar="NAME", help="run the job now, in this process")
        parser.add_argument("--enqueue", metavar="NAME", help="hand the job to the broker")

    def handle(self, *args, run: str | None, enqueue: str | None, **options):
        try:
            if run:
                result = jobs.run(run)
                self.stdout.write(f"{run}: {getattr(result, 'line', lambda: result)()}")
                return
            if enqueue:
                if not taskqueue.enqueue(enqueue):
                    raise CommandError(f"消息代理不可用 / broker unreachable: {enqueue} not queued")
                self.stdout.write(
                    f"{enqueue}: queued" if taskqueue.broker_url() else f"{enqueue}: done"
                )
                return
        except LookupError as error:
            raise CommandError(str(error)) from error
        mode = taskqueue.broker_url() or "in-process (no BROKER_URL)"
        self.stdout.write(f"broker: {mode}; queue: {taskqueue.queue_name()}")
        for name, job in sorted(jobs.registered().items()):
            self.stdout.write(
                f"{name:28} every {job.interval:>6}s  {job.target}  {job.description}"
            )
