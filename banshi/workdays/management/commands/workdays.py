"""``banshi workdays add|between|import|years`` (DESIGN §4 "Working days (contract)").

Contract: ``add DATE N`` prints only the ISO date of the N-th working day after DATE (DATE itself
not counted); ``between A B`` prints only the number of working days after A up to and including B.
stdout stays the bare value so scripts can use it; when the result depends on a year without an
official holiday notice (computed on weekdays, 暂定) a bilingual warning goes to stderr.

Import format (``import FILE.yaml``), one State Council 放假安排通知 per file::

    year: 2027
    title: 国务院办公厅关于2027年部分节假日安排的通知
    document_number: 国办发明电〔2026〕X号
    published_on: 2026-11-20
    source_url: https://www.gov.cn/...
    holidays:            # name: [first, last] inclusive range, a date, or a list of dates/ranges
      元旦: [2027-01-01, 2027-01-01]
      春节: [2027-02-06, 2027-02-13]
    workdays: [2027-02-14, 2027-02-20]   # make-up working days (调休上班)
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from banshi.workdays import core, selectors, services


class Command(BaseCommand):
    help = (
        "工作日计算与放假安排导入 / working-day arithmetic and holiday notices: "
        "add DATE N | between A B | import FILE.yaml | years"
    )

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = actions.add_parser(
            "add",
            help="DATE 之后第 N 个工作日 / the N-th working day after DATE (DATE not counted)",
        )
        add.add_argument("date", help="YYYY-MM-DD")
        add.add_argument("n", type=int, help="working days (negative counts backwards)")
        between = actions.add_parser(
            "between",
            help="A 之后至 B（含）的工作日数 / working days after A up to and including B",
        )
        between.add_argument("a", help="YYYY-MM-DD")
        between.add_argument("b", help="YYYY-MM-DD")
        imports = actions.add_parser("import", help="导入放假安排通知 / import a holiday notice")
        imports.add_argument("file", help="notice YAML file")
        actions.add_parser("years", help="有官方数据的年份及来源 / covered years and their source")

    def handle(self, *args, action: str, **options) -> None:
        handler = getattr(self, f"handle_{action}")
        try:
            handler(**options)
        except (ValueError, ValidationError) as error:
            raise CommandError(_message(error)) from error

    def handle_add(self, *, date: str, n: int, **options) -> None:
        start = core.parse_date(date)
        calendar = services.get_calendar()
        result = calendar.add(start, n)
        self.stdout.write(result.isoformat())
        self._warn_provisional(calendar, start, result)

    def handle_between(self, *, a: str, b: str, **options) -> None:
        first, last = core.parse_date(a), core.parse_date(b)
        calendar = services.get_calendar()
        self.stdout.write(str(calendar.between(first, last)))
        self._warn_provisional(calendar, first, last)

    def handle_import(self, *, file: str, **options) -> None:
        from pathlib import Path

        result = services.import_notice(Path(file))
        notice = result.notice
        if not result.changed:
            verdict = "未变化 / unchanged"
        elif result.created:
            verdict = "已新建 / created"
        else:
            verdict = "已更新 / updated"
        self.stdout.write(
            f"{notice.year} {notice.title}: {verdict} "
            f"(+{result.days_added} -{result.days_removed} ~{result.days_updated} days)"
        )

    def handle_years(self, **options) -> None:
        calendar = services.get_calendar()
        for summary in selectors.year_summaries(calendar):
            line = f"{summary.year}  {summary.source:<7}  放假 {summary.holidays:>2}  调休 {summary.workdays}"
            self.stdout.write(f"{line}  {summary.label}".rstrip())
        missing = services.next_year_missing()
        if missing is not None:
            self.stderr.write(core.provisional_warning([missing]))

    def _warn_provisional(self, calendar: core.WorkingCalendar, a: dt.date, b: dt.date) -> None:
        years = calendar.uncovered_years(a, b)
        if years:
            self.stderr.write(core.provisional_warning(years))


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error)
