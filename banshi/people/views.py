"""Login pages (统一登录): local accounts, optional single sign-on, demo accounts in demo mode.

Thin: the rules live in :mod:`banshi.people.lockout`, :mod:`banshi.people.oidc` and
:mod:`banshi.people.permissions`.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from banshi.core import clock
from banshi.people import oidc
from banshi.people.forms import LoginForm
from banshi.people.permissions import is_staff_member

logger = logging.getLogger(__name__)

OIDC_SESSION_KEY = "banshi_oidc"
OIDC_REQUEST_SECONDS = 600


def _routed(path: str) -> bool:
    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return True


def landing_url(user) -> str:
    """Where a user goes after logging in without a ``next``: staff to the workbench
    (``BANSHI_STAFF_LOGIN_REDIRECT_URL``; the admin site, then ``/``, while that page does not
    exist), applicants to ``LOGIN_REDIRECT_URL``."""
    if is_staff_member(user) or user.is_staff:
        target = getattr(settings, "BANSHI_STAFF_LOGIN_REDIRECT_URL", "/workbench/") or "/"
        if _routed(target):
            return target
        if user.is_staff and _routed("/admin/"):
            return "/admin/"
        return "/"
    target = str(getattr(settings, "LOGIN_REDIRECT_URL", "/") or "/")
    return target if target.startswith("/") else reverse(target)


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def demo_accounts() -> list[dict]:
    """The demo accounts for the login page: only in demo mode (``BANSHI_DEMO``), never otherwise."""
    if not getattr(settings, "BANSHI_DEMO", False):
        return []
    from banshi.core.services import demo_account_rows

    return demo_account_rows()


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = False

    def get_default_redirect_url(self):
        return landing_url(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_login_context())
        return context


def _login_context(**extra) -> dict:
    from banshi.core.services import DEMO_PASSWORD

    cfg = oidc.config()
    rows = demo_accounts()
    return {
        "demo_accounts": rows,
        "demo_password": DEMO_PASSWORD if rows else "",
        "oidc_enabled": cfg is not None,
        "oidc_label": cfg.label if cfg else "",
        **extra,
    }


class LogoutView(auth_views.LogoutView):
    next_page = "/"


def _render_login_error(request: HttpRequest, error: oidc.OIDCError, status: int) -> HttpResponse:
    logger.warning("single sign-on failed: %s (%s)", error.code, error.message_en)
    context = {"form": LoginForm(request), "oidc_error": str(error), **_login_context()}
    return render(request, "registration/login.html", context, status=status)


@never_cache
@require_GET
def oidc_login(request: HttpRequest) -> HttpResponse:
    """Start single sign-on: remember state, nonce and the PKCE verifier, go to the provider."""
    cfg = oidc.config()
    if cfg is None:
        raise Http404("single sign-on is not configured")
    redirect_uri = cfg.redirect_uri or request.build_absolute_uri(reverse("accounts:oidc_callback"))
    try:
        started = oidc.begin(cfg, redirect_uri)
    except oidc.OIDCError as error:
        return _render_login_error(request, error, status=502)
    request.session[OIDC_SESSION_KEY] = {
        "state": started.state,
        "nonce": started.nonce,
        "verifier": started.code_verifier,
        "redirect_uri": started.redirect_uri,
        "next": _safe_next(request, request.GET.get("next")),
        "started": clock.now().timestamp(),
    }
    return HttpResponseRedirect(started.url)


@never_cache
@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here with ``code`` and ``state``."""
    cfg = oidc.config()
    if cfg is None:
        raise Http404("single sign-on is not configured")
    pending = request.session.pop(OIDC_SESSION_KEY, None)
    state = request.GET.get("state", "")
    if (
        not pending
        or not state
        or not secrets.compare_digest(str(pending.get("state", "")), state)
        or clock.now().timestamp() - float(pending.get("started", 0)) > OIDC_REQUEST_SECONDS
    ):
        return _render_login_error(
            request,
            oidc.OIDCError(
                "state",
                "登录请求已失效，请重新登录",
                "the login request is unknown or has expired: please log in again",
            ),
            status=400,
        )
    if request.GET.get("error"):
        return _render_login_error(
            request,
            oidc.OIDCError(
                "denied",
                "统一身份认证未完成登录",
                f"the identity provider did not log you in ({request.GET['error'][:100]})",
            ),
            status=400,
        )
    code = request.GET.get("code", "")
    if not code:
        return _render_login_error(
            request,
            oidc.OIDCError("code", "缺少授权码", "the provider sent no authorization code"),
            status=400,
        )
    try:
        claims, id_token = oidc.complete(
            cfg,
            code=code,
            redirect_uri=pending["redirect_uri"],
            code_verifier=pending["verifier"],
            nonce=pending["nonce"],
        )
        user = authenticate(request, oidc_claims=claims, oidc_id_token=id_token)
    except oidc.OIDCError as error:
        status = 502 if error.code in {"unreachable", "provider", "discovery", "insecure"} else 400
        return _render_login_error(request, error, status=status)
    if user is None:
        return _render_login_error(
            request,
            oidc.OIDCError("inactive", "该账号已停用", "this account is disabled"),
            status=403,
        )
    login(request, user)
    return HttpResponseRedirect(pending.get("next") or landing_url(user))
