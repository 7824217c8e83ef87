"""Invalidate the process-cached working calendar whenever a notice or one of its days changes."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from banshi.workdays import services
from banshi.workdays.models import HolidayNotice, NoticeDay


@receiver(post_save, sender=HolidayNotice)
@receiver(post_delete, sender=HolidayNotice)
@receiver(post_save, sender=NoticeDay)
@receiver(post_delete, sender=NoticeDay)
def calendar_data_changed(sender, **kwargs) -> None:
    """Why both now and on commit: this process must see its own change at once, and a reader
    that rebuilt from the database before the commit must not keep the old data for a minute.

    (``bulk_create`` and ``QuerySet.update`` send no signals; the service functions that use them
    invalidate explicitly, and other processes catch up after ``BANSHI_CALENDAR_CACHE_SECONDS``.)
    """
    services.invalidate_calendar(on_commit=True)
