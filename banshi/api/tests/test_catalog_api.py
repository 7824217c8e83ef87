"""The public catalogue API: lists, the compiled plan, OpenAPI, and clear errors."""

from __future__ import annotations

import json

import pytest

from banshi.catalog import services
from banshi.catalog.parsing import read_catalogue_text
from banshi.catalog.selectors import invalidate_snapshot
from banshi.catalog.tests.samples import GOOD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalogue():
    services.apply_catalogue(read_catalogue_text(GOOD)[0])
    invalidate_snapshot()
    yield
    invalidate_snapshot()


def test_bundles_are_listed_with_their_items(client):
    response = client.get("/api/v1/catalog/bundles")
    assert response.status_code == 200
    [bundle] = response.json()
    assert bundle["code"] == "KBCYD" and bundle["items"] == ["SCJG-DJ-001", "SCJG-XK-001"]


def test_items_are_listed(client):
    codes = [item["code"] for item in client.get("/api/v1/catalog/items").json()]
    assert codes == ["SCJG-DJ-001", "SCJG-XK-001"]


def test_the_plan_follows_the_answers(client):
    small = client.get(
        "/api/v1/catalog/bundles/KBCYD/plan", {"answers": json.dumps({"shop.area": 100})}
    )
    large = client.get(
        "/api/v1/catalog/bundles/KBCYD/plan", {"answers": json.dumps({"shop.area": 500})}
    )
    assert small.status_code == large.status_code == 200
    assert small.json()["reduction"]["materials"]["before"] == 2
    assert large.json()["reduction"]["materials"]["before"] == 3
    assert large.json()["expected_days"] == 11
    assert large.json()["critical_path"] == ["SCJG-DJ-001", "SCJG-XK-001"]


def test_an_unknown_bundle_is_404(client):
    assert client.get("/api/v1/catalog/bundles/NOPE/plan").status_code == 404


def test_bad_answers_are_400_with_a_reason(client):
    response = client.get("/api/v1/catalog/bundles/KBCYD/plan", {"answers": "{oops"})
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]


def test_an_answer_of_the_wrong_type_is_422(client):
    response = client.get(
        "/api/v1/catalog/bundles/KBCYD/plan", {"answers": json.dumps({"shop.area": "很大"})}
    )
    assert response.status_code == 422


def test_the_openapi_document_is_served_locally(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/catalog/bundles/{code}/plan" in document["paths"]
