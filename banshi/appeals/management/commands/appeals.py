"""``banshi appeals seed [--update]`` and ``banshi appeals scan [--date YYYY-MM-DD]``.

``seed`` writes the reference's example configuration (standards §4, values marked LOCAL): categories
with default departments, time limits per type × urgency, return reasons, not-accepted kinds and the
starting FAQ; idempotent, it never overwrites an administrator's rows unless ``--update``.
``scan`` raises reminders and supervision before and after deadlines, flags overdue callbacks and
archives closed tickets past their reopen window; with the ratings app, overdue rectifications are
supervised too. Idempotent: run it from cron as often as you like.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from banshi.appeals import seed, services


class Command(BaseCommand):
    help = "12345 诉求: seed [--update] 写入示例配置 | scan [--date D] 催办督办扫描(幂等)"

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        seeding = actions.add_parser("seed", help="写入示例配置 / write the example configuration")
        seeding.add_argument(
            "--update", action="store_true", help="reset seeded rows to the examples"
        )
        scanning = actions.add_parser("scan", help="催办督办扫描 / deadline scan (idempotent)")
        scanning.add_argument("--date", help="scan as of this day (YYYY-MM-DD), default today")

    def handle(self, *args, action: str, **options) -> None:
        if action == "seed":
            created = seed.apply(apps.get_model, update=options["update"])
            self.stdout.write(
                "seeded / 已写入: "
                + ", ".join(f"{kind} +{count}" for kind, count in created.items())
            )
            return
        day = None
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"日期格式应为 YYYY-MM-DD / bad date: {error}") from None
        for line in services.scan(day).lines():
            self.stdout.write(line)
        if apps.is_installed("banshi.ratings"):
            from banshi.ratings.services import scan as ratings_scan

            for line in ratings_scan(day).lines():
                self.stdout.write(line)
