"""Admin pages: masked lists, identifiers validated before saving, staff inline, revoke action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from banshi.people import services
from banshi.people.models import Enterprise, Person, StaffProfile
from banshi.people.tests.conftest import CITIZEN_ID

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_person_list_masks_id_and_phone_numbers(admin_client, citizen):
    page = admin_client.get("/admin/people/person/").content.decode()
    assert "3101**********0022" in page and "138****0001" in page
    assert CITIZEN_ID not in page and "13800000001" not in page


def test_person_search_finds_a_lower_case_id_number(admin_client):
    services.register_person("11010519491231002X", "张三")
    page = admin_client.get("/admin/people/person/", {"q": "11010519491231002x"}).content.decode()
    assert "张三" in page


def test_admin_refuses_an_invalid_id_number_with_the_reason(admin_client):
    response = admin_client.post(
        "/admin/people/person/add/", {"id_number": "110105194912310021", "name": "张三"}
    )
    assert response.status_code == 200
    assert "身份证号码校验位错误，应为 X" in response.content.decode()
    assert Person.objects.count() == 0


def test_admin_stores_the_normalised_id_number(admin_client):
    response = admin_client.post(
        "/admin/people/person/add/",
        {
            "id_number": "11010519491231002x",
            "name": "张三",
            "enterprise_roles-TOTAL_FORMS": "0",
            "enterprise_roles-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Person.objects.get().id_number == "11010519491231002X"


def test_admin_refuses_an_invalid_uscc(admin_client):
    response = admin_client.post(
        "/admin/people/enterprise/add/", {"uscc": "91350100M000100Y42", "name": "某公司"}
    )
    assert "统一社会信用代码校验位错误，应为 3" in response.content.decode()
    assert Enterprise.objects.count() == 0


def test_user_page_edits_the_staff_profile_inline(admin_client, make_staff, departments):
    user = make_staff("r", ["reviewer"])
    page = admin_client.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    assert "工作人员信息" in page and "审批人员" in page


def test_user_list_shows_department_and_roles(admin_client, make_staff):
    make_staff("r", ["reviewer"])
    page = admin_client.get("/admin/auth/user/").content.decode()
    assert "市场监督管理局" in page and "审批人员" in page


def test_revoke_action_revokes_through_the_service(admin_client, citizen, agent):
    authorisation = services.grant_authorisation(
        agent, citizen, "", dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    )
    admin_client.post(
        "/admin/people/authorisation/",
        {"action": "revoke", "_selected_action": [authorisation.pk]},
    )
    authorisation.refresh_from_db()
    assert authorisation.revoked_at is not None


def test_login_log_is_read_only(admin_client):
    assert admin_client.get("/admin/people/loginattempt/add/").status_code == 403
    assert admin_client.get("/admin/people/loginattempt/").status_code == 200


def test_staff_profile_form_requires_a_department_for_reviewers(admin_client, make_staff):
    user = make_staff("r", ["reviewer"])
    profile = StaffProfile.objects.get(user=user)
    data = {
        "username": "r",
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "staff_profile-TOTAL_FORMS": "1",
        "staff_profile-INITIAL_FORMS": "1",
        "staff_profile-MIN_NUM_FORMS": "0",
        "staff_profile-MAX_NUM_FORMS": "1",
        "staff_profile-0-id": str(profile.pk),
        "staff_profile-0-user": str(user.pk),
        "staff_profile-0-roles": ["reviewer"],
        "staff_profile-0-department": "",
    }
    response = admin_client.post(f"/admin/auth/user/{user.pk}/change/", data)
    assert "必须属于一个部门" in response.content.decode()
    profile.refresh_from_db()
    assert profile.department.code == "SCJG"
