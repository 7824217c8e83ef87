"""A tiny OpenID Connect provider for tests: http.server on 127.0.0.1 in a thread.

It implements what the authorisation-code flow needs (discovery, authorize, token, userinfo),
checks the client's secret (HTTP Basic), the redirect URI and the PKCE verifier, and issues ID
tokens whose claims a test can change (``id_token_changes``) to exercise each refusal.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from banshi.people.oidc import OIDCBackend, OIDCError

CLIENT_ID = "banshi-test"
CLIENT_SECRET = "s3cret:with/odd chars"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class FakeProvider:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, str] = {}
        self.sub = "user-0001"
        self.claims = {
            "id_number": "310115198506150022",
            "name": "李娜",
            "phone_number": "13800000001",
        }
        self.in_id_token = True  # False: the personal claims come from userinfo only
        self.id_token_changes: dict = {}
        self.token_status = 200
        self.requests: list[str] = []

    def start(self) -> FakeProvider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "sub": self.sub,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **(self.claims if self.in_id_token else {}),
            **self.id_token_changes,
        }
        payload = {key: value for key, value in payload.items() if value is not None}
        header = {"alg": "RS256", "kid": "fake"}
        return ".".join(
            [
                _b64url(json.dumps(header).encode()),
                _b64url(json.dumps(payload, ensure_ascii=False).encode()),
                _b64url(
                    secrets.token_bytes(32)
                ),  # not a real signature: not checked (back-channel)
            ]
        )

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                provider.requests.append(f"GET {url.path}")
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    return self._json(
                        200,
                        {
                            "issuer": provider.issuer,
                            "authorization_endpoint": provider.issuer + "/authorize",
                            "token_endpoint": provider.issuer + "/token",
                            "userinfo_endpoint": provider.issuer + "/userinfo",
                        },
                    )
                if url.path == "/authorize":
                    assert query["client_id"] == CLIENT_ID
                    assert query["response_type"] == "code"
                    assert query["code_challenge_method"] == "S256"
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    target = (
                        query["redirect_uri"]
                        + "?"
                        + urllib.parse.urlencode({"code": code, "state": query["state"]})
                    )
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return None
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self._json(401, {"error": "invalid_token"})
                    return self._json(200, {"sub": provider.sub, **provider.claims})
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                provider.requests.append(f"POST {self.path}")
                if self.path != "/token":
                    return self._json(404, {"error": "not_found"})
                if provider.token_status != 200:
                    return self._json(provider.token_status, {"error": "server_error"})
                expected = (
                    "Basic "
                    + base64.b64encode(
                        (
                            urllib.parse.quote(CLIENT_ID, safe="")
                            + ":"
                            + urllib.parse.quote(CLIENT_SECRET, safe="")
                        ).encode()
                    ).decode()
                )
                if self.headers.get("Authorization") != expected:
                    return self._json(401, {"error": "invalid_client"})
                length = int(self.headers.get("Content-Length", 0))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                request = provider.codes.pop(form.get("code", ""), None)
                if request is None or form.get("grant_type") != "authorization_code":
                    return self._json(400, {"error": "invalid_grant"})
                if form.get("redirect_uri") != request["redirect_uri"]:
                    return self._json(400, {"error": "invalid_grant"})
                challenge = _b64url(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
                if challenge != request["code_challenge"]:
                    return self._json(400, {"error": "invalid_grant"})
                access = secrets.token_urlsafe(16)
                provider.tokens[access] = provider.sub
                return self._json(
                    200,
                    {
                        "access_token": access,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(request["nonce"]),
                    },
                )

        return Handler


def visit_provider(url: str) -> str:
    """What a browser does at the provider: GET the authorize URL, return the redirect target."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", parts.path + "?" + parts.query)
        response = connection.getresponse()
        assert response.status == 302, response.status
        return response.getheader("Location")
    finally:
        connection.close()


class SignatureCheckingBackend(OIDCBackend):
    """Stands for a province's subclass that verifies ID-token signatures with a JOSE library."""

    seen: list[str] = []

    def check_id_token(self, cfg, id_token, claims):
        SignatureCheckingBackend.seen.append(id_token)
        raise OIDCError("signature", "身份令牌签名无效", "the ID token signature is not valid")
