"""The admin is Chinese and read-only: the services are the only writers."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from banshi.cases.models import CaseEvent
from banshi.cases.tests.factories import accepted

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.org", None)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model",
    [
        "application",
        "case",
        "caseevent",
        "correctionnotice",
        "pause",
        "extension",
        "opinion",
        "supervision",
        "outboxmessage",
        "numbersequence",
    ],
)
def test_every_list_page_renders(admin_client, model):
    accepted()
    response = admin_client.get(f"/admin/cases/{model}/")
    assert response.status_code == 200


def test_an_application_page_shows_its_cases_and_timeline_in_chinese(admin_client):
    application = accepted()
    response = admin_client.get(f"/admin/cases/application/{application.pk}/change/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "办件日志" in content and application.number in content


def test_events_cannot_be_changed_or_deleted_in_the_admin(admin_client):
    accepted()
    event = CaseEvent.objects.first()
    assert (
        admin_client.post(f"/admin/cases/caseevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    admin_client.post(f"/admin/cases/caseevent/{event.pk}/change/", {"kind": "tampered"})
    assert CaseEvent.objects.get(pk=event.pk).kind == event.kind
    assert admin_client.get("/admin/cases/caseevent/add/").status_code == 403
