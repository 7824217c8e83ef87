"""The working calendar of the running platform, and importing holiday notices.

``get_calendar()`` is what every deadline computation calls: the library's years with the
administrator-entered years laid over them (an admin year replaces the library's year entirely).
It is cached per process for ``BANSHI_CALENDAR_CACHE_SECONDS`` (other processes pick up a new notice
within that time) and invalidated at once in this process when a notice or day is saved or deleted.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from banshi.core import clock
from banshi.workdays import core, selectors
from banshi.workdays.models import HolidayNotice, NoticeDay


@dataclass
class _Cache:
    calendar: core.WorkingCalendar
    admin_years: tuple[core.YearDays, ...]
    loaded_at: float


_lock = threading.Lock()
_cache: _Cache | None = None
_generation = 0  # bumped by every invalidation, so a rebuild that raced one is not kept
_monotonic = time.monotonic  # indirection for tests
_local = (
    threading.local()
)  # .pending: this thread changed notices in a transaction not yet committed


def get_calendar() -> core.WorkingCalendar:
    """The process-cached calendar (library + database years), at most CACHE_SECONDS old.

    A thread that changed notices inside a transaction gets its own uncached view until the commit:
    its uncommitted rows must never reach the process-wide cache (a rollback sends no signal).
    """
    if getattr(_local, "pending", False):
        if transaction.get_connection().in_atomic_block:
            return core.from_library(selectors.admin_years())
        _local.pending = False  # the transaction ended without a commit: rolled back
    cache = _cache
    if (
        cache is not None
        and _monotonic() - cache.loaded_at < settings.BANSHI_CALENDAR_CACHE_SECONDS
    ):
        return cache.calendar
    return _reload(cache)


def _reload(previous: _Cache | None) -> core.WorkingCalendar:
    """Re-read the database years; rebuild the arrays only if they changed (a rebuild is ~10 ms)."""
    global _cache
    with _lock:
        generation = _generation
        years = tuple(selectors.admin_years())
        if previous is not None and previous.admin_years == years:
            calendar = previous.calendar
        else:
            calendar = core.from_library(years)
        if generation == _generation:
            _cache = _Cache(calendar, years, _monotonic())
        return calendar


def invalidate_calendar(*, on_commit: bool = False) -> None:
    """Drop the process's cached calendar now; with ``on_commit``, also once the change commits."""
    global _cache, _generation
    with _lock:  # never re-entered: _reload only reads, and on_commit runs outside it
        _generation += 1
        _cache = None
    if on_commit and transaction.get_connection().in_atomic_block:
        _local.pending = True
        transaction.on_commit(_committed)


def _committed() -> None:
    _local.pending = False
    invalidate_calendar()


def reset_calendar_cache() -> None:
    """Forget every cached calendar and pending flag of this thread (tests, after raw SQL)."""
    _local.pending = False
    invalidate_calendar()


def next_year_missing() -> int | None:
    """Next year if it has no official data yet (the notice is due each November), else None."""
    next_year = clock.today().year + 1
    return None if get_calendar().covers(next_year) else next_year


# ------------------------------------------------------------------ importing notices
@dataclass(frozen=True)
class ImportResult:
    """What ``import_notice`` did; ``changed`` is False when the file was already imported."""

    notice: HolidayNotice
    created: bool
    fields_changed: bool
    days_added: int
    days_removed: int
    days_updated: int

    @property
    def changed(self) -> bool:
        return (
            self.created
            or self.fields_changed
            or bool(self.days_added or self.days_removed or self.days_updated)
        )


NOTICE_FIELDS = ("title", "document_number", "published_on", "source_url", "note")


def read_notice(text_or_path: str | Path) -> core.ParsedNotice:
    """Parse a notice from YAML text, or from a file when given a Path or a one-line *.yaml name."""
    if isinstance(text_or_path, Path) or _looks_like_path(text_or_path):
        path = Path(text_or_path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise core.NoticeError(
                f"无法读取文件：{error.strerror}", f"cannot read file: {error}", source=str(path)
            ) from None
        except UnicodeDecodeError:
            raise core.NoticeError(
                "文件不是 UTF-8 编码", "the file is not UTF-8 encoded", source=str(path)
            ) from None
        return core.parse_notice(text, source=str(path))
    return core.parse_notice(text_or_path)


def _looks_like_path(value: str) -> bool:
    return "\n" not in value and value.strip().lower().endswith((".yaml", ".yml"))


@transaction.atomic
def import_notice(text_or_path: str | Path) -> ImportResult:
    """Store a notice, replacing that year's days; idempotent (the same file changes nothing).

    Why compare instead of delete-and-recreate: re-importing must not touch ``updated_at`` or the
    row ids, so an audit of "what changed" shows nothing when nothing changed.
    """
    parsed = read_notice(text_or_path)
    notice = HolidayNotice.objects.select_for_update().filter(year=parsed.year).first()
    created = notice is None
    if notice is None:
        notice = HolidayNotice(year=parsed.year)
    fields_changed = _apply_fields(notice, parsed)
    if created or fields_changed:
        notice.full_clean()
        notice.save()
    added, removed, updated = _sync_days(notice, parsed.days)
    return ImportResult(notice, created, fields_changed and not created, added, removed, updated)


def _apply_fields(notice: HolidayNotice, parsed: core.ParsedNotice) -> bool:
    changed = False
    for field in NOTICE_FIELDS:
        value = getattr(parsed, field)
        if getattr(notice, field) != value:
            setattr(notice, field, value)
            changed = True
    return changed


def _sync_days(
    notice: HolidayNotice, entries: tuple[core.NoticeDayEntry, ...]
) -> tuple[int, int, int]:
    """Make the notice's days equal to ``entries``: (added, removed, updated)."""
    existing = {day.date: day for day in notice.days.all()}
    wanted = {entry.date: entry for entry in entries}
    stale = [day.pk for date, day in existing.items() if date not in wanted]
    if stale:
        NoticeDay.objects.filter(pk__in=stale).delete()
        invalidate_calendar(on_commit=True)  # explicit: not relying on signals alone
    updated = 0
    for date, entry in wanted.items():
        day = existing.get(date)
        if day is not None and (day.kind, day.name) != (entry.kind, entry.name):
            day.kind, day.name = entry.kind, entry.name
            day.save(update_fields=["kind", "name"])
            updated += 1
    new = [
        NoticeDay(notice=notice, date=date, kind=entry.kind, name=entry.name)
        for date, entry in wanted.items()
        if date not in existing
    ]
    if new:
        NoticeDay.objects.bulk_create(new)
        invalidate_calendar(on_commit=True)  # bulk_create sends no post_save
    return len(new), len(stale), updated
