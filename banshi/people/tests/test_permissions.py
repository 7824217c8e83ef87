"""The one permission check: roles, department scope, applicant scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from banshi.people import permissions, services
from banshi.people.models import Authorisation, EnterpriseRole, Role, StaffProfile
from banshi.people.permissions import ALL_DEPARTMENTS

pytestmark = pytest.mark.django_db
D = dt.date
User = get_user_model()


def test_has_role_matches_any_of_the_given_roles(make_staff):
    user = make_staff("r", [Role.REVIEWER])
    assert permissions.has_role(user, Role.DEPARTMENT_HEAD, Role.REVIEWER)
    assert permissions.has_role(user, "reviewer")
    assert not permissions.has_role(user, Role.SUPERVISOR)


def test_anonymous_and_inactive_users_hold_no_role(make_staff):
    user = make_staff("r", [Role.REVIEWER])
    user.is_active = False
    assert not permissions.has_role(AnonymousUser(), Role.REVIEWER)
    assert not permissions.has_role(user, Role.REVIEWER)


def test_a_superuser_is_a_system_admin_and_nothing_else(db):
    root = User.objects.create_superuser("root", password="x")
    assert permissions.has_role(root, Role.SYSTEM_ADMIN)
    assert not permissions.has_role(root, Role.REVIEWER)
    assert permissions.is_staff_member(root)


def test_a_user_without_profile_is_not_staff(citizen):
    user = User.objects.create_user("lina")
    services.register_person(citizen.id_number, citizen.name, user=user)
    assert not permissions.is_staff_member(user)
    assert permissions.is_applicant(user)


def test_staff_department_is_the_profile_department(make_staff, departments):
    assert permissions.staff_department(make_staff("r", ["reviewer"])) == departments["SCJG"]


def test_a_reviewer_sees_only_their_department(make_staff):
    assert permissions.department_codes_for(make_staff("r", ["reviewer"])) == {"SCJG"}


def test_extra_departments_widen_the_scope(make_staff):
    user = make_staff("r", ["reviewer"], extra_department_codes=["XF"])
    assert permissions.department_codes_for(user) == {"SCJG", "XF"}


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.SYSTEM_ADMIN, Role.GOVERNMENT_HEAD])
def test_roles_above_departments_see_all(make_staff, role):
    codes = permissions.department_codes_for(make_staff("s", [role], department="ZWFW"))
    assert codes is ALL_DEPARTMENTS and "ANY" in codes


def test_an_all_departments_grant_sees_all(make_staff):
    clerk = make_staff("w", ["window_clerk"], department="ZWFW", all_departments=True)
    assert permissions.department_codes_for(clerk) is ALL_DEPARTMENTS


def test_an_applicant_sees_no_department(citizen):
    user = User.objects.create_user("lina")
    services.register_person(citizen.id_number, citizen.name, user=user)
    assert permissions.department_codes_for(user) == frozenset()


def test_department_q_filters_rows_by_department_code(make_staff):
    reviewer = make_staff("r", ["reviewer"])
    make_staff("x", ["reviewer"], department="XF")
    visible = StaffProfile.objects.filter(permissions.department_q(reviewer))
    assert {p.department.code for p in visible} == {"SCJG"}


def test_department_q_is_everything_for_a_supervisor_and_nothing_for_an_applicant(make_staff):
    supervisor = make_staff("s", ["supervisor"], department="ZWFW")
    make_staff("x", ["reviewer"], department="XF")
    assert StaffProfile.objects.filter(permissions.department_q(supervisor)).count() == 2
    assert not StaffProfile.objects.filter(permissions.department_q(AnonymousUser())).exists()


def test_all_departments_cannot_be_listed():
    with pytest.raises(TypeError):
        list(ALL_DEPARTMENTS)


def test_applicant_subjects_are_the_person_and_their_enterprises(enterprise, handler, citizen):
    user = User.objects.create_user("chen")
    services.register_person(handler.id_number, handler.name, user=user)
    assert permissions.applicant_subjects(user) == (handler, [enterprise])
    services.add_enterprise_role(handler, enterprise, EnterpriseRole.Kind.HANDLER)
    assert permissions.applicant_subjects(user) == (handler, [enterprise])  # listed once


def test_a_staff_member_without_person_has_no_applicant_subjects(make_staff):
    assert permissions.applicant_subjects(make_staff("r", ["reviewer"])) == (None, [])


def test_applicant_q_selects_own_rows_enterprise_rows_and_agent_rows(
    citizen, agent, enterprise, handler
):
    # Authorisation rows stand in for applications: principal = applicant, agent = agent.
    own = services.grant_authorisation(citizen, handler, "", D(2026, 1, 1), D(2026, 12, 31))
    for_enterprise = services.grant_authorisation(
        citizen, enterprise, "", D(2026, 1, 1), D(2026, 12, 31)
    )
    as_agent = services.grant_authorisation(handler, agent, "", D(2026, 1, 1), D(2026, 12, 31))
    services.grant_authorisation(
        agent, citizen, "", D(2026, 1, 1), D(2026, 12, 31)
    )  # not the handler's
    user = User.objects.create_user("chen")
    services.register_person(handler.id_number, handler.name, user=user)
    rows = Authorisation.objects.filter(
        permissions.applicant_q(
            user, person="principal_person", enterprise="principal_enterprise", agent="agent"
        )
    )
    assert set(rows) == {own, for_enterprise, as_agent}


def test_applicant_q_is_nothing_without_a_person(make_staff, citizen, agent):
    services.grant_authorisation(agent, citizen, "", D(2026, 1, 1), D(2026, 12, 31))
    assert not Authorisation.objects.filter(
        permissions.applicant_q(make_staff("r", ["reviewer"]), person="principal_person")
    ).exists()


def test_visibility_q_joins_staff_and_applicant_scopes(make_staff):
    reviewer = make_staff("r", ["reviewer"])
    make_staff("x", ["reviewer"], department="XF")
    rows = StaffProfile.objects.filter(
        permissions.visibility_q(reviewer, person="user__person", enterprise=None, agent=None)
    )
    assert [p.user.username for p in rows] == ["r"]


def test_role_required_refuses_other_roles_and_sends_anonymous_users_to_login(make_staff):
    view = permissions.role_required(Role.REVIEWER)(lambda request: "ok")
    request = RequestFactory().get("/workbench/")
    request.user = make_staff("r", ["reviewer"])
    assert view(request) == "ok"
    request.user = make_staff("c", ["window_clerk"])
    with pytest.raises(PermissionDenied):
        view(request)
    request.user = AnonymousUser()
    assert view(request)["Location"].startswith("/accounts/login/?next=")
