"""Issuing and revoking documents: validate → number → render → hash → store → record.

:func:`issue_document` is what the case engine calls when the law requires a written document::

    document = issue_document(
        AcceptanceNotice(applicant=Applicant(name="张三"), agency="某某市市场监督管理局",
                         items=("食品经营许可",), accepted_on=day, expected_decision_on=due,
                         contact="综合窗口 王** 0371-12345678"),
        application=application,   # or reference="BS-20261123-000001"
    )

It is idempotent per kind × application × case × ``key``: while a current (unrevoked) document
exists for them, it is returned unchanged; ``reissue=True`` revokes it and issues a new one that
names the one it replaces. A document with no application, case or reference is never deduplicated.

The number is taken in its own short transaction before the PDF is rendered (WeasyPrint takes about
a second; the embedded SQLite database must not stay write-locked meanwhile), so a failed render can
leave a gap in the sequence; a number is never reused. A PDF written for a row whose transaction is
later rolled back by the caller stays on disk unreferenced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction

from banshi.core import clock
from banshi.documents import render
from banshi.documents.content import (
    DocumentContent,
    DocumentKind,
    content_digest,
    mask_subject,
    to_data,
    validate,
)
from banshi.documents.models import Document

log = logging.getLogger(__name__)

__all__ = ["issue_document", "next_number", "revoke_document", "verify_url"]


def verify_url(token: str) -> str:
    """The public verification address printed and encoded in the QR code."""
    return f"{settings.BANSHI_PUBLIC_URL}/verify/{token}/"


def next_number(kind: DocumentKind, day: dt.date) -> str:
    """``SL-20261123-000001``: prefix per kind, the day, a six-digit daily sequence, from the ONE
    gap-free sequence (:func:`banshi.cases.numbers.next_value`, row-locked per key)."""
    from banshi.cases.numbers import next_value

    key = f"{kind.number_prefix}-{day:%Y%m%d}"
    with transaction.atomic():
        return f"{key}-{next_value(key):06d}"


def _row(obj: Any, label: str) -> Any:
    """``obj`` when it is a saved row of model ``label`` (``cases.application``), else ``None``."""
    if isinstance(obj, models.Model) and obj._meta.label_lower == label and obj.pk is not None:
        return obj
    return None


def _references(
    content: DocumentContent, application: Any, case: Any, reference: str
) -> tuple[str, str]:
    """(申请编号, 办件编号) from the case engine's objects (duck-typed: ``.number``) or text."""
    case_reference = getattr(case, "number", "") if case is not None else ""
    if application is not None:
        reference = application.number
    elif not reference and case is not None and getattr(case, "application", None) is not None:
        reference = case.application.number
    reference = reference or content.application_number
    return reference or "", case_reference or ""


def current_document(
    kind: DocumentKind | str, *, reference: str = "", case_reference: str = "", key: str = ""
) -> Document | None:
    """The current (unrevoked) document of this kind for this subject, if any."""
    if not reference and not case_reference:
        return None
    return (
        Document.objects.filter(
            kind=DocumentKind(kind).value,
            reference=reference,
            case_reference=case_reference,
            key=key,
            revoked_at__isnull=True,
        )
        .order_by("-id")
        .first()
    )


def issue_document(
    content: DocumentContent,
    *,
    department: Any = None,
    application: Any = None,
    case: Any = None,
    reference: str = "",
    key: str = "",
    reissue: bool = False,
) -> Document:
    """Validate, render, hash, store and record ``content``; return the :class:`Document`.

    * ``number`` and ``issued_on`` left empty are filled (number sequence, the platform clock);
      ``application_number`` from the application when empty.
    * ``application`` / ``case``: the case engine's rows (``cases.Application`` / ``cases.Case``),
      linked by foreign key and by number; any object with ``.number`` (and ``.department``,
      ``.application``) works for the numbers, or pass ``reference`` (the application number).
    * ``department`` (catalog.Department) defaults to the case's department.
    * ``key`` tells apart several documents of one kind for one case (e.g. one 特别程序时间告知书
      per pause: pass the pause's id).
    * Raises :class:`banshi.documents.content.DocumentIncomplete` (nothing rendered, nothing
      stored) when the law's required content is missing, and
      :class:`banshi.documents.render.RenderUnavailable` when WeasyPrint cannot run here.
    """
    kind = content.kind
    reference, case_reference = _references(content, application, case, reference)
    if department is None and case is not None:
        department = getattr(case, "department", None)
    case_row = _row(case, "cases.case")
    application_row = _row(application, "cases.application") or (
        _row(case_row.application, "cases.application") if case_row is not None else None
    )

    existing = current_document(kind, reference=reference, case_reference=case_reference, key=key)
    if existing is not None and not reissue:
        return existing

    now = clock.now()
    filled: dict[str, Any] = {}
    if content.issued_on is None:
        filled["issued_on"] = now.date()
    if not content.application_number and reference:
        filled["application_number"] = reference
    if filled:
        content = dataclasses.replace(content, **filled)
    # Check before a number is taken: an incomplete document consumes nothing.
    validate(content if content.number else dataclasses.replace(content, number="(待编号)"))
    if not content.number:
        content = dataclasses.replace(content, number=next_number(kind, content.issued_on))

    token = secrets.token_urlsafe(16)
    pdf = render.render_pdf(
        content, verify_url=verify_url(token), region=getattr(settings, "BANSHI_REGION_NAME", "")
    )
    algorithm, digest = content_digest(content)
    path = f"documents/{now:%Y}/{now:%m}/{token}.pdf"
    stored = default_storage.save(path, ContentFile(pdf))
    try:
        with transaction.atomic():
            if existing is not None:
                Document.objects.filter(pk=existing.pk, revoked_at__isnull=True).update(
                    revoked_at=now, revoked_reason=f"已重新出具（{content.number}）"
                )
            document = Document.objects.create(
                kind=kind.value,
                number=content.number,
                token=token,
                title=content.title,
                matter=content.matter[:300],
                department=department,
                application=application_row,
                case=case_row,
                agency_name=content.agency,
                subject_label=mask_subject(content.applicant),
                reference=reference,
                case_reference=case_reference,
                key=key,
                issued_on=content.issued_on,
                issued_at=now,
                sha256=hashlib.sha256(pdf).hexdigest(),
                size=len(pdf),
                content_digest=digest,
                digest_algorithm=algorithm,
                file_name=stored,
                content=to_data(content),
                replaces=existing,
            )
    except IntegrityError:
        default_storage.delete(stored)
        # Issued concurrently for the same subject: the other one stands (idempotency).
        winner = current_document(kind, reference=reference, case_reference=case_reference, key=key)
        if winner is None or reissue:
            raise
        return winner
    log.info("issued %s %s (%s)", kind.value, document.number, reference or "-")
    return document


def revoke_document(document: Document, *, reason: str, at: dt.datetime | None = None) -> Document:
    """撤销: the document no longer verifies as valid. Revoking twice keeps the first time."""
    if not reason.strip():
        raise ValueError("撤销文书须写明原因 / a revocation needs a reason")
    if document.revoked_at is None:
        Document.objects.filter(pk=document.pk, revoked_at__isnull=True).update(
            revoked_at=at or clock.now(), revoked_reason=reason.strip()[:300]
        )
        document.refresh_from_db(fields=["revoked_at", "revoked_reason"])
    return document


def read_pdf(document: Document) -> bytes:
    """The stored PDF bytes."""
    with default_storage.open(document.file_name, "rb") as handle:
        return handle.read()
