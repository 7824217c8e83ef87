"""Login page, redirects, lockout, demo listing, logout, password policy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from banshi.core.services import DEMO_ACCOUNTS, DEMO_PASSWORD
from banshi.people import lockout, services
from banshi.people.auth import CharacterClassesValidator
from banshi.people.models import LoginAttempt
from banshi.people.tests.conftest import CITIZEN_ID, PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()
LOGIN = "/accounts/login/"


@pytest.fixture
def applicant(db):
    user = User.objects.create_user("lina", password=PASSWORD)
    services.register_person(CITIZEN_ID, "李娜", user=user)
    return user


def post_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def fail(client, username, times):
    for _ in range(times):
        post_login(client, username, "wrong-password-1")


def test_login_page_is_a_chinese_page(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "登录" in response.content.decode() and "用户名" in response.content.decode()


def test_login_url_setting_points_at_the_page():
    assert reverse("accounts:login") == LOGIN


def test_demo_accounts_are_not_listed_outside_demo_mode(client, settings):
    settings.BANSHI_DEMO = False
    page = client.get(LOGIN).content.decode()
    assert DEMO_PASSWORD not in page and "window_clerk" not in page


def test_demo_accounts_are_all_listed_with_the_password_in_demo_mode(client, settings):
    settings.BANSHI_DEMO = True
    page = client.get(LOGIN).content.decode()
    assert DEMO_PASSWORD in page
    for username in DEMO_ACCOUNTS:
        assert f">{username}<" in page
    assert "审批人员" in page and "部门负责人" in page


def test_an_applicant_goes_to_the_home_page(client, applicant):
    assert post_login(client, "lina", PASSWORD)["Location"] == "/"


def test_staff_go_to_the_admin_site_when_no_workbench_is_routed(client, make_staff, settings):
    settings.BANSHI_STAFF_LOGIN_REDIRECT_URL = "/no-such-page/"
    make_staff("cat", ["catalogue_admin"])
    assert post_login(client, "cat", PASSWORD)["Location"] == "/admin/"


def test_staff_without_admin_access_fall_back_to_the_home_page(client, make_staff, settings):
    settings.BANSHI_STAFF_LOGIN_REDIRECT_URL = "/no-such-page/"
    make_staff("r", ["reviewer"])
    assert post_login(client, "r", PASSWORD)["Location"] == "/"


def test_reviewers_go_to_the_workbench(client, make_staff):
    make_staff("r", ["reviewer"])
    assert post_login(client, "r", PASSWORD)["Location"] == "/workbench/"


def test_staff_go_to_the_workbench_url_once_it_exists(client, make_staff, settings):
    settings.BANSHI_STAFF_LOGIN_REDIRECT_URL = "/search"  # a routed page standing in for it
    make_staff("r", ["reviewer"])
    assert post_login(client, "r", PASSWORD)["Location"] == "/search"


def test_a_safe_next_url_wins_and_an_outside_one_is_ignored(client, applicant):
    assert post_login(client, "lina", PASSWORD, next="/items/X/")["Location"] == "/items/X/"
    client.logout()
    assert post_login(client, "lina", PASSWORD, next="https://evil.example/")["Location"] == "/"


def test_a_wrong_password_is_refused_in_chinese_and_english(client, applicant):
    page = post_login(client, "lina", "wrong-password-1").content.decode()
    assert "用户名或密码错误 / Wrong username or password" in page
    assert LoginAttempt.objects.get().outcome == LoginAttempt.Outcome.FAILURE


def test_five_failures_lock_the_account_even_for_the_right_password(client, applicant):
    fail(client, "lina", 5)
    response = post_login(client, "lina", PASSWORD)
    assert response.status_code == 200  # the form again, not a redirect
    assert "已被锁定" in response.content.decode() and "locked" in response.content.decode()
    assert LoginAttempt.objects.filter(outcome=LoginAttempt.Outcome.LOCKED).count() == 1
    assert "_auth_user_id" not in client.session


def test_the_fifth_failure_already_says_locked(client, applicant):
    fail(client, "lina", 4)
    assert "已被锁定" in post_login(client, "lina", "wrong-password-1").content.decode()


def test_the_lock_ends_after_the_lock_minutes(client, applicant):
    fail(client, "lina", 5)
    LoginAttempt.objects.update(at=lockout.clock.now() - dt.timedelta(minutes=16))
    assert post_login(client, "lina", PASSWORD)["Location"] == "/"


def test_refused_attempts_while_locked_do_not_extend_the_lock(client, applicant):
    fail(client, "lina", 5)
    LoginAttempt.objects.update(at=lockout.clock.now() - dt.timedelta(minutes=14))
    fail(client, "lina", 3)  # refused as locked
    LoginAttempt.objects.filter(outcome="failure").update(
        at=lockout.clock.now() - dt.timedelta(minutes=16)
    )
    assert post_login(client, "lina", PASSWORD)["Location"] == "/"


def test_failures_outside_the_window_do_not_lock(client, applicant):
    fail(client, "lina", 4)
    LoginAttempt.objects.update(at=lockout.clock.now() - dt.timedelta(minutes=20))
    fail(client, "lina", 1)
    assert post_login(client, "lina", PASSWORD)["Location"] == "/"


def test_a_success_resets_the_count(client, applicant):
    fail(client, "lina", 4)
    post_login(client, "lina", PASSWORD)
    client.logout()
    fail(client, "lina", 4)
    assert post_login(client, "lina", PASSWORD)["Location"] == "/"


def test_the_lock_is_per_username_and_ignores_case(client, applicant):
    fail(client, "LINA", 5)
    assert lockout.lock_state("lina").locked
    assert not lockout.lock_state("someone").locked


def test_unknown_usernames_lock_too_so_existence_is_not_revealed(client):
    fail(client, "nobody", 5)
    assert lockout.lock_state("nobody").locked


def test_the_lock_also_guards_the_admin_login(client, make_staff):
    make_staff("cat", ["catalogue_admin"])
    fail(client, "cat", 5)
    assert not client.login(username="cat", password=PASSWORD)


def test_lock_settings_are_read_at_run_time(client, applicant, settings):
    settings.BANSHI_LOGIN_MAX_FAILURES = 2
    fail(client, "lina", 2)
    assert lockout.lock_state("lina").locked


def test_the_login_log_records_success_with_the_address(client, applicant):
    post_login(client, "lina", PASSWORD)
    attempt = LoginAttempt.objects.get()
    assert (attempt.username, attempt.outcome, attempt.ip_address) == (
        "lina",
        "success",
        "127.0.0.1",
    )


def test_force_login_restores_users_through_the_model_backend(client, applicant):
    client.force_login(applicant)
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    assert client.get(LOGIN).context["user"] == applicant


def test_logout_is_a_post_and_returns_home(client, applicant):
    client.force_login(applicant)
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_password_policy_needs_three_character_classes():
    validator = CharacterClassesValidator(min_classes=3)
    validator.validate("banshi-demo-2026")
    with pytest.raises(ValidationError):
        validator.validate("onlyletterslower")


def test_oidc_button_is_hidden_when_not_configured(client, settings):
    settings.BANSHI_OIDC_ISSUER = ""
    assert "/accounts/oidc/login/" not in client.get(LOGIN).content.decode()
    assert client.get("/accounts/oidc/login/").status_code == 404
