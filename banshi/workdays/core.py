"""工作日历 core: working-day arithmetic for legal time limits, in pure Python (no Django).

Law: 《行政许可法》第82条 — every time limit of the law counts *working days* (工作日), not counting
statutory holidays (法定节假日); the make-up working weekends of the State Council's yearly holiday
notice (放假安排通知, 调休上班) are working days. 第45条 — the time taken by hearings, testing,
expert review and similar procedures (听证、检验、检测、鉴定、专家评审…) is not counted, hence the
*pauses* of :meth:`WorkingCalendar.deadline`.

Why precomputed arrays: deadlines are computed for every open case on every scan and for every item
of a guide, so ``add`` must be a couple of list lookups, not a day-by-day loop. Over a fixed range
(2004-01-01 .. 2100-12-31, about 35,000 days) we keep, per day, the number of working days up to and
including that day, and the list of all working days; ``add(d, n)`` is then "the (count(d) + n)-th
working day".

Years without an official notice (the State Council publishes next year's in November; the library
ships once a year after it) are computed on plain weekdays (Mon–Fri) and every result that falls in,
or passes through, such a year is *provisional* (暂定): it may move when the notice arrives.

This module also holds the pure parser of the small YAML notice format that an administrator imports
(:func:`parse_notice`); the Django side stores the result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import NoReturn

import yaml

RANGE_START = dt.date(2004, 1, 1)
RANGE_END = dt.date(2100, 12, 31)
ONE_DAY = dt.timedelta(days=1)

LIBRARY = "library"  # data shipped by the chinesecalendar package
ADMIN = "admin"  # a notice entered or imported by an administrator (authoritative)

HOLIDAY = "holiday"  # 放假
WORKDAY = "workday"  # 调休上班 (make-up working day)

WEEKDAY_NAMES_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
WEEKDAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CalendarRangeError(ValueError):
    """A date, or a result, outside the range the calendar was precomputed for."""


@dataclass(frozen=True)
class YearDays:
    """One year's official 放假安排: its holidays and its make-up working days (调休上班).

    A year present as ``YearDays`` is *covered*: its weekdays are working days unless listed as
    holidays, its weekends are rest days unless listed as make-up working days.
    """

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str = LIBRARY


@dataclass(frozen=True)
class Deadline:
    """The result of :meth:`WorkingCalendar.deadline`.

    ``date`` is None while an open pause (end not yet known, e.g. an expert review still running)
    stops the clock before the time limit is used up: the deadline cannot be known yet.
    ``provisional`` is True when the count runs into a year with no official holiday data.
    ``paused_workdays`` is the number of working days excluded by pauses (行政许可法第45条).
    """

    date: dt.date | None
    provisional: bool
    paused_workdays: int

    @property
    def known(self) -> bool:
        return self.date is not None


Pause = tuple[dt.date, dt.date | None]


class WorkingCalendar:
    """Working days over a fixed range, from official holidays and make-up days (行政许可法第82条).

    Built from the holiday dates, the make-up working-day dates and the set of years that have
    official data. Every date must lie in the range; every holiday or make-up day must lie in a
    covered year (a date in a year without data would contradict "computed on weekdays").
    """

    def __init__(
        self,
        holidays: Iterable[dt.date],
        workdays: Iterable[dt.date],
        covered_years: Iterable[int],
        *,
        sources: Mapping[int, str] | None = None,
        start: dt.date = RANGE_START,
        end: dt.date = RANGE_END,
    ) -> None:
        holidays = frozenset(holidays)
        workdays = frozenset(workdays)
        self.start = start
        self.end = end
        self.covered_years = frozenset(covered_years)
        self.sources: dict[int, str] = {
            year: (sources or {}).get(year, LIBRARY) for year in sorted(self.covered_years)
        }
        self._check_days(holidays, workdays)
        self._base = start.toordinal()
        self._size = end.toordinal() - self._base + 1
        self._is_work = self._working_flags(holidays, workdays)
        # _upto[i]: working days on or before day i; _dates[k]: the (k+1)-th working day.
        self._upto = list(accumulate(self._is_work))
        self._dates = [
            dt.date.fromordinal(self._base + i) for i, work in enumerate(self._is_work) if work
        ]
        self._count = len(self._dates)

    @classmethod
    def from_years(
        cls, years: Iterable[YearDays], *, start: dt.date = RANGE_START, end: dt.date = RANGE_END
    ) -> WorkingCalendar:
        """Build from per-year data; each ``YearDays`` makes its year covered."""
        years = list(years)
        return cls(
            holidays=[d for y in years for d in y.holidays],
            workdays=[d for y in years for d in y.workdays],
            covered_years=[y.year for y in years],
            sources={y.year: y.source for y in years},
            start=start,
            end=end,
        )

    # ----------------------------------------------------------------- construction helpers
    def _check_days(self, holidays: frozenset[dt.date], workdays: frozenset[dt.date]) -> None:
        both = sorted(holidays & workdays)
        if both:
            raise ValueError(
                f"{both[0]} 同时是放假日和调休上班日 / {both[0]} is both a holiday and a make-up workday"
            )
        for day in sorted(holidays | workdays):
            if not self.start <= day <= self.end:
                raise self._outside(day)
            if day.year not in self.covered_years:
                raise ValueError(
                    f"{day} 所在的 {day.year} 年未标记为有官方数据 / {day} lies in {day.year}, "
                    "which is not marked as a year with official data"
                )

    def _working_flags(
        self, holidays: frozenset[dt.date], workdays: frozenset[dt.date]
    ) -> list[bool]:
        """Mon–Fri are working days, then holidays are removed and make-up days added."""
        # date.toordinal() is 1 for 0001-01-01, a Monday: weekday = (ordinal - 1) % 7.
        flags = [(self._base + i - 1) % 7 < 5 for i in range(self._size)]
        for day in holidays:
            flags[day.toordinal() - self._base] = False
        for day in workdays:
            flags[day.toordinal() - self._base] = True
        return flags

    def _outside(self, day: dt.date) -> CalendarRangeError:
        return CalendarRangeError(
            f"日期 {day} 超出工作日历范围 {self.start}～{self.end} / "
            f"date {day} is outside the working-day calendar range {self.start} .. {self.end}"
        )

    def _index(self, day: dt.date) -> int:
        index = day.toordinal() - self._base
        if not 0 <= index < self._size:
            raise self._outside(day)
        return index

    # ----------------------------------------------------------------- queries
    def is_workday(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day (weekday not a holiday, or a make-up 调休 day)."""
        return self._is_work[self._index(day)]

    def add(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``day`` itself not counted).

        ``n == 0`` returns ``day`` (even if it is not a working day); a negative ``n`` counts
        backwards: ``add(d, -1)`` is the last working day before ``d``. O(1): two list lookups.
        """
        index = day.toordinal() - self._base
        if not 0 <= index < self._size:
            raise self._outside(day)
        if n > 0:
            k = self._upto[index] + n - 1
            if k < self._count:
                return self._dates[k]
        elif n < 0:
            k = self._upto[index] - self._is_work[index] + n
            if k >= 0:
                return self._dates[k]
        else:
            return day
        raise CalendarRangeError(
            f"{day} 之后第 {n} 个工作日超出工作日历范围 {self.start}～{self.end} / "
            f"working day {n} from {day} is outside the calendar range {self.start} .. {self.end}"
        )

    def between(self, a: dt.date, b: dt.date) -> int:
        """Working days after ``a`` up to and including ``b``; negative (−between(b, a)) if b < a.

        For n ≥ 0, ``between(d, add(d, n)) == n``.
        """
        return self._upto[self._index(b)] - self._upto[self._index(a)]

    def covers(self, year: int) -> bool:
        """Whether ``year`` has official holiday data (library or an administrator's notice)."""
        return year in self.covered_years

    def is_provisional(self, day: dt.date) -> bool:
        """Whether ``day`` lies in a year without official data (computed on weekdays: 暂定)."""
        return day.year not in self.covered_years

    def uncovered_years(self, a: dt.date, b: dt.date) -> list[int]:
        """Years between ``a`` and ``b`` (either order, inclusive) that have no official data."""
        low, high = sorted((a.year, b.year))
        return [year for year in range(low, high + 1) if year not in self.covered_years]

    def is_span_provisional(self, a: dt.date, b: dt.date) -> bool:
        """Whether a count from ``a`` to ``b`` passes through a year without official data."""
        return bool(self.uncovered_years(a, b))

    def deadline(self, start: dt.date, n: int, pauses: Iterable[Pause] = ()) -> Deadline:
        """The day by which ``n`` working days after ``start`` are used up, pauses excluded.

        行政许可法第82条: the count starts the day after ``start`` and counts working days only.
        行政许可法第45条: working days inside a pause ``(first, last)`` (inclusive) do not count.
        Overlapping pauses are merged; days of a pause on or before ``start`` are ignored. An open
        pause ``(first, None)`` that begins before the limit is used up stops the clock for an
        unknown time: the result then has ``date=None`` (the deadline cannot be known yet).
        """
        if n < 0:
            raise ValueError(f"期限天数不能为负：{n} / a time limit cannot be negative: {n}")
        self._index(start)
        remaining, cursor, paused = n, start, 0
        for first, last in _merge_pauses(start, pauses):
            available = self.between(cursor, first - ONE_DAY)
            if remaining <= available:
                break
            remaining -= available
            if last is None:
                return Deadline(None, self.is_span_provisional(start, first), paused)
            paused += self.between(first - ONE_DAY, last)
            cursor = last
        result = self.add(cursor, remaining)
        return Deadline(result, self.is_span_provisional(start, result), paused)


def _merge_pauses(start: dt.date, pauses: Iterable[Pause]) -> list[Pause]:
    """Sort pauses, drop days on or before ``start``, merge overlaps and adjacent ranges.

    An open pause (last None) absorbs everything after its first day.
    """
    clipped: list[Pause] = []
    for first, last in pauses:
        if last is not None and last < first:
            raise ValueError(
                f"中止期间结束日 {last} 早于开始日 {first} / pause ends ({last}) before it starts ({first})"
            )
        if last is not None and last <= start:
            continue
        clipped.append((max(first, start + ONE_DAY), last))
    clipped.sort(key=lambda pause: pause[0])
    merged: list[Pause] = []
    for first, last in clipped:
        if merged:
            previous_first, previous_last = merged[-1]
            if previous_last is None:
                break
            if first <= previous_last + ONE_DAY:
                end = None if last is None else max(previous_last, last)
                merged[-1] = (previous_first, end)
                continue
        merged.append((first, last))
    return merged


# --------------------------------------------------------------------- library data
@lru_cache(maxsize=1)
def library_years() -> dict[int, YearDays]:
    """The years shipped by ``chinesecalendar`` (2004–2026 in 1.11.0), grouped by year.

    Every year between the library's first and last holiday is covered, as the library itself
    treats them (it raises NotImplementedError outside that span).
    """
    from chinese_calendar import constants

    first, last = min(constants.holidays).year, max(constants.holidays).year
    holidays: dict[int, set[dt.date]] = {year: set() for year in range(first, last + 1)}
    workdays: dict[int, set[dt.date]] = {year: set() for year in range(first, last + 1)}
    for day in constants.holidays:
        holidays[day.year].add(day)
    for day in constants.workdays:
        workdays.setdefault(day.year, set()).add(day)
        holidays.setdefault(day.year, set())
    return {
        year: YearDays(year, frozenset(holidays[year]), frozenset(workdays[year]), LIBRARY)
        for year in sorted(holidays)
    }


def overlay(base: Mapping[int, YearDays], overrides: Iterable[YearDays]) -> dict[int, YearDays]:
    """Per-year data where each override REPLACES the base year entirely.

    Why entire replacement: the State Council notice for a year is authoritative; mixing its days
    with a library's guess for the same year could keep a holiday the notice moved.
    """
    merged = dict(base)
    for year_days in overrides:
        merged[year_days.year] = year_days
    return dict(sorted(merged.items()))


def from_library(overrides: Iterable[YearDays] = ()) -> WorkingCalendar:
    """The calendar from ``chinesecalendar`` with administrator-entered years laid over it."""
    return WorkingCalendar.from_years(overlay(library_years(), overrides).values())


# --------------------------------------------------------------------- notice YAML format
class NoticeError(ValueError):
    """A notice file that cannot be imported, with the file and line where the problem is."""

    def __init__(self, zh: str, en: str, *, source: str, line: int | None = None) -> None:
        self.zh, self.en, self.source, self.line = zh, en, source, line
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {zh} / {en}")


@dataclass(frozen=True)
class NoticeDayEntry:
    """One day of a parsed notice: a holiday (放假) or a make-up working day (调休上班)."""

    date: dt.date
    kind: str
    name: str


@dataclass(frozen=True)
class ParsedNotice:
    """A State Council 放假安排通知 as read from the YAML import format."""

    year: int
    title: str
    document_number: str
    published_on: dt.date | None
    source_url: str
    note: str
    days: tuple[NoticeDayEntry, ...]

    def year_days(self, source: str = ADMIN) -> YearDays:
        return YearDays(
            self.year,
            frozenset(d.date for d in self.days if d.kind == HOLIDAY),
            frozenset(d.date for d in self.days if d.kind == WORKDAY),
            source,
        )


NOTICE_KEYS = (
    "year",
    "title",
    "document_number",
    "published_on",
    "source_url",
    "note",
    "holidays",
    "workdays",
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
_NULL_TAG = "tag:yaml.org,2002:null"
DEFAULT_WORKDAY_NAME = "调休上班"


def parse_notice(text: str, source: str = "<notice>") -> ParsedNotice:
    """Parse the YAML notice format (see the module docstring of the command ``workdays import``).

    ``holidays`` maps a name to a ``[first, last]`` inclusive range (a list of exactly two dates),
    a single date, or a list whose items are single dates or ``[first, last]`` ranges; a flat list
    of one or three or more dates is a list of single dates (write ``[[a, a], [b, b]]`` for two
    single holidays). ``workdays`` (make-up working days, 调休上班) is a list of single dates, or a
    mapping name → a date or a list of single dates; there a two-date list is two days, not a
    range. Errors name the file and the line.
    """
    reader = _NoticeReader(source)
    root = reader.compose(text)
    fields = reader.mapping(root, "notice")
    unknown = [key for key in fields if key not in NOTICE_KEYS]
    if unknown:
        key_node = fields[unknown[0]][0]
        reader.fail(
            f"未知字段 {unknown[0]!r}，可用字段：{', '.join(NOTICE_KEYS)}",
            f"unknown key {unknown[0]!r}; allowed keys: {', '.join(NOTICE_KEYS)}",
            key_node,
        )
    year = reader.year(fields, root)
    holidays = reader.named_days(fields.get("holidays"), year, HOLIDAY, "holidays")
    workdays = reader.workdays(fields.get("workdays"), year)
    reader.check_disjoint(holidays, workdays)
    days = sorted(
        [NoticeDayEntry(day, HOLIDAY, name) for day, (name, _) in holidays.items()]
        + [NoticeDayEntry(day, WORKDAY, name) for day, (name, _) in workdays.items()],
        key=lambda entry: entry.date,
    )
    return ParsedNotice(
        year=year,
        title=reader.text(fields, "title", root, required=True),
        document_number=reader.text(fields, "document_number", root),
        published_on=reader.optional_date(fields, "published_on"),
        source_url=reader.text(fields, "source_url", root),
        note=reader.text(fields, "note", root),
        days=tuple(days),
    )


class _NoticeReader:
    """Walks the composed YAML node tree so that every error can name its line.

    Why nodes rather than ``yaml.safe_load``: loaded values lose their line numbers, and YAML 1.1
    implicit typing (``no`` → False, ``2027-02-30`` → error without context) hides mistakes.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, zh: str, en: str, node: yaml.Node | None = None) -> NoReturn:
        line = node.start_mark.line + 1 if node is not None else None
        raise NoticeError(zh, en, source=self.source, line=line)

    def compose(self, text: str) -> yaml.Node:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark is not None else None
            problem = error.problem or error.context or "syntax error"
            raise NoticeError(
                f"YAML 格式错误：{problem}",
                f"malformed YAML: {problem}",
                source=self.source,
                line=line,
            ) from None
        except yaml.YAMLError as error:
            raise NoticeError(
                f"YAML 格式错误：{error}", f"malformed YAML: {error}", source=self.source
            ) from None
        if root is None:
            self.fail("文件为空", "the file is empty")
        return root

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping node as key → (key node, value node); duplicate keys are errors."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(f"{what} 应为键值映射", f"{what} must be a mapping (key: value)", node)
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, f"{what} key")
            if key in result:
                self.fail(f"重复的键 {key!r}", f"duplicate key {key!r}", key_node)
            result[key] = (key_node, value_node)
        return result

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(f"{what} 应为单个值", f"{what} must be a single value", node)
        return node.value.strip()

    @staticmethod
    def is_null(node: yaml.Node | None) -> bool:
        return node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG)

    def year(self, fields: dict, root: yaml.Node) -> int:
        if "year" not in fields:
            self.fail("缺少 year 字段", "missing key 'year'", root)
        node = fields["year"][1]
        raw = self.scalar(node, "year")
        if not _YEAR.match(raw):
            self.fail(f"year 应为四位年份：{raw!r}", f"year must be a 4-digit year: {raw!r}", node)
        year = int(raw)
        if not RANGE_START.year <= year <= RANGE_END.year:
            self.fail(
                f"年份 {year} 超出范围 {RANGE_START.year}–{RANGE_END.year}",
                f"year {year} is outside {RANGE_START.year}–{RANGE_END.year}",
                node,
            )
        return year

    def text(self, fields: dict, key: str, root: yaml.Node, *, required: bool = False) -> str:
        node = fields.get(key, (None, None))[1]
        value = "" if self.is_null(node) else self.scalar(node, key)
        if required and not value:
            self.fail(f"缺少 {key} 字段", f"missing key {key!r}", node or root)
        return value

    def date(self, node: yaml.Node, what: str) -> dt.date:
        raw = self.scalar(node, what)
        if not _ISO_DATE.match(raw):
            self.fail(
                f"{what}：{raw!r} 不是 YYYY-MM-DD 格式的日期",
                f"{what}: {raw!r} is not a date in YYYY-MM-DD form",
                node,
            )
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.fail(f"{what}：{raw} 不是有效日期", f"{what}: {raw} is not a valid date", node)

    def optional_date(self, fields: dict, key: str) -> dt.date | None:
        node = fields.get(key, (None, None))[1]
        return None if self.is_null(node) else self.date(node, key)

    def day_in_year(self, node: yaml.Node, year: int, what: str) -> dt.date:
        day = self.date(node, what)
        if day.year != year:
            self.fail(
                f"{what}：{day} 不在 {year} 年内",
                f"{what}: {day} is outside the notice's year {year}",
                node,
            )
        return day

    def dates(
        self, node: yaml.Node, year: int, what: str, *, pair_is_range: bool = True
    ) -> list[tuple[dt.date, yaml.Node]]:
        """A single date, a ``[first, last]`` range, or a list of dates and ranges.

        With ``pair_is_range`` a flat list of exactly two dates is an inclusive range (holidays:
        ``春节: [2027-02-06, 2027-02-13]``); without it, it is two single dates (make-up days:
        ``workdays: [2027-02-14, 2027-02-20]``).
        """
        if isinstance(node, yaml.ScalarNode):
            return [(self.day_in_year(node, year, what), node)]
        if not isinstance(node, yaml.SequenceNode):
            self.fail(
                f"{what} 应为日期或日期列表", f"{what} must be a date or a list of dates", node
            )
        items = node.value
        pair = len(items) == 2 and all(isinstance(item, yaml.ScalarNode) for item in items)
        if pair and pair_is_range:
            return self.date_range(node, year, what)
        result: list[tuple[dt.date, yaml.Node]] = []
        for item in items:
            if isinstance(item, yaml.SequenceNode):
                if len(item.value) != 2:
                    self.fail(
                        f"{what}：日期区间应为 [开始, 结束]",
                        f"{what}: a range must be [first, last]",
                        item,
                    )
                result.extend(self.date_range(item, year, what))
            else:
                result.append((self.day_in_year(item, year, what), item))
        return result

    def date_range(
        self, node: yaml.SequenceNode, year: int, what: str
    ) -> list[tuple[dt.date, yaml.Node]]:
        first_node, last_node = node.value
        first = self.day_in_year(first_node, year, what)
        last = self.day_in_year(last_node, year, what)
        if last < first:
            self.fail(
                f"{what}：区间结束日 {last} 早于开始日 {first}",
                f"{what}: range ends ({last}) before it starts ({first})",
                node,
            )
        span = (last - first).days
        return [(first + dt.timedelta(days=i), node) for i in range(span + 1)]

    def named_days(
        self, entry: tuple[yaml.Node, yaml.Node] | None, year: int, kind: str, key: str
    ) -> dict[dt.date, tuple[str, yaml.Node]]:
        """``name: dates`` pairs → date → (name, node); a date under two names is an error."""
        if entry is None or self.is_null(entry[1]):
            return {}
        result: dict[dt.date, tuple[str, yaml.Node]] = {}
        for name, (_, value_node) in self.mapping(entry[1], key).items():
            pair_is_range = kind == HOLIDAY  # make-up days are single days, never a range
            for day, node in self.dates(
                value_node, year, f"{key}.{name}", pair_is_range=pair_is_range
            ):
                self.add_day(result, day, name, node, kind)
        return result

    def workdays(
        self, entry: tuple[yaml.Node, yaml.Node] | None, year: int
    ) -> dict[dt.date, tuple[str, yaml.Node]]:
        if entry is None or self.is_null(entry[1]):
            return {}
        if isinstance(entry[1], yaml.MappingNode):
            result = self.named_days(entry, year, WORKDAY, "workdays")
        else:
            result = {}
            for day, node in self.dates(entry[1], year, "workdays", pair_is_range=False):
                self.add_day(result, day, DEFAULT_WORKDAY_NAME, node, WORKDAY)
        for day, (_, node) in result.items():
            if day.weekday() < 5:
                self.fail(
                    f"{day} 是{WEEKDAY_NAMES_ZH[day.weekday()]}，调休上班日应为周六或周日",
                    f"{day} is a {WEEKDAY_NAMES_EN[day.weekday()]}; a make-up working day (调休上班) is a Saturday or Sunday",
                    node,
                )
        return result

    def add_day(
        self,
        result: dict[dt.date, tuple[str, yaml.Node]],
        day: dt.date,
        name: str,
        node: yaml.Node,
        kind: str,
    ) -> None:
        if day in result:
            label = "放假日" if kind == HOLIDAY else "调休上班日"
            self.fail(
                f"{day} 重复列出（{result[day][0]} 与 {name}）的{label}",
                f"{day} is listed twice ({result[day][0]!r} and {name!r})",
                node,
            )
        result[day] = (name, node)

    def check_disjoint(
        self,
        holidays: dict[dt.date, tuple[str, yaml.Node]],
        workdays: dict[dt.date, tuple[str, yaml.Node]],
    ) -> None:
        for day in sorted(holidays.keys() & workdays.keys()):
            self.fail(
                f"{day} 既是放假日（{holidays[day][0]}）又是调休上班日",
                f"{day} is both a holiday ({holidays[day][0]}) and a make-up working day",
                workdays[day][1],
            )


def parse_date(raw: str) -> dt.date:
    """A strict ISO date (YYYY-MM-DD) for command lines, with a bilingual error."""
    raw = raw.strip()
    try:
        if not _ISO_DATE.match(raw):
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"日期无效：{raw!r}，应为 YYYY-MM-DD / invalid date {raw!r}, expected YYYY-MM-DD"
        ) from None


def provisional_warning(years: Sequence[int]) -> str:
    """The bilingual warning shown when a result depends on years without official data."""
    zh_years = "、".join(str(year) for year in years)
    en_years = ", ".join(str(year) for year in years)
    return (
        f"提示：{zh_years} 年尚无国务院放假安排数据，按周一至周五推算 / "
        f"provisional: no official holiday data for {en_years}, computed on weekdays"
    )
