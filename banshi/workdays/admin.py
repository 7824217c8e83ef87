"""Admin for the yearly holiday notice (放假安排通知), in Chinese.

Why: each November the State Council publishes next year's notice, usually before the library
release that carries it; a catalogue or system administrator enters it here, day by day, and from
then on deadlines reaching that year are no longer provisional.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Count, Q

from banshi.workdays.models import HolidayNotice, NoticeDay


class NoticeDayInline(admin.TabularInline):
    model = NoticeDay
    extra = 3
    fields = ("date", "kind", "name")
    ordering = ("date",)
    verbose_name = "放假/调休日"
    verbose_name_plural = "放假/调休日（未列出的周一至周五上班，周六周日休息）"


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(admin.ModelAdmin):
    list_display = (
        "year",
        "title",
        "document_number",
        "published_on",
        "holiday_count",
        "workday_count",
        "updated_at",
    )
    search_fields = ("title", "document_number", "note")
    ordering = ("-year",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("year", "title", "document_number", "published_on")}),
        ("来源与备注", {"fields": ("source_url", "note", "created_at", "updated_at")}),
    )
    inlines = (NoticeDayInline,)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # gov.cn links are https

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                holiday_total=Count("days", filter=Q(days__kind=NoticeDay.Kind.HOLIDAY)),
                workday_total=Count("days", filter=Q(days__kind=NoticeDay.Kind.WORKDAY)),
            )
        )

    @admin.display(description="放假天数", ordering="holiday_total")
    def holiday_count(self, notice: HolidayNotice) -> int:
        return notice.holiday_total

    @admin.display(description="调休上班天数", ordering="workday_total")
    def workday_count(self, notice: HolidayNotice) -> int:
        return notice.workday_total


@admin.register(NoticeDay)
class NoticeDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "notice")
    list_filter = ("kind", "notice__year")
    search_fields = ("name",)
    date_hierarchy = "date"
    autocomplete_fields = ("notice",)
