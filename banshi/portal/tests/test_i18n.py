"""The English catalogue: complete for the portal, and its compiled .mo up to date."""

from __future__ import annotations

import polib

from banshi.portal import i18n


def test_there_is_an_english_catalogue():
    assert [path.parent.parent.name for path in i18n.po_files()] == ["en"]


def test_the_committed_mo_matches_the_po():
    for po_path in i18n.po_files():
        assert not i18n.stale(po_path), f"run: python -m banshi.portal.i18n ({po_path})"


def test_every_portal_string_has_an_english_translation():
    msgids = i18n.template_msgids() | i18n.python_msgids()
    assert len(msgids) > 100  # the extraction found the templates at all
    for po_path in i18n.po_files():
        assert i18n.untranslated(po_path, msgids) == []


def test_the_model_choice_labels_the_applicant_pages_show_have_an_english_translation():
    msgids = i18n.choice_msgids()
    assert "已吊销/撤销" in msgids and "严重失信主体名单" in msgids
    for po_path in i18n.po_files():
        assert i18n.untranslated(po_path, msgids) == []


def test_a_stale_mo_is_detected(tmp_path):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="办事", msgstr="Banshi"))
    po_path = tmp_path / "django.po"
    po.save(str(po_path))
    i18n.compile_po(po_path)
    assert not i18n.stale(po_path)
    po[0].msgstr = "Get things done"
    po.save(str(po_path))
    assert i18n.stale(po_path)
