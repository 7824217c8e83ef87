"""Administrator-entered holiday notices (放假安排通知) that override the library's calendar."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from banshi.workdays import core


class HolidayNotice(models.Model):
    """国务院办公厅关于某年部分节假日安排的通知 (the State Council's yearly 放假安排通知).

    Why a table: the notice for next year is published each November, often before the
    ``chinesecalendar`` release that carries it. An administrator enters it here (by hand in the
    admin, or ``banshi workdays import FILE.yaml``), and it then REPLACES the library's data for
    that year entirely, making the year covered (deadlines there are no longer provisional).
    """

    year = models.PositiveSmallIntegerField(
        "年份",
        unique=True,
        validators=[
            MinValueValidator(core.RANGE_START.year),
            MaxValueValidator(core.RANGE_END.year),
        ],
    )
    title = models.CharField("通知标题", max_length=200)
    document_number = models.CharField("发文字号", max_length=100, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    source_url = models.URLField("原文链接", max_length=500, blank=True)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = "放假安排通知"
        verbose_name_plural = "放假安排通知"

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    def year_days(self) -> core.YearDays:
        """This notice as calendar data (days outside the year are ignored, see selectors)."""
        days = list(self.days.all())
        return core.YearDays(
            self.year,
            frozenset(d.date for d in days if d.kind == NoticeDay.Kind.HOLIDAY),
            frozenset(d.date for d in days if d.kind == NoticeDay.Kind.WORKDAY),
            core.ADMIN,
        )


class NoticeDay(models.Model):
    """One day of a notice: a holiday (放假) or a make-up working day (调休上班).

    Only listed days differ from the plain week: an unlisted weekday is a working day and an
    unlisted Saturday or Sunday is a rest day.
    """

    class Kind(models.TextChoices):
        HOLIDAY = core.HOLIDAY, "放假"
        WORKDAY = core.WORKDAY, "调休上班"

    notice = models.ForeignKey(
        HolidayNotice, on_delete=models.CASCADE, related_name="days", verbose_name="通知"
    )
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日名称", max_length=50, blank=True, help_text="如：春节、国庆节")

    class Meta:
        ordering = ["date"]
        verbose_name = "放假/调休日"
        verbose_name_plural = "放假/调休日"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "workday"]),
                name="workdays_noticeday_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        """The same rules as the YAML import: inside the notice's year; 调休 only on weekends."""
        errors: dict[str, str] = {}
        notice = self._notice_or_none()
        if self.date and notice is not None and notice.year and self.date.year != notice.year:
            errors["date"] = (
                f"{self.date} 不在通知年份 {notice.year} 年内 / "
                f"{self.date} is outside the notice's year {notice.year}"
            )
        if self.date and self.kind == self.Kind.WORKDAY and self.date.weekday() < 5:
            errors["kind"] = (
                f"{self.date} 是{core.WEEKDAY_NAMES_ZH[self.date.weekday()]}，调休上班日应为周六或周日 / "
                "a make-up working day is a Saturday or Sunday"
            )
        if errors:
            raise ValidationError(errors)

    def _notice_or_none(self) -> HolidayNotice | None:
        try:
            return self.notice
        except HolidayNotice.DoesNotExist:
            return None
