"""The audit trail's operations: :func:`record` is the ONE way to write an entry.

Call it wherever staff see a person's or an enterprise's data, wherever data is shared, and on
security events (logins, permission changes)::

    from banshi.audit.services import record
    from banshi.audit.models import Action

    record(actor=request.user, action=Action.VIEW_CASE, subject=application.applicant,
           purpose=f"办理办件 {case.number}", case=case, request=request)

The entry is written in the caller's transaction (nothing is logged for a rolled-back change).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.utils.ipv6 import clean_ipv6_address

from banshi.audit import chain
from banshi.audit.models import Action, AuditAnchor, AuditCheckpoint, AuditEntry, ChainHead
from banshi.core import clock
from banshi.people import identifiers

MIN_RETENTION_DAYS = 180  # 网络安全法 第二十一条(三): 网络日志留存不少于六个月
MAX_PURPOSE = 300


class AuditError(Exception):
    """Refused audit operation, with a Chinese and an English message."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


# ----------------------------------------------------------------------------------- subjects
@dataclass(frozen=True)
class Subject:
    """Who an entry is about: a kind, an id and a label that never shows a full ID or phone."""

    kind: str
    id: str
    label: str


def describe(subject: Any) -> Subject | None:
    """A :class:`Subject` for a Person, an Enterprise, any model instance, or a Subject/tuple."""
    if subject is None:
        return None
    if isinstance(subject, Subject):
        return subject
    if isinstance(subject, tuple):
        kind, ident, label = [*subject, "", ""][:3]
        return Subject(str(kind), str(ident), str(label))
    meta = getattr(subject, "_meta", None)
    if meta is None:
        return Subject(type(subject).__name__, "", mask_text(str(subject)))
    label = meta.label_lower
    if label == "people.person":
        text = (
            f"{identifiers.mask_name(subject.name)} {identifiers.mask_id_number(subject.id_number)}"
        )
        return Subject("person", str(subject.pk), text)
    if label == "people.enterprise":
        return Subject("enterprise", str(subject.pk), f"{subject.name} {subject.uscc}")
    return Subject(label, str(subject.pk), mask_text(str(subject))[:200])


def mask_text(text: str) -> str:
    """Mask anything that looks like an ID number or a mobile number inside free text."""
    text = re.sub(r"\d{17}[\dXx]", lambda m: identifiers.mask_id_number(m.group()), text)
    return re.sub(r"(?<!\d)1\d{10}(?!\d)", lambda m: identifiers.mask_phone(m.group()), text)


_ID_NUMBER = re.compile(r"\d{17}[\dX]|\d{15}")
_PHONE = re.compile(r"(\+?86)?1\d{10}")


def mask_username(text: str) -> str:
    """The name typed at a failed login, kept (who tried what) but masked when it is an ID number
    or a mobile number: people type those as their account, and the trail must not hold them
    in full (个人信息保护法 第五十一条: 去标识化)."""
    compact = identifiers.normalise(text).replace("-", "")
    if _ID_NUMBER.fullmatch(compact):
        return identifiers.mask_id_number(compact)
    if _PHONE.fullmatch(compact):
        return identifiers.mask_phone(compact)
    return mask_text(text)


def _case_number(case: Any) -> str:
    if case is None:
        return ""
    return str(getattr(case, "number", case))[:48]


def _client_ip(request: Any) -> str | None:
    """The peer address in the form every database gives back (hashed as stored)."""
    raw = request.META.get("REMOTE_ADDR") if request is not None else None
    if not raw:
        return None
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    return clean_ipv6_address(raw) if address.version == 6 else address.compressed


# ------------------------------------------------------------------------------------- writing
def _locked_head() -> ChainHead:
    """The chain head, locked until the caller's transaction ends (PostgreSQL row lock; SQLite
    serialises writers anyway). Created on first use, racing creators resolved by the unique pk."""
    try:
        return ChainHead.objects.select_for_update().get(pk=1)
    except ChainHead.DoesNotExist:
        try:
            with transaction.atomic():
                ChainHead.objects.create(pk=1, sequence=0, hash=chain.GENESIS)
        except IntegrityError:
            pass
        return ChainHead.objects.select_for_update().get(pk=1)


