"""The portal's English catalogue: compile ``django.po`` to ``django.mo`` with polib.

The UI is written in Chinese (the msgids) with English as the second locale (DESIGN §9). Compiling
with polib instead of GNU ``msgfmt`` means a district's machine needs nothing beyond the Python
dependencies to rebuild the catalogue, and a test can check that the committed ``.mo`` matches its
``.po`` (so nobody ships a translation that never got compiled).

    python -m banshi.portal.i18n          # compile banshi/locale/*/LC_MESSAGES/django.po
    python -m banshi.portal.i18n --check  # exit 1 if a .mo is missing or stale
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = PACKAGE_DIR / "locale"
# The files whose strings this catalogue's completeness test covers: the public pages, the shared
# layout (base, 404, 500) and the applicant-facing pages of other apps (证照核验, 我的证照, 我的信用,
# 容缺补交, 消息中心), not staff pages, which stay Chinese.
TEMPLATE_DIRS = (
    (PACKAGE_DIR / "templates", "*.html"),
    (PACKAGE_DIR / "portal" / "templates", "**/*.html"),
    (PACKAGE_DIR / "licences" / "templates", "licences/verify.html"),
    (PACKAGE_DIR / "licences" / "templates", "licences/mine.html"),
    (PACKAGE_DIR / "credit" / "templates", "credit/mine.html"),
    (PACKAGE_DIR / "credit" / "templates", "credit/supplement.html"),
    (PACKAGE_DIR / "credit" / "templates", "credit/_*.html"),
    (PACKAGE_DIR / "notify" / "templates", "notify/inbox.html"),
)
PYTHON_FILES = (
    PACKAGE_DIR / "portal" / "selectors.py",
    PACKAGE_DIR / "portal" / "views.py",
    PACKAGE_DIR / "portal" / "apply.py",
    PACKAGE_DIR / "portal" / "applicant.py",
    PACKAGE_DIR / "licences" / "views.py",
    PACKAGE_DIR / "credit" / "views.py",
    PACKAGE_DIR / "notify" / "views.py",
)
GETTEXT_NAMES = frozenset({"_", "gettext", "gettext_lazy", "pgettext", "ngettext"})
_LITERAL = r"u'(?:[^'\\]|\\.)*'"
# What templatize() turns {% trans %} / {% blocktrans [count] %} into; the first literal is the msgid.
_TEMPLATIZED = re.compile(rf"\b(?:gettext|ngettext)\(({_LITERAL})")


def po_files(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Every ``django.po`` under the locale folder."""
    return sorted(locale_dir.glob("*/LC_MESSAGES/django.po"))


def translations(po: polib.POFile | polib.MOFile) -> dict[tuple[str | None, str], object]:
    """What a catalogue means at run time: (context, msgid) → translation, for entries that
    gettext would use (translated, not fuzzy, not obsolete)."""
    meaning: dict[tuple[str | None, str], object] = {}
    for entry in po:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[key] for key in sorted(entry.msgstr_plural))
            if all(forms):
                meaning[(entry.msgctxt, entry.msgid)] = forms
        elif entry.msgstr:
            meaning[(entry.msgctxt, entry.msgid)] = entry.msgstr
    return meaning


def template_msgids(directories: Iterable[tuple[Path, str]] = TEMPLATE_DIRS) -> set[str]:
    """Every string the templates mark for translation ({% trans %}, {% blocktrans %}), read the
    way ``makemessages`` reads them (Django's templatize), without needing GNU gettext."""
    from django.utils.translation.template import templatize

    found: set[str] = set()
    for directory, pattern in directories:
        for path in sorted(directory.glob(pattern)):
            text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
            found.update(ast.literal_eval(match) for match in _TEMPLATIZED.findall(text))
    return found


def python_msgids(paths: Iterable[Path] = PYTHON_FILES) -> set[str]:
    """Every literal passed to ``_()`` / ``gettext()`` in the given Python files."""
    found: set[str] = set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_NAMES
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def choice_msgids() -> set[str]:
    """The model choice labels the applicant pages translate at run time (``{% translate
    licence.get_status_display %}``): extraction cannot see them, so they are listed here."""
    from banshi.cases.models import ObligationStatus
    from banshi.credit.models import ListKind, RecordKind, RepairStatus, Severity
    from banshi.licences.models import HolderCodeType, LicenceStatus

    found: set[str] = set()
    for choices in (
        LicenceStatus,
        HolderCodeType,
        RecordKind,
        Severity,
        ListKind,
        RepairStatus,
        ObligationStatus,
    ):
        found.update(str(label) for label in choices.labels)
    return found


def untranslated(po_path: Path, msgids: Iterable[str]) -> list[str]:
    """The msgids that ``po_path`` leaves without a usable translation."""
    known = {msgid for (_context, msgid) in translations(polib.pofile(str(po_path)))}
    return sorted(set(msgids) - known)


def compile_po(po_path: Path) -> Path:
    """Write the ``.mo`` next to ``po_path`` and return its path."""
    po = polib.pofile(str(po_path))
    mo_path = po_path.with_suffix(".mo")
    po.save_as_mofile(str(mo_path))
    return mo_path


def stale(po_path: Path) -> bool:
    """Whether the ``.mo`` next to ``po_path`` is missing or says something the ``.po`` does not."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return True
    return translations(polib.pofile(str(po_path))) != translations(polib.mofile(str(mo_path)))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        problems = [path for path in po_files() if stale(path)]
        for path in problems:
            print(f"stale or missing .mo: {path.with_suffix('.mo')}")
        return 1 if problems else 0
    for path in po_files():
        print(f"compiled {compile_po(path)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
