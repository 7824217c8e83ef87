"""The bytes a licence signature covers (pure: no Django import).

``signed_bytes(metadata)`` is::

    b"banshi-licence-v1\\n" + UTF-8(JSON(metadata))

where JSON is ``json.dumps`` with sorted keys, ``separators=(",", ":")`` and ``ensure_ascii=False``
(Chinese stays as UTF-8), dates as ISO ``YYYY-MM-DD``, an open end (长期) as ``""``, and exactly the
keys of :data:`SIGNED_FIELDS` (GB/T 36903 metadata, reference standards §6.3), nothing else. The
status (valid / revoked / expired / replaced) is NOT signed: it lives in the licence library and
changes without re-signing; the verification page reads it from there.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

PREFIX = b"banshi-licence-v1\n"

# key -> GB/T 36903 element (Chinese name), in the order shown on the verification page
SIGNED_FIELDS: dict[str, str] = {
    "identifier": "证照标识",
    "number": "证照编号",
    "name": "证照名称",
    "licence_type": "证照类型",
    "type_code": "证照类型代码",
    "holder_name": "持证主体",
    "holder_code": "持证主体代码",
    "holder_code_type": "持证主体代码类型",
    "issuer_name": "证照颁发机构",
    "issuer_code": "证照颁发机构代码",
    "issued_on": "证照颁发日期",
    "valid_from": "证照有效期起始日期",
    "valid_to": "证照有效期截止日期",
    "region_code": "证照所属管辖属地编码",
    "remark": "加注",
    "replaces": "换发自(原证照标识)",
    "algorithm": "签名算法",
    "key_fingerprint": "签章密钥指纹",
}


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def normalise(metadata: Mapping[str, Any]) -> dict[str, str]:
    """Exactly the signed keys, each as a string (missing keys become ``""``)."""
    return {key: _value(metadata.get(key)) for key in SIGNED_FIELDS}


def signed_bytes(metadata: Mapping[str, Any]) -> bytes:
    """The bytes signed for ``metadata`` (see the module docstring)."""
    text = json.dumps(
        normalise(metadata), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return PREFIX + text.encode("utf-8")
