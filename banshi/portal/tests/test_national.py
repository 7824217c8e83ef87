"""Every page of the shipped national catalogue renders (real data finds template gaps)."""

from __future__ import annotations

import pytest

from banshi.catalog.management.commands.catalog import national_files
from banshi.catalog.selectors import catalogue_snapshot, invalidate_snapshot
from banshi.catalog.services import load_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(django_capture_on_commit_callbacks):
    files = national_files()
    if not files:
        pytest.skip("the national catalogue is not shipped in this checkout")
    with django_capture_on_commit_callbacks(execute=True):
        load_catalogue(files)
    invalidate_snapshot()
    return catalogue_snapshot()


def test_every_national_bundle_item_and_department_page_renders(client, national):
    assert client.get("/").status_code == 200
    for code in national.bundles:
        assert client.get(f"/bundles/{code}/").status_code == 200, code
    for code in national.items:
        assert client.get(f"/items/{code}/").status_code == 200, code
    for code in national.departments:
        assert client.get(f"/departments/{code}/").status_code == 200, code


def test_every_national_bundle_answers_the_largest_case(client, national):
    """Each question answered with a value that makes typical conditions true still renders."""
    for code, bundle in national.bundles.items():
        answers = {}
        for question in bundle.questions:
            answers[question.code] = {
                "number": "100000",
                "bool": "true",
                "date": "2026-01-01",
                "enum": question.options[0] if question.options else "",
            }.get(question.type, "是")
        response = client.get(f"/bundles/{code}/", answers)
        assert response.status_code == 200, code


def test_searching_the_national_catalogue_finds_the_restaurant_bundle(client, national):
    response = client.get("/search", {"q": "餐饮"})
    assert "开办餐饮店" in response.content.decode()
