"""The matching engine: policy conditions compiled to SQL and run as set operations in the database.

One code path for SQLite and PostgreSQL. For one policy version, one ``INSERT … SELECT`` scans the
portrait table and writes a row for every enterprise that meets all conditions or misses exactly
one, with the bitmask of the conditions that held, the bitmask of those that were unknown, and the
one that was missed, into the session's temporary rows table; :func:`store_rows` then keeps the
matches as :class:`~banshi.policies.models.Match` rows and packs each enterprise's near misses of
the batch into one :class:`~banshi.policies.models.NearMiss` row (``version << 6 | missed << 1 |
unknown`` per entry)::

    INSERT INTO policies_match_rows (run_id, policy_version_id, enterprise_id, matched, held, unknown, missed)
    SELECT 7, 42, s.e, s.h = 7, s.h, s.u, CASE s.h WHEN 6 THEN 0 WHEN 5 THEN 1 WHEN 3 THEN 2 END
    FROM (SELECT p.enterprise_id AS e,
                 (CASE WHEN c0 THEN 1 ELSE 0 END) + (CASE WHEN c1 THEN 2 ELSE 0 END) + … AS h,
                 (CASE WHEN (c0) IS NULL THEN 1 ELSE 0 END) + … AS u
          FROM policies_enterpriseportrait p
          WHERE (c1 OR c2) AND CASE WHEN c1 THEN CASE WHEN c2 THEN … ELSE (c0 AND …) END
                                    ELSE (c2 AND c0 AND …) END) s

Each ``cN`` is :func:`banshi.expr.to_sql` of condition N (whose rows are exactly those where
:func:`banshi.expr.holds` is true). The ``WHERE`` keeps the rows with at most one condition not true,
checking conditions from the most to the least selective (estimated on a sample) and stopping at the
second miss; ``(c1 OR c2)`` — one of the two most selective conditions must hold for a row to miss at
most one — lets the database start from an index when those two are selective. The masks are only
computed for the rows kept.

Runs (:class:`~banshi.policies.models.MatchRun`):

* :func:`run_full` — every published policy in force, evaluated by default in the columnar engine
  (:mod:`banshi.policies.columnar`, DuckDB fed from the database: each distinct condition of
  the run compiled by the same ``to_sql`` and evaluated once per subject, the same rows; setting
  ``BANSHI_POLICY_FULL_RUN_ENGINE``) or here in the database. Results go under the new run's id
  beside the previous ones; a batch of :data:`BATCH_POLICIES` policies' results and their progress
  rows commit together, so an interrupted run
  leaves every previous result in place and :func:`run_full` with ``resume=True`` carries on with
  the policies not done. At the end one transaction points every policy's ``current_run`` at the
  new run, re-applies the portrait changes that arrived meanwhile, and the old rows are purged.
* :func:`run_policy` — one policy version (published or changed), the same way, in one transaction.
* :func:`run_changed_subjects` — the enterprises queued in :class:`PortraitChange`: their matches
  and near-miss rows are rewritten in every policy's current run, and the runs' per-policy counts
  moved by the difference, in one transaction.

A version's results are those of its ``current_run``: a one-policy run writes its near misses
under its own run, so a subject's near-miss rows of an older run stay valid for the versions that
still point at it (:func:`current_near_misses` keeps only those entries), and :func:`purge`
deletes a run's near-miss rows once no version's results are that run's.

:func:`banshi.policies.explain.explain` evaluates the same ASTs in Python for one enterprise; a
property test checks that both agree, missing values included.

Persons (自然人) are matched by the same code: a :class:`Subjects` descriptor names the portrait
table, the result table, the subject id column, the attribute registry and the change queue of a
subject kind, and every statement takes its names from it. A policy's kind
(``Policy.subject_kind``) picks the descriptor; a run (``MatchRun.subject_kind``) covers one kind.
The enterprise descriptor is the default everywhere, so the enterprise path's SQL is unchanged.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Max, Q

from banshi.core import clock
from banshi.expr import from_json, to_sql
from banshi.policies import conf
from banshi.policies.attributes import Registry, SubjectKind, registry
from banshi.policies.models import (
    EnterprisePortrait,
    Match,
    MatchRun,
    MatchRunPolicy,
    NearMiss,
    PersonMatch,
    PersonNearMiss,
    PersonPortrait,
    PersonPortraitChange,
    PolicyVersion,
    PortraitChange,
    VersionStatus,
)

logger = logging.getLogger(__name__)

Fragment = tuple[str, list[Any]]

SAMPLE_ROWS = 2000  # rows of the portrait sampled to order conditions by selectivity
PREFILTER_BELOW = 0.5  # use (c_a OR c_b) when the two most selective pass fewer than this share
STALE_AFTER = timedelta(minutes=15)  # a running full run silent this long counts as interrupted
SAMPLE_TABLE = "policies_match_sample"
RATE_COLUMNS = 400  # sums per sampling query
HEARTBEAT_EVERY = 5.0  # seconds between a full run's heartbeats (well under STALE_AFTER)
# policies per committed transaction of a full run (both engines), and so per near-miss row of
# a subject: 200 writes ~5 near-miss rows per subject for 1,000 policies (50 wrote ~18, and
# PostgreSQL's inserts of those rows cost more than the evaluation saved)
BATCH_POLICIES = 200


class MatchBusy(RuntimeError):
    """Another full run is in progress."""


@dataclass(frozen=True)
class Subjects:
    """What the engine needs to know about one kind of subject (企业 or 自然人): where its
    portraits and results live, the column naming a subject in both, its attributes, and the
    queue of its portrait changes."""

    kind: str
    portrait: type  # EnterprisePortrait / PersonPortrait (primary key = the subject id column)
    match: type  # Match / PersonMatch (run_id, policy_version_id, <id_column>, …)
    change: type  # PortraitChange / PersonPortraitChange (<subject>, changed_at, processed_by)
    id_column: str  # "enterprise_id" / "person_id"
    near: type  # NearMiss / PersonNearMiss (run_id, <id_column>, part, entries)

    @property
    def registry(self) -> Registry:
        return registry(self.kind)

    @property
    def portrait_table(self) -> str:
        return self.portrait._meta.db_table

    @property
    def match_table(self) -> str:
        return self.match._meta.db_table

    @property
    def change_table(self) -> str:
        return self.change._meta.db_table

    @property
    def near_table(self) -> str:
        return self.near._meta.db_table

    @property
    def rows_table(self) -> str:
        """The session's temporary table a batch's rows go through before they are split into
        matches and near-miss sets (:func:`store_rows`)."""
        return f"{self.match_table}_rows"

    @property
    def field(self) -> str:
        """The ORM name of the subject foreign key (``enterprise`` / ``person``)."""
        return self.id_column.removesuffix("_id")


ENTERPRISES = Subjects(
    SubjectKind.ENTERPRISE, EnterprisePortrait, Match, PortraitChange, "enterprise_id", NearMiss
)
PERSONS = Subjects(
    SubjectKind.PERSON,
    PersonPortrait,
    PersonMatch,
    PersonPortraitChange,
    "person_id",
    PersonNearMiss,
)
SUBJECTS = {ENTERPRISES.kind: ENTERPRISES, PERSONS.kind: PERSONS}


def subjects_for(kind: str | None) -> Subjects:
    """The descriptor of a subject kind (``enterprise`` when None)."""
    return SUBJECTS[kind or SubjectKind.ENTERPRISE]


def subjects_of(version: PolicyVersion) -> Subjects:
    """The descriptor of the subjects a policy version is matched against."""
    return subjects_for(version.policy.subject_kind)


# ------------------------------------------------------------------------------ compiling
def dialect() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def database_label() -> str:
    """Which database ran it, for the run record and the benchmark (e.g. ``PostgreSQL 15.20``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _true() -> str:
    return "TRUE" if dialect() == "postgresql" else "1"


def column_mapper(alias: str = "p", subject: Subjects = ENTERPRISES) -> Callable[[str], str]:
    """Condition names → the portrait table's columns (``p."registered_capital"``)."""
    by_code = subject.registry.by_code

    def column(name: str) -> str:
        return f"{alias}.{_quote(by_code[name].column)}"

    return column


def compile_conditions(
    conditions: list[dict[str, Any]],
    *,
    today: date,
    alias: str = "p",
    sql_dialect: str | None = None,
    subject: Subjects = ENTERPRISES,
) -> list[Fragment]:
    """Each stored condition's AST as a parameterised SQL boolean over the portrait alias."""
    column = column_mapper(alias, subject)
    chosen = sql_dialect or dialect()
    schema = subject.registry.schema
    return [
        to_sql(from_json(c["ast"]), column, dialect=chosen, today=today, schema=schema)
        for c in conditions
    ]


class Sql:
    """SQL text and its parameters, built in order (parameters follow their placeholders)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []

    def add(self, text: str, params: Iterable[Any] = ()) -> Sql:
        self.parts.append(text)
        self.params.extend(params)
        return self

    def fragment(self, fragment: Fragment) -> Sql:
        return self.add(*fragment)

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Plan:
    """How one policy version is evaluated: condition order and the optional index prefilter."""

    fragments: list[Fragment]
    order: list[int]
    prefilter: tuple[int, int] | None = None
    rates: list[float] | None = None

    @property
    def size(self) -> int:
        return len(self.fragments)


def near_miss_allowed(size: int) -> bool:
    """A policy of one condition has no near misses (everyone else would be one)."""
    return size >= 2


# Up to this many conditions the at-most-one-miss test is a nested CASE (no row evaluates more
# conditions than up to its second miss); beyond, a flat count: SQLite's parser stack (depth 100)
# overflows on a CASE nested ~20 deep, and a policy may have MAX_CONDITIONS (30).
NESTED_MISSES_MAX = 12


def at_most_one_miss(plan: Plan, sql: Sql, true: str | None = None) -> None:
    """``WHERE`` text keeping the rows where at most one condition is not true.

    Nested ``CASE``: the first condition (in selectivity order) that fails switches to a plain
    ``AND`` of the remaining ones, so no row costs more than the conditions up to its second miss.
    An unknown condition goes to ``ELSE``, like a false one. Above ``NESTED_MISSES_MAX``
    conditions, a flat count of the conditions not true.
    """
    order = plan.order
    true = true or _true()

    def chain(rest: list[int]) -> None:
        if not rest:
            sql.add(true)
            return
        sql.add("(")
        for position, index in enumerate(rest):
            if position:
                sql.add(" AND ")
            sql.fragment(plan.fragments[index])
        sql.add(")")

    if not near_miss_allowed(plan.size):
        chain(order)
        return
    if plan.size > NESTED_MISSES_MAX:
        # flat: the count of conditions not true is at most one (every condition is evaluated;
        # SQLite's parser overflows on a CASE nested as deep as a long policy)
        sql.add("(")
        for position, index in enumerate(order):
            if position:
                sql.add(" + ")
            sql.add("CASE WHEN ").fragment(plan.fragments[index]).add(" THEN 0 ELSE 1 END")
        sql.add(") <= 1")
        return

    def nested(position: int) -> None:
        if position == len(order):
            sql.add(true)
            return
        sql.add("CASE WHEN ").fragment(plan.fragments[order[position]]).add(" THEN ")
        nested(position + 1)
        sql.add(" ELSE ")
        chain(order[position + 1 :])
        sql.add(" END")

    nested(0)


def insert_sql(
    plan: Plan,
    *,
    run_id: int,
    version_id: int,
    subjects: Fragment | None = None,
    source_table: str | None = None,
    subject: Subjects = ENTERPRISES,
    target_table: str | None = None,
    true: str | None = None,
) -> Fragment:
    """The ``INSERT … SELECT`` writing one policy version's matches and near misses.

    ``subjects`` restricts the scan (``p.enterprise_id IN (…)``) for incremental runs.
    """
    match_table = _quote(target_table or subject.match_table)
    text, params = match_select_sql(
        plan,
        run_id=run_id,
        version_id=version_id,
        subjects=subjects,
        subject=subject,
        source_table=source_table,
        true=true,
    )
    return (
        f"INSERT INTO {match_table} (run_id, policy_version_id, {subject.id_column}, matched, "
        f"held, unknown, missed) {text}",
        params,
    )


def match_select_sql(
    plan: Plan,
    *,
    run_id: int,
    version_id: int,
    subjects: Fragment | None = None,
    source_table: str | None = None,
    true: str | None = None,
    subject: Subjects = ENTERPRISES,
) -> Fragment:
    """The ``SELECT`` of :func:`insert_sql`: one row per match or near miss, in the ``Match``
    columns' order. The columnar full run (:mod:`banshi.policies.columnar`) writes the same rows
    from condition columns evaluated once per subject; ``source_table`` and ``true`` let this text
    run elsewhere too (the benchmark's equal-footing checks)."""
    size = plan.size
    full = (1 << size) - 1
    sql = Sql()
    sql.add(f"SELECT {int(run_id)}, {int(version_id)}, s.e, s.h = {full}, s.h, s.u, ")
    if near_miss_allowed(size):
        sql.add("CASE s.h")
        for index in range(size):
            sql.add(f" WHEN {full ^ (1 << index)} THEN {index}")
        sql.add(" END")
    else:
        sql.add("NULL")
    sql.add(f" FROM (SELECT p.{subject.id_column} AS e, ")
    for index, fragment in enumerate(plan.fragments):
        if index:
            sql.add(" + ")
        sql.add("(CASE WHEN ").fragment(fragment).add(f" THEN {1 << index} ELSE 0 END)")
    sql.add(" AS h, ")
    for index, fragment in enumerate(plan.fragments):
        if index:
            sql.add(" + ")
        sql.add("(CASE WHEN (").fragment(fragment).add(f") IS NULL THEN {1 << index} ELSE 0 END)")
    table = _quote(source_table or subject.portrait_table)
    sql.add(f" AS u FROM {table} p WHERE ")
    if subjects is not None:
        sql.fragment(subjects).add(" AND ")
    if plan.prefilter is not None:
        first, second = plan.prefilter
        sql.add("(").fragment(plan.fragments[first]).add(" OR ")
        sql.fragment(plan.fragments[second]).add(") AND ")
    sql.add("(")
    at_most_one_miss(plan, sql, true)
    sql.add(")) s")
    return sql.text, sql.params


def count_sql(fragments: list[Fragment], *, table: str | None = None) -> Fragment:
    """One scan: how many enterprises meet all conditions, miss one, and meet each condition."""
    size = len(fragments)
    sql = Sql().add("SELECT COUNT(*)")
    for fragment in fragments:
        sql.add(", SUM(CASE WHEN ").fragment(fragment).add(" THEN 1 ELSE 0 END)")
    if size:
        # the number of conditions held, per row, summed into "all" and "all but one"
        held = Sql()
        for index, fragment in enumerate(fragments):
            if index:
                held.add(" + ")
            held.add("(CASE WHEN ").fragment(fragment).add(" THEN 1 ELSE 0 END)")
        sql.add(", SUM(CASE WHEN (").add(held.text, held.params).add(
            f") = {size} THEN 1 ELSE 0 END)"
        )
        sql.add(", SUM(CASE WHEN (").add(held.text, held.params)
        sql.add(f") = {size - 1} THEN 1 ELSE 0 END)")
    sql.add(f" FROM {_quote(table or EnterprisePortrait._meta.db_table)} p")
    return sql.text, sql.params


@dataclass
class Counts:
    subjects: int
    matched: int
    near_misses: int
    per_condition: list[int]


def count(
    conditions: list[dict[str, Any]],
    *,
    today: date | None = None,
    subject: Subjects = ENTERPRISES,
) -> Counts:
    """How many subjects meet the conditions (the editor's live "N 家企业符合"), in one query."""
    fragments = compile_conditions(conditions, today=today or clock.today(), subject=subject)
    text, params = count_sql(fragments, table=subject.portrait_table)
    with connection.cursor() as cursor:
        cursor.execute(text, params)
        row = cursor.fetchone()
    total = int(row[0] or 0)
    per_condition = [int(value or 0) for value in row[1 : 1 + len(fragments)]]
    if not fragments:
        return Counts(total, 0, 0, [])
    matched = int(row[1 + len(fragments)] or 0)
    near = int(row[2 + len(fragments)] or 0) if near_miss_allowed(len(fragments)) else 0
    return Counts(total, matched, near, per_condition)


# ------------------------------------------------------------------------------ storing
# A near-miss entry: version << 6 | missed << 1 | unknown (missed < MAX_CONDITIONS <= 32).
ENTRY_SHIFT = 6


def entry_sql() -> str:
    """A near-miss row's entry as an SQL integer (the same text in SQLite, PostgreSQL, DuckDB)."""
    return "(policy_version_id * 64 + missed * 2 + CASE WHEN unknown = 0 THEN 0 ELSE 1 END)"


def entries_sql(sql_dialect: str | None = None) -> str:
    """The aggregate packing a subject's entries into one text, in no particular order (readers
    and comparisons do not depend on it: an ``ORDER BY`` inside DuckDB's ``string_agg`` cost
    ~0.45 s CPU per batch of 50 policies at 10^5 subjects, 5× the aggregate itself)."""
    chosen = sql_dialect or dialect()
    entry = entry_sql()
    if chosen == "sqlite":
        return f"group_concat({entry}, ',')"
    text = "VARCHAR" if chosen == "duckdb" else "TEXT"
    return f"string_agg(CAST({entry} AS {text}), ',')"


def decode_entries(entries: str) -> list[tuple[int, int, bool]]:
    """``entries`` of a near-miss row → (version id, missed condition index, unknown) each."""
    mask = (1 << ENTRY_SHIFT) - 1
    return [
        (value >> ENTRY_SHIFT, (value & mask) >> 1, bool(value & 1))
        for value in map(int, entries.split(","))
    ]


def encode_entries(items: Iterable[tuple[int, int, bool]]) -> str:
    """The inverse of :func:`decode_entries` (entries in ascending order)."""
    return ",".join(
        str(value)
        for value in sorted(
            (version << ENTRY_SHIFT) | (missed << 1) | int(unknown)
            for version, missed, unknown in items
        )
    )


def near_miss_masks(size: int, missed: int, unknown: bool) -> tuple[int, int]:
    """The ``held`` and ``unknown`` masks of a near miss: every condition but the missed one
    held (so none of them was unknown)."""
    return ((1 << size) - 1) ^ (1 << missed), (1 << missed) if unknown else 0


@dataclass
class Tally:
    """One version's results in a batch: matches, and near misses by the condition missed."""

    matched: int = 0
    missed: dict[int, int] = field(default_factory=dict)

    @property
    def near_misses(self) -> int:
        return sum(self.missed.values())

    def missed_counts(self, size: int) -> list[int]:
        return [self.missed.get(index, 0) for index in range(size)]


def tallies(rows: Iterable[tuple[int, int | None, int]]) -> dict[int, Tally]:
    """(version, missed — None for a match —, count) rows → a :class:`Tally` per version."""
    result: dict[int, Tally] = {}
    for version_id, missed, number in rows:
        tally = result.setdefault(int(version_id), Tally())
        if missed is None:
            tally.matched += int(number)
        else:
            tally.missed[int(missed)] = tally.missed.get(int(missed), 0) + int(number)
    return result


def ensure_rows_table(subject: Subjects = ENTERPRISES) -> None:
    """The session's temporary table of a batch's rows, in the ``Match`` columns."""
    _execute(
        (
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_quote(subject.rows_table)} (run_id BIGINT, "
            f"policy_version_id BIGINT, {subject.id_column} BIGINT, matched BOOLEAN, held BIGINT, "
            "unknown BIGINT, missed SMALLINT)",
            [],
        )
    )


def store_rows(
    subject: Subjects = ENTERPRISES,
    *,
    part: int,
    match_table: str | None = None,
    near_table: str | None = None,
) -> dict[int, Tally]:
    """Split the rows table (:func:`ensure_rows_table`) into the matches and one near-miss row per
    (run, subject) of this ``part``, empty it, and return what it held per version.

    The in-database counterpart of the columnar engine's write-back (same rows, same entries)."""
    rows = _quote(subject.rows_table)
    id_column = subject.id_column
    columns = f"run_id, policy_version_id, {id_column}, matched, held, unknown, missed"
    _execute(
        (
            f"INSERT INTO {_quote(match_table or subject.match_table)} ({columns}) "
            f"SELECT {columns} FROM {rows} WHERE matched",
            [],
        )
    )
    _execute(
        (
            f"INSERT INTO {_quote(near_table or subject.near_table)} (run_id, {id_column}, part, "
            f"entries) SELECT run_id, {id_column}, {int(part)}, {entries_sql()} FROM {rows} "
            f"WHERE NOT matched GROUP BY run_id, {id_column} ORDER BY {id_column}",
            [],
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT policy_version_id, missed, COUNT(*) FROM {rows} GROUP BY 1, 2")
        counted = tallies(cursor.fetchall())
    _execute((f"DELETE FROM {rows}", []))
    return counted


def stored_results(
    run_id: int,
    subject: Subjects = ENTERPRISES,
    *,
    version_ids: Iterable[int] | None = None,
    subject_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], tuple[bool, int, int, int | None]]:
    """A run's results as (version, subject) → (matched, held, unknown, missed), near misses
    unpacked from their sets: the rows the engine's ``SELECT`` produced (tests, the benchmark)."""
    wanted_versions = set(version_ids) if version_ids is not None else None
    ids = list(subject_ids) if subject_ids is not None else None
    chunks = [ids[i : i + 500] for i in range(0, len(ids), 500)] if ids is not None else [None]
    result: dict[tuple[int, int], tuple[bool, int, int, int | None]] = {}
    sizes: dict[int, int] = {}
    for chunk in chunks:
        matches = subject.match.objects.filter(run_id=run_id)
        nears = subject.near.objects.filter(run_id=run_id)
        if chunk is not None:
            matches = matches.filter(**{f"{subject.id_column}__in": chunk})
            nears = nears.filter(**{f"{subject.id_column}__in": chunk})
        if wanted_versions is not None:
            matches = matches.filter(policy_version_id__in=wanted_versions)
        for version_id, subject_id, held, unknown in matches.values_list(
            "policy_version_id", subject.id_column, "held", "unknown"
        ):
            result[(version_id, subject_id)] = (True, held, unknown, None)
        for subject_id, entries in nears.values_list(subject.id_column, "entries"):
            for version_id, missed, unknown in decode_entries(entries):
                if wanted_versions is not None and version_id not in wanted_versions:
                    continue
                if version_id not in sizes:
                    version = PolicyVersion.objects.only("conditions").get(pk=version_id)
                    sizes[version_id] = len(version.conditions)
                held_mask, unknown_mask = near_miss_masks(sizes[version_id], missed, unknown)
                result[(version_id, subject_id)] = (False, held_mask, unknown_mask, missed)
    return result


def current_near_misses(
    subject: Subjects, subject_id: int, versions: dict[int, PolicyVersion]
) -> list[tuple[PolicyVersion, int, bool]]:
    """One subject's near misses among ``versions`` (by id) in each version's current results:
    (version, missed condition, unknown). Reads the subject's rows of the runs some version
    points at (a few probes of the primary key) and keeps each entry whose version's
    ``current_run`` is the row's run (a run superseded for one policy still holds the others')."""
    runs = {version.current_run_id for version in versions.values() if version.current_run_id}
    found: list[tuple[PolicyVersion, int, bool]] = []
    if not runs:
        return found
    rows = subject.near.objects.filter(
        run_id__in=sorted(runs), **{subject.id_column: subject_id}
    ).values_list("run_id", "entries")
    for run_id, entries in rows:
        for version_id, missed, unknown in decode_entries(entries):
            version = versions.get(version_id)
            if version is not None and version.current_run_id == run_id:
                found.append((version, missed, unknown))
    return found


# ------------------------------------------------------------------------------ planning
class Sampler:
    """A small sample of the portrait (a temporary table) to estimate how selective conditions are."""

    def __init__(self, size: int = SAMPLE_ROWS, subject: Subjects = ENTERPRISES) -> None:
        self.size = size
        self.subject = subject
        self.ready = False
        self.rows = 0

    def __enter__(self) -> Sampler:
        table = self.subject.portrait_table
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {SAMPLE_TABLE}")
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            total = cursor.fetchone()[0]
            step = max(1, total // self.size)
            cursor.execute(
                f"CREATE TEMPORARY TABLE {SAMPLE_TABLE} AS SELECT * FROM {_quote(table)} "
                f"WHERE ({self.subject.id_column} % {int(step)}) = 0"
            )
            cursor.execute(f"SELECT COUNT(*) FROM {SAMPLE_TABLE}")
            self.rows = cursor.fetchone()[0]
        self.ready = True
        return self

    def __exit__(self, *exc) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {SAMPLE_TABLE}")
        except Exception:  # pragma: no cover - the connection may be gone after a failure
            logger.warning("could not drop the sample table", exc_info=True)
        self.ready = False

    def rates(self, fragments: list[Fragment]) -> list[float] | None:
        return self.rates_many([fragments])[0]

    def rates_many(self, lists: list[list[Fragment]]) -> list[list[float] | None]:
        """Pass rates of many policies' conditions, a few hundred conditions per query."""
        if not self.ready or not self.rows:
            return [None] * len(lists)
        flat = [fragment for fragments in lists for fragment in fragments]
        values: list[float] = []
        for start in range(0, len(flat), RATE_COLUMNS):
            sql = Sql().add("SELECT ")
            for index, fragment in enumerate(flat[start : start + RATE_COLUMNS]):
                if index:
                    sql.add(", ")
                sql.add("SUM(CASE WHEN ").fragment(fragment).add(" THEN 1 ELSE 0 END)")
            sql.add(f" FROM {SAMPLE_TABLE} p")
            with connection.cursor() as cursor:
                cursor.execute(sql.text, sql.params)
                values.extend(float(value or 0) / self.rows for value in cursor.fetchone())
        result: list[list[float] | None] = []
        position = 0
        for fragments in lists:
            result.append(values[position : position + len(fragments)] or None)
            position += len(fragments)
        return result


def make_plan(fragments: list[Fragment], rates: list[float] | None = None) -> Plan:
    """Most selective condition first; an ``OR`` prefilter on the two most selective ones."""
    indexes = list(range(len(fragments)))
    if not rates:
        return Plan(fragments, indexes)
    order = sorted(indexes, key=lambda i: (rates[i], i))
    prefilter = None
    if near_miss_allowed(len(order)) and rates[order[0]] + rates[order[1]] < PREFILTER_BELOW:
        prefilter = (order[0], order[1])
    return Plan(fragments, order, prefilter, rates)


_compiled: dict[tuple, Fragment] = {}


def version_fragments(
    version: PolicyVersion, today: date, sql_dialect: str | None = None
) -> list[Fragment]:
    """A version's compiled conditions, each cached by its source text, the day and the dialect:
    policies share conditions (1,000 generated policies have ~400 distinct ones), so a full run
    compiles each once."""
    chosen = sql_dialect or dialect()
    subject = subjects_of(version)
    fragments = []
    for condition in version.conditions:
        key = (condition["source"], today, chosen, subject.kind)
        fragment = _compiled.get(key)
        if fragment is None:
            if len(_compiled) > 50_000:
                _compiled.clear()
            fragment = _compiled[key] = compile_conditions(
                [condition], today=today, sql_dialect=chosen, subject=subject
            )[0]
        fragments.append(fragment)
    return fragments


def plan_for(version: PolicyVersion, today: date, sampler: Sampler | None = None) -> Plan:
    return plan_many([version], today, sampler)[version.pk]


def plan_many(
    versions: list[PolicyVersion], today: date, sampler: Sampler | None = None
) -> dict[int, Plan]:
    fragments = [version_fragments(version, today) for version in versions]
    rates = sampler.rates_many(fragments) if sampler is not None else [None] * len(versions)
    return {
        version.pk: make_plan(version_fragments, version_rates)
        for version, version_fragments, version_rates in zip(
            versions, fragments, rates, strict=True
        )
    }


# ------------------------------------------------------------------------------ running
def _execute(fragment: Fragment) -> int:
    with connection.cursor() as cursor:
        cursor.execute(*fragment)
        return cursor.rowcount


def _relaxed_commit() -> None:
    """Results are derived data: on PostgreSQL a policy's commit need not wait for the disk. After
    a crash at most the last commits are lost, rows and progress together, and a resumed run
    recomputes them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _match_policies(
    run: MatchRun, versions: list[PolicyVersion], plans: dict[int, Plan]
) -> list[MatchRunPolicy]:
    """Write a batch of policy versions' results under ``run`` and their progress rows (caller's
    transaction): each version's rows go through the session's rows table, then
    :func:`store_rows` keeps the matches and packs the near misses into one row per subject."""
    started = time.perf_counter()
    _relaxed_commit()
    subject = subjects_for(run.subject_kind)
    ensure_rows_table(subject)
    for version in versions:
        _execute(
            insert_sql(
                plans[version.pk],
                run_id=run.pk,
                version_id=version.pk,
                subject=subject,
                target_table=subject.rows_table,
            )
        )
    counted = store_rows(subject, part=versions[0].pk)
    seconds = (time.perf_counter() - started) / len(versions)
    return MatchRunPolicy.objects.bulk_create(
        progress_row(run, version, counted.get(version.pk), seconds) for version in versions
    )


def progress_row(
    run: MatchRun, version: PolicyVersion, tally: Tally | None, seconds: float
) -> MatchRunPolicy:
    """The progress row of one version done, with its counts (the staff pages' summary)."""
    tally = tally or Tally()
    return MatchRunPolicy(
        run=run,
        policy_version=version,
        matched=tally.matched,
        near_misses=tally.near_misses,
        missed_counts=tally.missed_counts(len(version.conditions)),
        seconds=seconds,
    )


def workers() -> int:
    """Database sessions a full run uses at once: PostgreSQL runs policies in parallel (default 2);
    SQLite has one writer. Inside an open transaction (tests) the run stays on this connection."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, conf.match_workers())


def _run_policies(
    run: MatchRun,
    versions: list[PolicyVersion],
    plans: dict[int, Plan],
    on_policy_done: Callable[[MatchRun, PolicyVersion], None] | None,
    sessions: int,
) -> None:
    """A batch of :data:`BATCH_POLICIES` policies per transaction, on ``sessions`` database
    connections at once."""

    last_beat = [time.monotonic()]
    beat_lock = threading.Lock()

    def one(batch: list[PolicyVersion]) -> None:
        with transaction.atomic():
            _match_policies(run, batch, plans)
        # after the commit, so that parallel sessions never wait on the run's row; at most every
        # few seconds (a commit per policy is a disk sync per policy on SQLite)
        with beat_lock:
            beat = time.monotonic() - last_beat[0] >= HEARTBEAT_EVERY
            if beat:
                last_beat[0] = time.monotonic()
        if beat:
            MatchRun.objects.filter(pk=run.pk).update(heartbeat_at=clock.now())
        if on_policy_done is not None:
            for version in batch:
                on_policy_done(run, version)

    batches = [versions[i : i + BATCH_POLICIES] for i in range(0, len(versions), BATCH_POLICIES)]
    in_parallel(batches, one, sessions)


def in_parallel(items: list[Any], work: Callable[[Any], None], sessions: int) -> None:
    """``work(item)`` for every item, on ``sessions`` threads (each with its own database
    connection); the first failure stops the others and is raised here."""
    if sessions <= 1 or len(items) <= 1:
        for item in items:
            work(item)
        return
    pending: queue.SimpleQueue[Any] = queue.SimpleQueue()
    for item in items:
        pending.put(item)
    failures: list[BaseException] = []
    stop = threading.Event()

    def worker() -> None:
        try:
            while not stop.is_set():
                try:
                    item = pending.get_nowait()
                except queue.Empty:
                    return
                work(item)
        except BaseException as error:
            failures.append(error)
            stop.set()
        finally:
            connections.close_all()  # this thread's connections only

    threads = [threading.Thread(target=worker, name=f"match-{n}") for n in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def published_in_force(today: date, subject: Subjects = ENTERPRISES):
    """Published versions of ``subject``'s policies whose validity window contains ``today``
    (the full run's plan)."""
    return (
        PolicyVersion.objects.filter(
            status=VersionStatus.PUBLISHED, policy__subject_kind=subject.kind
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("policy")  # each version's subject kind, without a query per version
        .order_by("pk")
    )


def _portrait_count(subject: Subjects = ENTERPRISES) -> int:
    return subject.portrait.objects.count()


def _change_mark(subject: Subjects = ENTERPRISES) -> int:
    return subject.change.objects.aggregate(mark=Max("pk"))["mark"] or 0


def latest_full_run(subject: Subjects = ENTERPRISES) -> MatchRun | None:
    return (
        MatchRun.objects.filter(kind=MatchRun.Kind.FULL, subject_kind=subject.kind)
        .order_by("-pk")
        .first()
    )


def run_full(
    *,
    today: date | None = None,
    user=None,
    resume: bool = False,
    on_policy_done: Callable[[MatchRun, PolicyVersion], None] | None = None,
    subject: Subjects = ENTERPRISES,
) -> MatchRun:
    """Match every published policy in force against every enterprise (全量匹配); with
    ``subject=PERSONS`` every person policy against every person.

    With ``resume=True`` an interrupted or failed latest full run is carried on (policies already
    done are skipped, with the ``today`` it started with); otherwise a new run starts. A full run
    whose heartbeat is fresh is refused (:class:`MatchBusy`), with or without ``resume``: a second
    process must not take over a run that is still being written. ``on_policy_done`` is called after
    each policy commits (progress reporting; tests use it to interrupt a run).
    """
    now = clock.now()
    latest = latest_full_run(subject)
    if latest is not None and latest.status == MatchRun.Status.RUNNING:
        beat = latest.heartbeat_at or latest.started_at
        if now - beat < STALE_AFTER:
            raise MatchBusy(
                f"全量匹配 #{latest.pk} 正在运行 / full run #{latest.pk} is still running"
            )
    if resume and latest is not None and latest.status != MatchRun.Status.FINISHED:
        run = latest
        run.status = MatchRun.Status.RUNNING
        run.error = ""
        run.heartbeat_at = now
        run.save(update_fields=["status", "error", "heartbeat_at"])
        logger.info("resuming full match run #%s", run.pk)
    else:
        day = today or clock.today()
        plan = list(published_in_force(day, subject).values_list("pk", flat=True))
        run = MatchRun.objects.create(
            kind=MatchRun.Kind.FULL,
            subject_kind=subject.kind,
            database=database_label(),
            today=day,
            plan=plan,
            change_mark=_change_mark(subject),
            policies_total=len(plan),
            subjects=_portrait_count(subject),
            started_at=now,
            heartbeat_at=now,
            started_by=user if getattr(user, "pk", None) else None,
        )
    started = time.perf_counter()
    try:
        done = set(run.progress.values_list("policy_version_id", flat=True))
        published = {
            version.pk: version
            for version in PolicyVersion.objects.filter(
                pk__in=run.plan, status=VersionStatus.PUBLISHED
            )
        }
        # the plan's order; done before an interruption, or no longer published: skipped
        todo = [published[pk] for pk in run.plan if pk in published and pk not in done]
        with Sampler(subject=subject) as sampler:
            plans = plan_many(todo, run.today, sampler)
        if conf.full_run_engine() == "duckdb":
            from banshi.policies import columnar  # the columnar engine (DESIGN §6)

            columnar.run_policies(
                run,
                todo,
                plans,
                on_policy_done,
                subjects=columnar.subjects_of(
                    subject.portrait, subject.match, subject.id_column, subject.near
                ),
            )
        else:
            _run_policies(run, todo, plans, on_policy_done, workers())
        stale = _switch(run, started)
    except BaseException as error:
        _mark_failed(run, error)
        raise
    purge(stale)
    run.refresh_from_db()
    return run


def _mark_failed(run: MatchRun, error: BaseException) -> None:
    """Record why a run stopped; its committed policies stay for a resume."""
    logger.warning("match run #%s stopped: %s", run.pk, error)
    try:
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            heartbeat_at=clock.now(),
        )
    except Exception:  # the database itself may be what failed
        logger.exception("could not record the failure of match run #%s", run.pk)


def _switch(run: MatchRun, started: float) -> list[tuple[int, int]]:
    """Point every policy done by ``run`` at it, in one transaction; the old (run, version) pairs."""
    stale: list[tuple[int, int]] = []
    with transaction.atomic():
        progress = {p.policy_version_id: p for p in run.progress.all()}
        switched: list[int] = []
        locked = PolicyVersion.objects.select_for_update().filter(
            pk__in=list(progress), status=VersionStatus.PUBLISHED
        )
        for version_id, current_run_id in locked.order_by("pk").values_list("pk", "current_run_id"):
            if current_run_id is not None and current_run_id >= run.pk:
                continue  # a later run (e.g. the policy changed meanwhile) already has results
            if current_run_id is not None:
                stale.append((current_run_id, version_id))
            switched.append(version_id)
        for start in range(0, len(switched), 500):  # one UPDATE per 500, not one per policy
            PolicyVersion.objects.filter(pk__in=switched[start : start + 500]).update(
                current_run=run
            )
        _reapply_changes(run, switched)
        _forget_changes(run)
        totals = MatchRunPolicy.objects.filter(run=run)
        matched = sum(p.matched for p in totals)
        near = sum(p.near_misses for p in totals)
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.FINISHED,
            policies_done=len(progress),
            matched=matched,
            near_misses=near,
            finished_at=clock.now(),
            heartbeat_at=clock.now(),
            seconds=(run.seconds or 0) + (time.perf_counter() - started),
        )
    return stale


def _changed_since(run: MatchRun):
    """Portrait changes this run's scan may have missed: queued after it started (id above its
    mark), or taken in by a subject run that started after it (a change committed late)."""
    change = subjects_for(run.subject_kind).change
    return change.objects.filter(Q(pk__gt=run.change_mark) | Q(processed_by_id__gt=run.pk))


def _reapply_changes(run: MatchRun, version_ids: list[int]) -> None:
    """Enterprises whose portrait changed while the run was going: recompute their rows in it."""
    if not version_ids or not _changed_since(run).exists():
        return
    subject = subjects_for(run.subject_kind)
    change_table = _quote(subject.change_table)
    subjects: Fragment = (
        f"SELECT {subject.id_column} FROM {change_table} WHERE id > %s OR processed_by_id > %s",
        [run.change_mark, run.pk],
    )
    versions = PolicyVersion.objects.filter(pk__in=version_ids).select_related("policy")
    _rewrite_subjects(
        run.today, [(version, run.pk) for version in versions], subjects, subject=subject
    )


def subjects_select_sql(
    plan: Plan,
    *,
    run_id: int,
    version_id: int,
    subjects: Fragment,
    subject: Subjects = ENTERPRISES,
) -> Fragment:
    """One version's rows for a few enterprises (``subjects``: a ``SELECT enterprise_id …``).

    No nested filter here: the scan is the handful of changed enterprises, so every condition is
    computed once and the rows with at most one miss are kept by their mask.
    """
    size = plan.size
    full = (1 << size) - 1
    kept = [full] + ([full ^ (1 << i) for i in range(size)] if near_miss_allowed(size) else [])
    sql = Sql().add(f"SELECT {int(run_id)}, {int(version_id)}, s.e, s.h = {full}, s.h, s.u, ")
    if near_miss_allowed(size):
        sql.add("CASE s.h")
        for index in range(size):
            sql.add(f" WHEN {full ^ (1 << index)} THEN {index}")
        sql.add(" END")
    else:
        sql.add("NULL")
    sql.add(f" FROM (SELECT p.{subject.id_column} AS e, ")
    for index, fragment in enumerate(plan.fragments):
        if index:
            sql.add(" + ")
        sql.add("(CASE WHEN ").fragment(fragment).add(f" THEN {1 << index} ELSE 0 END)")
    sql.add(" AS h, ")
    for index, fragment in enumerate(plan.fragments):
        if index:
            sql.add(" + ")
        sql.add("(CASE WHEN (").fragment(fragment).add(f") IS NULL THEN {1 << index} ELSE 0 END)")
    sql.add(f" AS u FROM {_quote(subject.portrait_table)} p WHERE p.{subject.id_column} IN (")
    sql.fragment(subjects).add(")) s WHERE s.h IN (" + ", ".join(str(v) for v in kept) + ")")
    return sql.text, sql.params


SUBJECT_BATCH = 40  # policies per statement when rewriting changed enterprises


def _forget_changes(run: MatchRun) -> None:
    """Delete the queued changes a finished full run has taken in: processed by a subject run
    older than it, and older than every run still in progress (which may yet re-apply them)."""
    running = list(
        MatchRun.objects.filter(status=MatchRun.Status.RUNNING)
        .exclude(pk=run.pk)
        .values_list("pk", "change_mark")
    )
    before_run = min([run.pk, *(pk for pk, _ in running)])
    before_mark = min([run.change_mark, *(mark for _, mark in running)])
    subjects_for(run.subject_kind).change.objects.filter(
        pk__lte=before_mark, processed_by__isnull=False, processed_by_id__lt=before_run
    ).delete()


def _rewrite_subjects(
    today: date,
    targets: list[tuple[PolicyVersion, int]],
    subjects: Fragment,
    *,
    subject: Subjects = ENTERPRISES,
) -> tuple[int, int]:
    """Recompute the results of the enterprises ``subjects`` selects (a ``SELECT enterprise_id …``
    and its parameters) for each (version, run), a few dozen policies per statement; returns
    (matched, near misses) among the rewritten results.

    Per run: the subjects' matches of the versions are deleted and rewritten; each subject's
    near-miss rows of the run are replaced by one row (``part`` 0) holding the new near misses
    of the versions and the old entries of the run's other versions; the versions' counts in
    :class:`MatchRunPolicy` move by the difference (the staff pages read them)."""
    match_table = _quote(subject.match_table)
    near_table = _quote(subject.near_table)
    rows_table = _quote(subject.rows_table)
    id_column = subject.id_column
    columns = f"run_id, policy_version_id, {id_column}, matched, held, unknown, missed"
    subquery, subquery_params = subjects
    by_run: dict[int, list[PolicyVersion]] = {}
    for version, run_id in targets:
        by_run.setdefault(run_id, []).append(version)
    ensure_rows_table(subject)
    matched = near = 0
    for run_id, versions in by_run.items():
        rewritten = {version.pk for version in versions}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {id_column}, entries FROM {near_table} WHERE run_id = %s "
                f"AND {id_column} IN ({subquery})",
                [run_id, *subquery_params],
            )
            old_sets = cursor.fetchall()
        before: dict[int, Tally] = {}
        kept: dict[int, list[tuple[int, int, bool]]] = {}
        for subject_id, entries in old_sets:
            for entry in decode_entries(entries):
                if entry[0] in rewritten:
                    tally = before.setdefault(entry[0], Tally())
                    tally.missed[entry[1]] = tally.missed.get(entry[1], 0) + 1
                else:
                    kept.setdefault(subject_id, []).append(entry)
        _execute(
            (
                f"DELETE FROM {near_table} WHERE run_id = %s AND {id_column} IN ({subquery})",
                [run_id, *subquery_params],
            )
        )
        for start in range(0, len(versions), SUBJECT_BATCH):
            chunk = versions[start : start + SUBJECT_BATCH]
            ids = ", ".join(str(int(version.pk)) for version in chunk)
            where = f"WHERE run_id = %s AND policy_version_id IN ({ids}) AND {id_column} IN ({subquery})"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT policy_version_id, COUNT(*) FROM {match_table} {where} GROUP BY 1",
                    [run_id, *subquery_params],
                )
                for version_id, number in cursor.fetchall():
                    before.setdefault(int(version_id), Tally()).matched += int(number)
            _execute((f"DELETE FROM {match_table} {where}", [run_id, *subquery_params]))
            sql = Sql().add(f"INSERT INTO {rows_table} ({columns}) ")
            for position, version in enumerate(chunk):
                if position:
                    sql.add(" UNION ALL ")
                plan = make_plan(version_fragments(version, today))
                sql.fragment(
                    subjects_select_sql(
                        plan,
                        run_id=run_id,
                        version_id=version.pk,
                        subjects=subjects,
                        subject=subject,
                    )
                )
            _execute((sql.text, sql.params))
        _execute(
            (
                f"INSERT INTO {match_table} ({columns}) SELECT {columns} FROM {rows_table} "
                "WHERE matched",
                [],
            )
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {id_column}, policy_version_id, missed, unknown FROM {rows_table} "
                "WHERE NOT matched"
            )
            for subject_id, version_id, missed, unknown in cursor.fetchall():
                kept.setdefault(subject_id, []).append((version_id, missed, bool(unknown)))
            cursor.execute(
                f"SELECT policy_version_id, missed, COUNT(*) FROM {rows_table} GROUP BY 1, 2"
            )
            after = tallies(cursor.fetchall())
            cursor.executemany(
                f"INSERT INTO {near_table} (run_id, {id_column}, part, entries) "
                "VALUES (%s, %s, 0, %s)",
                [
                    (run_id, subject_id, encode_entries(entries))
                    for subject_id, entries in kept.items()
                    if entries
                ],
            )
        _execute((f"DELETE FROM {rows_table}", []))
        for version in versions:
            old, new = before.get(version.pk, Tally()), after.get(version.pk, Tally())
            matched += new.matched
            near += new.near_misses
            if (old.matched, old.missed) != (new.matched, new.missed):
                _move_counts(run_id, version, old, new)
    return matched, near


def _move_counts(run_id: int, version: PolicyVersion, old: Tally, new: Tally) -> None:
    """Apply a rewrite's difference to the (run, version) counts."""
    progress = (
        MatchRunPolicy.objects.select_for_update()
        .filter(run_id=run_id, policy_version=version)
        .first()
    )
    if progress is None:
        return
    size = len(version.conditions)
    counts = list(progress.missed_counts or []) + [0] * size
    for index in range(size):
        counts[index] += new.missed.get(index, 0) - old.missed.get(index, 0)
    progress.missed_counts = [max(0, value) for value in counts[:size]]
    progress.matched = max(0, progress.matched + new.matched - old.matched)
    progress.near_misses = max(0, progress.near_misses + new.near_misses - old.near_misses)
    progress.save(update_fields=["missed_counts", "matched", "near_misses"])


def run_policy(version: PolicyVersion, *, today: date | None = None, user=None) -> MatchRun:
    """Match one policy version against every enterprise (after it is published or changed).

    The rows are written under a new run and the version's ``current_run`` switched to it in the
    same transaction; the previous rows are purged after.
    """
    now = clock.now()
    day = today or clock.today()
    subject = subjects_of(version)
    run = MatchRun.objects.create(
        kind=MatchRun.Kind.POLICY,
        subject_kind=subject.kind,
        database=database_label(),
        today=day,
        plan=[version.pk],
        change_mark=_change_mark(subject),
        policies_total=1,
        subjects=_portrait_count(subject),
        started_at=now,
        heartbeat_at=now,
        started_by=user if getattr(user, "pk", None) else None,
    )
    started = time.perf_counter()
    try:
        with Sampler(subject=subject) as sampler:
            plan = plan_for(version, day, sampler)
        with transaction.atomic():
            progress = _match_policies(run, [version], {version.pk: plan})[0]
            locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
            stale: list[tuple[int, int]] = []
            if locked.current_run_id is None or locked.current_run_id < run.pk:
                if locked.current_run_id is not None:
                    stale.append((locked.current_run_id, locked.pk))
                PolicyVersion.objects.filter(pk=locked.pk).update(current_run=run)
                version.current_run = run
            _reapply_changes(run, [version.pk])
            progress.refresh_from_db()
            MatchRun.objects.filter(pk=run.pk).update(
                status=MatchRun.Status.FINISHED,
                policies_done=1,
                matched=progress.matched,
                near_misses=progress.near_misses,
                finished_at=clock.now(),
                heartbeat_at=clock.now(),
                seconds=time.perf_counter() - started,
            )
    except BaseException as error:
        _mark_failed(run, error)
        raise
    purge(stale)
    run.refresh_from_db()
    return run


def run_changed_subjects(
    *, today: date | None = None, subject: Subjects = ENTERPRISES
) -> MatchRun | None:
    """Rewrite the rows of every queued enterprise (:class:`PortraitChange`; with
    ``subject=PERSONS`` every queued person) in every policy's current run, in one transaction;
    None when nothing is queued."""
    change = subject.change
    if not change.objects.filter(processed_by__isnull=True).exists():
        return None
    now = clock.now()
    day = today or clock.today()
    started = time.perf_counter()
    with transaction.atomic():
        run = MatchRun.objects.create(
            kind=MatchRun.Kind.SUBJECTS,
            subject_kind=subject.kind,
            database=database_label(),
            today=day,
            started_at=now,
            heartbeat_at=now,
        )
        change.objects.filter(processed_by__isnull=True).update(processed_by=run)
        targets = [
            (version, version.current_run_id)
            for version in published_in_force(day, subject).filter(current_run__isnull=False)
        ]
        change_table = _quote(subject.change_table)
        subjects: Fragment = (
            f"SELECT {subject.id_column} FROM {change_table} WHERE processed_by_id = %s",
            [run.pk],
        )
        matched, near = _rewrite_subjects(day, targets, subjects, subject=subject)
        subject_count = (
            change.objects.filter(processed_by=run).values(subject.id_column).distinct().count()
        )
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.FINISHED,
            plan=[version.pk for version, _ in targets],
            policies_total=len(targets),
            policies_done=len(targets),
            subjects=subject_count,
            matched=matched,
            near_misses=near,
            finished_at=clock.now(),
            heartbeat_at=clock.now(),
            seconds=time.perf_counter() - started,
        )
    run.refresh_from_db()
    return run


# ------------------------------------------------------------------------------ clean-up
def purge(pairs: Iterable[tuple[int, int]] = ()) -> int:
    """Delete result rows no policy points at any more: the given (run, version) pairs, and those
    of finished runs that were superseded. Returns the number of pairs purged."""
    wanted = set(pairs)
    # plain values: a MatchRun row carries its plan (a JSON list of every version id), and
    # decoding it once per progress row cost more than the purge itself
    candidates = MatchRunPolicy.objects.filter(purged_at__isnull=True).values_list(
        "pk", "run_id", "policy_version_id", "run__status", "run__subject_kind"
    )
    current = dict(
        PolicyVersion.objects.filter(current_run__isnull=False).values_list("pk", "current_run_id")
    )
    latest_full = {
        kind: (
            MatchRun.objects.filter(
                kind=MatchRun.Kind.FULL, status=MatchRun.Status.FINISHED, subject_kind=kind
            )
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        or 0
        for kind in SUBJECTS
    }
    done = 0
    emptied: dict[int, str] = {}  # runs that lost a (run, version) pair here → subject kind
    for progress_id, run_id, version_id, run_status, subject_kind in candidates:
        key = (run_id, version_id)
        if current.get(version_id) == run_id:
            continue
        finished = run_status == MatchRun.Status.FINISHED
        abandoned = not finished and run_id < latest_full[subject_kind]
        if key not in wanted and not finished and not abandoned:
            continue  # an unfinished run that may still be resumed keeps its rows
        match_table = _quote(subjects_for(subject_kind).match_table)
        with transaction.atomic():
            _execute(
                (
                    f"DELETE FROM {match_table} WHERE run_id = %s AND policy_version_id = %s",
                    [run_id, version_id],
                )
            )
            MatchRunPolicy.objects.filter(pk=progress_id).update(purged_at=clock.now())
        done += 1
        emptied[run_id] = subject_kind
    for run_id, subject_kind in emptied.items():
        # a run's near-miss sets hold all its versions: gone once no version's results are its
        if not MatchRunPolicy.objects.filter(run_id=run_id, purged_at__isnull=True).exists():
            near_table = _quote(subjects_for(subject_kind).near_table)
            _execute((f"DELETE FROM {near_table} WHERE run_id = %s", [run_id]))
    return done
