"""Entering next year's 放假安排通知 by hand in the Chinese admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse

from banshi.workdays import services
from banshi.workdays.models import HolidayNotice, NoticeDay

D = dt.date


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Rendering admin pages needs no collectstatic manifest in tests."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_models_have_chinese_names():
    assert HolidayNotice._meta.verbose_name == "放假安排通知"
    assert NoticeDay._meta.get_field("kind").verbose_name == "类型"
    assert admin.site.is_registered(HolidayNotice) and admin.site.is_registered(NoticeDay)


@pytest.mark.django_db
def test_a_make_up_day_on_a_weekday_is_rejected():
    notice = HolidayNotice.objects.create(year=2027, title="测试数据")
    day = NoticeDay(notice=notice, date=D(2027, 2, 15), kind=NoticeDay.Kind.WORKDAY)
    with pytest.raises(ValidationError, match="调休上班日应为周六或周日"):
        day.full_clean()


@pytest.mark.django_db
def test_a_day_outside_the_notice_year_is_rejected():
    notice = HolidayNotice.objects.create(year=2027, title="测试数据")
    day = NoticeDay(notice=notice, date=D(2026, 12, 31), kind=NoticeDay.Kind.HOLIDAY)
    with pytest.raises(ValidationError, match="不在通知年份 2027 年内"):
        day.full_clean()


@pytest.mark.django_db
def test_admin_enters_a_notice_with_inline_days_and_the_calendar_follows(admin_client):
    """TEST DATA: an invented 2027 notice typed into the admin form."""
    assert not services.get_calendar().covers(2027)
    prefix = "days"
    response = admin_client.post(
        reverse("admin:workdays_holidaynotice_add"),
        {
            "year": "2027",
            "title": "国务院办公厅关于2027年部分节假日安排的通知（测试数据）",
            "document_number": "",
            "published_on": "2026-11-20",
            "source_url": "",
            "note": "",
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-date": "2027-01-01",
            f"{prefix}-0-kind": "holiday",
            f"{prefix}-0-name": "元旦",
            f"{prefix}-1-date": "2027-02-20",
            f"{prefix}-1-kind": "workday",
            f"{prefix}-1-name": "春节",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    calendar = services.get_calendar()
    assert calendar.covers(2027)
    assert not calendar.is_workday(D(2027, 1, 1)) and calendar.is_workday(D(2027, 2, 20))


@pytest.mark.django_db
def test_admin_rejects_an_inline_day_outside_the_year(admin_client):
    response = admin_client.post(
        reverse("admin:workdays_holidaynotice_add"),
        {
            "year": "2027",
            "title": "测试数据",
            "days-TOTAL_FORMS": "1",
            "days-INITIAL_FORMS": "0",
            "days-0-date": "2026-12-31",
            "days-0-kind": "holiday",
            "days-0-name": "元旦",
        },
    )
    assert response.status_code == 200
    assert "不在通知年份 2027 年内" in response.content.decode()
    assert not HolidayNotice.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_admin_changelist_renders(admin_client):
    services.import_notice("year: 2027\ntitle: 测试数据\nholidays:\n  元旦: 2027-01-01\n")
    response = admin_client.get(reverse("admin:workdays_holidaynotice_changelist"))
    assert response.status_code == 200
    assert "放假天数" in response.content.decode()
