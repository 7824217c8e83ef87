"""``banshi bench appeals [--size N] [--json]``: 12345 intake throughput and the monthly report.

Two measurements on the database ``DATABASE_URL`` names (run it on a database of its own, e.g.
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_appeals``; the benchmark migrates it,
seeds the configuration and removes every row it added when it ends):

1. **Intake through the API**: requests taken in *and* dispatched per second, each one
   ``POST /appeals/api/appeals`` with a route (the hotline agent's 即时转办), through the whole Django
   stack (middleware, session auth, CSRF, the actions service, its row locks, events and outbox) with
   Django's test client; p50 / p95 are these requests' latencies.
2. **The monthly report over N requests** (default 1,000,000, spread over 24 months, bulk-loaded
   with COPY on PostgreSQL or ``executemany`` on SQLite, then ANALYZE): the time to build
   :func:`banshi.appeals.reports.appeal_report` for one month (median of 5), and the plan of its
   aggregate showing the covering index ``appeal_received_cover`` (an index range scan, not a full
   scan). The **baseline** computes the same figures the naive way — fetch every ticket and
   filter / count in a Python loop — timed on a sample of N/20 rows and extrapolated to N (linear:
   the naive way must read every row). ``ours_per_s`` / ``baseline_per_s`` are monthly reports per
   second, so ``ratio`` is how many times faster the indexed aggregate is.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import Max

from banshi.core.bench import BenchResult, percentile_ms, register

SEED = 20250303
MONTHS = 24
FIRST_MONTH = dt.date(2024, 1, 1)
REPORT_MONTH = dt.date(2025, 3, 1)
AREAS = [
    "新港街道",
    "滨河街道",
    "明港街道",
    "龙港街道",
    "三官庙街道",
    "八千街道",
    "龙王街道",
    "张庄街道",
    "银河街道",
    "冯堂街道",
]
NUMBER_PREFIX = "BX-"
BASELINE_SHARE = 20


def explain_totals(period) -> str:
    """The plan of the report's per-department aggregate (the widest of its GROUP BYs)."""
    from banshi.appeals import reports

    return reports.department_query(period).explain()


# ------------------------------------------------------------------------------------ setup
def _prepare() -> dict:
    """Migrate, seed, and create the benchmark's hotline agent; return the routing data."""
    from django.apps import apps
    from django.core.management import call_command

    from banshi.appeals import seed
    from banshi.appeals.models import Category
    from banshi.people import services as people

    call_command("migrate", interactive=False, verbosity=0)
    seed.apply(apps.get_model)
    user = people.create_staff(
        "bench-hotline-agent",
        "基准测试坐席",
        "ZWFW",
        ["hotline_agent"],
        None,
        check_password=False,
        replace=True,
    )
    leaves = list(
        Category.objects.filter(
            is_active=True, parent__isnull=False, default_department__isnull=False
        )
        .select_related("default_department")
        .order_by("code")
    )
    return {"user": user, "leaves": leaves}


def _high_water() -> dict:
    from banshi.appeals.models import Appeal, AppealEvent, Assignment
    from banshi.cases.models import OutboxMessage

    return {
        model: model.objects.aggregate(m=Max("pk"))["m"] or 0
        for model in (Appeal, Assignment, AppealEvent, OutboxMessage)
    }