def record(
    *,
    actor: Any,
    action: str,
    subject: Any = None,
    purpose: str = "",
    case: Any = None,
    details: dict | None = None,
    username: str = "",
    request: Any = None,
) -> AuditEntry:
    """Append one entry to the chain, in the caller's transaction.

    ``actor``: the user (``None`` or anonymous for the system or a failed login; then ``username``
    names who tried). ``subject``: a Person, an Enterprise, any model instance, or ``(kind, id,
    label)``. ``case``: a Case/Application or its number. ``details``: JSON, never a full ID or phone.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    who = describe(subject)
    with transaction.atomic():
        head = _locked_head()
        row = {
            "sequence": head.sequence + 1,
            "at": clock.now(),
            "actor_id": user.pk if user else None,
            "actor_username": (user.get_username() if user else username)[:150],
            "action": str(getattr(action, "value", action)),
            "subject_kind": who.kind if who else "",
            "subject_id": who.id[:64] if who else "",
            "subject_label": who.label[:200] if who else "",
            "purpose": (purpose or "")[:MAX_PURPOSE],
            "case_number": _case_number(case),
            "ip_address": _client_ip(request),
            "details": details or {},
            "prev_hash": head.hash or chain.GENESIS,
        }
        entry = AuditEntry(**row, hash=chain.entry_hash(row))
        entry.save(force_insert=True)
        head.sequence, head.hash = entry.sequence, entry.hash
        head.save(update_fields=["sequence", "hash"])
    return entry


# ------------------------------------------------------------------------------------- checking
_COLUMNS = ("sequence", "at", "actor_id", "actor_username", "action", "subject_kind",
            "subject_id", "subject_label", "purpose", "case_number", "ip_address", "details",
            "prev_hash", "hash")  # fmt: skip


def verify(*, chunk_size: int = 5000, anchor: tuple[int, str] | None = None) -> chain.Report:
    """Walk the chain from the last purge checkpoint (or the start) to the head. ``anchor``
    (sequence, hash), as printed earlier by ``banshi audit head`` and kept outside, must still be
    in the chain: this catches a chain recomputed from scratch by someone who knows the algorithm.
    So must every signed :class:`AuditAnchor` stored by ``banshi audit anchor``."""
    report = _walk(chunk_size)
    if report.ok:
        problem = _anchor_problem(*anchor) if anchor is not None else None
        problem = problem or _stored_anchor_problem()
        if problem is not None:
            return chain.Report(
                report.checked, report.first_sequence, report.last_sequence, report.last_hash,
                problem,
            )  # fmt: skip
    return report


def _anchor_problem(sequence: int, expected: str) -> chain.Problem | None:
    if sequence == 0 and expected == chain.GENESIS:
        return None  # the empty chain (an anchor taken before anything was recorded)
    entry = AuditEntry.objects.filter(sequence=sequence).values_list("hash", flat=True).first()
    if entry is None:
        checkpoint = AuditCheckpoint.objects.filter(through_sequence=sequence).first()
        entry = checkpoint.through_hash if checkpoint else None
        if entry is None and AuditCheckpoint.objects.filter(through_sequence__gt=sequence).exists():
            return None  # purged past the anchor: nothing left to compare
    if entry == expected:
        return None
    return chain.Problem(
        sequence,
        "anchor",
        f"第 {sequence} 条与外部保存的链头摘要不符（整条链被重算或替换）"
        f" / entry {sequence} does not match the anchored hash (the chain was rebuilt)",
    )


def _walk(chunk_size: int) -> chain.Report:
    checkpoint = AuditCheckpoint.objects.order_by("-through_sequence").first()
    start_sequence = checkpoint.through_sequence if checkpoint else 0
    start_hash = checkpoint.through_hash if checkpoint else chain.GENESIS
    head = ChainHead.objects.filter(pk=1).first()
    rows = (
        dict(zip(_COLUMNS, values, strict=True))
        for values in AuditEntry.objects.order_by("sequence")
        .values_list(*_COLUMNS)
        .iterator(chunk_size=chunk_size)
    )
    return chain.walk(
        rows,
        start_sequence=start_sequence,
        start_hash=start_hash,
        head_sequence=head.sequence if head else None,
    )


def head() -> dict[str, Any]:
    """The chain head to anchor outside the platform (print it daily, sign it, keep it)."""
    current = ChainHead.objects.filter(pk=1).first()
    last = AuditEntry.objects.order_by("-sequence").first()
    return {
        "sequence": current.sequence if current else 0,
        "hash": current.hash if current else chain.GENESIS,
        "at": last.at.isoformat() if last else None,
        "algorithm": chain.ALGORITHM,
        "anchor": f"{current.sequence}:{current.hash}" if current else None,
    }


# ------------------------------------------------------------------------------------ anchoring
ANCHOR_KEY_OWNER = "audit"  # the "department" written in the key file


def _anchor_message(sequence: int, digest: str, at: dt.datetime) -> bytes:
    """What an anchor's signature covers (versioned, so the format can change later)."""
    return f"banshi-audit-anchor:v1:{sequence}:{digest}:{chain._instant(at)}".encode()


