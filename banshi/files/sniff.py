"""What a file *is*, read from its bytes (magic numbers), never from its name (pure: no Django).

Applicants' uploads are accepted by content type, and the content type is read from the content: an
``.exe`` renamed ``营业执照.pdf`` starts with ``MZ``, not ``%PDF-``, and is refused for what it is.

========== ================ ===========================================================
key        content type     how it is recognised
========== ================ ===========================================================
``pdf``    application/pdf  ``%PDF-`` within the first 1024 bytes (ISO 32000-1 §7.5.2
                            allows a little junk before the header, as readers do)
``png``    image/png        the 8-byte PNG signature ``89 50 4E 47 0D 0A 1A 0A``
``jpeg``   image/jpeg       ``FF D8 FF`` (SOI followed by a marker)
``ofd``    application/ofd  a ZIP archive (``PK\\x03\\x04``) whose root holds ``OFD.xml``, the entry
                            file of GB/T 33190-2016 版式文档 (the Chinese fixed-layout format)
========== ================ ===========================================================

Anything else (executables, Office files, plain ZIPs, HTML, SVG with scripts …) is ``None``, which
the storage service refuses. Which of the four are allowed is a setting (``BANSHI_UPLOAD_TYPES``).
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
OFD = "application/ofd"

# key → (content type, label shown to applicants)
KINDS: dict[str, tuple[str, str]] = {
    "pdf": (PDF, "PDF"),
    "png": (PNG, "PNG"),
    "jpeg": (JPEG, "JPEG"),
    "ofd": (OFD, "OFD"),
}
DEFAULT_ALLOWED = ("pdf", "png", "jpeg", "ofd")
HEAD_BYTES = 1024  # how much of the start a caller must pass to :func:`sniff`

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_SIGNATURE = b"PK\x03\x04"
_OFD_ENTRY = "OFD.xml"
_MAX_ZIP_ENTRIES = 10_000  # an OFD with more entries than this is not a document we accept


def sniff(head: bytes, stream: BinaryIO | None = None) -> str | None:
    """The content type of a file from its first bytes (``head``, at least :data:`HEAD_BYTES` when
    the file is that long); ``stream`` (seekable, the whole file) is needed only to look inside a
    ZIP for an OFD. ``None`` when the content is none of the known kinds."""
    if b"%PDF-" in head[:HEAD_BYTES]:
        return PDF
    if head.startswith(_PNG_SIGNATURE):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_ZIP_SIGNATURE) and stream is not None and _is_ofd(stream):
        return OFD
    return None


def _is_ofd(stream: BinaryIO) -> bool:
    """A ZIP archive with ``OFD.xml`` at its root (GB/T 33190 §7.1: the entry file)."""
    position = stream.tell()
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if len(names) > _MAX_ZIP_ENTRIES:
                return False
            return _OFD_ENTRY in names
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        stream.seek(position)


def allowed_types(keys: tuple[str, ...] | list[str]) -> dict[str, str]:
    """content type → label for the allowed keys (unknown keys are ignored)."""
    return {KINDS[key][0]: KINDS[key][1] for key in keys if key in KINDS}


def label(content_type: str) -> str:
    """``application/pdf`` → ``PDF`` (the type itself when unknown)."""
    for kind, name in KINDS.values():
        if kind == content_type:
            return name
    return content_type
