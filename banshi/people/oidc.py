"""Single sign-on through an OpenID Connect provider (the province's 统一身份认证), standard library only.

Disabled unless ``BANSHI_OIDC_ISSUER`` is set. The flow is the authorisation-code flow with PKCE
(OIDC Core §3.1; RFC 7636):

1. ``/accounts/oidc/login/`` stores ``state``, ``nonce`` and a PKCE verifier in the session and
   sends the browser to the provider's authorisation endpoint.
2. ``/accounts/oidc/callback/`` checks ``state``, exchanges the code at the token endpoint
   (back-channel, TLS with certificate verification, client authenticated with its secret), and
   checks the ID token's claims: ``iss`` equals the issuer, ``aud`` holds the client id (``azp``
   when there are several), ``exp`` not passed, ``iat`` not in the future, ``nonce`` equals ours.
3. The ID-number claim (``BANSHI_OIDC_ID_NUMBER_CLAIM``, from the ID token or the userinfo
   endpoint) is validated (GB 11643) and mapped to a :class:`Person`; the login account is the
   one linked to that person, or a new applicant account.

**Signature.** The ID token's signature is *not* verified: that needs a JOSE library (RSA/EC, or SM2
for a 国密 provider), which this project does not depend on. OIDC Core §3.1.3.7 (6) allows it:
"If the ID Token is received via direct communication between the Client and the Token Endpoint
(which it is in this flow), the TLS server validation MAY be used to validate the issuer in place of
checking the token signature." So the token endpoint must be HTTPS with a verified certificate
(``BANSHI_OIDC_CA_BUNDLE`` for a private CA); plain HTTP is accepted only on the loopback interface
(tests). To verify signatures as well, subclass :class:`OIDCBackend`, implement ``check_id_token``
with a JOSE library (e.g. ``joserfc`` or ``PyJWT[crypto]``; SM2 needs a 国密-capable one) and name
the subclass in ``BANSHI_OIDC_BACKEND``.

**Staff.** The unified identity logs in applicants. It never logs into an account that is staff
(a staff profile, ``is_staff`` or ``is_superuser``): staff use their local accounts.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from banshi.core import clock
from banshi.people import identifiers
from banshi.people.models import ExternalIdentity, Person

LEEWAY_SECONDS = 60
MAX_RESPONSE_BYTES = 1_000_000
DISCOVERY_TTL_SECONDS = 3600
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class OIDCError(Exception):
    """The single sign-on failed; ``code`` is stable, ``str()`` is Chinese / English."""

    def __init__(self, code: str, message_zh: str, message_en: str):
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(f"{message_zh} / {message_en}")


@dataclass(frozen=True)
class OIDCConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    id_number_claim: str
    name_claim: str
    phone_claim: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    token_auth_method: str
    timeout: float
    ca_bundle: str
    redirect_uri: str
    label: str


def _setting(name: str, default: Any = "") -> Any:
    value = getattr(settings, name, default)
    return default if value is None else value


def config() -> OIDCConfig | None:
    """The provider's configuration from settings, or ``None`` when single sign-on is off."""
    issuer = str(_setting("BANSHI_OIDC_ISSUER")).strip().rstrip("/")
    if not issuer:
        return None
    return OIDCConfig(
        issuer=issuer,
        client_id=str(_setting("BANSHI_OIDC_CLIENT_ID")),
        client_secret=str(_setting("BANSHI_OIDC_CLIENT_SECRET")),
        scopes=str(_setting("BANSHI_OIDC_SCOPES", "openid profile")) or "openid",
        id_number_claim=str(_setting("BANSHI_OIDC_ID_NUMBER_CLAIM", "id_number")),
        name_claim=str(_setting("BANSHI_OIDC_NAME_CLAIM", "name")),
        phone_claim=str(_setting("BANSHI_OIDC_PHONE_CLAIM", "phone_number")),
        authorization_endpoint=str(_setting("BANSHI_OIDC_AUTHORIZATION_ENDPOINT")),
        token_endpoint=str(_setting("BANSHI_OIDC_TOKEN_ENDPOINT")),
        userinfo_endpoint=str(_setting("BANSHI_OIDC_USERINFO_ENDPOINT")),
        token_auth_method=str(_setting("BANSHI_OIDC_TOKEN_AUTH_METHOD", "client_secret_basic")),
        timeout=float(_setting("BANSHI_OIDC_TIMEOUT", 10)),
        ca_bundle=str(_setting("BANSHI_OIDC_CA_BUNDLE")),
        redirect_uri=str(_setting("BANSHI_OIDC_REDIRECT_URI")),
        label=str(_setting("BANSHI_OIDC_LABEL")) or "统一身份认证登录",
    )


