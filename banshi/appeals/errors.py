"""Refusals of the 12345 and 好差评 services, each with a Chinese and an English message.

Front doors map them to HTTP: :class:`PermissionDenied` → 403 (a Django ``PermissionDenied``),
:class:`NotFound` → 404, :class:`ConflictError` and :class:`InvalidTransition` → 409,
:class:`RuleViolation` → 422 / a form error. ``str(error)`` is "中文 / English". A refused operation has
written nothing: every service runs in one transaction and checks before it writes.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied


class AppealError(Exception):
    code = "appeal_error"
    status = 400

    def __init__(self, zh: str, en: str, **details: object) -> None:
        self.zh = zh
        self.en = en
        self.details = details
        super().__init__(f"{zh} / {en}")

    def as_json(self) -> dict:
        return {"error": self.code, "message_zh": self.zh, "message_en": self.en}


class ConflictError(AppealError):
    """Optimistic lock: somebody changed the ticket since the caller read it."""

    code = "conflict"
    status = 409


class InvalidTransition(AppealError):
    code = "invalid_transition"
    status = 409


class RuleViolation(AppealError):
    """Bad input or a rule of standards §3/§4 refuses the operation."""

    code = "rule_violation"
    status = 422


class NotFound(AppealError):
    code = "not_found"
    status = 404


class PermissionDenied(AppealError, DjangoPermissionDenied):
    code = "permission_denied"
    status = 403


class TooManyAttempts(AppealError):
    """Rate limit of the public look-up (:mod:`banshi.appeals.throttle`)."""

    code = "too_many_attempts"
    status = 429
