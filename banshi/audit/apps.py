"""审计日志: the append-only, hash-chained trail of staff reads of personal data, data-sharing calls, logins and permission changes."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """审计日志: the append-only, hash-chained trail of staff reads of personal data, data-sharing calls, logins and permission changes."""

    name = "banshi.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        from banshi.audit import checks, signals  # noqa: F401  (retention check; logins and permission changes)
