"""The engine on the real national catalogue (banshi/catalog/national)."""

from __future__ import annotations

from pathlib import Path

import pytest

from banshi.cases import deadlines, selectors, services
from banshi.cases.tests.factories import MONDAY, clerk, fresh, make_person
from banshi.catalog.selectors import invalidate_snapshot
from banshi.catalog.services import load_catalogue
from banshi.core import clock
from banshi.workdays.services import get_calendar

NATIONAL = Path(__file__).resolve().parents[2] / "catalog" / "national"


@pytest.fixture
def national(db):
    with clock.frozen(MONDAY):
        load_catalogue(sorted(NATIONAL.glob("*.yaml")))
    invalidate_snapshot()


@pytest.mark.usefixtures("national")
def test_a_national_bundle_is_submitted_accepted_and_clocked__art42():
    answers = {"shop.area": 500, "shop.outdoor_sign": True, "fire.route": "现场检查"}
    with clock.frozen(MONDAY):
        application = services.submit_application(
            make_person(),
            bundle_code="KBCYD",
            answers=answers,
            idempotency_key="national-1",
            channel="window",
            pre_review=False,  # this test is about the clock, not the form
        )
        services.accept(application, clerk(), application.version)
    application = fresh(application)
    planned = {item["code"]: item for item in application.plan["items"]}
    cases = list(application.cases.select_related("item", "item_version"))
    assert {case.item.code for case in cases} == set(planned)
    calendar = get_calendar()
    for case in cases:
        version = case.item_version
        days = deadlines.decision_days(
            version.promised_days, version.legal_days, joint=application.joint_handling
        )
        assert case.decision_days == days
        assert case.decision_due == calendar.add(MONDAY, days)
        assert {c.item.code for c in case.depends_on.all()} == set(
            planned[case.item.code]["depends_on"]
        )
    assert selectors.public_decisions().count() == 0


@pytest.mark.usefixtures("national")
def test_the_stored_plan_is_the_plans_json_copy():
    """The one-pass plan serialiser writes exactly what asdict + a JSON round trip wrote."""
    from dataclasses import asdict

    from banshi.catalog import compiler
    from banshi.catalog.selectors import catalogue_snapshot

    answers = {"shop.area": 500, "shop.outdoor_sign": True, "fire.route": "现场检查"}
    with clock.frozen(MONDAY):
        plan = compiler.compile_plan(catalogue_snapshot(clock.today()), "KBCYD", answers, {})
    assert plan.items
    assert services._plain(plan) == services._json(asdict(plan))


@pytest.mark.usefixtures("national")
def test_the_stored_plan_is_converted_once_per_compiled_plan():
    """Applications filed with the same (shared, frozen) plan store one conversion of it."""
    from banshi.catalog import compiler
    from banshi.catalog.selectors import catalogue_snapshot

    answers = {"shop.area": 500, "shop.outdoor_sign": True, "fire.route": "现场检查"}
    with clock.frozen(MONDAY):
        plan = compiler.compile_plan(catalogue_snapshot(clock.today()), "KBCYD", answers, {})
        other = compiler.compile_plan(catalogue_snapshot(clock.today()), "KBCYD", answers, {})
    stored = services._plain_plan(plan)
    assert stored == services._plain(plan)
    assert services._plain_plan(plan) is stored
    assert services._plain_plan(other) is not stored and services._plain_plan(other) == stored
