"""Single sign-on against a fake OpenID Connect provider running on 127.0.0.1."""

from __future__ import annotations

import time
import urllib.parse

import pytest
from django.contrib.auth import get_user_model

from banshi.people import oidc, services
from banshi.people.models import ExternalIdentity, Person
from banshi.people.tests.fake_oidc import (
    CLIENT_ID,
    CLIENT_SECRET,
    FakeProvider,
    SignatureCheckingBackend,
    visit_provider,
)

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def provider(settings):
    fake = FakeProvider().start()
    oidc.forget_discovery()
    settings.BANSHI_OIDC_ISSUER = fake.issuer
    settings.BANSHI_OIDC_CLIENT_ID = CLIENT_ID
    settings.BANSHI_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.BANSHI_OIDC_AUTHORIZATION_ENDPOINT = ""
    settings.BANSHI_OIDC_TOKEN_ENDPOINT = ""
    settings.BANSHI_OIDC_USERINFO_ENDPOINT = ""
    yield fake
    fake.stop()
    oidc.forget_discovery()


def single_sign_on(client, next_url: str = ""):
    start = client.get("/accounts/oidc/login/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content
    back = urllib.parse.urlsplit(visit_provider(start["Location"]))
    assert back.path == "/accounts/oidc/callback/"
    return client.get(back.path + "?" + back.query)


def logged_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_login_page_offers_single_sign_on_when_configured(client, provider):
    assert "/accounts/oidc/login/" in client.get("/accounts/login/").content.decode()


def test_first_login_creates_an_applicant_with_a_validated_person(client, provider):
    response = single_sign_on(client)
    assert response.status_code == 302 and response["Location"] == "/"
    user = logged_in_user(client)
    person = Person.objects.get(user=user)
    assert (person.id_number, person.name, person.phone) == (
        "310115198506150022",
        "李娜",
        "13800000001",
    )
    assert not user.has_usable_password() and not user.is_staff
    assert ExternalIdentity.objects.get().user == user


def test_the_flow_uses_pkce_basic_auth_and_the_back_channel(client, provider):
    single_sign_on(client)
    assert provider.requests == [
        "GET /.well-known/openid-configuration",
        "GET /authorize",
        "POST /token",
    ]


def test_a_second_login_finds_the_same_account(client, provider):
    single_sign_on(client)
    first = logged_in_user(client)
    client.logout()
    single_sign_on(client)
    assert logged_in_user(client) == first
    assert (User.objects.count(), Person.objects.count(), ExternalIdentity.objects.count()) == (
        1,
        1,
        1,
    )


def test_a_person_known_before_gets_linked_to_the_new_account(client, provider):
    known = services.register_person("310115198506150022", "李娜")
    single_sign_on(client)
    known.refresh_from_db()
    assert known.user == logged_in_user(client)


def test_an_existing_applicant_account_is_reused(client, provider):
    user = User.objects.create_user("lina", password="Local-pass-123")
    services.register_person("310115198506150022", "李娜", user=user)
    single_sign_on(client)
    assert logged_in_user(client) == user


def test_an_invalid_id_number_claim_is_refused_with_the_reason_and_nothing_stored(client, provider):
    provider.claims["id_number"] = "110105194912310021"
    response = single_sign_on(client)
    assert response.status_code == 400
    assert "校验位错误，应为 X" in response.content.decode()
    assert (User.objects.count(), Person.objects.count()) == (0, 0)
    assert logged_in_user(client) is None


def test_a_missing_id_number_claim_is_refused(client, provider):
    del provider.claims["id_number"]
    response = single_sign_on(client)
    assert response.status_code == 400 and "id_number" in response.content.decode()


def test_claims_may_come_from_the_userinfo_endpoint(client, provider):
    provider.in_id_token = False
    assert single_sign_on(client)["Location"] == "/"
    assert "GET /userinfo" in provider.requests
    assert Person.objects.get().user == logged_in_user(client)


def test_the_id_number_claim_name_is_a_setting(client, provider, settings):
    settings.BANSHI_OIDC_ID_NUMBER_CLAIM = "certNo"
    provider.claims["certNo"] = provider.claims.pop("id_number")
    assert single_sign_on(client)["Location"] == "/"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://elsewhere.example"}, "签发方不符"),
        ({"aud": "another-client"}, "接收方不符"),
        ({"aud": [CLIENT_ID, "another-client"]}, "授权方不符"),
        ({"exp": int(time.time()) - 3600}, "已过期"),
        ({"iat": int(time.time()) + 3600}, "签发时间晚于当前时间"),
        ({"nonce": "replayed"}, "nonce 不符"),
    ],
)
def test_id_token_claims_are_checked(client, provider, changes, reason):
    provider.id_token_changes = changes
    response = single_sign_on(client)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert logged_in_user(client) is None and User.objects.count() == 0


