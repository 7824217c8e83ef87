"""Errors as JSON, each with a Chinese and an English message (docs/api.md lists them).

Every error body has the same keys::

    {"detail": "中文 / English", "code": "conflict", "message_zh": "…", "message_en": "…"}

plus ``errors`` (400: what failed to parse) or ``details`` (the case engine's extra facts, e.g. the
current version on a 409). Status codes: 400 bad input, 401 no valid login or token, 403 not allowed
(another department, wrong role), 404 not found (or not yours), 409 conflict (stale ``version``, an
action the state does not allow), 422 refused by a rule (the case engine's and people app's
validations: an invalid ID number, an unknown item, a reused ``Idempotency-Key``…).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from banshi.cases.errors import (
    CaseError,
    ConflictError,
    InvalidTransition,
    PermissionDenied,
    RuleViolation,
)
from banshi.people.identifiers import IdentifierError
from banshi.people.services import PeopleError

log = logging.getLogger("banshi.api")

CASE_STATUS = {
    ConflictError: 409,
    InvalidTransition: 409,
    PermissionDenied: 403,
    RuleViolation: 422,
}


class ApiError(HttpError):
    """An error raised by the API layer itself, with a stable code and both languages."""

    def __init__(self, status: int, code: str, zh: str, en: str, **extra: Any) -> None:
        super().__init__(status, f"{zh} / {en}")
        self.code, self.zh, self.en, self.extra = code, zh, en, extra


def body(code: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"detail": f"{zh} / {en}", "code": code, "message_zh": zh, "message_en": en, **extra}


def not_found(what_zh: str, what_en: str) -> ApiError:
    return ApiError(404, "not_found", f"未找到{what_zh}", f"{what_en} not found")


def bad_request(zh: str, en: str, **extra: Any) -> ApiError:
    return ApiError(400, "bad_request", zh, en, **extra)


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api`` (ninja looks handlers up along the exception's MRO)."""

    def respond(request: HttpRequest, status: int, data: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, data, status=status)

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return respond(request, exc.status_code, body(exc.code, exc.zh, exc.en, **exc.extra))

    @api.exception_handler(CaseError)
    def case_error(request, exc: CaseError):
        status = next(
            (code for cls, code in CASE_STATUS.items() if isinstance(exc, cls)),
            422,
        )
        details = {key: value for key, value in exc.details.items() if _jsonable(value)}
        findings = getattr(exc, "findings", None)  # drafts.PrereviewBlocked: what blocks it
        if findings:
            details["findings"] = [
                {
                    "severity": f.severity,
                    "kind": f.kind,
                    "code": f.code,
                    "rule": f.rule,
                    "message_zh": f.zh,
                    "message_en": f.en,
                }
                for f in findings
            ]
        return respond(request, status, body(exc.code, exc.zh, exc.en, details=details))

    @api.exception_handler(IdentifierError)
    def identifier_error(request, exc: IdentifierError):
        return respond(
            request,
            422,
            body(f"identifier_{exc.code}", exc.message_zh, exc.message_en, kind=exc.kind),
        )

    @api.exception_handler(PeopleError)
    def people_error(request, exc: PeopleError):
        return respond(request, 422, body(f"people_{exc.code}", exc.message_zh, exc.message_en))

    @api.exception_handler(DjangoPermissionDenied)
    def permission_denied(request, exc: DjangoPermissionDenied):
        return respond(request, 403, body("forbidden", "无权访问", "forbidden"))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc: AuthenticationError):
        response = respond(
            request,
            401,
            body(
                "unauthenticated",
                "请先登录，或在 Authorization 头中提供有效的接口令牌(Bearer)",
                "log in, or send a valid API token in the Authorization header (Bearer)",
            ),
        )
        response["WWW-Authenticate"] = 'Bearer realm="banshi"'
        return response

    @api.exception_handler(Http404)
    def http404(request, exc: Http404):
        message = str(exc)
        if " / " in message:
            zh, en = message.split(" / ", 1)
        else:
            zh, en = "未找到", "not found"
        return respond(request, 404, body("not_found", zh, en))

    @api.exception_handler(ValidationError)
    def invalid_input(request, exc: ValidationError):
        return respond(
            request,
            400,
            body(
                "bad_request",
                "请求内容不合法：" + _summary(exc.errors),
                "invalid request: " + _summary(exc.errors),
                errors=_clean(exc.errors),
            ),
        )

    @api.exception_handler(Exception)
    def server_error(request, exc: Exception):
        """A bug or an outage: logged with the traceback, answered in JSON (not the portal's
        HTML error page); with DEBUG on, Django's technical page instead."""
        if settings.DEBUG:
            raise exc
        log.error(
            "API %s %s failed",
            request.method,
            request.path,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        return respond(
            request,
            500,
            body(
                "server_error",
                "系统繁忙，请稍后重试；问题已记录",
                "something went wrong on our side; it was logged, try again later",
            ),
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        message = str(exc)
        zh, en = message.split(" / ", 1) if " / " in message else (message, message)
        code = {400: "bad_request", 403: "forbidden", 404: "not_found", 422: "unprocessable"}
        return respond(
            request,
            exc.status_code,
            body(code.get(exc.status_code, "error"), zh, en) | {"detail": message},
        )


def _summary(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors[:5]:
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body",))
        parts.append(f"{where}: {error.get('msg', '')}")
    return "; ".join(parts)


def _clean(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in errors
    ]


def _jsonable(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, list, dict))
