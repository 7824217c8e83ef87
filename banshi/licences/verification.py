"""核验: does a licence hold, and if not, why (signature, key, identifier, status).

A :class:`Verdict` lists every problem found, each in Chinese and English, so the verification page
and ``banshi licences verify`` say *why* a forged or altered licence fails. Status is read from the
library (it is not signed); the signature is checked against the public key recorded for the
fingerprint, never against a key the presented licence brings along.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from banshi.core import clock
from banshi.licences import canonical, signing
from banshi.licences.models import Licence, LicenceStatus, SigningKey
from banshi.people.identifiers import IdentifierError, validate_licence_identifier


@dataclass(frozen=True)
class Problem:
    code: str  # identifier | not_found | unknown_key | signature | revoked | expired | replaced | not_yet
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass
class Verdict:
    """The outcome of a check. ``authentic``: identifier and signature hold (the licence is what
    the department signed); ``valid``: authentic and in force today."""

    licence: Licence | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def authentic(self) -> bool:
        return not any(p.code in FORGERY for p in self.problems)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def status_label(self) -> str:
        if not self.authentic:
            return "核验失败"
        if self.valid:
            return "有效"
        return self.problems[0].zh.split("：")[0]

    @property
    def status_labels(self) -> tuple[str, str]:
        """The status in Chinese and English (the page picks its language's half)."""
        if not self.authentic:
            return ("核验失败", "verification failed")
        if self.valid:
            return ("有效", "valid")
        return (self.status_label, STATUS_LABELS_EN.get(self.problems[0].code, "not in force"))


FORGERY = frozenset({"identifier", "not_found", "unknown_key", "signature"})
# The English of status_label, by the code of the first (status) problem.
STATUS_LABELS_EN = {
    "revoked": "revoked",
    "replaced": "replaced",
    "expired": "expired",
    "not_yet": "not yet in force",
}


def check_signature(
    metadata: Mapping[str, Any], signature_hex: str, key: SigningKey | None
) -> list[Problem]:
    """Problems with ``signature_hex`` over ``metadata`` under the key the metadata names."""
    fingerprint = str(metadata.get("key_fingerprint") or "")
    if key is None or key.fingerprint != fingerprint:
        return [
            Problem(
                "unknown_key",
                f"签章密钥未登记（指纹 {fingerprint[:16] or '空'}）：非本平台签发",
                "the signing key is not registered here: the licence was not issued by us",
            )
        ]
    data = canonical.signed_bytes(metadata)
    if str(metadata.get("algorithm")) != key.algorithm or not signing.verify(
        key.algorithm, key.public_key, data, signature_hex
    ):
        return [
            Problem(
                "signature",
                "签名与证照内容不符：证照内容已被篡改或签名系伪造",
                "the signature does not match the licence data: altered data or a forged signature",
            )
        ]
    return []


def check(licence: Licence, *, today: dt.date | None = None) -> Verdict:
    """Check a licence row of the library: identifier, signature, then status and dates."""
    from banshi.licences.services import metadata_of

    today = today or clock.today()
    verdict = Verdict(licence)
    try:
        validate_licence_identifier(licence.identifier)
    except IdentifierError as error:
        verdict.problems.append(
            Problem("identifier", f"证照标识无效：{error.message_zh}", error.message_en)
        )
    verdict.problems += check_signature(
        metadata_of(licence), licence.signature, licence.signing_key
    )
    verdict.problems += _status_problems(licence, today)
    return verdict


def _status_problems(licence: Licence, today: dt.date) -> list[Problem]:
    when = f"{licence.status_changed_at:%Y-%m-%d}" if licence.status_changed_at else ""
    if licence.status == LicenceStatus.REVOKED:
        return [
            Problem(
                "revoked",
                f"已吊销/撤销：{when} {licence.status_reason}".strip(),
                f"revoked on {when}: {licence.status_reason}",
            )
        ]
    if licence.status == LicenceStatus.REPLACED:
        newer = getattr(licence, "replaced_by", None)
        number = newer.number if newer else ""
        return [
            Problem(
                "replaced",
                f"已换发：{when} 由证照 {number} 替代".strip(),
                f"replaced on {when} by licence {number}",
            )
        ]
    if licence.status == LicenceStatus.EXPIRED or (licence.valid_to and licence.valid_to < today):
        return [
            Problem(
                "expired",
                f"已过期：有效期至 {licence.valid_to}",
                f"expired: it was valid until {licence.valid_to}",
            )
        ]
    if licence.valid_from > today:
        return [
            Problem(
                "not_yet",
                f"尚未生效：自 {licence.valid_from} 起有效",
                f"not yet in force: valid from {licence.valid_from}",
            )
        ]
    return []


def lookup(raw_identifier: str, *, today: dt.date | None = None) -> Verdict:
    """Check an identifier someone typed or scanned: well-formed, in the library, then as above."""
    try:
        identifier = validate_licence_identifier(raw_identifier).value
    except IdentifierError as error:
        return Verdict(
            None, [Problem("identifier", f"证照标识无效：{error.message_zh}", error.message_en)]
        )
    licence = (
        Licence.objects.select_related("signing_key", "licence_type", "replaces")
        .filter(identifier=identifier)
        .first()
    )
    if licence is None:
        return Verdict(
            None,
            [
                Problem(
                    "not_found",
                    "电子证照库中没有此证照：可能系伪造",
                    "no such licence in the licence library: it may be forged",
                )
            ],
        )
    return check(licence, today=today)


def check_presented(
    metadata: Mapping[str, Any], signature_hex: str, *, today: dt.date | None = None
) -> Verdict:
    """Check a licence presented as data (metadata + signature, e.g. from a file or an API): its
    signature under the registered key, that the library holds the same licence, and its status."""
    fingerprint = str(metadata.get("key_fingerprint") or "")
    key = SigningKey.objects.filter(fingerprint=fingerprint).first()
    problems = check_signature(metadata, signature_hex, key)
    if problems:
        return Verdict(None, problems)
    return lookup(str(metadata.get("identifier") or ""), today=today)
