"""Authentication: API tokens (hashed, revocable, printed once) and the portal's session."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from banshi.api import tokens
from banshi.api.models import ApiToken
from banshi.api.tests.conftest import Api

pytestmark = pytest.mark.django_db


def test_a_valid_token_authenticates_as_its_owner(api):
    response = api.get("/applications")
    assert response.status_code == 200 and response.json()["count"] == 0


def test_only_the_sha256_of_a_token_is_stored(applicant):
    row, token = tokens.create_token(applicant.user, "部门系统")
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.token_hash, row.prefix, row.label}
    assert token.startswith(row.prefix)


def test_no_credentials_is_401_with_a_bilingual_message(catalogue):
    response = Client().get("/api/v1/applications")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthenticated" and body["message_zh"] and body["message_en"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_401(catalogue):
    assert Api(token="bsk_not-a-real-token").get("/applications").status_code == 401


def test_a_revoked_token_is_401(applicant):
    row, token = tokens.create_token(applicant.user, "old system")
    tokens.revoke_token(row.pk)
    assert Api(token=token).get("/applications").status_code == 401


def test_the_token_of_an_inactive_account_is_401(applicant):
    _, token = tokens.create_token(applicant.user, "x")
    applicant.user.is_active = False
    applicant.user.save()
    assert Api(token=token).get("/applications").status_code == 401


def test_using_a_token_records_when_it_was_last_used(applicant):
    row, token = tokens.create_token(applicant.user, "x")
    Api(token=token).get("/applications")
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_the_token_lookup_brings_the_person_behind_the_account_in_one_query(
    applicant, django_assert_num_queries
):
    _, token = tokens.create_token(applicant.user, "部门系统")
    tokens.user_for_token(token)  # the first use records last_used_at
    with django_assert_num_queries(1):
        user = tokens.user_for_token(token)
        assert user.person == applicant
        assert not hasattr(user, "staff_profile")  # known absent: no query either


def test_the_session_authenticates_the_portals_javascript(applicant):
    client = Client()
    client.force_login(applicant.user)
    assert client.get("/api/v1/applications").status_code == 200


def test_a_session_write_without_the_csrf_token_is_403(applicant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant.user)
    response = client.post(
        "/api/v1/applications", {"bundle_code": "KBCYD"}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"


def test_a_token_write_needs_no_csrf_token(applicant):
    api = Api(applicant.user)
    api.client = Client(enforce_csrf_checks=True)
    response = api.post("/applications", {"bundle_code": "KBCYD"})
    assert response.status_code == 201


def test_the_command_prints_the_token_once_and_it_works(applicant, capsys):
    call_command("api_token", "create", applicant.user.username, "--label", "市场监管局系统")
    token = capsys.readouterr().out.strip()
    assert token.startswith("bsk_")
    assert ApiToken.objects.get().label == "市场监管局系统"
    assert Api(token=token).get("/applications").status_code == 200


def test_the_command_lists_and_revokes_tokens(applicant, capsys):
    row, token = tokens.create_token(applicant.user, "to revoke")
    call_command("api_token", "list")
    listing = capsys.readouterr().out
    assert "to revoke" in listing and token not in listing
    call_command("api_token", "revoke", str(row.pk))
    assert Api(token=token).get("/applications").status_code == 401


def test_the_command_refuses_an_unknown_user(catalogue):
    with pytest.raises(CommandError, match="nobody"):
        call_command("api_token", "create", "nobody", "--label", "x")
