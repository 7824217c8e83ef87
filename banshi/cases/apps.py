"""办件中心: applications, cases, their events, corrections, pauses, extensions, opinions, the clock."""

from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    """办件中心 (the case engine).

    ``ready()`` starts the in-process deadline scanner only when ``BANSHI_INPROCESS_SCHEDULER`` is
    true (``banshi serve`` in the embedded default): tests, migrations and management commands never
    start threads, and production runs ``banshi scan_deadlines`` from cron instead.
    """

    name = "banshi.cases"
    label = "cases"
    verbose_name = "办件中心"

    def ready(self) -> None:
        from banshi.cases import conf
        from banshi.core import jobs

        jobs.register(
            "cases.scan_deadlines",
            "banshi.cases.scheduler:scan_job",
            every=lambda: conf.scan_minutes() * 60,
            description="时限扫描: 视为受理、预警、超期、默认同意",
        )
        jobs.register(
            "cases.retry_notices",
            "banshi.cases.notices:retry_pending",
            every=lambda: conf.scan_minutes() * 60,
            description="补发未生成的告知书",
        )
        jobs.register(
            "cases.scan_commitments",
            "banshi.cases.commitments:scan_job",
            every=lambda: conf.scan_minutes() * 60,
            description="告知承诺核查、容缺补交: 提醒与逾期处理",
        )

        if conf.inprocess_scheduler():
            from banshi.cases import scheduler

            scheduler.start()
