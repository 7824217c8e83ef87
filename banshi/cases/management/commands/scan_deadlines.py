"""``banshi scan_deadlines [--date YYYY-MM-DD]``: the periodic deadline scan, from cron.

Idempotent: deemed acceptance (第32条(四)), silence as consent (超时默认), yellow and red supervision
(督办) once per case and level. Prints one line per kind with what it did.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from banshi.cases.services import scan


class Command(BaseCommand):
    help = "办件时限扫描：逾期视为受理、超时默认、预警督办 / scan case deadlines (idempotent)"

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="扫描日期 (默认今天) / the day to scan as (ISO date, default today)"
        )

    def handle(self, *args, date: str | None = None, **options):
        day = None
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"日期格式应为 YYYY-MM-DD / bad date: {date}") from error
        report = scan(day)
        for line in report.lines():
            self.stdout.write(line)
        from banshi.cases import commitments

        for line in commitments.scan(day).lines():
            self.stdout.write(line)
        if not report.changed:
            self.stdout.write("无变化 / nothing to do")