def _cleanup(marks: dict) -> None:
    """Delete every row the benchmark added (ids above the marks taken before it started).

    Plain SQL deletes: the ORM's ``delete()`` would first load a million rows to run its
    collector (PROTECT checks, signals)."""
    from banshi.appeals.models import (
        Appeal,
        AppealEvent,
        AppealExtension,
        Assignment,
        Supervision,
    )
    from banshi.cases.models import OutboxMessage

    appeal_mark = marks[Appeal]
    statements = [
        (Supervision, "appeal_id > %s", [appeal_mark]),
        (AppealExtension, "appeal_id > %s", [appeal_mark]),
        (AppealEvent, "id > %s", [marks[AppealEvent]]),
        (Assignment, "id > %s", [marks[Assignment]]),
        (OutboxMessage, "id > %s AND topic LIKE %s", [marks[OutboxMessage], "appeal.%"]),
        (Appeal, "id > %s", [appeal_mark]),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for model, condition, params in statements:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {condition}", params)


# ------------------------------------------------------------------------------------ API
def _api_throughput(data: dict, count: int) -> tuple[float, list[float]]:
    from django.test import Client

    client = Client()
    client.force_login(data["user"])
    rng = random.Random(SEED)
    types = ["complaint", "help", "report", "suggestion", "consult"]
    bodies = []
    for index in range(count):
        category = rng.choice(data["leaves"])
        bodies.append(
            json.dumps(
                {
                    "type": rng.choice(types),
                    "category": category.code,
                    "title": f"基准测试诉求 {index}",
                    "content": "基准测试生成的诉求内容，用于测量受理和派单的吞吐量。",
                    "caller_phone": f"138{rng.randrange(10**8):08d}",
                    "caller_name": "测试",
                    "area": rng.choice(AREAS),
                    "channel": "hotline",
                    "route": {"lead": category.default_department.code},
                },
                ensure_ascii=False,
            )
        )
    samples = []
    started = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        response = client.post("/appeals/api/appeals", data=body, content_type="application/json")
        samples.append(time.perf_counter() - t0)
        if response.status_code != 201 or response.json()["state"] != "dispatched":
            raise AssertionError(
                f"intake failed: {response.status_code} {response.content[:300]!r}"
            )
    return time.perf_counter() - started, samples


# ------------------------------------------------------------------------------------ bulk data
def _rows(size: int, leaves: list) -> Iterator[dict]:
    """Values of ``size`` closed tickets over 24 months, in arrival order (as tickets really come
    in: the heap is then roughly ordered by ``received_at``, like a live table)."""
    rng = random.Random(SEED)
    zone = dt.timezone(dt.timedelta(hours=8))
    span_minutes = (dt.date(FIRST_MONTH.year + MONTHS // 12, 1, 1) - FIRST_MONTH).days * 24 * 60
    start = dt.datetime.combine(FIRST_MONTH, dt.time.min, tzinfo=zone)
    offsets = sorted(rng.randrange(span_minutes) for _ in range(size))
    types = ["complaint"] * 4 + ["help"] * 3 + ["consult"] * 2 + ["report", "suggestion"]
    satisfactions = ["satisfied"] * 6 + ["basic"] * 2 + ["unsatisfied", "unreachable", ""]
    channels = ["hotline"] * 7 + ["web", "mobile", "window"]
    for index, minutes in enumerate(offsets):
        category = leaves[rng.randrange(len(leaves))]
        received = start + dt.timedelta(minutes=minutes)
        day = received.date()
        returned = rng.random() < 0.06
        replied = received + dt.timedelta(days=rng.randrange(1, 12))
        yield {
            "number": f"{NUMBER_PREFIX}{index:09d}",
            "appeal_type": types[rng.randrange(len(types))],
            "urgency": "normal",
            "channel": channels[rng.randrange(len(channels))],
            "category_id": category.pk,
            "title": "历史诉求",
            "content": "批量生成的历史诉求",
            "area": AREAS[rng.randrange(len(AREAS))],
            "caller_phone": "13800000000",
            "state": "archived",
            "lead_department_id": category.default_department_id,
            "received_at": received,
            "dispatched_at": received,
            "round": 2 if returned else 1,
            "ack_due": day + dt.timedelta(days=1),
            "return_due": day + dt.timedelta(days=2),
            "due": day + dt.timedelta(days=18),
            "handle_days": 13,
            "acknowledged_at": received,
            "replied_at": replied,
            "reply": "已办理",
            "reply_result": "resolved",
            "on_time": rng.random() < 0.93,
            "returned_count": 1 if returned else 0,
            "satisfaction": satisfactions[rng.randrange(len(satisfactions))],
            "closed_at": replied,
            "archived_at": replied,
            "version": 8,
            "updated_at": replied,
        }


def _columns(model, skip=("id",)):
    fields = [f for f in model._meta.concrete_fields if f.column not in skip]
    return fields


def _default(field):
    from django.db import models

    if field.null:
        return None
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.JSONField):
        return "{}"
    if isinstance(field, (models.IntegerField, models.PositiveSmallIntegerField)):
        return 0
    return ""


def _adapt(value, field):
    """Plain values for COPY (PostgreSQL) or the sqlite3 driver (Django's own adapters)."""
    if value is None or connection.vendor == "postgresql":
        return value
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _load(size: int, leaves: list) -> tuple[float, int]:
    """Bulk-load ``size`` tickets (COPY on PostgreSQL, ``executemany`` on SQLite), derive one lead
    assignment per ticket in the database (``INSERT … SELECT``: no second pass in Python), then
    VACUUM ANALYZE as autovacuum would (so the covering index serves index-only scans)."""
    from banshi.appeals.models import Appeal, Assignment

    appeal_fields = _columns(Appeal)
    appeal_cols = [f.column for f in appeal_fields]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Appeal._meta.db_table}")
        base = cursor.fetchone()[0]
    # one template row in column order; each generated row copies it and sets only the columns
    # it has, by position: no per-row merging over all ~50 columns
    template = [None] + [_default(f) for f in appeal_fields]
    position = {f.attname: i + 1 for i, f in enumerate(appeal_fields)}
    by_name = {f.attname: f for f in appeal_fields}
    sqlite = connection.vendor != "postgresql"

    def row(index: int, values: dict) -> list:
        out = template[:]
        out[0] = base + index + 1
        for name, value in values.items():
            out[position[name]] = _adapt(value, by_name[name]) if sqlite else value
        return out

    table = Appeal._meta.db_table
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if not sqlite:
            with cursor.cursor.copy(
                f"COPY {table} (id, {', '.join(appeal_cols)}) FROM STDIN"
            ) as copy:
                for index, values in enumerate(_rows(size, leaves)):
                    copy.write_row(row(index, values))
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
        else:
            marks = ", ".join(["%s"] * (len(appeal_cols) + 1))
            sql = f"INSERT INTO {table} (id, {', '.join(appeal_cols)}) VALUES ({marks})"
            batch = []
            for index, values in enumerate(_rows(size, leaves)):
                batch.append(row(index, values))
                if len(batch) >= 20_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
        cursor.execute(
            f"""INSERT INTO {Assignment._meta.db_table}
                (appeal_id, department_id, role, round, status, instructions, dispatched_at,
                 ack_due, return_due, due, acknowledged_at, return_basis, finished_at, opinion)
                SELECT id, lead_department_id, 'lead', 1,
                       CASE WHEN returned_count > 0 THEN 'returned' ELSE 'replied' END, '',
                       dispatched_at, ack_due, return_due, due, acknowledged_at, '', replied_at, ''
                FROM {table} WHERE id > %s""",
            [base],
        )
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute("ANALYZE")
        else:
            cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute(f"VACUUM ANALYZE {Assignment._meta.db_table}")
    return time.perf_counter() - started, base


# ------------------------------------------------------------------------------------ reports
def _time_report(period, repeats: int = 5) -> tuple[float, dict]:
    from banshi.appeals import reports

    times, report = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        report = reports.appeal_report(period)
        times.append(time.perf_counter() - started)
    return statistics.median(times), report


def naive_totals(rows, start: dt.datetime, end: dt.datetime) -> dict:
    """The baseline: the headline figures by looping over fetched rows in Python."""
    from banshi.appeals import reports

    totals = Counter()
    by_type, by_department, by_area = Counter(), Counter(), Counter()
    for received, kind, department, on_time, returned, satisfaction, area in rows:
        if not start <= received < end:
            continue
        totals["total"] += 1
        by_type[kind] += 1
        by_area[area] += 1
        if department is not None:
            totals["dispatched"] += 1
            by_department[department] += 1
        if on_time is not None:
            totals["replied"] += 1
            totals["on_time"] += bool(on_time)
        totals["returned"] += returned > 0
        totals["reached"] += satisfaction in reports.REACHED
        totals["satisfied"] += satisfaction in reports.GOOD
    return {"totals": dict(totals), "by_type": by_type, "by_area": by_area}


_NAIVE_FIELDS = (
    "received_at",
    "appeal_type",
    "lead_department_id",
    "on_time",
    "returned_count",
    "satisfaction",
    "area",
)


def _time_baseline(period, sample: int) -> float:
    from banshi.appeals.models import Appeal

    start, end = period.bounds()
    started = time.perf_counter()
    rows = (
        Appeal.objects.order_by("pk").values_list(*_NAIVE_FIELDS)[:sample].iterator(chunk_size=5000)
    )
    naive_totals(rows, start, end)
    return time.perf_counter() - started


def _check(period, report: dict) -> None:
    """Ours and the naive loop agree on the month's figures."""
    from banshi.appeals.models import Appeal

    start, end = period.bounds()
    rows = Appeal.objects.filter(received_at__gte=start, received_at__lt=end).values_list(
        *_NAIVE_FIELDS
    )
    naive = naive_totals(rows.iterator(chunk_size=5000), start, end)["totals"]
    ours = report["totals"]
    for key in ("total", "dispatched", "replied", "on_time", "returned", "reached", "satisfied"):
        if ours[key] != naive.get(key, 0):
            raise AssertionError(
                f"report disagrees with the naive loop on {key}: {ours[key]} != {naive.get(key, 0)}"
            )


@register(
    "appeals",
    "12345 受理派单吞吐(API) 与百万工单月报(覆盖索引) vs 逐行 Python 循环",
    1_000_000,
)
def bench_appeals(size: int) -> BenchResult:
    from banshi.appeals import reports
    from banshi.core import clock

    data = _prepare()
    marks = _high_water()
    api_count = max(100, min(2000, size // 500))
    try:
        with clock.frozen(dt.datetime(2025, 3, 3, 10, 0)):
            api_seconds, samples = _api_throughput(data, api_count)
        load_seconds, _ = _load(size, data["leaves"])
        period = reports.period("month", REPORT_MONTH)
        report_seconds, report = _time_report(period)
        _check(period, report)
        plan = explain_totals(period)
        sample = max(1000, size // BASELINE_SHARE)
        baseline_sample_seconds = _time_baseline(period, sample)
        baseline_seconds = baseline_sample_seconds * (size + api_count) / sample
    finally:
        _cleanup(marks)
    uses_index = "appeal_received_cover" in plan
    full_scan = ("Seq Scan on appeals_appeal" in plan) or (
        "SCAN appeals_appeal" in plan and "INDEX" not in plan
    )
    engine = connection.vendor
    month_rows = report["totals"]["total"]
    return BenchResult(
        name="appeals",
        size=size,
        ours_per_s=1 / report_seconds,
        baseline="naive Python loop over fetched rows (sample, extrapolated)",
        baseline_per_s=1 / baseline_seconds,
        p50_ms=percentile_ms(samples, 50),
        p95_ms=percentile_ms(samples, 95),
        notes=[
            f"database: {engine} ({connection.settings_dict.get('NAME')})",
            f"API: {api_count:,} POST /appeals/api/appeals (take in + dispatch, one transaction each) "
            f"in {api_seconds:.2f} s = {api_count / api_seconds:,.1f} requests/s "
            f"(p50 {percentile_ms(samples, 50):.1f} ms, p95 {percentile_ms(samples, 95):.1f} ms)",
            f"data: {size:,} tickets (+ {size:,} assignments by INSERT … SELECT) over {MONTHS} "
            f"months in arrival order, loaded in {load_seconds:.1f} s "
            f"({'COPY' if engine == 'postgresql' else 'executemany'}, then VACUUM ANALYZE)",
            f"monthly report {period.label}: {month_rows:,} tickets of {size + api_count:,}; "
            f"median of 5 builds {report_seconds * 1000:.1f} ms (every figure of the page)",
            f"plan of the per-department aggregate: {'index ' if uses_index else ''}"
            f"{'appeal_received_cover' if uses_index else 'NO covering index'}"
            f"{', no full scan' if not full_scan else ', FULL SCAN'}",
            *("    " + line for line in plan.splitlines()[:8]),
            f"baseline: fetch + loop over {sample:,} rows in {baseline_sample_seconds:.2f} s, "
            f"extrapolated to {size + api_count:,} rows = {baseline_seconds:.1f} s per report; "
            "totals identical to ours on the month",
        ],
        extra={
            "engine": engine,
            "api_requests": api_count,
            "api_per_s": round(api_count / api_seconds, 2),
            "load_s": round(load_seconds, 2),
            "report_month_rows": month_rows,
            "report_ms": round(report_seconds * 1000, 2),
            "baseline_report_s": round(baseline_seconds, 2),
            "plan_uses_covering_index": uses_index,
            "plan_full_scan": full_scan,
        },
    )
