"""Delivery: 免申即享 confirmed into grants and notices; 即申即享 pushed, submitted in one click, decided."""

from __future__ import annotations

from decimal import Decimal

import pytest

from banshi.people import services as people
from banshi.policies import engine, services
from banshi.policies.models import Grant, GrantBatch, Notice, PolicyOffer

HIGH_TECH = [
    ("高新技术企业", "enterprise.is_high_tech"),
    ("参保人数不少于10人", "enterprise.insured_employees >= 10"),
]


@pytest.fixture
def firms(make_enterprise):
    return {
        "a": make_enterprise("甲科技", is_high_tech=True, insured_employees=20),
        "b": make_enterprise("乙科技", is_high_tech=True, insured_employees=12),
        "near": make_enterprise("丙科技", is_high_tech=False, insured_employees=30),
        "none": make_enterprise("丁商贸", is_high_tech=False, insured_employees=2),
    }


def test_confirming_the_list_grants_each_enterprise_and_notifies_it(firms, make_policy, staff):
    version = make_policy(HIGH_TECH, benefit_amount=Decimal("200000"))
    engine.run_full()
    batch = services.confirm_grants(version, user=staff["kj_head"])
    grants = {g.enterprise_id: g for g in Grant.objects.filter(policy=version.policy)}
    assert set(grants) == {firms["a"].pk, firms["b"].pk}
    assert all(g.amount == Decimal("200000.00") and g.via == "auto" for g in grants.values())
    assert (batch.count, batch.total_amount) == (2, Decimal("400000.00"))
    notice = Notice.objects.get(enterprise=firms["a"])
    assert notice.kind == "granted" and "无需申请" in notice.body and "200,000.00" in notice.body


def test_the_amount_can_come_from_the_portrait_with_a_cap(firms, make_policy, staff):
    version = make_policy(
        HIGH_TECH,
        benefit_kind="expression",
        benefit_expression="enterprise.insured_employees * 1000",
        benefit_cap="15000",
    )
    engine.run_full()
    services.confirm_grants(version, user=staff["kj_head"])
    amounts = dict(Grant.objects.values_list("enterprise_id", "amount"))
    assert amounts == {firms["a"].pk: Decimal("15000.00"), firms["b"].pk: Decimal("12000.00")}


def test_confirming_twice_grants_nobody_twice(firms, make_policy, staff):
    version = make_policy(HIGH_TECH)
    engine.run_full()
    services.confirm_grants(version, user=staff["kj_head"])
    second = services.confirm_grants(version, user=staff["kj_head"])
    assert second.count == 0 and Grant.objects.count() == 2


def test_excluded_and_no_longer_eligible_enterprises_are_skipped_with_a_reason(
    firms, make_policy, staff
):
    version = make_policy(HIGH_TECH)
    engine.run_full()
    services.set_portrait_values(firms["b"], {"enterprise.insured_employees": 3})  # not rerun yet
    batch = services.confirm_grants(version, user=staff["kj_head"], exclude=[firms["a"].pk])
    assert batch.count == 0
    reasons = {item["enterprise"]: item["reason"] for item in batch.skipped}
    assert "剔除" in reasons[firms["a"].pk] and "不再符合" in reasons[firms["b"].pk]


def test_an_unknown_amount_is_not_granted(make_enterprise, make_policy, staff):
    unknown = make_enterprise(is_high_tech=True, insured_employees=11, employees=None)
    version = make_policy(
        HIGH_TECH, benefit_kind="expression", benefit_expression="enterprise.employees * 100"
    )
    engine.run_full()
    batch = services.confirm_grants(version, user=staff["kj_head"])
    assert batch.count == 0 and "金额无法计算" in batch.skipped[0]["reason"]
    assert not Grant.objects.filter(enterprise=unknown).exists()


@pytest.mark.parametrize("who", ["scjg_reviewer", "writer", "clerk"])
def test_only_the_issuing_department_confirms(firms, make_policy, staff, who):
    version = make_policy(HIGH_TECH)
    engine.run_full()
    with pytest.raises(services.PolicyError) as caught:
        services.confirm_grants(version, user=staff[who])
    assert caught.value.code == "forbidden"
    assert not GrantBatch.objects.exists()


def test_a_list_needs_matching_results_first(firms, make_policy, staff):
    version = make_policy(HIGH_TECH)
    with pytest.raises(services.PolicyError) as caught:
        services.confirm_grants(version, user=staff["kj_head"])
    assert caught.value.code == "no_run"


# -- 即申即享 ---------------------------------------------------------------------------------


@pytest.fixture
def owned(firms, owner):
    people.add_enterprise_role(owner, firms["a"], "legal_representative")
    people.add_enterprise_role(owner, firms["near"], "handler")
    return owner


def test_pushing_creates_prefilled_applications_and_notices(firms, make_policy, staff):
    version = make_policy(HIGH_TECH, mode="prefilled")
    engine.run_full()
    assert services.push_offers(version, user=staff["kj_reviewer"]) == 2
    offer = PolicyOffer.objects.get(enterprise=firms["a"])
    assert offer.status == "offered" and offer.amount == Decimal("100000.00")
    assert offer.prefilled["fields"]["enterprise.insured_employees"] == {
        "label": "参保人数",
        "value": "20 人",
    }
    assert Notice.objects.get(enterprise=firms["a"]).kind == "offered"
    assert services.push_offers(version, user=staff["kj_reviewer"]) == 0


def test_the_enterprise_submits_in_one_click_and_the_department_approves(
    firms, make_policy, staff, owned
):
    version = make_policy(HIGH_TECH, mode="prefilled")
    engine.run_full()
    offer = services.apply_now(version, firms["a"], user=owned.user)
    assert offer.status == "submitted" and offer.submitted_by == owned
    assert services.apply_now(version, firms["a"], user=owned.user).pk == offer.pk  # idempotent
    decided = services.decide_offer(offer, user=staff["kj_reviewer"], approve=True)
    assert decided.status == "approved"
    grant = Grant.objects.get(enterprise=firms["a"])
    assert (grant.via, grant.amount) == ("offer", Decimal("100000.00"))
    assert Notice.objects.filter(enterprise=firms["a"], kind="decided").exists()


def test_an_enterprise_that_does_not_qualify_is_told_why(firms, make_policy, owned):
    version = make_policy(HIGH_TECH, mode="prefilled")
    with pytest.raises(services.PolicyError) as caught:
        services.apply_now(version, firms["near"], user=owned.user)
    assert "不符合：高新技术企业" in caught.value.zh


def test_nobody_applies_for_an_enterprise_they_do_not_stand_for(firms, make_policy, outsider):
    version = make_policy(HIGH_TECH, mode="prefilled")
    with pytest.raises(services.PolicyError) as caught:
        services.apply_now(version, firms["a"], user=outsider.user)
    assert caught.value.code == "forbidden"


def test_declining_needs_a_reason(firms, make_policy, staff, owned):
    version = make_policy(HIGH_TECH, mode="prefilled")
    offer = services.apply_now(version, firms["a"], user=owned.user)
    with pytest.raises(services.PolicyError):
        services.decide_offer(offer, user=staff["kj_reviewer"], approve=False)
    declined = services.decide_offer(
        offer, user=staff["kj_reviewer"], approve=False, note="资金已用完"
    )
    assert declined.status == "declined" and not Grant.objects.exists()
