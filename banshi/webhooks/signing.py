"""Webhook signatures (pure: no Django import, so a receiver can copy this file as it is).

Every delivery carries::

    X-Banshi-Timestamp: 1767225600            (Unix seconds when it was sent)
    X-Banshi-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>

A receiver recomputes the HMAC over the raw request body (bytes, before any JSON parsing) and
compares in constant time; :func:`verify_signature` also refuses a timestamp older (or newer)
than ``tolerance`` seconds, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SCHEME = "sha256"
DEFAULT_TOLERANCE = 300


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def signature(secret: str | bytes, timestamp: str | int, body: str | bytes) -> str:
    """The ``X-Banshi-Signature`` header value for ``body`` sent at ``timestamp``."""
    message = _bytes(str(timestamp)) + b"." + _bytes(body)
    digest = hmac.new(_bytes(secret), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify_signature(
    secret: str | bytes,
    timestamp: str | int | None,
    body: str | bytes,
    header: str | None,
    *,
    tolerance: int | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether ``header`` (``X-Banshi-Signature``) signs ``timestamp`` + "." + ``body`` with
    ``secret``, and the timestamp lies within ``tolerance`` seconds of ``now`` (None: no check)."""
    if not header or timestamp is None or str(timestamp).strip() == "":
        return False
    try:
        sent = int(str(timestamp).strip())
    except ValueError:
        return False
    if tolerance is not None:
        current = time.time() if now is None else now
        if abs(current - sent) > tolerance:
            return False
    expected = signature(secret, str(timestamp).strip(), body)
    return hmac.compare_digest(expected.encode("ascii"), header.strip().encode("ascii", "replace"))