def enabled() -> bool:
    return config() is not None


# --------------------------------------------------------------------------------------------
# HTTP (urllib) with the TLS rule
# --------------------------------------------------------------------------------------------


def require_secure(url: str) -> None:
    """HTTPS, or HTTP on the loopback interface only (a test provider)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "https":
        return
    if parsed.scheme == "http" and (parsed.hostname or "") in LOOPBACK_HOSTS:
        return
    raise OIDCError(
        "insecure",
        f"统一身份认证地址必须使用 HTTPS：{url}",
        f"the identity provider must be reached over HTTPS: {url}",
    )


def _ssl_context(cfg: OIDCConfig) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=cfg.ca_bundle or None)


def _request_json(
    cfg: OIDCConfig, url: str, *, data: bytes | None = None, headers: dict | None = None
) -> dict:
    require_secure(url)
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/json"})
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    context = _ssl_context(cfg) if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(request, timeout=cfg.timeout, context=context) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        detail = ""
        with contextlib.suppress(ValueError, AttributeError):
            detail = json.loads(error.read(10_000) or b"{}").get("error", "")
        raise OIDCError(
            "provider",
            f"统一身份认证服务返回错误（HTTP {error.code} {detail}）",
            f"the identity provider answered HTTP {error.code} {detail}".rstrip(),
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise OIDCError(
            "unreachable",
            "暂时无法连接统一身份认证服务，请稍后再试",
            f"the identity provider cannot be reached: {error}",
        ) from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise OIDCError(
            "provider", "统一身份认证服务的响应过大", "the provider's answer is too large"
        )
    try:
        value = json.loads(body)
    except ValueError:
        raise OIDCError(
            "provider", "统一身份认证服务的响应不是 JSON", "the provider's answer is not JSON"
        ) from None
    if not isinstance(value, dict):
        raise OIDCError(
            "provider", "统一身份认证服务的响应格式错误", "the provider's answer is not an object"
        )
    return value


_discovery_cache: dict[str, tuple[float, dict]] = {}
_discovery_lock = threading.Lock()


def endpoints(cfg: OIDCConfig) -> dict[str, str]:
    """The provider's endpoints: from settings when given, else from its discovery document
    (``/.well-known/openid-configuration``, cached for an hour, its ``issuer`` checked)."""
    found = {
        "authorization_endpoint": cfg.authorization_endpoint,
        "token_endpoint": cfg.token_endpoint,
        "userinfo_endpoint": cfg.userinfo_endpoint,
        "end_session_endpoint": "",
    }
    if found["authorization_endpoint"] and found["token_endpoint"]:
        return found
    with _discovery_lock:
        cached = _discovery_cache.get(cfg.issuer)
    if cached is None or time.monotonic() - cached[0] > DISCOVERY_TTL_SECONDS:
        document = _request_json(cfg, cfg.issuer + "/.well-known/openid-configuration")
        if str(document.get("issuer", "")).rstrip("/") != cfg.issuer:
            raise OIDCError(
                "discovery",
                "统一身份认证服务的 issuer 与配置不一致",
                "the provider's discovery document names another issuer",
            )
        cached = (time.monotonic(), document)
        with _discovery_lock:
            _discovery_cache[cfg.issuer] = cached
    document = cached[1]
    for key in found:
        if not found[key]:
            found[key] = str(document.get(key) or "")
    if not found["authorization_endpoint"] or not found["token_endpoint"]:
        raise OIDCError(
            "discovery",
            "统一身份认证服务未提供授权或令牌地址",
            "the provider publishes no authorization or token endpoint",
        )
    return found


def forget_discovery() -> None:
    with _discovery_lock:
        _discovery_cache.clear()


# --------------------------------------------------------------------------------------------
# The flow
# --------------------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class AuthorisationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str


def begin(cfg: OIDCConfig, redirect_uri: str) -> AuthorisationRequest:
    """A fresh authorisation request (state, nonce, PKCE S256)."""
    state = secrets.token_urlsafe(24)
    nonce = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    challenge = _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
    endpoint = endpoints(cfg)["authorization_endpoint"]
    require_secure(endpoint)
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": cfg.client_id,
            "redirect_uri": redirect_uri,
            "scope": cfg.scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in endpoint else "?"
    return AuthorisationRequest(endpoint + separator + query, state, nonce, verifier, redirect_uri)


def exchange_code(cfg: OIDCConfig, code: str, redirect_uri: str, code_verifier: str) -> dict:
    """Trade the authorisation code for tokens at the token endpoint (back-channel)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cfg.token_auth_method == "client_secret_post":
        form.update(client_id=cfg.client_id, client_secret=cfg.client_secret)
    else:  # client_secret_basic (RFC 6749 §2.3.1: both parts form-encoded first)
        pair = f"{urllib.parse.quote(cfg.client_id, safe='')}:{urllib.parse.quote(cfg.client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    tokens = _request_json(
        cfg,
        endpoints(cfg)["token_endpoint"],
        data=urllib.parse.urlencode(form).encode(),
        headers=headers,
    )
    if not isinstance(tokens.get("id_token"), str):
        raise OIDCError(
            "token", "统一身份认证服务未返回身份令牌", "the provider returned no ID token"
        )
    return tokens


