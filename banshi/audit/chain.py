"""The hash chain, as pure logic (no Django): canonical serialisation, SM3 digests, verification.

Why SM3 and not SHA-256: 密评 (GB/T 39786-2021 §8.4 g, standards §7.2) expects the national hash
for integrity of important data at rest, and audit data is named by 等保 (安全审计 c). SM3 comes from
``cryptography`` (its bundled OpenSSL), so it does not depend on how Python itself was built.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes

ALGORITHM = "SM3"
GENESIS = "0" * 64  # prev_hash of the very first entry

# The fields a hash covers, in this order of meaning (serialised with sorted keys).
FIELDS = (
    "sequence",
    "at",
    "actor_id",
    "actor_username",
    "action",
    "subject_kind",
    "subject_id",
    "subject_label",
    "purpose",
    "case_number",
    "ip_address",
    "details",
    "prev_hash",
)


def _instant(value: dt.datetime) -> str:
    """An instant as UTC ISO text with microseconds: the same for every database and time zone."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash is computed over: sorted-key compact JSON, UTF-8."""
    data = {name: row.get(name) for name in FIELDS}
    data["at"] = _instant(data["at"])
    data["details"] = data["details"] or {}
    for name in ("actor_username", "subject_kind", "subject_id", "subject_label", "purpose"):
        data[name] = data[name] or ""
    data["case_number"] = data["case_number"] or ""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def digest(data: bytes) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def entry_hash(row: Mapping[str, Any]) -> str:
    return digest(canonical(row))


@dataclass(frozen=True)
class Problem:
    """The first break in the chain: which sequence number and why (Chinese and English)."""

    sequence: int
    kind: str  # edited | deleted | reordered | truncated
    message: str

    def __str__(self) -> str:
        return f"#{self.sequence} [{self.kind}] {self.message}"


@dataclass(frozen=True)
class Report:
    checked: int
    first_sequence: int | None
    last_sequence: int | None
    last_hash: str
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def walk(
    rows: Iterable[Mapping[str, Any]],
    *,
    start_sequence: int = 0,
    start_hash: str = GENESIS,
    head_sequence: int | None = None,
) -> Report:
    """Check ``rows`` (ordered by sequence) continue the chain from ``start_*``; stop at the first
    break. ``head_sequence`` (the chain head's last number) catches deleted entries at the end."""
    expected, previous, checked, first = start_sequence + 1, start_hash, 0, None
    for row in rows:
        sequence = row["sequence"]
        first = sequence if first is None else first
        if sequence != expected:
            missing = f"{expected}" if sequence == expected + 1 else f"{expected}–{sequence - 1}"
            return _broken(
                checked, first, expected, "deleted",
                f"第 {missing} 条缺失（已被删除）/ entry {missing} is missing (deleted)",
                previous,
            )  # fmt: skip
        own = entry_hash(row)
        if row["prev_hash"] != previous:
            if own == row["hash"]:
                message = (
                    f"第 {sequence} 条与前一条不衔接（顺序被调换或前一条被替换）"
                    f" / entry {sequence} does not follow the one before it (reordered or replaced)"
                )
                return _broken(checked, first, sequence, "reordered", message, previous)
            message = (
                f"第 {sequence} 条被修改，且与前一条不衔接 / entry {sequence} was edited "
                "and does not follow the one before it"
            )
            return _broken(checked, first, sequence, "reordered", message, previous)
        if own != row["hash"]:
            message = f"第 {sequence} 条内容被修改 / entry {sequence} was edited (hash mismatch)"
            return _broken(checked, first, sequence, "edited", message, previous)
        previous, expected, checked = row["hash"], expected + 1, checked + 1
    last = expected - 1
    if head_sequence is not None and head_sequence > last:
        missing = f"{last + 1}" if head_sequence == last + 1 else f"{last + 1}–{head_sequence}"
        message = (
            f"最后的第 {missing} 条缺失（已被删除），链头为第 {head_sequence} 条"
            f" / the last entries {missing} are missing (the head is {head_sequence})"
        )
        return _broken(checked, first, last + 1, "truncated", message, previous)
    return Report(checked, first, last if checked else None, previous, None)


def _broken(checked, first, sequence, kind, message, previous) -> Report:
    return Report(
        checked,
        first,
        sequence - 1 if checked else None,
        previous,
        Problem(sequence, kind, message),
    )
