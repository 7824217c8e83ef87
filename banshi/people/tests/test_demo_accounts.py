"""Demo accounts for every role (``banshi setup --demo``)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import call_command

from banshi.catalog.models import Department
from banshi.core import clock
from banshi.core.services import (
    DEMO_ACCOUNTS,
    DEMO_DEPARTMENTS,
    DEMO_PASSWORD,
    DEMO_STAFF,
    demo_account_rows,
    ensure_demo_accounts,
)
from banshi.people import permissions, services
from banshi.people.identifiers import validate_id_number
from banshi.people.models import Authorisation, Enterprise, Person, Role, StaffProfile

pytestmark = pytest.mark.django_db
User = get_user_model()
NATIONAL = Path(__file__).resolve().parents[2] / "catalog" / "national" / "00-common.yaml"


@pytest.fixture
def demo(db):
    return ensure_demo_accounts()


def test_every_demo_account_is_created_with_the_shared_password(demo):
    assert demo == DEMO_ACCOUNTS
    for username in DEMO_ACCOUNTS:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)


def test_every_staff_role_has_a_demo_account(demo):
    held = {role for profile in StaffProfile.objects.all() for role in profile.roles}
    assert held == set(Role.values)


def test_at_least_three_national_departments_have_a_reviewer_and_a_head(demo):
    national = {
        d["code"] for d in yaml.safe_load(NATIONAL.read_text(encoding="utf-8"))["departments"]
    }
    assert set(DEMO_DEPARTMENTS) <= national
    roles_by_department: dict[str, set[str]] = {}
    for profile in StaffProfile.objects.select_related("department"):
        if profile.department:
            roles_by_department.setdefault(profile.department.code, set()).update(profile.roles)
    covered = [
        code
        for code, roles in roles_by_department.items()
        if code in national and {"reviewer", "department_head"} <= roles
    ]
    assert len(covered) >= 3


def test_missing_departments_are_created(demo):
    assert set(Department.objects.values_list("code", flat=True)) >= set(DEMO_DEPARTMENTS)


def test_existing_department_names_are_kept(db):
    Department.objects.create(code="SCJG", name="航空港区市场监督管理局")
    ensure_demo_accounts()
    assert Department.objects.get(code="SCJG").name == "航空港区市场监督管理局"


def test_running_twice_changes_nothing(demo):
    counts = (
        User.objects.count(),
        Person.objects.count(),
        Enterprise.objects.count(),
        Authorisation.objects.count(),
    )
    ensure_demo_accounts()
    assert counts == (
        User.objects.count(),
        Person.objects.count(),
        Enterprise.objects.count(),
        Authorisation.objects.count(),
    )


def test_the_original_accounts_keep_their_powers(demo):
    assert User.objects.get(username="sysadmin").is_superuser
    catalog_admin = User.objects.get(username="catalog_admin")
    assert catalog_admin.is_staff and catalog_admin.groups.filter(name="事项管理员").exists()
    assert catalog_admin.has_perm("catalog.change_department")


def test_the_auditor_reads_the_login_log_in_the_admin(client, demo):
    client.force_login(User.objects.get(username="auditor"))
    assert client.get("/admin/people/loginattempt/").status_code == 200
    assert client.get("/admin/people/person/").status_code == 403


def test_the_window_clerk_serves_every_department(demo):
    clerk = User.objects.get(username="window_clerk")
    assert permissions.department_codes_for(clerk) is permissions.ALL_DEPARTMENTS


def test_the_citizen_has_a_valid_person(demo):
    person = Person.objects.get(user__username="citizen")
    assert validate_id_number(person.id_number).value == person.id_number


def test_the_enterprise_applicant_represents_the_enterprise(demo):
    person = Person.objects.get(user__username="enterprise")
    enterprise = Enterprise.objects.get(uscc="91350100M000100Y43")
    assert services.may_act_for(person, enterprise, scope="KBCYD", on=clock.today())


def test_the_agent_is_authorised_by_the_citizen(demo):
    agent = Person.objects.get(user__username="agent")
    citizen = Person.objects.get(user__username="citizen")
    assert services.may_act_for(agent, citizen, scope="KBCYD", on=clock.today())


def test_login_page_rows_name_every_account_with_a_role(demo):
    rows = demo_account_rows()
    assert [row["username"] for row in rows] == DEMO_ACCOUNTS
    assert all(row["role"] for row in rows)


def test_every_demo_staff_login_works(client, demo):
    for account in DEMO_STAFF[:3]:
        assert client.login(username=account.username, password=DEMO_PASSWORD)
        client.logout()


def test_setup_demo_creates_the_accounts(db):
    out = StringIO()
    call_command("setup", "--demo", "--no-catalogue", stdout=out)
    assert "window_clerk" in out.getvalue()
    assert User.objects.filter(username="scjg_head").exists()
