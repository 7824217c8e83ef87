"""Security events are recorded (等保 安全审计 a/b): login success, failure and logout; permission
changes to staff profiles, groups, permissions and the user's flags, with who made them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from banshi.audit.context import CurrentUserMiddleware
from banshi.audit.models import Action, AuditEntry
from banshi.audit.services import verify
from banshi.catalog.models import Department
from banshi.people.models import StaffProfile

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Correct-horse-42"


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("sequence"))


def test_login_success_and_logout_are_recorded(client):
    user = User.objects.create_user("wangwu", password=PASSWORD)
    client.post("/accounts/login/", {"username": "wangwu", "password": PASSWORD})
    (login,) = _entries(Action.LOGIN)
    assert login.actor_id == user.pk and login.actor_username == "wangwu"
    assert login.ip_address == "127.0.0.1"
    client.post("/accounts/logout/")
    assert [e.actor_username for e in _entries(Action.LOGOUT)] == ["wangwu"]
    assert verify().ok


def test_a_failed_login_is_recorded_with_the_name_tried(client):
    User.objects.create_user("wangwu", password=PASSWORD)
    client.post("/accounts/login/", {"username": "wangwu", "password": "wrong-password-1"})
    (failed,) = _entries(Action.LOGIN_FAILED)
    assert failed.actor_id is None and failed.actor_username == "wangwu"
    assert "wrong" not in str(failed.details)


def test_a_change_of_staff_roles_is_recorded_with_who_changed_it():
    user = User.objects.create_user("clerk1")
    profile = StaffProfile.objects.create(user=user, roles=["window_clerk"])
    profile.roles = ["window_clerk", "auditor"]
    profile.save()
    created, changed = _entries(Action.PERMISSION_CHANGE)[-2:]
    assert created.subject_id == str(user.pk)
    assert changed.details == {
        "staff_profile": {"roles": [["window_clerk"], ["auditor", "window_clerk"]]}
    }
    assert changed.actor_id is None  # no request: the system


def test_saving_a_profile_without_changes_records_nothing():
    profile = StaffProfile.objects.create(user=User.objects.create_user("c2"), roles=["reviewer"])
    before = AuditEntry.objects.count()
    profile.save()
    assert AuditEntry.objects.count() == before


def test_department_grants_groups_and_flags_are_recorded():
    department = Department.objects.create(code="SCJG", name="市场监督管理局")
    user = User.objects.create_user("c3")
    profile = StaffProfile.objects.create(user=user, roles=["reviewer"])
    profile.extra_departments.add(department)
    user.groups.add(Group.objects.create(name="审批员"))
    user.is_superuser = True
    user.save()
    details = [e.details for e in _entries(Action.PERMISSION_CHANGE)]
    assert {"extra_departments": {"add": ["市场监督管理局"]}} in details
    assert {"groups": {"add": ["审批员"]}} in details
    assert {"user": {"is_superuser": [False, True]}} in details


def test_a_change_made_in_a_request_names_who_made_it(rf, admin_user):
    user = User.objects.create_user("c4")
    request = rf.post("/admin/")
    request.user = admin_user

    def change(request):
        user.is_staff = True
        user.save()
        return None

    CurrentUserMiddleware(change)(request)
    last = _entries(Action.PERMISSION_CHANGE)[-1]
    assert last.details == {"user": {"is_staff": [False, True]}}
    assert last.actor_id == admin_user.pk


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("11010519491231002X", "1101**********002X"),
        ("110105491231002", "1101*******1002"),
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
    ],
)
def test_a_failed_login_masks_a_typed_id_number_or_phone(client, typed, stored):
    """个人信息保护法 第五十一条: the trail keeps who tried, never a full ID or phone number."""
    client.post("/accounts/login/", {"username": typed, "password": "wrong-password-1"})
    (failed,) = _entries(Action.LOGIN_FAILED)
    assert failed.actor_username == stored
    assert failed.subject_label == stored
    assert verify().ok
