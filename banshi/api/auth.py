"""Who is asking: an API token (``Authorization: Bearer <token>``) or the portal's own session.

Tokens are for departments' systems, scripts and the benchmark; the session is for the portal's
own JavaScript, which must then send the CSRF token (``X-CSRFToken``) on writes, as any Django
form does. Both give ``request.auth``: the Django user the request acts as. Neither decides what
that user may do: the case engine and :mod:`banshi.people.permissions` do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from banshi.api import tokens
from banshi.api.errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """``Authorization: Bearer bsk_…``: the token's owner, unless the token is revoked."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = tokens.user_for_token(token.strip())
        if user is not None:
            request.user = user  # what Django's auth middleware would have set for a session
        return user


class SessionAuth(APIKeyCookie):
    """The Django session (the portal's JavaScript); CSRF is checked on writes.

    Unlike ninja's own ``SessionAuth``, the CSRF check runs only for a logged-in session, so a
    client with a bad token and no session gets 401, not a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(
                403,
                "csrf_failed",
                "CSRF 校验失败：请在 X-CSRFToken 头中提交页面的 CSRF 令牌",
                "CSRF check failed: send the page's CSRF token in the X-CSRFToken header",
            )
        return user


AUTH = [TokenAuth(), SessionAuth()]
