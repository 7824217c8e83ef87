"""The platform calendar: library + administrator notices, import, and the per-process cache."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from banshi.core import clock
from banshi.workdays import core, services
from banshi.workdays.models import HolidayNotice, NoticeDay
from banshi.workdays.tests.conftest import TEST_NOTICE_2027

pytestmark = pytest.mark.django_db
D = dt.date

# TEST DATA — an invented 2026 notice that differs from the real one, to show the override.
TEST_OVERRIDE_2026 = """\
# 测试数据 / TEST DATA: invented, deliberately unlike the real 2026 notice
year: 2026
title: 2026年放假安排（测试数据，用于验证覆盖）
holidays:
  测试假日: 2026-06-01
"""


# ----------------------------------------------------------------- provisional 2027
def test_2027_is_provisional_before_its_notice_is_imported():
    calendar = services.get_calendar()
    assert not calendar.covers(2027)
    assert calendar.deadline(D(2026, 12, 20), 20).provisional


def test_2027_is_not_provisional_after_its_notice_is_imported_第82条():
    services.import_notice(TEST_NOTICE_2027)
    calendar = services.get_calendar()
    assert calendar.covers(2027)
    result = calendar.deadline(D(2026, 12, 20), 20)
    assert not result.provisional
    assert result.date == D(2027, 1, 18)  # 2027-01-01..03 are holidays in the test notice
    assert calendar.is_workday(D(2027, 2, 14))  # test notice's 调休 Sunday
    assert calendar.sources[2027] == core.ADMIN


def test_a_database_notice_replaces_the_library_year():
    """The State Council notice entered by an administrator wins over the library, entirely."""
    services.import_notice(TEST_OVERRIDE_2026)
    calendar = services.get_calendar()
    assert not calendar.is_workday(D(2026, 6, 1))
    assert calendar.is_workday(D(2026, 10, 1))  # the library's 国庆 holiday is gone
    assert calendar.sources[2026] == core.ADMIN


# ----------------------------------------------------------------- import
def test_import_creates_the_notice_and_its_days():
    result = services.import_notice(TEST_NOTICE_2027)
    assert result.created and result.changed
    notice = HolidayNotice.objects.get(year=2027)
    assert notice.document_number == "国办发明电〔2026〕X号"
    assert notice.days.filter(kind=NoticeDay.Kind.HOLIDAY).count() == 3 + 8 + 7
    assert notice.days.filter(kind=NoticeDay.Kind.WORKDAY).count() == 2


def test_reimporting_the_same_notice_changes_nothing():
    services.import_notice(TEST_NOTICE_2027)
    before = HolidayNotice.objects.get(year=2027)
    day_rows = list(NoticeDay.objects.values_list("pk", "date", "kind", "name"))
    result = services.import_notice(TEST_NOTICE_2027)
    assert not result.changed
    after = HolidayNotice.objects.get(year=2027)
    assert after.updated_at == before.updated_at
    assert list(NoticeDay.objects.values_list("pk", "date", "kind", "name")) == day_rows


def test_importing_a_changed_notice_replaces_that_years_days():
    services.import_notice(TEST_NOTICE_2027)
    changed = (
        TEST_NOTICE_2027.replace(
            "国庆节: [2027-10-01, 2027-10-07]", "国庆节: [2027-10-01, 2027-10-05]"
        )
        .replace("元旦: [2027-01-01, 2027-01-03]", "新年: [2027-01-01, 2027-01-03]")
        .replace("workdays: [2027-02-14, 2027-02-20]", "workdays: [2027-02-14, 2027-10-09]")
    )
    result = services.import_notice(changed)
    assert (result.days_added, result.days_removed, result.days_updated) == (1, 3, 3)
    days = {d.date: d for d in NoticeDay.objects.filter(notice__year=2027)}
    assert D(2027, 10, 6) not in days and D(2027, 2, 20) not in days
    assert days[D(2027, 10, 9)].kind == NoticeDay.Kind.WORKDAY
    assert days[D(2027, 1, 1)].name == "新年"
    assert services.get_calendar().is_workday(D(2027, 10, 6))


def test_import_reads_a_yaml_file(tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_text(TEST_NOTICE_2027, encoding="utf-8")
    assert services.import_notice(path).created
    assert services.import_notice(str(path)).changed is False


def test_a_bad_file_changes_nothing(tmp_path):
    services.import_notice(TEST_NOTICE_2027)
    path = tmp_path / "bad.yaml"
    bad = TEST_NOTICE_2027.replace("holidays:\n", "holidays:\n  清明节: [2026-04-04, 2027-04-06]\n")
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(core.NoticeError, match=r"bad\.yaml:\d+: .*outside the notice's year"):
        services.import_notice(path)
    assert NoticeDay.objects.filter(notice__year=2027).count() == 20


def test_import_rolled_back_leaves_no_trace_in_the_calendar():
    """A rollback sends no signal: the uncommitted notice must not stay in the cached calendar."""
    services.get_calendar()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.import_notice(TEST_NOTICE_2027)
        assert services.get_calendar().covers(2027)  # this transaction sees its own change
        raise RuntimeError("roll back")
    assert not HolidayNotice.objects.filter(year=2027).exists()
    assert not services.get_calendar().covers(2027)


# ----------------------------------------------------------------- cache
def test_calendar_is_cached_between_calls():
    assert services.get_calendar() is services.get_calendar()


def test_saving_a_notice_invalidates_the_cache_at_once(django_capture_on_commit_callbacks):
    assert not services.get_calendar().covers(2028)
    with django_capture_on_commit_callbacks(execute=True):
        HolidayNotice.objects.create(year=2028, title="测试数据 2028")
    assert services.get_calendar().covers(2028)


def test_deleting_a_day_invalidates_the_cache_at_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.import_notice(TEST_NOTICE_2027)
    assert not services.get_calendar().is_workday(D(2027, 10, 4))
    with django_capture_on_commit_callbacks(execute=True):
        NoticeDay.objects.get(date=D(2027, 10, 4)).delete()
    assert services.get_calendar().is_workday(D(2027, 10, 4))


def test_changes_without_signals_are_picked_up_after_the_cache_expires(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    """Other processes' changes arrive within BANSHI_CALENDAR_CACHE_SECONDS."""
    settings.BANSHI_CALENDAR_CACHE_SECONDS = 60
    now = [1000.0]
    monkeypatch.setattr(services, "_monotonic", lambda: now[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.import_notice(TEST_NOTICE_2027)
    assert not services.get_calendar().is_workday(D(2027, 1, 1))
    NoticeDay.objects.filter(date=D(2027, 1, 1)).update(date=D(2027, 1, 4))  # no signal
    now[0] += 59
    assert not services.get_calendar().is_workday(D(2027, 1, 1))  # still cached
    now[0] += 2
    calendar = services.get_calendar()
    assert calendar.is_workday(D(2027, 1, 1)) and not calendar.is_workday(D(2027, 1, 4))


def test_expired_cache_without_changes_keeps_the_same_calendar(monkeypatch, settings):
    """Re-reading the database is cheap; the arrays are rebuilt only when a year changed."""
    now = [1000.0]
    monkeypatch.setattr(services, "_monotonic", lambda: now[0])
    first = services.get_calendar()
    now[0] += settings.BANSHI_CALENDAR_CACHE_SECONDS + 1
    assert services.get_calendar() is first


# ----------------------------------------------------------------- next year
def test_next_year_missing_in_november_until_the_notice_is_entered():
    with clock.frozen(D(2026, 11, 23)):
        assert services.next_year_missing() == 2027
        services.import_notice(TEST_NOTICE_2027)
        assert services.next_year_missing() is None
