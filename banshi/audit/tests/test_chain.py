"""The hash chain: appends verify; an edited, deleted or reordered entry is reported with its number;
purge keeps the rest verifiable; retention below six months is refused (网络安全法 第二十一条)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from banshi.audit import chain, services
from banshi.audit.models import Action, AppendOnlyError, AuditCheckpoint, AuditEntry
from banshi.core import clock

pytestmark = pytest.mark.django_db
TABLE = AuditEntry._meta.db_table


def _append(n: int, **kwargs) -> list[AuditEntry]:
    return [
        services.record(
            actor=None, action=Action.VIEW_PERSON, purpose=f"用途 {i}", details={"i": i}, **kwargs
        )
        for i in range(n)
    ]


def _sql(statement: str, params=()) -> None:
    """Tamper as the database's owner would: on PostgreSQL, with the append-only trigger switched
    off for this test's transaction (the chain must catch what gets past the trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(statement, params)


def _verify_command() -> tuple[int, str]:
    try:
        call_command("audit", "verify", "--json", stdout=(out := _Buffer()))
    except SystemExit as exit_:
        return int(exit_.code), out.text
    return 0, out.text


class _Buffer:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_appended_entries_chain_and_verify():
    entries = _append(5)
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    report = services.verify()
    assert report.ok and report.checked == 5 and report.last_sequence == 5
    code, text = _verify_command()
    assert code == 0 and json.loads(text)["ok"] is True


def test_hash_is_sm3_over_the_canonical_fields():
    entry = _append(1)[0]
    row = {name: getattr(entry, name) for name in chain.FIELDS if name != "actor_id"}
    row["actor_id"] = entry.actor_id
    assert entry.hash == chain.digest(chain.canonical(row)) and len(entry.hash) == 64


def test_an_edited_entry_is_reported_with_its_number():
    _append(5)
    _sql(f"UPDATE {TABLE} SET purpose = %s WHERE sequence = 3", ["改过的用途"])
    report = services.verify()
    assert not report.ok
    assert (report.problem.sequence, report.problem.kind) == (3, "edited")
    code, text = _verify_command()
    assert code == 1
    assert json.loads(text)["problem"]["sequence"] == 3


def test_a_deleted_entry_is_reported_with_its_number():
    _append(5)
    _sql(f"DELETE FROM {TABLE} WHERE sequence = 2")
    report = services.verify()
    assert (report.problem.sequence, report.problem.kind) == (2, "deleted")
    assert "第 2 条缺失" in report.problem.message


def test_deleting_the_last_entries_is_reported_against_the_head():
    _append(5)
    _sql(f"DELETE FROM {TABLE} WHERE sequence >= 4")
    report = services.verify()
    assert (report.problem.sequence, report.problem.kind) == (4, "truncated")


def test_reordered_entries_are_reported():
    _append(5)
    _sql(f"UPDATE {TABLE} SET sequence = -1 WHERE sequence = 3")
    _sql(f"UPDATE {TABLE} SET sequence = 3 WHERE sequence = 4")
    _sql(f"UPDATE {TABLE} SET sequence = 4 WHERE sequence = -1")
    report = services.verify()
    assert (report.problem.sequence, report.problem.kind) == (3, "reordered")


def test_a_replaced_entry_with_a_recomputed_hash_breaks_the_next_link():
    entries = _append(4)
    forged = {name: getattr(entries[1], name) for name in chain.FIELDS}
    forged["purpose"] = "伪造"
    _sql(
        f"UPDATE {TABLE} SET purpose = %s, hash = %s WHERE sequence = 2",
        ["伪造", chain.entry_hash(forged)],
    )
    report = services.verify()
    assert (report.problem.sequence, report.problem.kind) == (3, "reordered")


