"""Reads of administrator-entered notices for the working calendar."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from banshi.workdays import core
from banshi.workdays.models import HolidayNotice, NoticeDay

logger = logging.getLogger(__name__)


def admin_years() -> list[core.YearDays]:
    """Every notice in the database as calendar data, in one query.

    A day whose date lies outside its notice's year (possible only by bypassing validation) is
    logged and skipped rather than breaking every deadline of the platform.
    """
    rows = NoticeDay.objects.values_list("notice__year", "date", "kind")
    years: dict[int, tuple[set, set]] = {
        year: (set(), set()) for year in HolidayNotice.objects.values_list("year", flat=True)
    }
    for year, day, kind in rows:
        if day.year != year:
            logger.error("workdays: %s of the %s notice is outside its year; ignored", day, year)
            continue
        years[year][0 if kind == NoticeDay.Kind.HOLIDAY else 1].add(day)
    return [
        core.YearDays(year, frozenset(holidays), frozenset(workdays), core.ADMIN)
        for year, (holidays, workdays) in sorted(years.items())
    ]


@dataclass(frozen=True)
class YearSummary:
    """One covered year for ``banshi workdays years``."""

    year: int
    source: str
    holidays: int
    workdays: int
    label: str  # the notice's document number and title for admin years


def year_summaries(calendar: core.WorkingCalendar) -> list[YearSummary]:
    """The calendar's covered years, with the notice that covers each admin year."""
    notices = {notice.year: notice for notice in HolidayNotice.objects.all()}
    library = core.library_years()
    counts = {y.year: y for y in admin_years()}
    summaries = []
    for year, source in calendar.sources.items():
        data = counts.get(year) if source == core.ADMIN else library.get(year)
        notice = notices.get(year) if source == core.ADMIN else None
        label = " ".join(filter(None, [notice.document_number, notice.title])) if notice else ""
        summaries.append(
            YearSummary(
                year,
                source,
                len(data.holidays) if data else 0,
                len(data.workdays) if data else 0,
                label,
            )
        )
    return summaries
