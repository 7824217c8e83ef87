"""Submitting: one application, one case per chosen item, events and outbox in one transaction."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from banshi.cases import services
from banshi.cases.errors import PermissionDenied, RuleViolation
from banshi.cases.models import Application, Case, CaseEvent, NumberSequence, OutboxMessage
from banshi.cases.tests.factories import (
    CATALOGUE,
    MONDAY,
    authorise,
    case_of,
    load_catalogue,
    make_enterprise,
    make_person,
    submit,
)
from banshi.catalog.models import ServiceItemVersion
from banshi.core import clock

pytestmark = pytest.mark.usefixtures("catalogue")


def test_submit_creates_one_application_and_one_case_per_chosen_item():
    application = submit(answers={"shop.area": 500, "need_seal": False})
    assert application.status == "submitted"
    assert list(application.cases.order_by("position").values_list("item__code", flat=True)) == [
        "SCJG-DJ-001",
        "SCJG-XK-001",
        "XF-JC-001",
    ]
    assert set(application.cases.values_list("state", flat=True)) == {"received"}


def test_answers_decide_which_items_become_cases():
    application = submit(answers={"shop.area": 100, "need_seal": True})
    codes = set(application.cases.values_list("item__code", flat=True))
    assert codes == {"SCJG-DJ-001", "SCJG-XK-001", "GA-YZ-001"}


def test_number_has_the_day_and_a_six_digit_sequence():
    application = submit(day=MONDAY)
    assert re.fullmatch(r"BS-20250303-\d{6}", application.number)
    assert application.cases.get(position=1).number == f"{application.number}-01"


def test_numbers_are_unique_and_gap_free_per_day_over_many_submits():
    person = make_person()
    numbers = [submit(person, day=MONDAY).number for _ in range(30)]
    assert numbers == [f"BS-20250303-{n:06d}" for n in range(1, 31)]
    next_day = submit(person, day=dt.date(2025, 3, 4)).number
    assert next_day == "BS-20250304-000001"
    assert NumberSequence.objects.get(key="BS-20250303").last_value == 30


def test_numbers_beyond_six_digits_keep_every_digit():
    person = make_person()
    submit(person, day=MONDAY)  # the day's sequence row exists from here on
    NumberSequence.objects.filter(key="BS-20250303").update(last_value=999_999)
    application = submit(person, day=MONDAY)
    assert application.number == "BS-20250303-1000000"
    assert application.cases.get(position=1).number == "BS-20250303-1000000-01"
    assert Application.objects.get(pk=application.pk).number == application.number


def test_a_filing_numbered_later_is_numbered_and_announced_by_number_filed():
    person = make_person()
    submit(person)  # the day's sequence row exists: PostgreSQL numbers in one statement
    with clock.frozen(MONDAY):
        application = submit(person, number_later=True)
        assert application.number.startswith("~")
        assert not OutboxMessage.objects.filter(key=application.number).exists()
        services.number_filed(application)
        services.number_filed(application)  # a second call changes nothing
    assert application.number == "BS-20250303-000002"
    stored = Application.objects.get(pk=application.pk)
    assert stored.number == application.number
    numbers = list(stored.cases.order_by("position").values_list("number", flat=True))
    assert numbers == [f"{application.number}-{n:02d}" for n in range(1, len(numbers) + 1)]
    (message,) = OutboxMessage.objects.filter(topic="application.submitted", key=stored.number)
    assert message.payload["application"] == stored.number
    assert message.payload["cases"] == numbers


def test_the_days_first_filing_numbered_later_is_numbered_too():
    application = submit(number_later=True)
    with clock.frozen(MONDAY):
        services.number_filed(application)
    assert application.number == "BS-20250303-000001"
    assert OutboxMessage.objects.filter(topic="application.submitted", key=application.number)


def test_a_failed_submission_leaves_no_gap_in_the_numbers(monkeypatch):
    person = make_person()
    first = submit(person).number
    with monkeypatch.context() as patched:
        patched.setattr(services, "_record_submission", _explode)
        with pytest.raises(RuntimeError):
            submit(person)
    assert submit(person).number == first[:-6] + "000002"


def _explode(*args, **kwargs):
    raise RuntimeError("crash after the number was issued")


def test_an_unknown_bundle_is_refused():
    with pytest.raises(RuleViolation, match="NO-SUCH"):
        submit(bundle="NO-SUCH")


def test_the_same_idempotency_key_returns_the_first_application():
    person = make_person()
    first = submit(person, key="click-1")
    again = submit(person, key="click-1", answers={"shop.area": 999})
    assert again.pk == first.pk
    assert Application.objects.count() == 1
    assert Case.objects.count() == 2


def test_the_same_key_of_another_applicant_is_another_application():
    submit(make_person(), key="k")
    submit(make_person(), key="k")
    assert Application.objects.count() == 2


def test_cases_pin_the_item_version_valid_at_submission():
    application = submit()
    changed = CATALOGUE.replace("legal_days: 20\n    fields", "legal_days: 15\n    fields")
    load_catalogue(changed, day=dt.date(2025, 3, 10))
    case = case_of(application, "SCJG-XK-001")
    assert case.item_version.legal_days == 20
    assert ServiceItemVersion.objects.filter(item__code="SCJG-XK-001").count() == 2


def test_dependencies_follow_the_bundles_after():
    application = submit(answers={"shop.area": 500})
    food = case_of(application, "SCJG-XK-001")
    fire = case_of(application, "XF-JC-001")
    registration = case_of(application, "SCJG-DJ-001")
    assert list(food.depends_on.all()) == [registration]
    assert list(fire.depends_on.all()) == [registration]
    assert list(registration.depends_on.all()) == []


def test_the_plan_snapshot_and_answers_are_stored():
    application = submit(answers={"shop.area": 500})
    assert application.answers == {"shop.area": 500}
    assert [item["code"] for item in application.plan["items"]] == [
        "SCJG-DJ-001",
        "SCJG-XK-001",
        "XF-JC-001",
    ]
    assert application.bundle_version.name == "开办餐饮店一件事"


def test_submission_writes_events_and_one_outbox_message():
    application = submit()
    kinds = list(CaseEvent.objects.filter(application=application).values_list("kind", flat=True))
    assert kinds == ["submitted", "received", "received"]
    assert list(OutboxMessage.objects.values_list("topic", flat=True)) == ["application.submitted"]


def test_correction_due_is_five_working_days_after_receipt_over_national_day__art82():
    """第82条: working days, with the 2025 make-up Sunday 09-28 counted and 10-01..08 skipped."""
    application = submit(day=dt.date(2025, 9, 26))
    assert application.correction_due == dt.date(2025, 10, 10)
    assert application.correction_due_provisional is False


def test_a_single_item_application_has_no_bundle():
    application = submit(item="SCJG-XK-001")
    assert application.bundle is None and application.item.code == "SCJG-XK-001"
    assert application.cases.count() == 1


def test_exactly_one_of_bundle_and_item_is_required():
    with pytest.raises(RuleViolation):
        submit(bundle=None, item=None)


def test_an_unknown_channel_is_refused():
    with pytest.raises(RuleViolation):
        submit(channel="fax machine")


def test_an_answer_of_the_wrong_type_is_refused_with_a_message():
    with pytest.raises(RuleViolation, match="情形回答"):
        submit(answers={"shop.area": "very big"})


def test_a_crash_half_way_through_leaves_nothing_half_written(monkeypatch):
    """Everything of a submission is one transaction: a failure after the cases were created
    leaves no application, no case, no event, no outbox row and no used number."""

    monkeypatch.setattr(services, "_dependency_links", _explode)
    with pytest.raises(RuntimeError):
        submit(answers={"shop.area": 500})
    assert Application.objects.count() == 0
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert NumberSequence.objects.filter(last_value__gt=0).count() == 0


def test_an_agent_without_authorisation_is_refused():
    with pytest.raises(PermissionDenied):
        submit(make_person(), agent=make_person("代办人"))


def test_an_agent_with_a_valid_authorisation_is_recorded():
    principal, agent = make_person(), make_person("代办人")
    authorisation = authorise(agent, principal, scope="KBCYD")
    application = submit(principal, agent=agent)
    assert application.agent == agent and application.authorisation == authorisation


def test_an_authorisation_for_another_matter_does_not_cover_this_one():
    principal, agent = make_person(), make_person("代办人")
    authorise(agent, principal, scope="LHSC")
    with pytest.raises(PermissionDenied):
        submit(principal, agent=agent)


def test_applying_for_an_enterprise_needs_a_role_in_it():
    person = make_person()
    with pytest.raises(PermissionDenied):
        submit(person, enterprise=make_enterprise())
    application = submit(person, enterprise=make_enterprise(person))
    assert application.enterprise is not None


def test_a_bundle_across_departments_is_joint_handling__art42_2():
    across = submit(answers={"shop.area": 500})
    single = submit(bundle="DANBU")
    assert across.joint_handling is True
    assert single.joint_handling is False
