"""``banshi bench audit``: the cost of the hash chain and the auditor's search at scale.

Ours: :func:`banshi.audit.services.record`, one transaction per append (chain-head lock + SM3).
Baseline: the same kind of append without a chain, a plain ``LoginAttempt`` insert per transaction.
Then ``size`` chained entries are loaded (bulk, hashes computed in Python), ``verify`` walks them,
and the auditor's filtered first page and a deep page are timed. Everything it adds is removed.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction

from banshi.audit import chain, selectors, services
from banshi.audit.models import Action, AuditEntry, ChainHead
from banshi.core.bench import BenchResult, percentile_ms, register

APPENDS = 1000


def _appends(count: int) -> list[float]:
    samples = []
    for i in range(count):
        started = time.perf_counter()
        with transaction.atomic():
            services.record(actor=None, action=Action.VIEW_PERSON, purpose=f"bench {i}")
        samples.append(time.perf_counter() - started)
    return samples


def _baseline(count: int) -> tuple[list[float], list[int]]:
    from banshi.core import clock
    from banshi.people.models import LoginAttempt

    samples, ids = [], []
    for _ in range(count):
        started = time.perf_counter()
        with transaction.atomic():
            ids.append(
                LoginAttempt.objects.create(username="bench", outcome="success", at=clock.now()).pk
            )
        samples.append(time.perf_counter() - started)
    return samples, ids


def _load(size: int) -> float:
    """``size`` chained entries after the head, in batches; the head moves to the last one."""
    started = time.perf_counter()
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with transaction.atomic():
        head = services._locked_head()
        sequence, previous = head.sequence, head.hash or chain.GENESIS
        batch = []
        for i in range(size):
            sequence += 1
            row = {
                "sequence": sequence,
                "at": base + dt.timedelta(seconds=i * 15),
                "actor_id": None,
                "actor_username": f"staff{i % 500}",
                "action": Action.VIEW_CASE.value,
                "subject_kind": "person",
                "subject_id": str(i % 100_000),
                "subject_label": "张* 4101**********0012",
                "purpose": f"办理办件 BS-{i}",
                "case_number": f"BS-BENCH-{i}",
                "ip_address": None,
                "details": {},
                "prev_hash": previous,
            }
            previous = chain.entry_hash(row)
            batch.append(AuditEntry(**row, hash=previous))
            if len(batch) == 5000:
                AuditEntry.objects.bulk_create(batch)
                batch = []
        AuditEntry.objects.bulk_create(batch)
        ChainHead.objects.filter(pk=1).update(sequence=sequence, hash=previous)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {AuditEntry._meta.db_table}")
    return time.perf_counter() - started


def _median_ms(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2] * 1000


@register("audit", "审计日志: 哈希链追加 vs 无链插入; 校验速度; 百万条检索", 1_000_000)
def bench_audit(size: int) -> BenchResult:
    head = ChainHead.objects.filter(pk=1).first()
    start_sequence = head.sequence if head else 0
    start_hash = head.hash if head else chain.GENESIS
    baseline_ids: list[int] = []
    appends = min(APPENDS, max(50, size // 10))
    try:
        ours = _appends(appends)
        theirs, baseline_ids = _baseline(appends)
        load_s = _load(size)
        started = time.perf_counter()
        report = services.verify()
        verify_s = time.perf_counter() - started
        by_actor = _median_ms(lambda: selectors.page(selectors.Filters(actor="staff7")))
        by_case = _median_ms(lambda: selectors.page(selectors.Filters(case_number="BS-BENCH-77")))
        by_day = _median_ms(
            lambda: selectors.page(
                selectors.Filters(date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 2, 1))
            )
        )
        deep = _median_ms(
            lambda: selectors.page(selectors.Filters(), before=start_sequence + size // 2)
        )
    finally:
        services.delete_entries("sequence > %s", [start_sequence])
        ChainHead.objects.filter(pk=1).update(sequence=start_sequence, hash=start_hash)
        from banshi.people.models import LoginAttempt

        LoginAttempt.objects.filter(pk__in=baseline_ids).delete()
    ours_total, theirs_total = sum(ours), sum(theirs)
    return BenchResult(
        name="audit",
        size=size,
        ours_per_s=appends / ours_total,
        baseline="plain insert without chain (LoginAttempt), one transaction each",
        baseline_per_s=appends / theirs_total,
        p50_ms=percentile_ms(ours, 50),
        p95_ms=percentile_ms(ours, 95),
        notes=[
            f"database: {connection.vendor}",
            f"appends: {appends} record() calls, {appends / ours_total:,.0f}/s; "
            f"baseline {appends / theirs_total:,.0f}/s",
            f"loaded {size:,} chained entries in {load_s:.1f} s",
            f"verify: {report.checked:,} entries in {verify_s:.2f} s "
            f"({report.checked / verify_s:,.0f}/s), ok={report.ok}",
            f"search first page: by actor {by_actor:.1f} ms, by case {by_case:.1f} ms, "
            f"by day {by_day:.1f} ms; a page in the middle {deep:.1f} ms",
        ],
        extra={
            "verify_per_s": round(report.checked / verify_s),
            "verify_ok": report.ok,
            "search_actor_ms": round(by_actor, 2),
            "search_case_ms": round(by_case, 2),
            "search_day_ms": round(by_day, 2),
            "search_deep_ms": round(deep, 2),
            "load_s": round(load_s, 2),
        },
    )