def _anchor_key():
    """The key pair that signs anchors: the configured one, else the one of the last anchor, else
    a new one (``BANSHI_LICENCE_ALGORITHM``, SM2 by default) written to the key directory."""
    from banshi.licences import keys, signing

    fingerprint = getattr(settings, "BANSHI_AUDIT_ANCHOR_KEY", "") or (
        AuditAnchor.objects.order_by("-at").values_list("key_fingerprint", flat=True).first()
    )
    if fingerprint:
        return keys.load(fingerprint)
    pair = signing.generate(getattr(settings, "BANSHI_LICENCE_ALGORITHM", signing.SM2))
    keys.write(pair, ANCHOR_KEY_OWNER)
    return pair


def anchor() -> AuditAnchor:
    """``banshi audit anchor``: sign the current chain head and store the signed anchor. When the
    head has not moved since the last anchor, that anchor is returned (the daily job may rerun)."""
    from banshi.licences import signing

    with transaction.atomic():
        current = _locked_head()
        last = AuditAnchor.objects.order_by("-sequence", "-at").first()
        if last is not None and (last.sequence, last.hash) == (current.sequence, current.hash):
            return last
        pair = _anchor_key()
        at = clock.now()
        message = _anchor_message(current.sequence, current.hash, at)
        return AuditAnchor.objects.create(
            sequence=current.sequence,
            hash=current.hash,
            at=at,
            algorithm=pair.algorithm,
            key_fingerprint=pair.fingerprint,
            public_key=pair.public_hex,
            signature=signing.sign(pair.algorithm, pair.private_hex, pair.public_hex, message),
        )


def anchor_job() -> None:
    """The daily background job (registered in ``AuditConfig.ready``)."""
    anchor()


def anchor_interval() -> int:
    return max(1, int(getattr(settings, "BANSHI_AUDIT_ANCHOR_HOURS", 24))) * 3600


def anchor_signature_problem(stored: AuditAnchor, loaded: dict | None = None) -> str | None:
    """Why a stored anchor's signature cannot be trusted, or ``None``. The public key comes from
    the key file (outside the database), never from the row, so a forged row cannot carry its
    own key; a configured ``BANSHI_AUDIT_ANCHOR_KEY`` must be the key that signed."""
    from banshi.licences import keys, signing

    configured = getattr(settings, "BANSHI_AUDIT_ANCHOR_KEY", "")
    if configured and stored.key_fingerprint != configured:
        return "签名密钥不是配置的锚定密钥 / signed with a key other than BANSHI_AUDIT_ANCHOR_KEY"
    loaded = {} if loaded is None else loaded  # fingerprint -> key pair (a load derives the key)
    try:
        if stored.key_fingerprint not in loaded:
            loaded[stored.key_fingerprint] = keys.load(stored.key_fingerprint)
        pair = loaded[stored.key_fingerprint]
    except (keys.KeyMissing, signing.SigningError) as error:
        return f"无法核验签名 / cannot check the signature: {error}"
    message = _anchor_message(stored.sequence, stored.hash, stored.at)
    if not signing.verify(pair.algorithm, pair.public_hex, message, stored.signature):
        return (
            "签名无效（锚定记录被改动或伪造）/ invalid signature (the anchor was edited or forged)"
        )
    return None


def _stored_anchor_problem() -> chain.Problem | None:
    loaded: dict = {}
    for stored in AuditAnchor.objects.order_by("sequence", "at").iterator():
        reason = anchor_signature_problem(stored, loaded)
        if reason is not None:
            return chain.Problem(
                stored.sequence,
                "anchor",
                f"锚定 #{stored.sequence} ({stored.at:%Y-%m-%d}): {reason}",
            )
        problem = _anchor_problem(stored.sequence, stored.hash)
        if problem is not None:
            return problem
    return None


