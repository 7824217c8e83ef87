"""The OpenAPI 3 document lists every endpoint, its auth and its error shape."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    return Client().get("/api/v1/openapi.json").json()


def test_the_document_is_openapi_3(document):
    assert document["openapi"].startswith("3.")


def test_every_endpoint_is_listed(document):
    paths = document["paths"]
    expected = {
        "/api/v1/applications": {"get", "post"},
        "/api/v1/applications/{number}": {"get", "patch"},
        "/api/v1/applications/{number}/submit": {"post"},
        "/api/v1/applications/{number}/withdraw": {"post"},
        "/api/v1/applications/{number}/correction": {"post"},
        "/api/v1/files": {"post"},
        "/api/v1/cases": {"get"},
        "/api/v1/cases/{case_id}": {"get"},
        "/api/v1/cases/{case_id}/actions/{action}": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path


def test_the_submit_endpoint_documents_the_idempotency_key_header(document):
    parameters = document["paths"]["/api/v1/applications/{number}/submit"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in parameters)


def test_bearer_tokens_and_the_session_are_the_security_schemes(document):
    schemes = document["components"]["securitySchemes"]
    kinds = {(scheme["type"], scheme.get("scheme")) for scheme in schemes.values()}
    assert ("http", "bearer") in kinds and ("apiKey", None) in kinds


def test_errors_are_documented_with_their_shape(document):
    responses = document["paths"]["/api/v1/cases/{case_id}/actions/{action}"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(responses)
