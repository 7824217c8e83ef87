"""Catalogue admin pages: Chinese, usable by a catalogue admin, published versions read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from banshi.catalog import models, services
from banshi.catalog.parsing import read_catalogue_text
from banshi.catalog.tests.samples import GOOD
from banshi.core.services import ensure_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue_admin(client):
    services.apply_catalogue(read_catalogue_text(GOOD)[0])
    user = get_user_model().objects.create_user("cat", password="x-secret-123456", is_staff=True)
    user.groups.add(ensure_roles()["事项管理员"])
    client.force_login(user)
    return client


@override_settings(LANGUAGE_CODE="zh-hans")
def test_the_item_version_list_is_in_chinese(catalogue_admin):
    response = catalogue_admin.get(
        "/admin/catalog/serviceitemversion/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "事项版本" in text and "食品经营许可" in text


def test_a_published_version_is_shown_read_only(catalogue_admin):
    version = models.ServiceItemVersion.objects.get(item__code="SCJG-XK-001")
    response = catalogue_admin.get(f"/admin/catalog/serviceitemversion/{version.pk}/change/")
    assert response.status_code == 200
    assert b'name="name"' not in response.content  # no editable input for a published version


def test_a_draft_is_editable(catalogue_admin):
    draft = services.copy_to_draft(models.ServiceItemVersion.objects.get(item__code="SCJG-XK-001"))
    response = catalogue_admin.get(f"/admin/catalog/serviceitemversion/{draft.pk}/change/")
    assert response.status_code == 200
    assert b'name="name"' in response.content


def test_publishing_a_draft_from_the_admin_closes_the_previous_version(catalogue_admin):
    current = models.ServiceItemVersion.objects.get(item__code="SCJG-XK-001")
    draft = services.copy_to_draft(current)
    response = catalogue_admin.post(
        "/admin/catalog/serviceitemversion/",
        {"action": "publish_drafts", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    current.refresh_from_db()
    assert draft.is_published and current.valid_to == draft.valid_from


def test_the_bundle_and_department_pages_render(catalogue_admin):
    for url in (
        "/admin/catalog/bundleversion/",
        "/admin/catalog/department/",
        "/admin/catalog/material/",
    ):
        assert catalogue_admin.get(url).status_code == 200
