"""The applicant's draft: a material verified through data sharing is not asked for; when the
source is down, the draft offers the upload for that material instead of an error."""

from __future__ import annotations

import socket

import pytest

from banshi.cases import drafts
from banshi.catalog import compiler
from banshi.catalog.selectors import invalidate_snapshot
from banshi.datashare.models import DataShareCall, DataShareSource
from banshi.portal.tests.applying import applicant
from banshi.portal.tests.conftest import load_portal_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db, django_capture_on_commit_callbacks):
    """The portal tests' catalogue (GA-HJ-001 asks for ID-CARD from 人口信息库)."""
    invalidate_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        load_portal_catalogue()
    invalidate_snapshot()
    yield
    invalidate_snapshot()


def _down_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/verify"


def _materials(draft) -> dict[str, drafts.DraftMaterial]:
    return {m.code: m for m in drafts.material_views(draft)}


def test_verified_material_needs_no_upload(catalogue, exchange):
    user, person = applicant()
    exchange.records[person.id_number] = {"name": person.name}
    DataShareSource.objects.create(code="人口信息库", provider="http", base_url=exchange.url)
    draft = drafts.create_draft(person, item_code="GA-HJ-001")
    card = _materials(draft)["ID-CARD"]
    assert card.route == compiler.ROUTE_DATA_SHARE and not card.needs_upload
    call = DataShareCall.objects.get(source_code="人口信息库")
    assert call.user == user and call.outcome == "ok"


def test_source_down_offers_the_upload_instead_of_an_error(catalogue):
    _, person = applicant()
    DataShareSource.objects.create(code="人口信息库", provider="http", base_url=_down_url())
    draft = drafts.create_draft(person, item_code="GA-HJ-001")
    card = _materials(draft)["ID-CARD"]
    assert card.needs_upload and "暂时无法核验，请上传" in card.note_zh
    # the pre-review now asks for it, and an upload is accepted
    assert any(f.code == "ID-CARD" and f.rule == "material" for f in drafts.review(draft).blocking)
    assert DataShareCall.objects.get(source_code="人口信息库").outcome == "error"


def test_the_materials_page_offers_the_upload_and_says_why(catalogue, client):
    user, person = applicant()
    DataShareSource.objects.create(code="人口信息库", provider="http", base_url=_down_url())
    draft = drafts.create_draft(person, item_code="GA-HJ-001")
    client.force_login(user)
    page = client.get(f"/apply/{draft.pk}/materials/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "暂时无法核验，请上传" in text and 'id="file-ID-CARD"' in text


def test_a_fallback_material_accepts_an_upload(catalogue):
    from banshi.files.services import store_bytes

    _, person = applicant()
    DataShareSource.objects.create(code="人口信息库", provider="http", base_url=_down_url())
    draft = drafts.create_draft(person, item_code="GA-HJ-001")
    stored = store_bytes(b"%PDF-1.4\n%%EOF\n", "id.pdf")
    drafts.add_material_file(draft, "ID-CARD", stored)
    assert not any(f.code == "ID-CARD" for f in drafts.review(draft).blocking)
