"""Matching persons: the same engine, driven by the person descriptor (tables, id column,
registry, change queue), agreeing with Python's ``explain``; enterprise runs are unaffected."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from banshi.expr import BoolOp, Call, Compare, ListExpr, Literal, Name, Not, unparse
from banshi.people.models import Person
from banshi.policies import engine, services
from banshi.policies.explain import explain
from banshi.policies.models import Match, MatchRun, PersonMatch, PersonPortrait
from banshi.policies.synthetic import fake_id_number

from .conftest import TODAY

AGED = [
    ("年满80周岁", "person.birth_date <= years_ago(80)"),
    ("本区户籍", "person.hukou_district == '410173001'"),
]


def _rows(run, version) -> dict[int, tuple]:
    stored = engine.stored_results(run.pk, engine.PERSONS, version_ids=[version.pk])
    return {person_id: row for (_, person_id), row in stored.items()}


def test_a_person_policy_matches_persons_and_their_near_misses(make_person, make_person_policy):
    old = make_person(born=dt.date(1940, 1, 1), hukou_district="410173001")
    young = make_person(born=dt.date(1990, 1, 1), hukou_district="410173001")
    make_person(born=dt.date(1990, 1, 1), hukou_district="410100000")  # misses both: no row
    version = make_person_policy(AGED)
    run = engine.run_policy(version)
    assert run.subject_kind == "person" and run.subjects == 3
    assert _rows(run, version) == {old.pk: (True, 3, 0, None), young.pk: (False, 2, 0, 0)}
    assert not Match.objects.exists()


def test_an_eightieth_birthday_today_counts(make_person, make_person_policy):
    turning = make_person(born=TODAY.replace(year=TODAY.year - 80), hukou_district="410173001")
    version = make_person_policy(AGED)
    run = engine.run_policy(version)
    assert _rows(run, version)[turning.pk][0] is True


def test_a_full_run_of_persons_covers_person_policies_only(
    make_person, make_person_policy, make_policy, make_enterprise
):
    make_person(born=dt.date(1930, 1, 1), hukou_district="410173001")
    make_enterprise(is_high_tech=True)
    person_version = make_person_policy(AGED)
    firm_version = make_policy([("高新", "enterprise.is_high_tech")])
    persons = engine.run_full(subject=engine.PERSONS)
    firms = engine.run_full()
    assert persons.plan == [person_version.pk] and firms.plan == [firm_version.pk]
    assert (persons.matched, firms.matched) == (1, 1)
    assert PersonMatch.objects.filter(run=persons).count() == 1
    assert Match.objects.filter(run=firms).count() == 1


def test_a_changed_person_is_rematched_in_the_current_run(make_person, make_person_policy):
    person = make_person(born=dt.date(1990, 1, 1), hukou_district="410100000")
    version = make_person_policy(AGED)
    run = engine.run_full(subject=engine.PERSONS)
    assert _rows(run, version) == {}
    services.set_portrait_values(person, {"person.birth_date": dt.date(1944, 2, 3)})
    services.set_portrait_values(person, {"person.hukou_district": "410173001"})
    changed = engine.run_changed_subjects(subject=engine.PERSONS)
    assert changed.subject_kind == "person" and changed.subjects == 1
    assert _rows(run, version) == {person.pk: (True, 3, 0, None)}
    assert engine.run_changed_subjects() is None  # nothing in the enterprise queue


def test_an_interrupted_person_run_resumes_where_it_stopped(make_person, make_person_policy):
    make_person(born=dt.date(1930, 1, 1), hukou_district="410173001")
    first = make_person_policy(AGED, title="甲")
    second = make_person_policy(AGED, title="乙")

    def stop(run, version):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        engine.run_full(subject=engine.PERSONS, on_policy_done=stop)
    run = engine.run_full(subject=engine.PERSONS, resume=True)
    assert run.status == MatchRun.Status.FINISHED and run.policies_done == 2
    assert {first.pk, second.pk} == set(
        PersonMatch.objects.filter(run=run).values_list("policy_version_id", flat=True)
    )


def test_the_live_count_counts_persons(make_person):
    make_person(born=dt.date(1930, 1, 1), hukou_district="410173001")
    make_person(born=dt.date(1990, 1, 1), hukou_district="410173001")
    from banshi.policies import conditions

    checked = conditions.checked(AGED, "person")
    counts = engine.count(checked, subject=engine.PERSONS)
    assert (counts.subjects, counts.matched, counts.near_misses) == (2, 1, 1)


# ------------------------------------------------------------------------------ property
DATES = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2025, 12, 31))
CODES = {
    "employment_status": ["就业", "失业登记", "灵活就业", "退休"],
    "disability_level": ["无", "一级", "二级"],
    "gender": ["男", "女"],
}


def _name(column: str) -> Name:
    return Name(f"person.{column}")


atoms = st.one_of(
    st.tuples(
        st.sampled_from(["<=", ">", "=="]),
        st.sampled_from(["birth_date", "youngest_child_birth_date"]).map(_name),
        st.one_of(
            st.integers(0, 100).map(lambda n: Call("years_ago", (Literal(n, "number"),))),
            DATES.map(lambda d: Literal(d, "date")),
        ),
    ).map(lambda t: Compare(*t)),
    st.sampled_from(sorted(CODES)).flatmap(
        lambda c: st.tuples(
            st.sampled_from(["in", "not in"]),
            st.just(_name(c)),
            st.lists(st.sampled_from(CODES[c]), max_size=3).map(
                lambda xs: ListExpr(tuple(Literal(x, "string") for x in xs))
            ),
        ).map(lambda t: Compare(*t))
    ),
    st.tuples(
        st.sampled_from([">=", "<", "=="]),
        st.sampled_from(["children", "monthly_income"]).map(_name),
        st.integers(0, 6000).map(lambda n: Literal(n, "number")),
    ).map(lambda t: Compare(*t)),
    st.just(_name("is_veteran")),
)
person_conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        inner.map(Not),
        st.builds(
            BoolOp,
            st.sampled_from(["and", "or"]),
            st.lists(inner, min_size=2, max_size=3).map(tuple),
        ),
    ),
    max_leaves=4,
)


def _maybe(strategy):
    return st.one_of(st.none(), strategy, strategy, strategy)


person_rows = st.fixed_dictionaries(
    {
        "birth_date": _maybe(DATES),
        "youngest_child_birth_date": _maybe(DATES),
        **{c: _maybe(st.sampled_from(values)) for c, values in CODES.items()},
        "children": _maybe(st.integers(0, 5)),
        "monthly_income": _maybe(st.decimals(0, 9000, places=2)),
        "is_veteran": _maybe(st.booleans()),
    }
)


class _Rollback(Exception):
    pass


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    nodes=st.lists(person_conditions, min_size=1, max_size=3),
    rows=st.lists(person_rows, min_size=1, max_size=10),
    today=DATES,
)
def test_the_database_matches_persons_exactly_as_python_explains(
    departments, staff, nodes, rows, today
):
    sources = [unparse(node) for node in nodes]
    try:
        with transaction.atomic():
            persons = Person.objects.bulk_create(
                [
                    Person(
                        id_number=fake_id_number(i, dt.date(1970, 1, 1), male=True),
                        name=f"性质{i}",
                    )
                    for i in range(len(rows))
                ]
            )
            PersonPortrait.objects.bulk_create(
                [PersonPortrait(person=p, **row) for p, row in zip(persons, rows, strict=True)]
            )
            try:
                version = services.create_policy(
                    "PROP-P",
                    departments["KJ"],
                    subject_kind="person",
                    title="性质检验",
                    mode="auto_grant",
                    benefit_amount=Decimal(1),
                    conditions=[(f"条件{i}", source) for i, source in enumerate(sources)],
                )
            except services.PolicyError:
                reject()
            version = services.publish(version)
            run = engine.run_policy(version, today=today)
            found = _rows(run, version)
            services._queue_changes([p.pk for p in persons], engine.PERSONS)
            engine.run_changed_subjects(today=today, subject=engine.PERSONS)
            assert _rows(run, version) == found, sources
            for person in persons:
                explanation = explain(version, person, today=today)
                if explanation.matched or explanation.near_miss:
                    missed = explanation.missed.index if explanation.missed else None
                    expected = (
                        explanation.matched,
                        explanation.held_mask,
                        explanation.unknown_mask,
                        missed,
                    )
                    assert found.get(person.pk) == expected, (sources, person.portrait.__dict__)
                else:
                    assert person.pk not in found, (sources, person.portrait.__dict__)
            raise _Rollback
    except _Rollback:
        pass
