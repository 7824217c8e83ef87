"""Operators run it: every environment variable the settings read is documented in docs/settings.md
with its meaning and default (the brief: "lists every setting with its meaning and default")."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _environment_names() -> set[str]:
    source = (ROOT / "banshi" / "settings.py").read_text(encoding="utf-8")
    pattern = r'(?:os\.environ\.get|os\.environ\[|env_[a-z]+)\(?\s*"([A-Z][A-Z0-9_]+)"'
    return set(re.findall(pattern, source))


def test_the_settings_read_many_environment_variables():
    assert len(_environment_names()) > 50  # the pattern still finds them


def test_every_environment_variable_has_a_row_in_docs_settings():
    documented = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    first_cells = re.findall(r"^\|([^|]+)\|", documented, flags=re.MULTILINE)
    rows = {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}
    missing = sorted(_environment_names() - rows)
    assert not missing, f"document these in docs/settings.md: {missing}"
