"""审计日志: the append-only, hash-chained trail of staff reads of personal data, data-sharing calls, logins and permission changes."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """审计日志: the append-only, hash-chained trail of staff reads of personal data, data-sharing calls, logins and permission changes."""

    name = "banshi.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        from banshi.audit import checks, signals  # noqa: F401  (retention check; logins and permission changes)
        from banshi.audit.services import anchor_interval
        from banshi.core import jobs

        jobs.register(
            "audit.anchor",
            "banshi.audit.services:anchor_job",
            every=anchor_interval,
            description="审计链头签名锚定",
        )
