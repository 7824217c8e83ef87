"""审计: a staff member downloading a document's PDF (the applicant unmasked) is recorded with
the application as purpose; the holder fetching their own document is not."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from banshi.audit.models import Action, AuditEntry
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


def test_a_staff_download_of_a_pdf_is_recorded(client, document):
    user = get_user_model().objects.create_user("clerk", password="x-very-long-pass", is_staff=True)
    client.force_login(user)
    assert client.get(f"/verify/{document.token}/pdf").status_code == 200
    entry = AuditEntry.objects.get(action=Action.DOWNLOAD)
    assert entry.actor_username == "clerk"
    assert entry.case_number == "BS-20261120-000042"
    assert entry.details["document"] == document.number
    assert "SL-20261123-000042" in entry.purpose


def test_the_holder_fetching_their_own_pdf_is_not_recorded(client, document):
    user = get_user_model().objects.create_user("zhangsan", password="x-very-long-pass")

    def holder(candidate, doc):
        return candidate.username == "zhangsan"

    register_download_rule(holder)
    try:
        client.force_login(user)
        assert client.get(f"/verify/{document.token}/pdf").status_code == 200
    finally:
        unregister_download_rule(holder)
    assert not AuditEntry.objects.filter(action=Action.DOWNLOAD).exists()


def test_a_refused_download_is_not_recorded(client, document):
    user = get_user_model().objects.create_user("citizen", password="x-very-long-pass")
    client.force_login(user)
    assert client.get(f"/verify/{document.token}/pdf").status_code == 403
    assert not AuditEntry.objects.filter(action=Action.DOWNLOAD).exists()
