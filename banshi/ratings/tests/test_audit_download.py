"""审计: the Excel rating report names staff members (sheet 按工作人员), so its download is
recorded; the page itself is not a download."""

from __future__ import annotations

import pytest
from django.test import Client

from banshi.appeals.tests.factories import supervisor
from banshi.audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db


def test_the_excel_rating_report_download_is_recorded():
    user = supervisor()
    client = Client()
    client.force_login(user)
    assert client.get("/ratings/staff/reports/?period=month&date=2025-03-03").status_code == 200
    assert not AuditEntry.objects.filter(action=Action.DOWNLOAD).exists()
    url = "/ratings/staff/reports/?period=month&date=2025-03-03&format=xlsx"
    assert client.get(url).status_code == 200
    entry = AuditEntry.objects.get(action=Action.DOWNLOAD)
    assert entry.actor_username == user.get_username()
    assert entry.subject_kind == "report"
    assert entry.purpose.startswith("好差评报表")
