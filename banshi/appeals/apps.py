"""12345 诉求: the hotline and web channel for the public's requests (MISSION M-H1)."""

from __future__ import annotations

from django.apps import AppConfig


class AppealsConfig(AppConfig):
    """12345 诉求 (工单): intake, dispatch, handling, supervision, callback, archive.

    ``ready()`` starts the in-process scan (催办/督办, archiving, overdue rectifications) only when
    ``BANSHI_INPROCESS_SCHEDULER`` is true, like the case engine; production runs
    ``banshi appeals scan`` from cron instead.
    """

    name = "banshi.appeals"
    label = "appeals"
    verbose_name = "12345诉求"

    def ready(self) -> None:
        from banshi.cases import conf

        if conf.inprocess_scheduler():
            from banshi.appeals import scheduler

            scheduler.start()
