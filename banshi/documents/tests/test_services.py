"""Issuing documents: validate, number, render, hash, store, record; idempotent per subject."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from types import SimpleNamespace

import pytest
from django.core.files.storage import default_storage

from banshi.cases.models import NumberSequence
from banshi.catalog.models import Department
from banshi.core import clock
from banshi.documents import selectors, services
from banshi.documents.content import DocumentIncomplete, DocumentKind
from banshi.documents.models import Document
from banshi.documents.tests.conftest import need_pdf_rendering
from banshi.documents.tests.samples import APPLICATION, PERSON, sample

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 30)


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


def test_issue_records_the_document_and_stores_the_pdf(fake_render, media_root):
    document = services.issue_document(sample(DocumentKind.ACCEPTANCE), reference=APPLICATION)
    assert document.file_name == f"documents/2026/11/{document.token}.pdf"
    stored = (media_root / document.file_name).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    assert document.size == len(stored)
    assert document.kind == "acceptance"
    assert document.title == "受理通知书"
    assert document.reference == APPLICATION


def test_issue_assigns_the_number_from_the_sequence(fake_render):
    first = services.issue_document(sample(DocumentKind.ACCEPTANCE, number=""), reference="A-1")
    second = services.issue_document(sample(DocumentKind.ACCEPTANCE, number=""), reference="A-2")
    assert first.number == "SL-20261123-000001"
    assert second.number == "SL-20261123-000002"
    assert fake_render[0].number == "SL-20261123-000001"
    # one number sequence for the platform (cases.NumberSequence), one row per prefix and day
    assert NumberSequence.objects.get(key="SL-20261123").last_value == 2


def test_issue_date_defaults_to_the_platform_clock(fake_render):
    services.issue_document(sample(DocumentKind.GRANT, issued_on=None), reference="A-1")
    assert fake_render[0].issued_on == dt.date(2026, 11, 23)


def test_token_is_unguessable_and_in_the_verification_url(fake_render, settings):
    document = services.issue_document(sample(DocumentKind.GRANT), reference="A-1")
    assert len(document.token) >= 22
    assert services.verify_url(document.token) == (
        f"https://zwfw.example.gov.cn/verify/{document.token}/"
    )


def test_person_applicant_is_recorded_masked(fake_render):
    document = services.issue_document(
        sample(DocumentKind.ACCEPTANCE, applicant=PERSON), reference="A-1"
    )
    assert document.subject_label == "张*"
    assert "张三丰" not in document.subject_label


def test_incomplete_document_writes_nothing(fake_render, media_root):
    doc = sample(DocumentKind.DENIAL, number="", reasons=())
    with pytest.raises(DocumentIncomplete):
        services.issue_document(doc, reference="A-1")
    assert Document.objects.count() == 0
    assert NumberSequence.objects.count() == 0
    assert fake_render == []
    assert not (media_root / "documents").exists()


def test_issuing_twice_returns_the_first_document(fake_render):
    first = services.issue_document(sample(DocumentKind.ACCEPTANCE, number=""), reference="A-1")
    again = services.issue_document(sample(DocumentKind.ACCEPTANCE, number=""), reference="A-1")
    assert again.pk == first.pk
    assert Document.objects.count() == 1
    assert len(fake_render) == 1


def test_reissue_revokes_the_old_document_and_links_the_new_one(fake_render):
    first = services.issue_document(sample(DocumentKind.ACCEPTANCE, number=""), reference="A-1")
    later = dataclasses.replace(
        sample(DocumentKind.ACCEPTANCE, number=""), expected_decision_on=dt.date(2026, 12, 22)
    )
    second = services.issue_document(later, reference="A-1", reissue=True)
    first.refresh_from_db()
    assert second.pk != first.pk
    assert second.replaces_id == first.pk
    assert first.revoked_at is not None
    assert second.number in first.revoked_reason
    assert services.current_document("acceptance", reference="A-1").pk == second.pk


def test_key_tells_apart_several_documents_of_one_case(fake_render):
    case = SimpleNamespace(number="A-1-01", department=None, application=None)
    one = services.issue_document(
        sample(DocumentKind.SPECIAL_PROCEDURE, number=""), case=case, reference="A-1", key="pause-1"
    )
    two = services.issue_document(
        sample(DocumentKind.SPECIAL_PROCEDURE, number=""), case=case, reference="A-1", key="pause-2"
    )
    assert one.pk != two.pk


def test_documents_without_a_subject_are_not_deduplicated(fake_render):
    doc = sample(DocumentKind.GRANT, number="", application_number="")
    one = services.issue_document(doc)
    two = services.issue_document(doc)
    assert one.pk != two.pk


def test_case_engine_objects_give_references_and_department(fake_render):
    department = Department.objects.create(code="SCJG", name="市场监督管理局")
    application = SimpleNamespace(number="BS-20261123-000009")
    case = SimpleNamespace(
        number="BS-20261123-000009-01", department=department, application=application
    )
    document = services.issue_document(sample(DocumentKind.GRANT, application_number=""), case=case)
    assert document.reference == "BS-20261123-000009"
    assert document.case_reference == "BS-20261123-000009-01"
    assert document.department == department
    assert fake_render[0].application_number == "BS-20261123-000009"


def test_revoke_marks_the_document_revoked_once(fake_render):
    document = services.issue_document(sample(DocumentKind.GRANT), reference="A-1")
    services.revoke_document(document, reason="决定已被撤销")
    first_time = document.revoked_at
    services.revoke_document(document, reason="再次撤销")
    document.refresh_from_db()
    assert document.revoked_at == first_time
    assert document.revoked_reason == "决定已被撤销"


def test_revoke_needs_a_reason(fake_render):
    document = services.issue_document(sample(DocumentKind.GRANT), reference="A-1")
    with pytest.raises(ValueError):
        services.revoke_document(document, reason=" ")


def test_selector_finds_by_token_only(fake_render):
    document = services.issue_document(sample(DocumentKind.GRANT), reference="A-1")
    assert selectors.document_by_token(document.token).pk == document.pk
    assert selectors.document_by_token("x" * 22) is None
    assert selectors.document_by_token("../../etc/passwd") is None
    assert [d.pk for d in selectors.documents_for("A-1")] == [document.pk]


def test_issue_with_real_rendering_stores_a_pdf(media_root):
    need_pdf_rendering()
    document = services.issue_document(sample(DocumentKind.RECEIPT, number=""), reference="A-1")
    pdf = services.read_pdf(document)
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == document.sha256
    assert default_storage.exists(document.file_name)
    assert document.content["kind"] == "receipt"
    assert document.content_digest


def test_concurrent_issue_keeps_the_first_document(fake_render, media_root, monkeypatch):
    """Two issuers racing: the second insert hits the constraint and returns the first one."""
    first = services.issue_document(sample(DocumentKind.ACCEPTANCE, number=""), reference="A-1")
    real_lookup = services.current_document
    lookups = []

    def lookup_missing_the_first_time(*args, **kwargs):
        lookups.append(args)
        return None if len(lookups) == 1 else real_lookup(*args, **kwargs)

    monkeypatch.setattr(services, "current_document", lookup_missing_the_first_time)
    again = services.issue_document(sample(DocumentKind.ACCEPTANCE, number=""), reference="A-1")
    assert again.pk == first.pk
    assert Document.objects.count() == 1
    assert sorted(p.name for p in (media_root / "documents/2026/11").iterdir()) == [
        f"{first.token}.pdf"
    ]


def test_case_engine_rows_are_linked(fake_render):
    from banshi.cases.tests.factories import load_catalogue, submit

    load_catalogue()
    application = submit()
    case = application.cases.order_by("position").first()
    document = services.issue_document(sample(DocumentKind.GRANT, application_number=""), case=case)
    assert document.case == case
    assert document.application == application
    assert document.department == case.department
    assert (document.reference, document.case_reference) == (application.number, case.number)
    assert list(application.documents.all()) == [document]