def test_a_callback_with_another_state_is_refused(client, provider):
    start = client.get("/accounts/oidc/login/")
    back = urllib.parse.urlsplit(visit_provider(start["Location"]))
    query = dict(urllib.parse.parse_qsl(back.query), state="forged")
    response = client.get(back.path + "?" + urllib.parse.urlencode(query))
    assert response.status_code == 400 and "登录请求已失效" in response.content.decode()


def test_a_callback_without_a_started_login_is_refused(client, provider):
    assert client.get("/accounts/oidc/callback/?code=x&state=y").status_code == 400


def test_a_provider_error_is_shown(client, provider):
    client.get("/accounts/oidc/login/")
    state = client.session["banshi_oidc"]["state"]
    response = client.get(f"/accounts/oidc/callback/?error=access_denied&state={state}")
    assert response.status_code == 400 and "access_denied" in response.content.decode()


def test_a_failing_token_endpoint_is_a_bad_gateway(client, provider):
    provider.token_status = 500
    response = single_sign_on(client)
    assert response.status_code == 502 and "HTTP 500" in response.content.decode()


def test_the_unified_identity_never_logs_into_a_staff_account(client, provider, make_staff):
    staff = make_staff("r", ["reviewer"])
    services.register_person("310115198506150022", "李娜", user=staff)
    response = single_sign_on(client)
    assert (
        response.status_code == 400 and "工作人员请使用本平台账号登录" in response.content.decode()
    )
    assert logged_in_user(client) is None


def test_next_is_kept_through_the_provider(client, provider):
    assert single_sign_on(client, next_url="/items/X/")["Location"] == "/items/X/"


def test_an_outside_next_is_dropped(client, provider):
    assert single_sign_on(client, next_url="https://evil.example/")["Location"] == "/"


def test_a_subject_bound_to_another_id_number_is_refused(client, provider):
    single_sign_on(client)
    client.logout()
    provider.claims["id_number"] = "44030419900307123X"
    response = single_sign_on(client)
    assert response.status_code == 400 and "不一致" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://idp.example.gov.cn/token", True),
        ("http://127.0.0.1:9000/token", True),
        ("http://localhost/token", True),
        ("http://idp.example.gov.cn/token", False),
        ("ftp://idp.example.gov.cn/token", False),
    ],
)
def test_provider_urls_must_be_https_except_on_loopback(url, ok):
    if ok:
        oidc.require_secure(url)
    else:
        with pytest.raises(oidc.OIDCError) as caught:
            oidc.require_secure(url)
        assert caught.value.code == "insecure"


def test_single_sign_on_is_off_without_an_issuer(client, settings):
    settings.BANSHI_OIDC_ISSUER = ""
    assert oidc.config() is None
    assert client.get("/accounts/oidc/callback/?code=x&state=y").status_code == 404


def test_a_configured_backend_subclass_can_check_the_id_token_signature(client, provider, settings):
    path = "banshi.people.tests.fake_oidc.SignatureCheckingBackend"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS[:2], path]
    SignatureCheckingBackend.seen.clear()
    response = single_sign_on(client)
    assert response.status_code == 400 and "签名无效" in response.content.decode()
    assert SignatureCheckingBackend.seen[0].count(".") == 2  # the raw JWS was handed over
    assert User.objects.count() == 0
