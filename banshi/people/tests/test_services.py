"""People services: validated before stored, idempotent registration, agents, staff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from banshi.people import services
from banshi.people.identifiers import IdentifierError, uscc_check_character
from banshi.people.models import Authorisation, Enterprise, EnterpriseRole, Person, StaffProfile
from banshi.people.services import PeopleError
from banshi.people.tests.conftest import CITIZEN_ID, PASSWORD, USCC

pytestmark = pytest.mark.django_db
D = dt.date
User = get_user_model()


# ---- persons --------------------------------------------------------------------------------


def test_register_person_stores_the_normalised_id_number():
    person = services.register_person("11010519491231002x", " 张  三 ")
    assert (person.id_number, person.name) == ("11010519491231002X", "张 三")


def test_invalid_id_number_is_refused_with_the_reason_and_nothing_is_stored():
    with pytest.raises(IdentifierError) as caught:
        services.register_person("110105194912310021", "张三")
    assert "应为 X" in str(caught.value)
    assert Person.objects.count() == 0


def test_id_number_born_after_today_is_refused():
    with pytest.raises(IdentifierError) as caught:
        services.register_person(CITIZEN_ID, "李娜", today=D(1985, 6, 14))
    assert caught.value.code == "birth_date"
    assert Person.objects.count() == 0


def test_registering_a_known_id_number_returns_the_existing_row_unchanged(citizen):
    again = services.register_person(CITIZEN_ID.lower(), "别的名字")
    assert again.pk == citizen.pk and again.name == "李娜"
    assert Person.objects.count() == 1


def test_register_person_refuses_a_bad_phone_before_storing():
    with pytest.raises(PeopleError) as caught:
        services.register_person(CITIZEN_ID, "李娜", phone="call me")
    assert caught.value.code == "phone"
    assert Person.objects.count() == 0


def test_register_person_refuses_an_empty_name():
    with pytest.raises(PeopleError) as caught:
        services.register_person(CITIZEN_ID, "  ")
    assert caught.value.code == "name"


def test_register_person_links_a_free_login_account(citizen):
    user = User.objects.create_user("lina")
    assert services.register_person(CITIZEN_ID, "李娜", user=user).user == user


def test_register_person_refuses_to_relink_a_person_to_another_account(citizen):
    services.register_person(CITIZEN_ID, "李娜", user=User.objects.create_user("first"))
    with pytest.raises(PeopleError) as caught:
        services.register_person(CITIZEN_ID, "李娜", user=User.objects.create_user("second"))
    assert caught.value.code == "user"


def test_person_birth_date_and_sex_come_from_the_id_number(handler):
    assert (handler.birth_date, handler.sex, handler.sex_label) == (D(1990, 3, 7), "male", "男")


# ---- enterprises ----------------------------------------------------------------------------


def test_invalid_uscc_is_refused_with_the_reason_and_nothing_is_stored(handler):
    with pytest.raises(IdentifierError) as caught:
        services.register_enterprise("91350100M000100Y42", "某公司", legal_representative=handler)
    assert "应为 3" in str(caught.value)
    assert Enterprise.objects.count() == 0 and EnterpriseRole.objects.count() == 0


def test_register_enterprise_makes_the_person_its_legal_representative(enterprise, handler):
    role = EnterpriseRole.objects.get(enterprise=enterprise)
    assert (role.person, role.kind) == (handler, EnterpriseRole.Kind.LEGAL_REPRESENTATIVE)
    assert enterprise.legal_representative == "陈伟"


def test_registering_a_known_uscc_returns_the_existing_row_and_adds_no_standing(
    enterprise, citizen
):
    again = services.register_enterprise(USCC.lower(), "别的名字", legal_representative=citizen)
    assert again.pk == enterprise.pk and again.name == "示例餐饮管理有限公司"
    assert not EnterpriseRole.objects.filter(person=citizen).exists()


def test_enterprise_with_a_bad_embedded_organisation_check_is_stored_with_a_warning():
    body = "91350100M000100Y5"  # pos 17 should be 4
    enterprise = services.register_enterprise(body + uscc_check_character(body), "警告公司")
    assert Enterprise.objects.filter(pk=enterprise.pk).exists()
    assert [w.code for w in enterprise.identifier_warnings] == ["org_check"]


def test_add_enterprise_role_is_idempotent(enterprise, citizen):
    first = services.add_enterprise_role(citizen, enterprise)
    assert services.add_enterprise_role(citizen, enterprise).pk == first.pk


# ---- agents ---------------------------------------------------------------------------------


YEAR_START, YEAR_END = D(2026, 1, 1), D(2026, 12, 31)


def grant(agent, principal, scope="", start=YEAR_START, end=YEAR_END):
    return services.grant_authorisation(agent, principal, scope, start, end)


def test_a_person_may_act_for_themself(citizen):
    assert services.may_act_for(citizen, citizen, scope="KBCYD", on=D(2026, 6, 1))


def test_a_stranger_may_not_act_for_a_person(citizen, agent):
    assert not services.may_act_for(agent, citizen, scope="KBCYD", on=D(2026, 6, 1))


def test_an_authorised_agent_may_act_within_scope_and_dates(citizen, agent):
    authorisation = grant(agent, citizen, "KBCYD, SCJG-XK-001")
    assert services.may_act_for(agent, citizen, scope="KBCYD", on=D(2026, 6, 1))
    assert services.find_authorisation(agent, citizen, scope="KBCYD", on=D(2026, 6, 1)) == (
        authorisation
    )


def test_an_agent_may_not_act_outside_the_scope(citizen, agent):
    grant(agent, citizen, "KBCYD")
    assert not services.may_act_for(agent, citizen, scope="XSECS", on=D(2026, 6, 1))


def test_every_requested_code_must_be_covered(citizen, agent):
    grant(agent, citizen, "KBCYD")
    assert not services.may_act_for(agent, citizen, scope=["KBCYD", "XSECS"], on=D(2026, 6, 1))


def test_an_empty_scope_covers_every_matter(citizen, agent):
    grant(agent, citizen, "")
    assert services.may_act_for(agent, citizen, scope=["KBCYD", "XSECS"], on=D(2026, 6, 1))


@pytest.mark.parametrize("on", [D(2025, 12, 31), D(2027, 1, 1)])
def test_an_authorisation_outside_its_dates_does_not_count(citizen, agent, on):
    grant(agent, citizen)
    assert not services.may_act_for(agent, citizen, scope="KBCYD", on=on)


def test_the_validity_dates_are_inclusive(citizen, agent):
    grant(agent, citizen)
    assert services.may_act_for(agent, citizen, scope="KBCYD", on=D(2026, 1, 1))
    assert services.may_act_for(agent, citizen, scope="KBCYD", on=D(2026, 12, 31))


def test_a_revoked_authorisation_counts_only_before_the_day_it_was_revoked(citizen, agent):
    authorisation = grant(agent, citizen)
    revoked_at = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)
    services.revoke_authorisation(authorisation, at=revoked_at)
    assert services.may_act_for(agent, citizen, scope="KBCYD", on=D(2026, 6, 9))
    assert not services.may_act_for(agent, citizen, scope="KBCYD", on=D(2026, 6, 10))


def test_revoking_twice_keeps_the_first_time(citizen, agent):
    authorisation = grant(agent, citizen)
    first = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)
    services.revoke_authorisation(authorisation, at=first)
    services.revoke_authorisation(authorisation, at=first + dt.timedelta(days=3))
    authorisation.refresh_from_db()
    assert authorisation.revoked_at == first


def test_the_legal_representative_may_act_for_the_enterprise(enterprise, handler):
    assert services.may_act_for(handler, enterprise, scope="KBCYD", on=D(2026, 6, 1))


def test_a_named_handler_may_act_for_the_enterprise(enterprise, citizen):
    services.add_enterprise_role(citizen, enterprise, EnterpriseRole.Kind.HANDLER)
    assert services.may_act_for(citizen, enterprise, scope="KBCYD", on=D(2026, 6, 1))


def test_a_stranger_may_not_act_for_the_enterprise(enterprise, agent):
    assert not services.may_act_for(agent, enterprise, scope="KBCYD", on=D(2026, 6, 1))


def test_an_agent_authorised_by_the_enterprise_may_act_for_it(enterprise, agent):
    grant(agent, enterprise, "KBCYD")
    assert services.may_act_for(agent, enterprise, scope="KBCYD", on=D(2026, 6, 1))


def test_an_authorisation_for_a_person_does_not_extend_to_their_enterprise(
    enterprise, handler, agent
):
    grant(agent, handler)
    assert not services.may_act_for(agent, enterprise, scope="KBCYD", on=D(2026, 6, 1))


def test_nobody_acts_for_anyone(citizen):
    assert not services.may_act_for(None, citizen, scope="KBCYD", on=D(2026, 6, 1))


def test_an_authorisation_that_ends_before_it_starts_is_refused(citizen, agent):
    with pytest.raises(PeopleError) as caught:
        grant(agent, citizen, start=D(2026, 2, 1), end=D(2026, 1, 1))
    assert caught.value.code == "dates"
    assert Authorisation.objects.count() == 0


def test_a_person_cannot_be_their_own_agent(citizen):
    with pytest.raises(PeopleError) as caught:
        grant(citizen, citizen)
    assert caught.value.code == "agent"


def test_scope_is_stored_sorted_and_comma_separated(citizen, agent):
    assert grant(agent, citizen, "SCJG-XK-001、KBCYD  KBCYD").scope == "KBCYD,SCJG-XK-001"


# ---- staff ----------------------------------------------------------------------------------


def test_create_staff_stores_department_and_roles(make_staff):
    user = make_staff("scjg_reviewer", ["reviewer", "department_head"])
    profile = StaffProfile.objects.get(user=user)
    assert (profile.department.code, profile.roles) == ("SCJG", ["reviewer", "department_head"])
    assert user.check_password(PASSWORD)


def test_only_admin_site_roles_get_django_admin_access(make_staff):
    assert not make_staff("clerk", ["window_clerk"]).is_staff
    assert make_staff("cat", ["catalogue_admin"], department=None).is_staff


def test_create_staff_refuses_an_unknown_role(departments):
    with pytest.raises(PeopleError) as caught:
        services.create_staff("x", "某人", "SCJG", ["king"], PASSWORD)
    assert caught.value.code == "role"
    assert not User.objects.filter(username="x").exists()


def test_create_staff_refuses_an_unknown_department(departments):
    with pytest.raises(PeopleError) as caught:
        services.create_staff("x", "某人", "NOPE", ["reviewer"], PASSWORD)
    assert caught.value.code == "department"


def test_a_reviewer_needs_a_department(departments):
    with pytest.raises(PeopleError) as caught:
        services.create_staff("x", "某人", None, ["reviewer"], PASSWORD)
    assert caught.value.code == "department"


def test_create_staff_applies_the_password_policy_before_storing(departments):
    with pytest.raises(PeopleError) as caught:
        services.create_staff("x", "某人", "SCJG", ["reviewer"], "alllowercaseletters")
    assert caught.value.code == "password"
    assert not User.objects.filter(username="x").exists()


def test_create_staff_refuses_a_taken_username_unless_replacing(make_staff):
    make_staff("dup", ["reviewer"])
    with pytest.raises(PeopleError) as caught:
        make_staff("dup", ["reviewer"])
    assert caught.value.code == "exists"
    assert make_staff(
        "dup", ["department_head"], department="XF", replace=True
    ).staff_profile.roles == ["department_head"]


def test_role_groups_follow_the_roles(make_staff):
    group = Group.objects.create(name="事项管理员")
    user = make_staff("cat", ["catalogue_admin"])
    assert group in user.groups.all()
    make_staff("cat", ["reviewer"], replace=True)
    assert group not in user.groups.all()
