"""The public verification page and the PDF download."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from banshi.documents import services
from banshi.documents.content import DocumentKind
from banshi.documents.permissions import register_download_rule, unregister_download_rule
from banshi.documents.tests.samples import PERSON, sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(fake_render):
    return services.issue_document(
        sample(DocumentKind.ACCEPTANCE, applicant=PERSON, number="SL-20261123-000042"),
        reference="BS-20261120-000042",
    )


def page(client, document):
    return client.get(f"/verify/{document.token}/")


def test_valid_document_is_shown_as_valid(client, document):
    response = page(client, document)
    body = response.content.decode()
    assert response.status_code == 200
    assert "文书真实有效" in body
    assert "受理通知书" in body
    assert "SL-20261123-000042" in body
    assert "郑州航空港经济综合实验区市场监督管理局" in body
    assert "2026年11月23日" in body
    assert document.sha256 in body


def test_verification_page_masks_the_applicant(client, document):
    body = page(client, document).content.decode()
    assert "张*" in body
    assert "张三丰" not in body
    assert "410102" not in body


def test_revoked_document_is_shown_as_revoked(client, document):
    services.revoke_document(document, reason="申请人撤回申请")
    body = page(client, document).content.decode()
    assert "文书已撤销" in body
    assert "申请人撤回申请" in body
    assert "文书真实有效" not in body


def test_unknown_token_is_a_chinese_404(client, fake_render):
    response = client.get("/verify/AAAAAAAAAAAAAAAAAAAAAA/")
    assert response.status_code == 404
    assert "未找到该文书" in response.content.decode()


def test_malformed_token_is_a_404(client, fake_render):
    assert client.get("/verify/%3Cscript%3E/").status_code == 404


def test_verification_page_is_not_indexed(client, document):
    response = page(client, document)
    assert response["X-Robots-Tag"] == "noindex"
    assert 'name="robots" content="noindex' in response.content.decode()


def test_uploaded_copy_that_matches_the_record(client, document):
    stored = services.read_pdf(document)
    upload = SimpleUploadedFile("通知书.pdf", stored, content_type="application/pdf")
    response = client.post(f"/verify/{document.token}/", {"pdf": upload})
    body = response.content.decode()
    assert "与平台记录一致" in body
    assert "与平台记录不一致" not in body


def test_uploaded_copy_that_differs_from_the_record(client, document):
    altered = services.read_pdf(document) + b"\n% changed"
    upload = SimpleUploadedFile("通知书.pdf", altered, content_type="application/pdf")
    body = client.post(f"/verify/{document.token}/", {"pdf": upload}).content.decode()
    assert "与平台记录不一致" in body


def test_anonymous_user_cannot_download(client, document):
    response = client.get(f"/verify/{document.token}/pdf")
    assert response.status_code == 403
    assert "无权下载" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_verification_page_offers_no_download_link_to_anonymous_users(client, document):
    assert f"/verify/{document.token}/pdf" not in page(client, document).content.decode()


def test_ordinary_user_cannot_download(client, document):
    user = get_user_model().objects.create_user("citizen", password="x-very-long-pass")
    client.force_login(user)
    assert client.get(f"/verify/{document.token}/pdf").status_code == 403


def test_staff_user_downloads_the_stored_pdf(client, document):
    user = get_user_model().objects.create_user("clerk", password="x-very-long-pass", is_staff=True)
    client.force_login(user)
    response = client.get(f"/verify/{document.token}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == services.read_pdf(document)
    assert "attachment" in response["Content-Disposition"]


def test_registered_rule_lets_the_applicant_download(client, document):
    user = get_user_model().objects.create_user("zhangsan", password="x-very-long-pass")

    def applicant_rule(candidate, doc):
        return candidate.username == "zhangsan" and doc.reference == "BS-20261120-000042"

    register_download_rule(applicant_rule)
    try:
        client.force_login(user)
        assert client.get(f"/verify/{document.token}/pdf").status_code == 200
    finally:
        unregister_download_rule(applicant_rule)


def test_download_of_unknown_token_is_404(client, fake_render):
    assert client.get("/verify/AAAAAAAAAAAAAAAAAAAAAA/pdf").status_code == 404


def test_case_staff_download_what_their_department_issued(client, db):
    """Reviewers are not Django admin users: the people permission check decides, by department."""
    from banshi.catalog.models import Department
    from banshi.documents.models import Document
    from banshi.documents.permissions import can_download
    from banshi.people.services import create_staff

    department, _ = Department.objects.get_or_create(
        code="SCJG", defaults={"name": "市场监督管理局"}
    )
    other, _ = Department.objects.get_or_create(code="XF", defaults={"name": "消防救援支队"})
    mine = create_staff(
        "r1", "审批 甲", "SCJG", ["reviewer"], "A-strong-pass-2026", check_password=False
    )
    theirs = create_staff(
        "r2", "审批 乙", "XF", ["reviewer"], "A-strong-pass-2026", check_password=False
    )
    document = Document(department=department)
    assert can_download(mine, document) is True
    assert can_download(theirs, document) is False
    assert other.code == "XF"
