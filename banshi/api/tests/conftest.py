"""Fixtures for the API tests: the case engine's test catalogue, people, staff and API clients."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from banshi.api import tokens
from banshi.cases.tests.factories import CATALOGUE, load_catalogue, make_person
from banshi.catalog.selectors import invalidate_snapshot
from banshi.workdays.services import reset_calendar_cache

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# The case engine's test catalogue plus one item with an ID-number field (GA-BA-009).
API_CATALOGUE = CATALOGUE.replace(
    "  - {code: shop.area, label: 经营面积, type: number}\n",
    "  - {code: shop.area, label: 经营面积, type: number}\n"
    "  - {code: holder.id_number, label: 持证人公民身份号码, type: id_number}\n",
).replace(
    "bundles:\n",
    "  - code: GA-BA-009\n"
    "    name: 持证人备案\n"
    "    kind: 公共服务\n"
    "    department: GA\n"
    "    legal_days: 5\n"
    "    promised_days: 5\n"
    "    fields: [holder.id_number]\n"
    "bundles:\n",
)


@pytest.fixture(autouse=True)
def _fresh_caches():
    invalidate_snapshot()
    reset_calendar_cache()
    yield
    invalidate_snapshot()
    reset_calendar_cache()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalogue(db):
    return load_catalogue(API_CATALOGUE)


class Api:
    """A test client that sends ``Authorization: Bearer <token>`` and JSON bodies."""

    def __init__(self, user=None, token: str | None = None) -> None:
        self.client = Client()
        self.user = user
        self.token = token
        if user is not None and token is None:
            _, self.token = tokens.create_token(user, "tests")

    def _headers(self, extra: dict | None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, data: dict | None = None, headers: dict | None = None):
        return self.client.get(f"/api/v1{path}", data or {}, headers=self._headers(headers))

    def post(self, path: str, body=None, headers: dict | None = None):
        return self.client.post(
            f"/api/v1{path}",
            body if isinstance(body, str | bytes) else __import__("json").dumps(body or {}),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def patch(self, path: str, body=None, headers: dict | None = None):
        return self.client.patch(
            f"/api/v1{path}",
            __import__("json").dumps(body or {}),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def upload(self, content: bytes = PDF, name: str = "scan.pdf"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(
            "/api/v1/files",
            {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
            headers=self._headers(None),
        )

    def submit(self, number: str, key: str | None = None, body=None):
        key = key or uuid.uuid4().hex
        return self.post(f"/applications/{number}/submit", body, {"Idempotency-Key": key})


@pytest.fixture
def applicant(catalogue):
    return make_person("李四")


@pytest.fixture
def api(applicant):
    return Api(applicant.user)
