"""Data-sharing providers: one interface, a local provider and an HTTP provider.

A provider answers "what does this source hold about this subject for this material?" with a
:class:`ShareResult` (ok / not_found / error) and never raises for a source that is down: the
caller (:func:`banshi.datashare.services.fetch`) records the call and the portal falls back to an
upload.

HTTP exchange protocol (JSON over HTTP, one POST per question, to the source's ``base_url``)::

    → {"material": "HUKOU", "subject": {"kind": "person", "id": "110…", "name": "张三"},
       "purpose": "…", "case": "BS-…"}
    ← 200 {"found": true, "data": {...}}     ok
    ← 200 {"found": false} or 404            not_found
    ← anything else, a timeout, a refusal    error (with the reason)

With a credentials reference the request carries ``Authorization: Bearer <token>``, the token read
from the ``BANSHI_DATASHARE_CREDENTIALS`` setting (never from the database).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

OK, NOT_FOUND, ERROR = "ok", "not_found", "error"
MAX_RESPONSE_BYTES = 1_000_000


@dataclass(frozen=True)
class ShareSubject:
    """Whom a question is about: ``person`` (ID number) or ``enterprise`` (USCC)."""

    kind: str
    identifier: str
    name: str = ""
    pk: int | None = None


@dataclass(frozen=True)
class ShareResult:
    outcome: str  # ok | not_found | error
    data: dict[str, Any] = field(default_factory=dict)
    error: str = ""  # why, for an error (Chinese / English)

    @property
    def ok(self) -> bool:
        return self.outcome == OK


class Provider(Protocol):
    def fetch(
        self, source: Any, subject: ShareSubject, material_code: str, **context
    ) -> ShareResult:
        """Ask ``source`` about ``subject`` for ``material_code`` (context: purpose, case)."""


# ----------------------------------------------------------------------------------- local
class LocalProvider:
    """Answers from the platform's own data: 一人一档 / 一企一档 and the valid electronic licences
    the subject holds (电子证照库)."""

    def fetch(
        self, source: Any, subject: ShareSubject, material_code: str, **context
    ) -> ShareResult:
        from banshi.people.models import Enterprise, Person

        if subject.kind == "person":
            person = Person.objects.filter(id_number=subject.identifier).first()
            if person is None:
                return ShareResult(NOT_FOUND)
            data = {"kind": "person", "name": person.name, "id_number": person.id_number}
            if person.address:
                data["address"] = person.address
        elif subject.kind == "enterprise":
            enterprise = Enterprise.objects.filter(uscc=subject.identifier).first()
            if enterprise is None:
                return ShareResult(NOT_FOUND)
            data = {
                "kind": "enterprise",
                "name": enterprise.name,
                "uscc": enterprise.uscc,
                "legal_representative": enterprise.legal_representative,
            }
        else:
            return ShareResult(
                ERROR, error=f"未知的对象类型 / unknown subject kind {subject.kind!r}"
            )
        data["licences"] = _licences_of(subject)
        return ShareResult(OK, data)


def _licences_of(subject: ShareSubject) -> list[dict[str, Any]]:
    """The valid electronic licences the subject holds (电子证照库): identifier, type, validity."""
    from banshi.licences.models import Licence, LicenceStatus

    rows = Licence.objects.filter(holder_code=subject.identifier, status=LicenceStatus.VALID)
    return [
        {
            "id": row.identifier,
            "type": row.licence_type.code,
            "name": row.name,
            "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        }
        for row in rows.select_related("licence_type").order_by("-issued_on")[:50]
    ]


# ------------------------------------------------------------------------------------- http
class HttpProvider:
    """A real exchange: one JSON POST per question with the source's timeout."""

    def __init__(self, credentials: dict[str, str] | None = None) -> None:
        self.credentials = credentials or {}

    def fetch(
        self, source: Any, subject: ShareSubject, material_code: str, **context
    ) -> ShareResult:
        if not source.base_url:
            return ShareResult(ERROR, error="未配置接口地址 / no base URL configured")
        body = json.dumps(
            {
                "material": material_code,
                "subject": {"kind": subject.kind, "id": subject.identifier, "name": subject.name},
                "purpose": context.get("purpose", ""),
                "case": context.get("case", ""),
            },
            ensure_ascii=False,
        ).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        token = self.credentials.get(source.credentials_ref) if source.credentials_ref else None
        if source.credentials_ref and not token:
            return ShareResult(
                ERROR,
                error=f"凭据 {source.credentials_ref} 未配置 / credentials "
                f"{source.credentials_ref!r} not configured",
            )
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(source.base_url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=source.timeout_seconds) as response:
                payload = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return ShareResult(NOT_FOUND)
            return ShareResult(ERROR, error=f"接口返回 HTTP {error.code} / HTTP {error.code}")
        except TimeoutError:
            return ShareResult(ERROR, error=f"接口超时（{source.timeout_seconds} 秒）/ timed out")
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                return ShareResult(
                    ERROR, error=f"接口超时（{source.timeout_seconds} 秒）/ timed out"
                )
            return ShareResult(ERROR, error=f"无法连接接口 / cannot reach the exchange: {reason}")
        return _parse(payload)


def _parse(payload: bytes) -> ShareResult:
    if len(payload) > MAX_RESPONSE_BYTES:
        return ShareResult(ERROR, error="接口返回过大 / response too large")
    try:
        answer = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ShareResult(ERROR, error="接口返回的不是 JSON / the response is not JSON")
    if not isinstance(answer, dict) or not isinstance(answer.get("found"), bool):
        return ShareResult(ERROR, error="接口返回格式不符 / unexpected response shape")
    if not answer["found"]:
        return ShareResult(NOT_FOUND)
    data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
    return ShareResult(OK, data)
