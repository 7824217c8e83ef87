"""The policy endpoints of the REST API: the public list, the condition check with its count, and a
department's system pushing portrait values (validated like a file: good records in, bad ones
reported)."""

from __future__ import annotations

from decimal import Decimal

from banshi.api.tests.conftest import Api
from banshi.policies.attributes import SourceKind
from banshi.policies.models import EnterprisePortrait, PortraitChange, PortraitValueSource

HIGH_TECH = [("高新技术企业", "enterprise.is_high_tech")]


def test_the_published_policies_are_listed_with_their_conditions(make_policy):
    make_policy(HIGH_TECH, title="高新奖励")
    make_policy(HIGH_TECH, title="草稿", publish=False)
    body = Api().get("/policies").json()
    assert [p["title"] for p in body] == ["高新奖励"]
    assert body[0]["conditions"] == [{"name": "高新技术企业", "source": "enterprise.is_high_tech"}]


def test_the_check_counts_the_enterprises_that_match(staff, make_enterprise):
    make_enterprise(is_high_tech=True, insured_employees=30)
    make_enterprise(is_high_tech=True, insured_employees=3)
    response = Api(staff["writer"]).post(
        "/policies/check",
        {
            "conditions": [
                {"name": "高新", "source": "enterprise.is_high_tech"},
                {"name": "参保", "source": "enterprise.insured_employees >= 10"},
            ]
        },
    )
    body = response.json()
    assert response.status_code == 200 and body["ok"]
    assert (body["matched"], body["near_misses"], body["per_condition"]) == (1, 1, [2, 1])


def test_the_check_points_at_an_unknown_attribute(staff):
    body = (
        Api(staff["writer"])
        .post("/policies/check", {"conditions": [{"name": "资本", "source": "enterprise.capital"}]})
        .json()
    )
    assert not body["ok"] and body["problems"][0]["index"] == 0
    assert "enterprise.capital" in body["problems"][0]["detail"]


def test_only_writers_check_conditions(staff):
    response = Api(staff["kj_reviewer"]).post("/policies/check", {"conditions": []})
    assert response.status_code == 403


def test_a_department_pushes_values_good_records_in_bad_ones_reported(staff, make_enterprise):
    good = make_enterprise()
    bad = make_enterprise()
    response = Api(staff["kj_reviewer"]).post(
        "/policies/portrait-imports",
        {
            "reference": "科技局高企名单接口",
            "records": [
                {"uscc": good.uscc, "enterprise.is_high_tech": "是", "研发费用占营业收入比例": 4.5},
                {"uscc": bad.uscc, "enterprise.is_high_tech": "也许", "研发费用占营业收入比例": 2},
                {"uscc": "91350100M000100Y44", "enterprise.is_high_tech": "否"},
            ],
        },
    )
    body = response.json()
    assert response.status_code == 201, body
    assert (body["rows_total"], body["rows_imported"], body["rows_rejected"]) == (3, 1, 2)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (3, "高新技术企业"),
        (4, "统一社会信用代码"),
    ]
    portrait = EnterprisePortrait.objects.get(pk=good.pk)
    assert portrait.is_high_tech is True and portrait.rd_ratio == Decimal("4.5")
    assert EnterprisePortrait.objects.get(pk=bad.pk).is_high_tech is None  # nothing of a bad row
    source = PortraitValueSource.objects.get(enterprise=good, attribute="enterprise.is_high_tech")
    assert source.kind == SourceKind.API and source.department.code == "KJ"
    assert PortraitChange.objects.filter(enterprise_id=good.pk).exists()


def test_a_push_without_a_uscc_key_is_refused_whole(staff, make_enterprise):
    response = Api(staff["kj_reviewer"]).post(
        "/policies/portrait-imports", {"records": [{"enterprise.is_high_tech": True}]}
    )
    assert response.status_code == 422 and "统一社会信用代码" in response.json()["message_zh"]


def test_applicants_may_not_push_portrait_values(owner):
    response = Api(owner.user).post("/policies/portrait-imports", {"records": [{"uscc": "x"}]})
    assert response.status_code == 403
