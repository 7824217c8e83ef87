"""Near misses stored compactly: one packed row per (run, subject, batch), read back per subject,
rewritten for a changed subject, counted per policy, purged with their run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from banshi.core import clock
from banshi.policies import engine, selectors, services
from banshi.policies.models import (
    Match,
    MatchRunPolicy,
    NearMiss,
    PersonMatch,
    PersonNearMiss,
    PolicyVersion,
)

THREE = [
    ("注册资本不低于500万元", "enterprise.registered_capital >= 500"),
    ("高新技术企业", "enterprise.is_high_tech == true"),
    ("注册在一号街道", "enterprise.district in ['410173001']"),
]
AGED = [
    ("年满80周岁", "person.birth_date <= years_ago(80)"),
    ("本区户籍", "person.hukou_district == '410173001'"),
]


@pytest.fixture(autouse=True, params=["duckdb", "database"])
def full_run_engine(request, settings):
    """Every test here runs with both full-run engines (default batches of policies)."""
    settings.BANSHI_POLICY_FULL_RUN_ENGINE = request.param
    return request.param


@pytest.fixture
def four(make_enterprise):
    """met all / missed capital / capital unknown / missed two."""
    return [
        make_enterprise(registered_capital=Decimal("600"), is_high_tech=True, district="410173001"),
        make_enterprise(registered_capital=Decimal("300"), is_high_tech=True, district="410173001"),
        make_enterprise(registered_capital=None, is_high_tech=True, district="410173001"),
        make_enterprise(
            registered_capital=Decimal("300"), is_high_tech=False, district="410173001"
        ),
    ]


def entries(run, enterprise) -> list[tuple[int, int, bool]]:
    """Every near miss stored for the enterprise in the run, unpacked, sorted."""
    found = []
    for row in NearMiss.objects.filter(run_id=run.pk, enterprise_id=enterprise.pk):
        found.extend(engine.decode_entries(row.entries))
    return sorted(found)


def test_entries_round_trip_through_their_packed_text():
    items = [(7, 0, False), (3, 29, True), (1_000_000, 5, False)]
    assert engine.decode_entries(engine.encode_entries(items)) == sorted(
        items, key=lambda item: (item[0] << 6) | (item[1] << 1) | item[2]
    )


def test_a_near_miss_is_stored_with_the_condition_missed_and_whether_unknown(four, make_policy):
    version = make_policy(THREE)
    run = engine.run_full()
    assert entries(run, four[1]) == [(version.pk, 0, False)]  # capital 300: false
    assert entries(run, four[2]) == [(version.pk, 0, True)]  # capital unknown
    assert entries(run, four[0]) == [] and entries(run, four[3]) == []


def test_only_subjects_that_met_every_condition_get_a_match_row(four, make_policy):
    version = make_policy(THREE)
    run = engine.run_full()
    stored = Match.objects.filter(run_id=run.pk, policy_version=version)
    assert list(stored.values_list("enterprise_id", "matched", "held", "unknown", "missed")) == [
        (four[0].pk, True, 0b111, 0, None)
    ]


def test_a_batch_of_policies_packs_a_subjects_near_misses_into_one_row(four, make_policy):
    first, second = make_policy(THREE), make_policy(THREE)
    run = engine.run_full()
    assert NearMiss.objects.filter(run_id=run.pk, enterprise_id=four[1].pk).count() == 1
    assert entries(run, four[1]) == [(first.pk, 0, False), (second.pk, 0, False)]


def test_a_person_near_miss_is_stored_with_its_missed_condition(make_person, make_person_policy):
    make_person(born=dt.date(1940, 1, 1), hukou_district="410173001")
    young = make_person(born=dt.date(1990, 1, 1), hukou_district="410173001")
    version = make_person_policy(AGED)
    run = engine.run_full(subject=engine.PERSONS)
    rows = PersonNearMiss.objects.filter(run_id=run.pk)
    assert [(row.person_id, engine.decode_entries(row.entries)) for row in rows] == [
        (young.pk, [(version.pk, 0, False)])
    ]
    assert PersonMatch.objects.filter(run_id=run.pk).count() == 1
    assert not NearMiss.objects.exists()


def test_the_run_keeps_each_policys_counts_by_condition_missed(four, make_policy):
    version = make_policy(THREE)
    run = engine.run_full()
    progress = MatchRunPolicy.objects.get(run=run, policy_version=version)
    assert (progress.matched, progress.near_misses, progress.missed_counts) == (1, 2, [2, 0, 0])
    version.refresh_from_db()
    assert selectors.result_counts(version) == {"matched": 1, "near": 2}
    assert [row["count"] for row in selectors.missed_breakdown(version)] == [2, 0, 0]


def test_a_one_policy_run_shows_its_new_near_misses_and_the_others_old_ones(
    four, make_policy, staff
):
    first, other = make_policy(THREE), make_policy(THREE)
    full = engine.run_full()
    draft = services.new_version(first.policy, user=staff["writer"])
    draft = services.save_draft(
        draft,
        user=staff["writer"],
        conditions=[(n, s.replace("'410173001'", "'410173009'")) for n, s in THREE],
    )
    changed = services.publish(draft, user=staff["writer"])
    run = engine.run_policy(changed)
    nearly = {
        version.pk: (version.current_run_id, missed, unknown)
        for version, missed, unknown in selectors.nearly_met(four[0], clock.today())
    }
    # four[0] met the old version; it misses the new one's district, and still matches ``other``
    assert nearly == {changed.pk: (run.pk, 2, False)}
    nearly = {
        version.pk: (version.current_run_id, missed)
        for version, missed, _ in selectors.nearly_met(four[1], clock.today())
    }
    assert nearly == {other.pk: (full.pk, 0)}  # the new version: misses two now, no entry
    assert NearMiss.objects.filter(run_id=full.pk).exists()  # still current for ``other``


def test_a_changed_subject_has_its_near_misses_rewritten(four, make_policy):
    version = make_policy(THREE)
    full = engine.run_full()
    services.set_portrait_values(four[3], {"enterprise.is_high_tech": True})  # now misses one
    services.set_portrait_values(four[1], {"enterprise.registered_capital": 900})  # now meets all
    engine.run_changed_subjects()
    assert entries(full, four[3]) == [(version.pk, 0, False)]
    assert entries(full, four[1]) == []
    assert Match.objects.filter(run_id=full.pk, enterprise_id=four[1].pk).exists()
    progress = MatchRunPolicy.objects.get(run=full, policy_version=version)
    assert (progress.matched, progress.near_misses, progress.missed_counts) == (2, 2, [2, 0, 0])


def test_a_rewrite_keeps_the_subjects_entries_of_policies_it_did_not_recompute(four, make_policy):
    version, expiring = make_policy(THREE), make_policy(THREE)
    full = engine.run_full()
    # no longer in force: a changed-subject run does not recompute it, and must not lose it
    PolicyVersion.objects.filter(pk=expiring.pk).update(valid_until=dt.date(2000, 1, 1))
    services.set_portrait_values(four[2], {"enterprise.district": "410173009"})  # misses two
    engine.run_changed_subjects()
    assert entries(full, four[2]) == [(expiring.pk, 0, True)]
    assert version.pk not in {pk for pk, _, _ in entries(full, four[2])}


def test_purge_removes_the_near_misses_of_a_run_no_policy_points_at(four, make_policy):
    make_policy(THREE)
    first = engine.run_full()
    assert NearMiss.objects.filter(run_id=first.pk).exists()
    second = engine.run_full()
    assert not NearMiss.objects.filter(run_id=first.pk).exists()
    assert NearMiss.objects.filter(run_id=second.pk).count() == 2


def test_the_enterprise_page_lists_the_policy_nearly_met_with_the_missed_condition(
    four, make_policy
):
    version = make_policy(THREE)
    engine.run_full()
    nearly = selectors.nearly_met(four[1], clock.today())
    assert [(item.pk, missed) for item, missed, _ in nearly] == [(version.pk, 0)]
