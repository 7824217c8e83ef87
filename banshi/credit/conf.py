"""Settings of banshi.credit and of commitments / 容缺 (documented in docs/settings.md)."""

from __future__ import annotations

from django.conf import settings


def verify_days() -> int:
    """Default 告知承诺核查期限 in working days after acceptance (LOCAL, standards §2.8)."""
    return int(getattr(settings, "BANSHI_COMMITMENT_VERIFY_DAYS", 20))


def supplement_days() -> int:
    """Default 容缺 supplement period in working days after acceptance (capped at decision_due)."""
    return int(getattr(settings, "BANSHI_DEFICIENCY_SUPPLEMENT_DAYS", 10))


def remind_days() -> int:
    """Working days before a due date at which the reminder goes out."""
    return int(getattr(settings, "BANSHI_COMMITMENT_REMIND_DAYS", 3))


def breach_severity() -> str:
    """Severity of a breach record written by the case engine (minor / serious / grave)."""
    return str(getattr(settings, "BANSHI_CREDIT_BREACH_SEVERITY", "serious"))


def import_max_rows() -> int:
    return int(getattr(settings, "BANSHI_CREDIT_IMPORT_MAX_ROWS", 50000))
