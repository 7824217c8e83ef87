"""Read queries for documents."""

from __future__ import annotations

import re

from banshi.documents.models import Document

# secrets.token_urlsafe output: URL-safe base64 characters.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def document_by_token(token: str) -> Document | None:
    """The document a verification token names (valid or revoked), or ``None``."""
    if not token or not TOKEN_RE.match(token):
        return None
    return Document.objects.select_related("department").filter(token=token).first()


def documents_for(reference: str, *, case_reference: str | None = None) -> list[Document]:
    """Every document issued for an application (and optionally one of its cases), newest first."""
    query = Document.objects.filter(reference=reference)
    if case_reference is not None:
        query = query.filter(case_reference=case_reference)
    return list(query.order_by("-issued_at", "-id"))
