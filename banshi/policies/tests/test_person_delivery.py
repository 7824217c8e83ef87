"""Delivery to persons: 免申即享 confirmed into grants and a message in the person's inbox;
即申即享 pushed, submitted in one click by the person only, and decided."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from banshi.notify.models import Notification
from banshi.policies import engine, services
from banshi.policies.models import Grant, Notice, PolicyOffer, PolicyVersion

FLEXIBLE = [
    ("已办理灵活就业登记", "person.employment_status == '灵活就业'"),
    ("本区户籍", "person.hukou_district == '410173001'"),
]


@pytest.fixture
def residents(make_person, owner, outsider):
    from banshi.policies.models import PersonPortrait

    PersonPortrait.objects.update_or_create(
        person=owner,
        defaults=dict(
            birth_date=dt.date(1990, 3, 7),
            employment_status="灵活就业",
            hukou_district="410173001",
        ),
    )
    PersonPortrait.objects.update_or_create(
        person=outsider,
        defaults=dict(
            birth_date=dt.date(2000, 1, 1),
            employment_status="就业",
            hukou_district="410173001",
        ),
    )
    return {"owner": owner, "near": outsider}


def test_confirming_a_person_list_grants_and_tells_the_person(residents, make_person_policy, staff):
    version = make_person_policy(FLEXIBLE, benefit_amount=Decimal("3000"), title="灵活就业补贴")
    engine.run_full(subject=engine.PERSONS)
    batch = services.confirm_grants(version, user=staff["kj_head"])
    grant = Grant.objects.get(policy=version.policy)
    assert (grant.person_id, grant.enterprise_id, grant.amount) == (
        residents["owner"].pk,
        None,
        Decimal("3000.00"),
    )
    assert batch.count == 1
    message = Notification.objects.get(person=residents["owner"], topic="policy.granted")
    assert "灵活就业补贴" in message.title and "3,000.00 元" in message.body
    assert message.link == "/policies/mine/"
    assert not Notice.objects.exists()  # enterprises' notices are not used for persons


def test_a_person_is_excluded_by_the_department_with_a_reason(residents, make_person_policy, staff):
    version = make_person_policy(FLEXIBLE)
    engine.run_full(subject=engine.PERSONS)
    batch = services.confirm_grants(version, user=staff["kj_head"], exclude=[residents["owner"].pk])
    assert batch.count == 0 and batch.skipped[0]["person"] == residents["owner"].pk


def test_a_pushed_application_is_submitted_by_the_person_and_approved(
    residents, make_person_policy, staff
):
    version = make_person_policy(FLEXIBLE, mode="prefilled", title="育儿补贴")
    engine.run_full(subject=engine.PERSONS)
    assert services.push_offers(version, user=staff["kj_head"]) == 1
    offer = PolicyOffer.objects.get(policy_version=version)
    assert offer.person_id == residents["owner"].pk
    assert offer.prefilled["fields"]["person.employment_status"]["value"] == "灵活就业"
    assert Notification.objects.filter(person=residents["owner"], topic="policy.offered").exists()
    with pytest.raises(services.PolicyError) as error:
        services.submit_offer(offer, user=residents["near"].user)
    assert error.value.code == "forbidden"
    offer = services.submit_offer(offer, user=residents["owner"].user)
    assert offer.status == PolicyOffer.Status.SUBMITTED
    services.decide_offer(offer, user=staff["kj_head"], approve=True)
    assert Grant.objects.get(policy=version.policy).person_id == residents["owner"].pk
    decided = Notification.objects.get(person=residents["owner"], topic="policy.decided")
    assert decided.title.startswith("已兑现")


def test_apply_now_makes_and_submits_the_application_of_a_qualifying_person(
    residents, make_person_policy
):
    version = make_person_policy(FLEXIBLE, mode="prefilled")
    engine.run_full(subject=engine.PERSONS)
    offer = services.apply_now(version, residents["owner"], user=residents["owner"].user)
    assert offer.status == PolicyOffer.Status.SUBMITTED and offer.person_id == residents["owner"].pk


def test_a_person_who_does_not_qualify_is_told_why(residents, make_person_policy):
    version = make_person_policy(FLEXIBLE, mode="prefilled")
    with pytest.raises(services.PolicyError) as error:
        services.apply_now(version, residents["near"], user=residents["near"].user)
    assert "不符合：已办理灵活就业登记" in error.value.zh


def test_an_enterprise_cannot_apply_for_a_person_policy(
    residents, make_person_policy, make_enterprise
):
    version = make_person_policy(FLEXIBLE, mode="prefilled")
    firm = make_enterprise()
    with pytest.raises(services.PolicyError) as error:
        services.apply_now(version, firm, user=residents["owner"].user)
    assert error.value.code == "subject_kind"


def test_a_person_policy_stays_a_person_policy_when_revised(make_person_policy, staff):
    version = make_person_policy(FLEXIBLE)
    draft = services.new_version(version.policy, user=staff["writer"])
    with pytest.raises(services.PolicyError) as error:
        services.save_draft(
            draft, user=staff["writer"], conditions=[("高新", "enterprise.is_high_tech")]
        )
    assert "是企业属性" in str(error.value)
    assert PolicyVersion.objects.get(pk=draft.pk).conditions == version.conditions
