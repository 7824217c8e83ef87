"""免证 (no paper twice, MISSION M-C4): a material a valid licence of the right type proves is taken
from the licence library, recorded as the licence, shown to the reviewer as the licence, and never
asked for; a licence of another type, expired or revoked, is never used."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.cases import drafts
from banshi.cases.errors import RuleViolation
from banshi.cases.tests.factories import head, make_enterprise, make_person
from banshi.files.services import store_bytes
from banshi.licences import selectors, services
from banshi.licences.models import Licence
from banshi.workbench.selectors import material_rows

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def owner(catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    person = make_person("陈伟")
    return person, make_enterprise(person)


def draft_for(owner):
    """食品经营许可 (needs 营业执照 YYZZ-COPY and 食品安全管理制度) for the enterprise."""
    person, enterprise = owner
    return drafts.create_draft(
        person, item_code="SCJG-XK-001", subject=f"enterprise:{enterprise.pk}"
    )


def views_of(draft):
    return {view.code: view for view in drafts.material_views(draft)}


def test_a_valid_licence_of_the_right_type_is_attached_and_never_asked_for(owner):
    licence = services.record_existing("YYZZ", holder_enterprise=owner[1])
    draft = draft_for(owner)
    view = views_of(draft)["YYZZ-COPY"]
    assert not view.needs_upload and view.licence == licence
    assert view.note_zh == (
        f"已从电子证照库调取：营业执照（{selectors.masked_number(licence)}）— 无需上传"
    )
    assert licence.number.replace("-", "") not in view.note_zh
    with pytest.raises(RuleViolation):
        drafts.add_material_file(draft, "YYZZ-COPY", store_bytes(PDF, "yyzz.pdf"))


def test_the_application_records_the_licence_and_the_reviewer_sees_it(owner):
    licence = services.record_existing("YYZZ", holder_enterprise=owner[1])
    draft = draft_for(owner)
    drafts.give_consent(draft)
    drafts.save_form(draft, {"shop.area": "120"})
    drafts.add_material_file(draft, "FOOD-RULES", store_bytes(PDF, "rules.pdf"))
    application = drafts.submit(draft)
    entry = next(e for e in application.materials if e["code"] == "YYZZ-COPY")
    assert entry["mode"] == "licence" and entry["licence"] == licence.identifier
    assert "files" not in entry
    row = next(r for r in material_rows(application) if r.code == "YYZZ-COPY")
    assert row.status == "电子证照调取" and row.url == f"/licences/v/{licence.token}/"
    received = {m.name: m.form for m in drafts.received_materials(application)}
    assert received["营业执照"] == "电子证照调取"


def test_a_licence_of_another_type_is_never_used(owner):
    services.record_existing("SP-JY", holder_enterprise=owner[1])
    view = views_of(draft_for(owner))["YYZZ-COPY"]
    assert view.needs_upload and view.licence is None


def test_another_holders_licence_is_never_used(owner):
    services.record_existing("YYZZ", holder_enterprise=make_enterprise())
    assert views_of(draft_for(owner))["YYZZ-COPY"].needs_upload


def test_a_revoked_licence_is_never_used(owner):
    licence = services.record_existing("YYZZ", holder_enterprise=owner[1])
    services.revoke(licence, actor=head("SCJG"), reason="吊销营业执照")
    view = views_of(draft_for(owner))["YYZZ-COPY"]
    assert view.needs_upload and "请上传" in view.note_zh


def test_an_expired_licence_is_never_used(owner):
    licence = services.record_existing("YYZZ", holder_enterprise=owner[1])
    Licence.objects.filter(pk=licence.pk).update(valid_to=dt.date(2025, 1, 1))  # before today
    assert views_of(draft_for(owner))["YYZZ-COPY"].needs_upload
    assert selectors.valid_licence(holder_enterprise=owner[1], licence_type_code="YYZZ") is None


def test_a_person_applying_as_themself_uses_their_own_licence(catalogue, settings, tmp_path):
    person = make_person("李娜")
    services.record_existing("YYZZ", holder_person=person)
    draft = drafts.create_draft(person, item_code="SCJG-XK-001")
    assert not views_of(draft)["YYZZ-COPY"].needs_upload


def test_a_submission_through_the_engine_alone_records_the_licence_too(owner):
    """The API and the window submit without a draft: the engine reads the licence library itself."""
    from banshi.cases import services as case_services

    person, enterprise = owner
    licence = services.record_existing("YYZZ", holder_enterprise=enterprise)
    application = case_services.submit_application(
        person,
        item_code="SCJG-XK-001",
        form_data={"shop.area": "120"},
        materials=[
            {"code": "FOOD-RULES", "name": "食品安全管理制度", "mode": "upload", "sha256": "1" * 64}
        ],
        idempotency_key="engine-licence",
        channel="web",
        enterprise=enterprise,
        pre_review=False,
    )
    entry = next(e for e in application.materials if e["code"] == "YYZZ-COPY")
    assert entry["mode"] == "licence" and entry["licence"] == licence.identifier


def test_without_a_licence_the_engine_asks_for_the_material(owner):
    from banshi.cases import services as case_services
    from banshi.cases.errors import PrereviewBlocked

    person, enterprise = owner
    with pytest.raises(PrereviewBlocked) as blocked:
        case_services.submit_application(
            person,
            item_code="SCJG-XK-001",
            form_data={"shop.area": "120"},
            materials=[
                {
                    "code": "FOOD-RULES",
                    "name": "食品安全管理制度",
                    "mode": "upload",
                    "sha256": "1" * 64,
                }
            ],
            idempotency_key="engine-no-licence",
            channel="web",
            enterprise=enterprise,
        )
    assert "营业执照" in str(blocked.value.zh if hasattr(blocked.value, "zh") else blocked.value)


def test_the_licence_types_of_the_applicant_and_the_enterprise_are_read_in_one_query(
    owner, django_assert_num_queries
):
    person, enterprise = owner
    services.record_existing("YYZZ", holder_enterprise=enterprise)
    services.record_existing("SP-JY", holder_person=person)
    with django_assert_num_queries(1):
        held = selectors.held_by(person, enterprise)
    assert held == ["SP-JY", "YYZZ"]
