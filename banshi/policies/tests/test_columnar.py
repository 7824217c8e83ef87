"""The columnar full run (DuckDB): the same rows as the database path, batches committed whole,
the portrait read back exactly, the engine setting checked."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal

import pytest
from django.test import override_settings

from banshi.policies import columnar, conf, engine
from banshi.policies.models import Match, MatchRun, MatchRunPolicy, PolicyVersion

MIXED = [
    [
        ("注册资本不低于500万元", "enterprise.registered_capital >= 500"),
        ("高新技术企业", "enterprise.is_high_tech == true"),
        ("注册在一号街道", "enterprise.district in ['410173001']"),
    ],
    [("人均营收不低于20万元", "enterprise.revenue / enterprise.employees >= 20")],
    [
        ("成立满3年", "enterprise.established_on <= today() - 1095"),
        ("非上市企业", "not enterprise.is_listed"),
        ("纳税信用A或B级", "enterprise.tax_credit_level in ['A', 'B']"),
        ("研发占比不低于3%", "enterprise.rd_ratio >= 3.5"),
    ],
    [
        ("行业门类", "enterprise.industry_section != 'C'"),
        ("从业人数", "enterprise.employees >= 10 and enterprise.employees <= 300"),
    ],
]


@pytest.fixture
def varied(make_enterprise):
    """Enterprises with values on both sides of every condition, NULLs and an empty string."""
    rows = []
    for number in range(12):
        rows.append(
            make_enterprise(
                registered_capital=None if number % 5 == 0 else Decimal(str(250 * number)),
                is_high_tech=None if number % 4 == 3 else number % 2 == 0,
                district="410173001" if number % 3 else "410173002",
                revenue=None if number == 7 else Decimal(f"{number * 37}.25"),
                employees=[0, 5, 10, 11, 300, None][number % 6],
                established_on=dt.date(2015 + number, 3, 1) if number != 4 else None,
                is_listed=number % 5 == 1,
                tax_credit_level=["A", "B", "M", None][number % 4],
                rd_ratio=None if number == 2 else Decimal(str(number * 0.5)),
                industry_section=["C", "", "I", None][number % 4],
            )
        )
    return rows


def all_rows(run: MatchRun) -> set[tuple]:
    return {(*key, *row) for key, row in engine.stored_results(run.pk).items()}


def test_the_columnar_run_writes_the_same_rows_as_the_database(varied, make_policy, settings):
    for conditions in MIXED:
        make_policy(conditions)
    settings.BANSHI_POLICY_FULL_RUN_ENGINE = "database"
    in_database = all_rows(engine.run_full())
    settings.BANSHI_POLICY_FULL_RUN_ENGINE = "duckdb"
    run = engine.run_full()
    assert len(in_database) > 10  # matches and near misses of several policies
    assert all_rows(run) == in_database
    assert run.status == MatchRun.Status.FINISHED


def test_a_policy_of_the_most_conditions_keeps_its_last_condition_missed_or_unknown(
    varied, make_policy
):
    # the largest codes: 30 conditions, 29 that hold when employees is known, the last one
    # false for some and unknown for one; the same rows from the database path and from a
    # one-policy run (SQL in the database: a flat count, not a 30-deep nested CASE)
    held = [(f"从业人数不是{k}", f"enterprise.employees != {1000 + k}") for k in range(29)]
    version = make_policy([*held, ("研发占比不低于3%", "enterprise.rd_ratio >= 3.5")])
    full = (1 << 30) - 1
    expected = {}
    for enterprise in varied:
        portrait = enterprise.portrait
        if portrait.employees is None:
            continue  # 29 unknown conditions: no row
        if portrait.rd_ratio is None:
            expected[(version.pk, enterprise.pk)] = (False, full ^ (1 << 29), 1 << 29, 29)
        elif portrait.rd_ratio < Decimal("3.5"):
            expected[(version.pk, enterprise.pk)] = (False, full ^ (1 << 29), 0, 29)
        else:
            expected[(version.pk, enterprise.pk)] = (True, full, 0, None)
    run = engine.run_full()
    assert engine.stored_results(run.pk) == expected
    assert {row[0] for row in expected.values()} == {True, False}
    assert any(row[2] for row in expected.values())  # the unknown one is among them
    with override_settings(BANSHI_POLICY_FULL_RUN_ENGINE="database"):
        assert engine.stored_results(engine.run_full().pk) == expected
    version.refresh_from_db()
    assert engine.stored_results(engine.run_policy(version).pk) == expected


def test_the_columnar_run_reads_the_portrait_back_exactly(varied, make_policy):
    subjects = columnar.enterprises()
    names = [column for column, _ in subjects.columns]
    with tempfile.TemporaryDirectory() as folder:
        duck = columnar.connect(folder)
        try:
            assert columnar.feed(duck, subjects, folder) == len(varied)
            got = duck.execute(
                f"SELECT {', '.join(names)} FROM {columnar.PORTRAIT} ORDER BY 1"
            ).fetchall()
        finally:
            duck.close()
    from banshi.policies.models import EnterprisePortrait

    expected = [
        tuple(getattr(p, column if column != "enterprise_id" else "pk") for column in names)
        for p in EnterprisePortrait.objects.order_by("pk")
    ]
    by_position = {column: index for index, column in enumerate(names)}
    for want, have in zip(expected, got, strict=True):
        for column, index in by_position.items():
            value, read = want[index], have[index]
            if isinstance(value, Decimal) or isinstance(read, Decimal | float):
                assert (value is None and read is None) or Decimal(str(read)) == Decimal(value)
            else:
                assert read == value, column  # NULL stays NULL, '' stays ''


def test_an_interrupted_columnar_run_commits_whole_batches_and_resumes(
    varied, make_policy, settings, monkeypatch
):
    settings.BANSHI_POLICY_FULL_RUN_ENGINE = "duckdb"
    versions = [make_policy(conditions) for conditions in MIXED]
    previous = engine.run_full()
    before = all_rows(previous)
    monkeypatch.setattr(engine, "BATCH_POLICIES", 2)

    class Crash(Exception):
        pass

    def crash_in_first_batch(run, version):
        raise Crash("power cut")

    with pytest.raises(Crash):
        engine.run_full(on_policy_done=crash_in_first_batch)
    interrupted = MatchRun.objects.order_by("-pk").first()
    assert interrupted.status == MatchRun.Status.FAILED
    assert MatchRunPolicy.objects.filter(run=interrupted).count() == 2  # the first batch, whole
    for version in versions:
        assert PolicyVersion.objects.get(pk=version.pk).current_run_id == previous.pk
    assert all_rows(previous) == before

    resumed = engine.run_full(resume=True)
    assert resumed.pk == interrupted.pk and resumed.status == MatchRun.Status.FINISHED
    assert all_rows(resumed) == before
    assert not Match.objects.filter(run_id=previous.pk).exists()  # purged after the switch


def test_an_unknown_full_run_engine_is_refused_in_both_languages(settings):
    settings.BANSHI_POLICY_FULL_RUN_ENGINE = "spark"
    with pytest.raises(ValueError, match=r"只能是.*must be one of"):
        conf.full_run_engine()


def test_the_full_run_engine_defaults_to_duckdb(settings, monkeypatch):
    settings.BANSHI_POLICY_FULL_RUN_ENGINE = None
    monkeypatch.delenv("BANSHI_POLICY_FULL_RUN_ENGINE", raising=False)
    assert conf.full_run_engine() == "duckdb"


def test_shared_conditions_are_evaluated_once_and_give_each_policy_its_own_masks(
    varied, make_policy, settings
):
    # the same conditions at other positions (other mask bits) in a second policy
    make_policy(MIXED[0])
    make_policy([MIXED[0][2], MIXED[3][1], MIXED[0][0]])
    settings.BANSHI_POLICY_FULL_RUN_ENGINE = "database"
    in_database = all_rows(engine.run_full())
    settings.BANSHI_POLICY_FULL_RUN_ENGINE = "duckdb"
    assert all_rows(engine.run_full()) == in_database
    today = dt.date(2026, 11, 24)
    fragments = [
        fragment
        for version in PolicyVersion.objects.order_by("pk")
        for fragment in engine.version_fragments(version, today, "duckdb")
    ]
    with tempfile.TemporaryDirectory() as folder:
        duck = columnar.connect(folder)
        try:
            columnar.feed(duck, columnar.enterprises(), folder)
            numbers = columnar.evaluate_conditions(duck, columnar.enterprises(), fragments)
            width = len(duck.execute(f"SELECT * FROM {columnar.CONDITIONS} LIMIT 1").description)
        finally:
            duck.close()
    assert len(fragments) == 6
    assert sorted(numbers.values()) == [0, 1, 2, 3]
    assert width == 1 + 4  # the subject key, then one digit (held, false, unknown) per condition
