"""Canonical plain-dict form of catalogue entries (pure).

One function decides what an entry *is*: the export writes it as YAML and the loader hashes it to
tell an unchanged item from a changed one. Because both use the same form, load → export → load is a
fixed point, and re-loading an unchanged file creates no new version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import MISSING, fields, is_dataclass
from typing import Any

import yaml

from banshi.catalog.schema import Catalogue

# Bookkeeping, not content: where an entry was read from.
_NOT_CONTENT = {"line", "source"}
_SECTION_ORDER = (
    ("departments", "departments"),
    ("data_elements", "data_elements"),
    ("licence_types", "licence_types"),
    ("materials", "materials"),
    ("items", "items"),
    ("bundles", "bundles"),
)


def to_dict(entry: Any) -> Any:
    """A dataclass as the dict its YAML would hold: defaults, empty values and bookkeeping left out."""
    if is_dataclass(entry):
        result: dict[str, Any] = {}
        for spec in fields(entry):
            if spec.name in _NOT_CONTENT:
                continue
            value = getattr(entry, spec.name)
            if _is_default(spec, value):
                continue
            result[spec.name] = to_dict(value)
        return result
    if isinstance(entry, tuple | list):
        return [to_dict(value) for value in entry]
    return entry


def _is_default(spec: Any, value: Any) -> bool:
    if value is None or value == () or value == "":
        return True
    return spec.default is not MISSING and value == spec.default


def content_hash(entry: Any) -> str:
    """SHA-256 of an entry's canonical JSON: equal content, equal hash."""
    payload = json.dumps(to_dict(entry), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class _Dumper(yaml.SafeDumper):
    """Block-style YAML with flow-style short lists, readable by people."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(v, str | int | float | bool) for v in data) and len(data) <= 12
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def dump_catalogue(catalogue: Catalogue) -> str:
    """The whole catalogue as one YAML document in the DESIGN §4 format."""
    document: dict[str, Any] = {"version": 1}
    for attribute, key in _SECTION_ORDER:
        entries = list(getattr(catalogue, attribute).values())
        if entries:
            document[key] = [to_dict(entry) for entry in entries]
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