def decode_id_token(id_token: str) -> dict:
    """The ID token's claims (JWS compact form; the signature is not checked, see the module doc)."""
    parts = id_token.split(".")
    if len(parts) != 3:
        raise OIDCError("token", "身份令牌格式错误", "the ID token is not a JWT")
    try:
        claims = json.loads(_b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError):
        raise OIDCError("token", "身份令牌无法解析", "the ID token cannot be decoded") from None
    if not isinstance(claims, dict):
        raise OIDCError("token", "身份令牌格式错误", "the ID token's claims are not an object")
    return claims


def verify_id_token(cfg: OIDCConfig, claims: dict, *, nonce: str, now: float | None = None) -> None:
    """OIDC Core §3.1.3.7 steps 2–5, 9–11 (the signature step is explained in the module doc)."""
    now = time.time() if now is None else now

    def refuse(code: str, zh: str, en: str) -> OIDCError:
        return OIDCError(code, f"身份令牌无效：{zh}", f"the ID token is not valid: {en}")

    if str(claims.get("iss", "")).rstrip("/") != cfg.issuer:
        raise refuse("issuer", "签发方不符", "wrong issuer")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    if cfg.client_id not in audiences:
        raise refuse("audience", "接收方不符", "this client is not in its audience")
    if len(audiences) > 1 and claims.get("azp") != cfg.client_id:
        raise refuse("audience", "授权方不符", "azp is not this client")
    try:
        expires = float(claims["exp"])
        issued = float(claims["iat"])
    except (KeyError, TypeError, ValueError):
        raise refuse("expiry", "缺少有效期", "exp or iat is missing") from None
    if expires < now - LEEWAY_SECONDS:
        raise refuse("expiry", "已过期", "it has expired")
    if issued > now + LEEWAY_SECONDS:
        raise refuse("expiry", "签发时间晚于当前时间", "it was issued in the future")
    if not nonce or not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise refuse("nonce", "nonce 不符", "the nonce does not match")
    if not claims.get("sub"):
        raise refuse("subject", "缺少用户标识", "sub is missing")


def fetch_userinfo(cfg: OIDCConfig, access_token: str, subject: str) -> dict:
    """Claims from the userinfo endpoint; its ``sub`` must equal the ID token's (OIDC Core §5.3.2)."""
    endpoint = endpoints(cfg)["userinfo_endpoint"]
    if not endpoint or not access_token:
        return {}
    info = _request_json(cfg, endpoint, headers={"Authorization": f"Bearer {access_token}"})
    if str(info.get("sub", "")) != str(subject):
        raise OIDCError(
            "subject",
            "用户信息与身份令牌不一致",
            "the userinfo subject differs from the ID token's",
        )
    return info


def complete(
    cfg: OIDCConfig, *, code: str, redirect_uri: str, code_verifier: str, nonce: str
) -> tuple[dict, str]:
    """Steps 2 and 3 of the flow: tokens, checked ID token claims, plus userinfo when the ID-number
    claim is not in the ID token. Returns the merged claims and the raw ID token."""
    tokens = exchange_code(cfg, code, redirect_uri, code_verifier)
    claims = decode_id_token(tokens["id_token"])
    verify_id_token(cfg, claims, nonce=nonce)
    if cfg.id_number_claim not in claims:
        info = fetch_userinfo(cfg, str(tokens.get("access_token") or ""), str(claims["sub"]))
        claims = {**info, **claims}
    return claims, tokens["id_token"]


# --------------------------------------------------------------------------------------------
# The authentication backend: claims -> Person -> login account
# --------------------------------------------------------------------------------------------


