"""The case engine's exceptions, each with a Chinese and an English message.

Front doors map them to HTTP: ``PermissionDenied`` → 403 (it subclasses Django's, so views get that
for free), ``ConflictError`` and ``InvalidTransition`` → 409, ``RuleViolation`` → 422 / a form error.
``str(error)`` is "中文 / English"; ``error.zh`` and ``error.en`` give one language.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied


class CaseError(Exception):
    """Base: a refused operation on an application or a case; nothing was written."""

    code = "case_error"

    def __init__(self, zh: str, en: str, **details: object) -> None:
        self.zh = zh
        self.en = en
        self.details = details
        super().__init__(f"{zh} / {en}")


class ConflictError(CaseError):
    """Optimistic lock: somebody changed the application or case since the caller read it."""

    code = "conflict"


class InvalidTransition(CaseError):
    """The transition table has no such edge from the current state."""

    code = "invalid_transition"


class RuleViolation(CaseError):
    """A legal or business rule refuses the operation (the message names the article)."""

    code = "rule_violation"


class PrereviewBlocked(RuleViolation):
    """Submitting was refused: pre-review (预审) found blocking problems (``findings``: each with
    its field or material code and a Chinese and an English message)."""

    code = "prereview_blocked"

    def __init__(self, findings: list) -> None:
        self.findings = findings
        super().__init__(
            "预审未通过：" + "；".join(finding.zh for finding in findings),
            "pre-review failed: " + "; ".join(finding.en for finding in findings),
        )


class PrerequisitePending(RuleViolation):
    """A prerequisite case (``after`` in the bundle) has not produced its output yet."""

    code = "prerequisite_pending"


class PermissionDenied(CaseError, DjangoPermissionDenied):
    """The actor's roles or department do not allow this action (HTTP 403)."""

    code = "permission_denied"
