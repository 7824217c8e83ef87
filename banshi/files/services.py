"""Storing uploaded materials: stream → hash → check → store once (DESIGN §7: addressed by hash).

:func:`store_upload` is the one way a file enters the platform::

    stored = store_upload(request.FILES["file"])   # StoredFile, or UploadRefused

It reads the upload in chunks, computing its SHA-256 and counting its size as it goes, and stops as
soon as the size passes ``BANSHI_UPLOAD_MAX_MB`` (so an oversized file is never kept whole). Then it
reads what the content is (:mod:`banshi.files.sniff`: PDF, PNG, JPEG, OFD) and refuses an empty
file, an oversized one, or a type that is not allowed — each with a message in Chinese and English
that says why. Identical content is stored once: a second upload of the same bytes returns the
existing row (and writes nothing).

Bytes are written through Django's default storage at ``files/ab/cd/<sha256>``; configure an
S3-compatible backend in ``STORAGES["default"]`` and nothing here changes.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from banshi.core import clock
from banshi.files import sniff
from banshi.files.models import StoredFile

log = logging.getLogger(__name__)

__all__ = [
    "UploadRefused",
    "allowed_labels",
    "max_upload_bytes",
    "open_stored",
    "storage_name",
    "store_bytes",
    "store_upload",
]

CHUNK = 64 * 1024
MAX_NAME = 255


class UploadRefused(ValueError):
    """An upload was not stored. ``code``: ``empty``, ``too_large``, ``type``; ``str()`` is
    "中文 / English"."""

    def __init__(self, code: str, zh: str, en: str, *, name: str = "") -> None:
        self.code = code
        self.zh = zh
        self.en = en
        self.name = name
        super().__init__(f"{zh} / {en}")


def max_upload_bytes() -> int:
    """``BANSHI_UPLOAD_MAX_MB`` (default 20) in bytes."""
    return int(float(getattr(settings, "BANSHI_UPLOAD_MAX_MB", 20)) * 1024 * 1024)


def _allowed() -> dict[str, str]:
    keys = getattr(settings, "BANSHI_UPLOAD_TYPES", sniff.DEFAULT_ALLOWED)
    return sniff.allowed_types(list(keys))


def allowed_labels() -> str:
    """The allowed kinds as applicants read them: ``PDF、PNG、JPEG、OFD``."""
    return "、".join(_allowed().values())


def storage_name(digest: str) -> str:
    """``files/ab/cd/<sha256>``: two levels of fan-out keep folders small."""
    return f"files/{digest[:2]}/{digest[2:4]}/{digest}"


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def too_large(name: str = "") -> UploadRefused:
    """The refusal for a file over the limit (also used by the upload handler that stops early)."""
    limit = _megabytes(max_upload_bytes())
    return UploadRefused(
        "too_large",
        f"文件“{name}”超过 {limit} MB，请压缩或分成几个文件后再上传",
        f"the file {name!r} is larger than {limit} MB: compress it or split it, then upload again",
        name=name,
    )


def _clean_name(name: str | None) -> str:
    text = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in text if ch.isprintable())[:MAX_NAME]


def store_upload(uploaded: Any, *, name: str | None = None) -> StoredFile:
    """Store an uploaded file (anything with ``chunks()`` or ``read()``) once per content.

    Raises :class:`UploadRefused` (nothing stored) for an empty file, one over
    ``BANSHI_UPLOAD_MAX_MB``, or content that is not an allowed type.
    """
    display = _clean_name(name if name is not None else getattr(uploaded, "name", ""))
    limit = max_upload_bytes()
    digest = hashlib.sha256()
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        for chunk in _chunks(uploaded):
            size += len(chunk)
            if size > limit:
                raise too_large(display)
            digest.update(chunk)
            spool.write(chunk)
        if size == 0:
            raise UploadRefused(
                "empty",
                f"文件“{display}”是空文件，请重新选择",
                f"the file {display!r} is empty: choose it again",
                name=display,
            )
        spool.seek(0)
        head = spool.read(sniff.HEAD_BYTES)
        content_type = sniff.sniff(head, spool)
        allowed = _allowed()
        if content_type not in allowed:
            kinds = "、".join(allowed.values())
            raise UploadRefused(
                "type",
                f"文件“{display}”的内容不是允许的类型（{kinds}）；更改文件名后缀不能改变文件的实际类型",
                f"the content of {display!r} is not an allowed type ({', '.join(allowed.values())}); "
                "renaming a file does not change what it is",
                name=display,
            )
        spool.seek(0)
        return _keep(spool, digest.hexdigest(), size, content_type, display)


def store_bytes(data: bytes, name: str) -> StoredFile:
    """Store bytes as if uploaded (tests, imports): same checks, same de-duplication."""
    from django.core.files.base import ContentFile

    return store_upload(ContentFile(data, name=name))


def _chunks(uploaded: Any) -> Iterable[bytes]:
    if hasattr(uploaded, "chunks"):
        if hasattr(uploaded, "seek"):
            uploaded.seek(0)
        yield from uploaded.chunks(CHUNK)
        return
    while True:
        chunk = uploaded.read(CHUNK)
        if not chunk:
            return
        yield chunk


def _keep(spool: Any, digest: str, size: int, content_type: str, display: str) -> StoredFile:
    """The row for ``digest``: the existing one (content already stored), or a new one."""
    existing = StoredFile.objects.filter(sha256=digest).first()
    if existing is not None:
        if not default_storage.exists(existing.storage_name):  # lost on disk: write it again
            default_storage.save(existing.storage_name, File(spool, name=digest))
        return existing
    target = storage_name(digest)
    written = (
        target
        if default_storage.exists(target)
        else default_storage.save(target, File(spool, name=digest))
    )
    try:
        with transaction.atomic():
            return StoredFile.objects.create(
                sha256=digest,
                size=size,
                content_type=content_type,
                original_name=display,
                storage_name=written,
                created_at=clock.now(),
            )
    except IntegrityError:  # the same content stored concurrently: theirs stands
        winner = StoredFile.objects.get(sha256=digest)
        if written != winner.storage_name:
            default_storage.delete(written)
        return winner


def open_stored(stored: StoredFile):
    """The stored bytes as a binary file object (close it, or hand it to FileResponse)."""
    return default_storage.open(stored.storage_name, "rb")
