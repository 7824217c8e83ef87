"""Who is acting in this request, for signal handlers that have no request (permission changes).

:class:`CurrentUserMiddleware` sets it per request (a context variable, so threads and async tasks
each see their own); outside a request (commands, tasks) it is ``None``: the system acted.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_current: ContextVar[Any] = ContextVar("banshi_audit_request", default=None)


def current_request() -> Any:
    return _current.get()


def current_user() -> Any:
    request = _current.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if getattr(user, "is_authenticated", False) else None


class CurrentUserMiddleware:
    """Remembers the request for the audit signal handlers (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
