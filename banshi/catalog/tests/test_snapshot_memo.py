"""Reads kept with a catalogue snapshot (``snapshot_memo``): once per snapshot, anew with the next."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.cases import services as case_services
from banshi.catalog import models, services
from banshi.catalog.selectors import catalogue_snapshot, invalidate_snapshot, snapshot_memo
from banshi.catalog.tests.samples import GOOD
from banshi.core import clock

pytestmark = pytest.mark.django_db

DAY1 = dt.date(2026, 3, 2)
DAY2 = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _fresh():
    invalidate_snapshot()
    yield
    invalidate_snapshot()


def test_a_value_is_built_once_per_snapshot():
    calls = []
    snapshot = catalogue_snapshot(DAY1)
    for _ in range(3):
        assert snapshot_memo(snapshot, ("k",), lambda: calls.append(1) or "v") == "v"
    assert len(calls) == 1


def test_a_new_snapshot_builds_the_value_again():
    calls = []
    snapshot_memo(catalogue_snapshot(DAY1), ("k",), lambda: calls.append(1))
    invalidate_snapshot()
    snapshot_memo(catalogue_snapshot(DAY1), ("k",), lambda: calls.append(1))
    assert len(calls) == 2


def test_a_failed_build_is_not_kept():
    snapshot = catalogue_snapshot(DAY1)

    def fail():
        raise LookupError("nothing yet")

    with pytest.raises(LookupError):
        snapshot_memo(snapshot, ("k",), fail)
    assert snapshot_memo(snapshot, ("k",), lambda: "later") == "later"


def test_a_submission_pins_the_version_published_since_the_last_snapshot(tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text(GOOD, encoding="utf-8")
    with clock.frozen(DAY1):
        services.load_catalogue([path])
    invalidate_snapshot()
    first = case_services._pinned_item_versions(["SCJG-XK-001"], DAY2)["SCJG-XK-001"]
    draft = services.copy_to_draft(first)
    draft.promised_days = 3
    draft.save()
    services.publish(draft, valid_from=DAY2)
    invalidate_snapshot()  # what a publish does once it commits
    pinned = case_services._pinned_item_versions(["SCJG-XK-001"], DAY2)["SCJG-XK-001"]
    assert pinned.pk == draft.pk != first.pk
    assert models.ServiceItemVersion.objects.get(pk=pinned.pk).promised_days == 3


@pytest.fixture
def loaded(tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text(GOOD, encoding="utf-8")
    with clock.frozen(DAY1):
        services.load_catalogue([path])
    invalidate_snapshot()


def _plan(snapshot, profile):
    from banshi.catalog.selectors import compiled_plan

    code = next(iter(snapshot.bundles))
    return compiled_plan(snapshot, code, None, {}, profile)


def test_a_plan_is_compiled_once_per_snapshot_for_equal_inputs(loaded, monkeypatch):
    from banshi.catalog import compiler

    snapshot = catalogue_snapshot(DAY1)
    calls = []
    real = compiler.compile_plan
    monkeypatch.setattr(compiler, "compile_plan", lambda *a: calls.append(1) or real(*a))
    first = _plan(snapshot, {"licences": ["YYZZ"], "person.name": "张三"})
    again = _plan(snapshot, {"person.name": "张三", "licences": ["YYZZ"]})
    other = _plan(snapshot, {"person.name": "李四", "licences": ["YYZZ"]})
    assert first is again
    assert other is not first
    assert len(calls) == 2


def test_compiled_plans_are_bounded_per_snapshot(loaded, monkeypatch):
    from banshi.catalog import selectors

    monkeypatch.setattr(selectors, "PLANS_KEPT", 3)
    snapshot = catalogue_snapshot(DAY1)
    for n in range(10):
        _plan(snapshot, {"person.name": f"人{n}"})
    assert len(snapshot.__dict__["_banshi_plans"]) == 3
