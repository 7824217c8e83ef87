"""Signed anchors (reference libraries.md §12): ``banshi audit anchor`` signs the chain head with the
platform's SM2 key and stores it; ``banshi audit verify`` checks every stored anchor, so a chain
rebuilt from scratch, or an anchor forged to match it, is reported; the anchor runs daily."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from banshi.audit import chain, services
from banshi.audit.models import Action, AuditAnchor, AuditEntry
from banshi.licences import keys, signing

pytestmark = pytest.mark.django_db
TABLE = AuditEntry._meta.db_table


@pytest.fixture(autouse=True)
def _key_dir(settings, tmp_path):
    settings.BANSHI_LICENCE_KEY_DIR = tmp_path / "keys"
    settings.BANSHI_AUDIT_ANCHOR_KEY = ""


def _append(n: int) -> list[AuditEntry]:
    return [
        services.record(actor=None, action=Action.VIEW_PERSON, purpose=f"用途 {i}")
        for i in range(n)
    ]


def _sql(statement: str, params=()) -> None:
    """Tamper as the database's owner would (the PostgreSQL append-only trigger switched off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(statement, params)


def _rebuild_from_scratch() -> str:
    """Edit entry 1 and recompute every hash after it, as someone who knows the algorithm."""
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
    return previous


def test_an_anchor_signs_the_head_with_an_sm2_key_kept_outside_the_database():
    last = _append(3)[-1]
    stored = services.anchor()
    assert (stored.sequence, stored.hash) == (3, last.hash)
    assert stored.algorithm == signing.SM2
    pair = keys.load(stored.key_fingerprint)  # the private key is a file, not a row
    message = f"banshi-audit-anchor:v1:3:{last.hash}:{chain._instant(stored.at)}".encode()
    assert signing.verify(signing.SM2, pair.public_hex, message, stored.signature)
    assert services.verify().ok


def test_anchoring_an_unchanged_head_again_stores_nothing_new_and_reuses_the_key():
    _append(1)
    first = services.anchor()
    assert services.anchor() == first
    _append(1)
    second = services.anchor()
    assert second.sequence == 2 and second.key_fingerprint == first.key_fingerprint
    assert AuditAnchor.objects.count() == 2


def test_a_chain_rebuilt_from_scratch_no_longer_matches_a_signed_anchor():
    _append(3)
    services.anchor()
    _rebuild_from_scratch()
    report = services.verify()
    assert not report.ok
    assert (report.problem.sequence, report.problem.kind) == (3, "anchor")


def test_an_anchor_forged_to_match_a_rebuilt_chain_fails_its_signature():
    _append(3)
    stored = services.anchor()
    forged = _rebuild_from_scratch()
    _sql("UPDATE audit_auditanchor SET hash = %s WHERE id = %s", [forged, stored.pk])
    report = services.verify()
    assert report.problem.kind == "anchor"
    assert "签名无效" in report.problem.message


def test_an_anchor_whose_key_file_is_gone_is_reported(settings):
    _append(1)
    stored = services.anchor()
    keys.path_of(stored.key_fingerprint).unlink()
    report = services.verify()
    assert report.problem.kind == "anchor" and "无法核验签名" in report.problem.message


def test_a_configured_key_must_be_the_one_that_signed(settings):
    _append(1)
    services.anchor()
    other = signing.generate()
    keys.write(other, "audit")
    settings.BANSHI_AUDIT_ANCHOR_KEY = other.fingerprint
    report = services.verify()
    assert "BANSHI_AUDIT_ANCHOR_KEY" in report.problem.message
    _append(1)
    assert services.anchor().key_fingerprint == other.fingerprint


def test_the_commands_anchor_then_verify_counting_the_anchors():
    _append(2)
    out = io.StringIO()
    call_command("audit", "anchor", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["sequence"] == 2 and len(printed["signature"]) == 128
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "signed anchors checked: 1" in out.getvalue()


def test_the_anchor_is_a_daily_background_job(settings):
    from banshi.core import jobs

    job = jobs.get("audit.anchor")
    assert job.interval == 24 * 3600
    _append(1)
    jobs.run("audit.anchor")
    assert AuditAnchor.objects.get().sequence == 1


def test_an_anchor_of_the_empty_chain_still_verifies_after_entries_follow():
    assert services.anchor().sequence == 0
    _append(2)
    services.anchor()
    assert services.verify().ok