# ------------------------------------------------------------------------------------ retention
def retention_days() -> int:
    """The configured retention; less than six months is refused (网络安全法 第二十一条)."""
    days = int(getattr(settings, "BANSHI_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS))
    if days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            f"BANSHI_AUDIT_RETENTION_DAYS={days}：审计日志至少保留 {MIN_RETENTION_DAYS} 天"
            f"（网络安全法第二十一条）/ audit logs are kept at least {MIN_RETENTION_DAYS} days"
        )
    return days


@dataclass(frozen=True)
class PurgeResult:
    purged: int
    through_sequence: int | None
    cutoff: dt.datetime


def purge(*, days: int | None = None, actor: Any = None) -> PurgeResult:
    """Remove entries older than the retention, keeping the rest verifiable: a checkpoint records
    the hash of the last removed entry, and the purge itself is an entry of the chain."""
    days = retention_days() if days is None else days
    if days < MIN_RETENTION_DAYS:
        raise AuditError(
            f"审计日志至少保留 {MIN_RETENTION_DAYS} 天（网络安全法第二十一条），不能只保留 {days} 天",
            f"audit logs are kept at least {MIN_RETENTION_DAYS} days, not {days}",
        )
    cutoff = clock.now() - dt.timedelta(days=days)
    with transaction.atomic():
        _locked_head()
        last = AuditEntry.objects.filter(at__lt=cutoff).order_by("-sequence").first()
        if last is None:
            return PurgeResult(0, None, cutoff)
        count = AuditEntry.objects.filter(sequence__lte=last.sequence).count()
        AuditCheckpoint.objects.create(
            through_sequence=last.sequence,
            through_hash=last.hash,
            purged=count,
            cutoff=cutoff,
            at=clock.now(),
        )
        _delete_through(last.sequence)
        record(
            actor=actor,
            action=Action.PURGE,
            purpose=f"保留期 {days} 天",
            details={"through_sequence": last.sequence, "purged": count},
        )
    return PurgeResult(count, last.sequence, cutoff)


def _delete_through(sequence: int) -> None:
    delete_entries("sequence <= %s", [sequence])


def delete_entries(where: str, params: list) -> None:
    """The one DELETE of audit entries (the purge; the benchmark removing its own synthetic rows).
    On PostgreSQL the append-only trigger (migration 0003) lets it through only while
    ``banshi.audit_purge`` is on: set for this statement and switched off again at once
    (``set_config(…, true)`` would otherwise last to the end of an outer transaction)."""
    table = AuditEntry._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:  # the setting is per transaction
        postgres = connection.vendor == "postgresql"
        if postgres:
            cursor.execute("SELECT set_config('banshi.audit_purge', 'on', true)")
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)
        if postgres:  # (a failed DELETE rolls back, and the setting with it)
            cursor.execute("SELECT set_config('banshi.audit_purge', 'off', true)")


# ----------------------------------------------------------------------------------- staff reads
def record_case_read(request: Any, application: Any, *, case: Any = None) -> AuditEntry:
    """A staff member opened an application or a case page and saw its applicant's data: the
    purpose is handling that case (DESIGN §8). One line in the view::

        record_case_read(request, application, case=case)
    """
    number = getattr(case, "number", None) or application.number
    return record(
        actor=request.user,
        action=Action.VIEW_CASE,
        subject=application.applicant,
        purpose=f"办理办件 {number}",
        case=number,
        details={"enterprise": application.enterprise_id} if application.enterprise_id else None,
        request=request,
    )


def record_profile_read(request: Any, subject: Any, *, purpose: str = "后台维护") -> AuditEntry:
    """A staff member opened a person's or an enterprise's profile (e.g. its admin page)."""
    label = getattr(getattr(subject, "_meta", None), "label_lower", "")
    action = Action.VIEW_ENTERPRISE if label == "people.enterprise" else Action.VIEW_PERSON
    return record(
        actor=request.user, action=action, subject=subject, purpose=purpose, request=request
    )


# ------------------------------------------------------------------------------ staff downloads
def _is_staff(user: Any) -> bool:
    from banshi.people import permissions

    return bool(getattr(user, "is_staff", False)) or permissions.is_staff_member(user)


def record_document_download(request: Any, document: Any) -> AuditEntry | None:
    """A staff member downloaded a document's PDF (it shows the applicant unmasked); the
    applicant fetching their own document is not an access to someone else's data. One line in
    the view, after the permission check::

        record_document_download(request, document)
    """
    if not _is_staff(request.user):
        return None
    application = document.application
    subject = (
        application.applicant
        if application is not None
        else Subject("documents.document", str(document.pk), document.subject_label)
    )
    number = (
        (document.case.number if document.case_id else "")
        or document.case_reference
        or document.reference
    )
    return record_download(
        request,
        subject=subject,
        purpose=f"下载文书 {document.title} {document.number}",
        case=number,
        details={"document": document.number, "kind": document.kind},
    )


def record_download(
    request: Any, *, subject: Any, purpose: str, case: Any = None, details: dict | None = None
) -> AuditEntry:
    """A staff member downloaded a file carrying personal data (a PDF, an Excel report naming
    people): who, what, for which case or report."""
    return record(
        actor=request.user,
        action=Action.DOWNLOAD,
        subject=subject,
        purpose=purpose,
        case=case,
        details=details,
        request=request,
    )
