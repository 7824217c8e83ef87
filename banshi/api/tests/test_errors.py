"""An unexpected failure answers in JSON (not the portal's HTML page) and is logged."""

from __future__ import annotations

import pytest

from banshi.cases import drafts

pytestmark = pytest.mark.django_db


def test_an_unexpected_error_is_a_logged_json_500(api, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(drafts, "create_draft", broken)
    response = api.post("/applications", {"bundle_code": "KBCYD"})
    assert response.status_code == 500
    assert response.json()["code"] == "server_error" and response.json()["message_zh"]
    assert "the database went away" not in response.content.decode()
    assert any("API POST /api/v1/applications failed" in r.getMessage() for r in caplog.records)