def test_the_orm_refuses_to_change_or_delete_entries():
    entry = _append(1)[0]
    entry.purpose = "x"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(purpose="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_purge_removes_old_entries_and_the_chain_still_verifies():
    with clock.frozen(dt.datetime(2025, 1, 1, 9, 0)):
        _append(3)
    with clock.frozen(dt.datetime(2025, 9, 1, 9, 0)):
        _append(2)
        result = services.purge(days=180)
    assert result.purged == 3 and result.through_sequence == 3
    assert sorted(AuditEntry.objects.values_list("sequence", flat=True)) == [4, 5, 6]
    assert AuditCheckpoint.objects.get().through_sequence == 3
    assert AuditEntry.objects.get(sequence=6).action == Action.PURGE
    report = services.verify()
    assert report.ok and report.checked == 3
    # and a later edit is still caught
    _sql(f"UPDATE {TABLE} SET purpose = 'x' WHERE sequence = 5")
    assert services.verify().problem.sequence == 5


def test_purge_with_nothing_old_changes_nothing():
    _append(2)
    assert services.purge().purged == 0
    assert AuditEntry.objects.count() == 2 and services.verify().ok


def test_retention_under_six_months_is_refused_by_law():
    """网络安全法 第二十一条(三): 网络日志留存不少于六个月."""
    _append(1)
    with pytest.raises(services.AuditError, match="180"):
        services.purge(days=90)
    with (
        override_settings(BANSHI_AUDIT_RETENTION_DAYS=30),
        pytest.raises(CommandError, match="至少保留 180 天"),
    ):
        call_command("audit", "purge")
    assert AuditEntry.objects.count() == 1


def test_the_default_retention_is_at_least_six_months():
    assert services.retention_days() >= 180


def test_head_names_the_last_entry():
    entries = _append(2)
    head = services.head()
    assert head["sequence"] == 2 and head["hash"] == entries[-1].hash
    assert head["algorithm"] == "SM3"


def test_masked_subject_labels_never_show_the_full_id_or_phone():
    from banshi.cases.tests.factories import make_person

    person = make_person("王小明")
    entry = services.record(actor=None, action=Action.VIEW_PERSON, subject=person)
    assert person.id_number not in entry.subject_label
    assert entry.subject_label.startswith("王**")
    assert services.mask_text("电话 13812345678") == "电话 138****5678"


def test_the_benchmark_runs_and_leaves_the_chain_as_it_was():
    from banshi.audit.benchmarks import bench_audit

    before = _append(2)[-1]
    result = bench_audit(300)
    assert result.extra["verify_ok"] and result.ours_per_s > 0
    assert services.head()["hash"] == before.hash
    assert AuditEntry.objects.count() == 2 and services.verify().ok


def test_a_chain_rebuilt_from_scratch_is_caught_by_the_anchored_head():
    entries = _append(3)
    anchor = (entries[1].sequence, entries[1].hash)
    # someone who knows the algorithm edits entry 1 and recomputes every hash after it
    previous = chain.GENESIS
    for entry in AuditEntry.objects.order_by("sequence"):
        row = {name: getattr(entry, name) for name in chain.FIELDS}
        row["purpose"] = "改写" if entry.sequence == 1 else row["purpose"]
        row["prev_hash"] = previous
        previous = chain.entry_hash(row)
        _sql(
            f"UPDATE {TABLE} SET purpose = %s, prev_hash = %s, hash = %s WHERE sequence = %s",
            [row["purpose"], row["prev_hash"], previous, entry.sequence],
        )
    _sql("UPDATE audit_chainhead SET hash = %s", [previous])
    assert services.verify().ok  # the chain alone cannot tell
    report = services.verify(anchor=anchor)
    assert (report.problem.sequence, report.problem.kind) == (2, "anchor")
    assert services.head()["anchor"].startswith("3:")


@pytest.mark.parametrize("address", ["10.0.0.1", "2001:0db8:0000::0001", "::ffff:10.0.0.1"])
def test_peer_addresses_hash_as_the_database_gives_them_back(rf, address):
    request = rf.get("/", REMOTE_ADDR=address)
    services.record(actor=None, action=Action.LOGIN_FAILED, username="x", request=request)
    assert services.verify().ok


def test_a_short_retention_fails_the_system_check():
    from banshi.audit.checks import retention_check

    with override_settings(BANSHI_AUDIT_RETENTION_DAYS=90):
        (error,) = retention_check(None)
    assert error.id == "banshi.audit.E001"
    assert retention_check(None) == []
