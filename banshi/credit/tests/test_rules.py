"""The credit level rule (banshi.credit.rules), one row of its table per test."""

from __future__ import annotations

import datetime as dt

from banshi.credit.rules import ListFact, RecordFact, level

DAY = dt.date(2025, 6, 1)


def _record(severity="minor", kind="imported", **extra):
    return RecordFact(kind=kind, severity=severity, occurred_on=dt.date(2025, 1, 1), **extra)


def test_nothing_counting_is_good():
    assert level([], [], DAY) == "A"


def test_a_minor_record_is_fair():
    assert level([_record()], [], DAY) == "B"


def test_a_serious_record_is_poor():
    assert level([_record("serious")], [], DAY) == "C"


def test_a_false_commitment_of_any_severity_is_poor():
    """国办发〔2020〕42号: a previous false commitment closes the commitment mode."""
    assert level([_record("minor", "commitment_breach")], [], DAY) == "C"


def test_a_grave_record_or_the_serious_list_is_dishonest():
    assert level([_record("grave")], [], DAY) == "D"
    assert level([], [ListFact("serious", dt.date(2025, 2, 1))], DAY) == "D"


def test_the_abnormal_operations_list_is_poor():
    assert level([], [ListFact("abnormal", dt.date(2025, 2, 1))], DAY) == "C"


def test_repaired_expired_and_future_records_do_not_count():
    assert level([_record("grave", repaired=True)], [], DAY) == "A"
    assert level([_record("grave", valid_until=dt.date(2025, 5, 31))], [], DAY) == "A"
    future = RecordFact("imported", "grave", dt.date(2025, 7, 1))
    assert level([future], [], DAY) == "A"


def test_a_list_exit_ends_its_effect():
    entry = ListFact("serious", dt.date(2025, 1, 1), exited_on=dt.date(2025, 5, 1))
    assert level([], [entry], DAY) == "A"
    assert level([], [entry], dt.date(2025, 4, 30)) == "D"