def _is_staff_account(user) -> bool:
    from banshi.people.permissions import is_staff_member

    return bool(user.is_staff or user.is_superuser or is_staff_member(user))


class OIDCBackend:
    """Maps a provider's verified claims to an applicant account (``BANSHI_OIDC_BACKEND``).

    Called as ``authenticate(request, oidc_claims=claims, oidc_id_token=raw)`` after the claims
    were checked (:func:`verify_id_token`); password logins never reach it. Refusals raise
    :class:`OIDCError` with the reason (the view shows it).
    """

    def authenticate(
        self, request, oidc_claims: dict | None = None, oidc_id_token: str | None = None
    ):
        cfg = config()
        if oidc_claims is None or cfg is None:
            return None
        self.check_id_token(cfg, oidc_id_token or "", oidc_claims)
        return self.user_for_claims(cfg, oidc_claims)

    def check_id_token(self, cfg: OIDCConfig, id_token: str, claims: dict) -> None:
        """Hook for a signature check (raise :class:`OIDCError` to refuse). The default relies on
        the TLS back-channel (OIDC Core §3.1.3.7 (6)); a subclass may verify the JWS signature
        against the provider's ``jwks_uri`` with a JOSE library."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if user.is_active else None

    # Override points for a province's claim conventions.
    def id_number_from(self, cfg: OIDCConfig, claims: dict) -> str:
        value = claims.get(cfg.id_number_claim)
        if not value:
            raise OIDCError(
                "claims",
                f"统一身份认证未提供身份证号码（{cfg.id_number_claim}）",
                f"the provider sent no ID number claim ({cfg.id_number_claim})",
            )
        return str(value)

    def name_from(self, cfg: OIDCConfig, claims: dict) -> str:
        return str(claims.get(cfg.name_claim) or claims.get("name") or "").strip()

    @transaction.atomic
    def user_for_claims(self, cfg: OIDCConfig, claims: dict):
        from banshi.people import services

        subject = str(claims.get("sub") or "")
        if not subject:
            raise OIDCError("subject", "缺少用户标识", "the claims carry no subject")
        try:
            checked = identifiers.validate_id_number(
                self.id_number_from(cfg, claims), today=clock.today()
            )
        except identifiers.IdentifierError as error:
            raise OIDCError(
                "id_number",
                f"统一身份认证提供的身份证号码无效：{error.message_zh}",
                f"the provider's ID number is not valid: {error.message_en}",
            ) from error
        identity = (
            ExternalIdentity.objects.select_related("user")
            .filter(issuer=cfg.issuer, subject=subject)
            .first()
        )
        user = identity.user if identity else None
        person = Person.objects.filter(id_number=checked.value).select_related("user").first()
        if user is not None:
            linked = Person.objects.filter(user=user).first()
            if linked is not None and linked.id_number != checked.value:
                raise OIDCError(
                    "mismatch",
                    "统一身份认证账号与本平台已绑定的身份证号码不一致",
                    "this provider account is linked to a different ID number here",
                )
        elif person is not None and person.user is not None:
            user = person.user
        if user is not None and _is_staff_account(user):
            raise OIDCError(
                "staff",
                "工作人员请使用本平台账号登录",
                "staff accounts log in with their local account, not the unified identity",
            )
        if user is None:
            name = self.name_from(cfg, claims) or "用户"
            user_model = get_user_model()
            digest = hashlib.sha256(f"{cfg.issuer}\0{subject}".encode()).hexdigest()[:20]
            user = user_model(username=f"oidc-{digest}", first_name=name[:150])
            user.set_unusable_password()
            user.save()
        if not user.is_active:
            return None
        if person is None or person.user_id != user.pk:
            name = self.name_from(cfg, claims) or user.first_name or "用户"
            phone = str(claims.get(cfg.phone_claim) or "") if cfg.phone_claim else ""
            try:
                try:
                    services.register_person(checked.value, name, phone=phone, user=user)
                except services.PeopleError as error:
                    if error.code != "phone":
                        raise
                    services.register_person(checked.value, name, user=user)  # phone is optional
            except services.PeopleError as error:
                raise OIDCError(
                    "mismatch",
                    f"无法绑定身份：{error.message_zh}",
                    f"cannot link the identity: {error.message_en}",
                ) from error
        identity, _ = ExternalIdentity.objects.get_or_create(
            issuer=cfg.issuer, subject=subject, defaults={"user": user}
        )
        identity.last_login_at = clock.now()
        identity.save(update_fields=["last_login_at"])
        return user
