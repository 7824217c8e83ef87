"""The person's page (/policies/mine/ as a person), the staff editor for person policies, and the
API's subject kind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from banshi.api.tests.conftest import Api
from banshi.policies import engine, services
from banshi.policies.models import PersonPortrait, PolicyOffer

AGED = [
    ("年满80周岁", "person.birth_date <= years_ago(80)"),
    ("本区户籍", "person.hukou_district == '410173001'"),
]
FLEXIBLE = [
    ("已办理灵活就业登记", "person.employment_status == '灵活就业'"),
    ("本区户籍", "person.hukou_district == '410173001'"),
]


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def citizen(owner, make_person_policy, staff):
    PersonPortrait.objects.update_or_create(
        person=owner,
        defaults=dict(
            birth_date=dt.date(1990, 3, 7),
            employment_status="灵活就业",
            hukou_district="410173001",
        ),
    )
    enjoyed = make_person_policy(FLEXIBLE, title="灵活就业社保补贴")
    aged = make_person_policy(AGED, title="高龄津贴")
    prefilled = make_person_policy(FLEXIBLE, title="就业见习补贴", mode="prefilled")
    engine.run_full(subject=engine.PERSONS)
    services.confirm_grants(enjoyed, user=staff["kj_head"])
    return {"person": owner, "aged": aged, "prefilled": prefilled}


def test_the_person_page_lists_enjoyed_may_apply_and_nearly_met(login, citizen):
    text = login(citizen["person"].user).get(reverse("policies:mine")).content.decode()
    assert "个人专属" in text and "陈伟" in text
    assert "已享受（1）" in text and "灵活就业社保补贴" in text
    assert "就业见习补贴" in text and "一键申请" in text
    assert "高龄津贴" in text and "不符合：年满80周岁（您的出生日期：1990-03-07）" in text
    assert "我的个人画像" in text


def test_a_person_applies_in_one_click_from_their_page(login, citizen):
    client = login(citizen["person"].user)
    response = client.post(
        reverse("policies:apply", args=[citizen["prefilled"].pk]), {"as": "person"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?as=person")
    offer = PolicyOffer.objects.get(policy_version=citizen["prefilled"])
    assert offer.person_id == citizen["person"].pk and offer.status == "submitted"


def test_an_enterprise_representative_reaches_their_person_page_with_as_person(
    login, citizen, make_enterprise
):
    from banshi.people import services as people

    people.add_enterprise_role(citizen["person"], make_enterprise("甲公司"), "legal_representative")
    client = login(citizen["person"].user)
    assert "企业专属" in client.get(reverse("policies:mine")).content.decode()
    assert "个人专属" in client.get(reverse("policies:mine"), {"as": "person"}).content.decode()


def test_the_editor_for_a_person_policy_offers_person_attributes(login, staff):
    text = login(staff["writer"]).get(reverse("policies:new"), {"subject": "person"}).content
    text = text.decode()
    assert "可用的个人画像属性" in text and "person.disability_level" in text
    assert "enterprise.revenue" not in text


def test_the_live_check_of_a_person_policy_counts_persons(login, staff, make_person):
    make_person(born=dt.date(1930, 1, 1), hukou_district="410173001")
    make_person(born=dt.date(1990, 1, 1), hukou_district="410173001")
    text = (
        login(staff["writer"])
        .post(
            reverse("policies:check"),
            {"subject_kind": "person", "conditions": "\n".join(f"{n}：{s}" for n, s in AGED)},
        )
        .content.decode()
    )
    assert '<span class="count-big">1</span> 人符合全部条件，1 人差一项' in text


def test_a_writer_creates_a_person_policy_from_the_editor(login, staff, departments):
    response = login(staff["writer"]).post(
        reverse("policies:new"),
        {
            "code": "P-GLJT",
            "department": "KJ",
            "subject_kind": "person",
            "title": "高龄津贴",
            "mode": "auto_grant",
            "benefit_kind": "fixed",
            "benefit_amount": "1200",
            "conditions": "\n".join(f"{n}：{s}" for n, s in AGED),
        },
    )
    assert response.status_code == 302
    from banshi.policies.models import Policy

    assert Policy.objects.get(code="P-GLJT").subject_kind == "person"


def test_the_api_checks_person_conditions_and_counts_persons(staff, make_person):
    make_person(born=dt.date(1930, 1, 1), hukou_district="410173001")
    body = (
        Api(staff["writer"])
        .post(
            "/policies/check",
            {"subject_kind": "person", "conditions": [{"name": n, "source": s} for n, s in AGED]},
        )
        .json()
    )
    assert body["ok"] and (body["subjects"], body["matched"]) == (1, 1)
    wrong = Api(staff["writer"]).post(
        "/policies/check",
        {"subject_kind": "person", "conditions": [{"source": "enterprise.is_high_tech"}]},
    )
    assert not wrong.json()["ok"] and "企业属性" in wrong.json()["problems"][0]["message_zh"]


def test_a_department_pushes_person_values_through_the_api(staff, owner):
    response = Api(staff["kj_reviewer"]).post(
        "/policies/portrait-imports",
        {
            "subject_kind": "person",
            "records": [
                {"id_number": owner.id_number, "就业状态": "灵活就业", "残疾等级": "二级"},
                {"id_number": "110101200001010011", "就业状态": "就业"},
            ],
        },
    )
    body = response.json()
    assert response.status_code == 201, body
    assert (body["rows_imported"], body["rows_rejected"], body["subject_kind"]) == (1, 1, "person")
    assert body["errors"][0]["column"] == "公民身份号码"
    portrait = PersonPortrait.objects.get(person=owner)
    assert (portrait.employment_status, portrait.disability_level) == ("灵活就业", "二级")


def test_the_public_list_says_whom_each_policy_is_for(make_person_policy):
    make_person_policy(AGED, title="高龄津贴")
    assert Api().get("/policies").json()[0]["subject_kind"] == "person"
