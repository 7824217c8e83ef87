"""The columnar full matching run (全量匹配 in DuckDB): read the portrait once, evaluate every policy
in an in-process vectorised engine, copy the rows back.

Why: a row-at-a-time database spends ~0.2–0.5 µs per (enterprise, policy) pair on a full run;
DuckDB evaluates the same SQL a column batch at a time (DESIGN §6: "a full matching run likely
belongs in an embedded columnar engine fed from the database"). Single policies and changed
enterprises stay SQL in the database (:func:`engine.run_policy`, :func:`engine.run_changed_subjects`).

One compiler: the conditions are the fragments :func:`banshi.expr.to_sql` compiles for the ``duckdb``
dialect (proved against ``holds()`` like the other dialects); the rows are those of
:func:`engine.match_select_sql` (same masks, same at-most-one-miss rule; the engine tests run both
engines on the same data). No extension is installed or loaded (closed networks): the database
feeds DuckDB itself.

* **Feed**: PostgreSQL ``COPY (SELECT …) TO STDOUT (FORMAT csv)``, SQLite ``quote()`` of each
  column joined into CSV lines (exact: REALs as 20 significant digits), written to a temporary
  file that DuckDB's ``read_csv`` types column by column (DECIMAL like PostgreSQL's NUMERIC; DOUBLE
  like SQLite's REAL). NULL is an unquoted empty field / ``NULL``, an empty string a quoted one.
* **Conditions**: every distinct condition of the run (1,000 policies share ~415) evaluated once
  per subject into a table of one small integer column per condition, 0 held, 2 false, 3
  unknown (:func:`evaluate_conditions`).
* **Evaluate**: per policy, one weighted sum of its conditions' columns, a code that is 0 for a
  match, tells the one condition missed (and whether it was unknown) for a near miss, and is
  too large otherwise (:func:`policy_select_sql`); 50 policies per ``INSERT … SELECT … UNION
  ALL …`` into DuckDB's ``kept`` table of (subject, packed code). Once per batch of
  :data:`engine.BATCH_POLICIES` policies, the kept pairs are decoded (:func:`decode_sql`): the
  matches into ``matches``, the near misses packed per subject (``string_agg``) into
  ``near_misses``, and the per-policy counts.
* **Write back**: the batch's matches to the match table, its near misses as one row per subject
  (the statements' packs joined) to the near-miss table: PostgreSQL ``COPY … FROM STDIN`` of
  DuckDB's CSV output, streamed in 1 MB chunks; SQLite a packed ``json_each`` insert per policy
  for the matches, ``executemany`` for the near-miss rows. A batch's rows and its policies'
  progress rows commit in one transaction, so an interrupted run resumes after the last committed
  batch (:func:`engine.run_full` ``resume=True``), as the database path does.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import duckdb
from django.db import connection, connections, transaction
from django.db.models import Model

from banshi.core import clock
from banshi.policies import engine
from banshi.policies.models import (
    EnterprisePortrait,
    Match,
    MatchRun,
    MatchRunPolicy,
    NearMiss,
    PolicyVersion,
)

PORTRAIT = "portrait"  # the DuckDB copy of the portrait table
CONDITIONS = "conditions"  # per subject, the value of every distinct condition of the run
RESULTS = "results"  # one statement's rows, in the Match table's columns
KEPT = "kept"  # a batch's kept (subject, packed value) pairs (policy_select_sql)
MATCHES = "matches"  # a committed batch's matches, in the Match table's columns
NEAR = "near_misses"  # a committed batch's near misses, packed per subject and statement
STATEMENT_POLICIES = 50  # policies per DuckDB statement (engine.BATCH_POLICIES per commit)
COPY_CHUNK = 1 << 20  # bytes per write of a PostgreSQL COPY
FETCH_ROWS = 50_000  # rows per fetchmany/executemany on SQLite
FEED_ROWS = 20_000  # portrait rows per fetchmany when feeding from SQLite
PACKED_MAX_CONDITIONS = 16  # SQLite's packed write-back: subject id below 2^31 with 2 × 16 bits

# seconds spent per phase by the last run_policies in this process (for the benchmark)
last_timings: dict[str, float] = {}

_INTEGERS = {
    "AutoField", "BigAutoField", "BigIntegerField", "ForeignKey", "IntegerField",
    "OneToOneField", "PositiveBigIntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "SmallIntegerField",
}  # fmt: skip


@dataclass(frozen=True)
class Subjects:
    """What a full run matches: the portrait table (its subject key and the typed columns read
    into DuckDB) and the result table written back."""

    portrait_table: str
    subject_column: str
    columns: tuple[tuple[str, str], ...]  # (column, DuckDB type), the subject key first
    match_table: str
    near_table: str  # one row per (run, subject, part): the packed near misses

    @property
    def match_columns(self) -> tuple[str, ...]:
        return (
            "run_id", "policy_version_id", self.subject_column, "matched", "held", "unknown",
            "missed",
        )  # fmt: skip


def duckdb_type(field, postgres: bool) -> str | None:
    """The DuckDB column type that compares like the database's (None: not read)."""
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return "BOOLEAN"
    if kind == "DateField":
        return "DATE"
    if kind in _INTEGERS:
        return "BIGINT"
    if kind == "DecimalField":  # PostgreSQL NUMERIC is exact; SQLite stores REAL
        exact = postgres and field.max_digits and field.max_digits <= 38
        return f"DECIMAL({field.max_digits}, {field.decimal_places})" if exact else "DOUBLE"
    if kind in ("CharField", "TextField"):
        return "VARCHAR"
    return None


def subjects_of(
    portrait: type[Model], match: type[Model], subject_column: str, near: type[Model]
) -> Subjects:
    postgres = connection.vendor == "postgresql"
    key = portrait._meta.pk
    columns = [(key.column, "BIGINT")]
    for field in portrait._meta.concrete_fields:
        kind = duckdb_type(field, postgres)
        if field is not key and kind is not None:
            columns.append((field.column, kind))
    return Subjects(
        portrait._meta.db_table,
        subject_column,
        tuple(columns),
        match._meta.db_table,
        near._meta.db_table,
    )


def enterprises() -> Subjects:
    return subjects_of(EnterprisePortrait, Match, "enterprise_id", NearMiss)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect(folder: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills to ``folder`` and never fetches extensions."""
    return duckdb.connect(
        ":memory:",
        config={
            "temp_directory": folder,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )


def feed(duck: duckdb.DuckDBPyConnection, subjects: Subjects, folder: str) -> int:
    """Copy the portrait table from the database into DuckDB's ``portrait``; returns its rows."""
    path = os.path.join(folder, "portrait.csv")
    names = ", ".join(_q(column) for column, _ in subjects.columns)
    table = _q(subjects.portrait_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            query = f"COPY (SELECT {names} FROM {table}) TO STDOUT (FORMAT csv, FORCE_QUOTE *)"
            with open(path, "wb") as out, cursor.cursor.copy(query) as copy:
                for data in copy:
                    out.write(data)
            options = "quote = '\"', escape = '\"', nullstr = ''"
        else:
            quoted = " || ',' || ".join(f"quote({_q(column)})" for column, _ in subjects.columns)
            cursor.execute(f"SELECT {quoted} FROM {table}")
            with open(path, "w", encoding="utf-8") as out:
                while rows := cursor.fetchmany(FEED_ROWS):
                    out.write("\n".join(row[0] for row in rows))
                    out.write("\n")
            options = "quote = '''', escape = '''', nullstr = 'NULL'"
    types = ", ".join(f"{_literal(column)}: {_literal(kind)}" for column, kind in subjects.columns)
    duck.execute(f"DROP TABLE IF EXISTS {PORTRAIT}")
    duck.execute(
        f"CREATE TABLE {PORTRAIT} AS SELECT * FROM read_csv({_literal(path)}, header = false, "
        f"auto_detect = false, columns = {{{types}}}, {options}, allow_quoted_nulls = false)"
    )
    os.remove(path)
    return duck.execute(f"SELECT COUNT(*) FROM {PORTRAIT}").fetchone()[0]


def evaluate_conditions(
    duck: duckdb.DuckDBPyConnection,
    subjects: Subjects,
    fragments: list[engine.Fragment],
) -> dict[tuple, int]:
    """Evaluate each distinct condition once per subject into DuckDB's ``conditions`` table, in
    one scan of the portrait; returns {(text, params): condition number}.

    Columns: ``e`` the subject key; per condition ``dN``, a UTINYINT without NULLs: 0 when it
    holds, :data:`FALSE_DIGIT` when it is false, :data:`UNKNOWN_DIGIT` when it is unknown (NULL:
    a missing fact), so that a policy's code is a plain weighted sum (:func:`policy_select_sql`).

    Why: 1,000 policies share ~415 distinct conditions (~5,500 uses), and a per-policy statement
    re-evaluates its conditions for every subject; summing precomputed small integers costs a few
    ns per (subject, policy) pair in DuckDB's vectors (a ``CASE`` per condition cost ~40). One
    column per condition (not held and unknown apart) halves the table and the sums.
    """
    numbers: dict[tuple, int] = {}
    values, columns, params = [], [], []
    for text, fragment_params in fragments:
        key = (text, tuple(fragment_params))
        if key not in numbers:
            number = numbers[key] = len(numbers)
            values.append(f", ({text}) AS x{number}")
            columns.append(
                f", ({FALSE_DIGIT} * (NOT COALESCE(x{number}, FALSE))::UTINYINT "
                f"+ (x{number} IS NULL)::UTINYINT) AS d{number}"
            )
            params.extend(fragment_params)
    key_column = _q(subjects.columns[0][0])
    duck.execute(  # each condition evaluated once (inner query), then turned into its digit
        f"CREATE OR REPLACE TABLE {CONDITIONS} AS SELECT e{''.join(columns)} FROM (SELECT "
        f"p.{key_column} AS e{''.join(values)} FROM {PORTRAIT} p)",
        params,
    )
    return numbers


# A policy's code for one subject: Σ digit(condition i) × (WEIGHT + i), the digit 0 (held),
# FALSE_DIGIT or UNKNOWN_DIGIT. Every condition held: 0; exactly condition i missed: FALSE_DIGIT ×
# (WEIGHT + i) or UNKNOWN_DIGIT × (WEIGHT + i), all distinct and below KEPT_BELOW; two or more
# missed: at least 2 × FALSE_DIGIT × WEIGHT = KEPT_BELOW (UNKNOWN_DIGIT × (WEIGHT + 29) < 512).
# A one-condition policy (no near misses) weighs its condition KEPT_BELOW // FALSE_DIGIT.
FALSE_DIGIT = 2
UNKNOWN_DIGIT = 3
WEIGHT = 128
KEPT_BELOW = 2 * FALSE_DIGIT * WEIGHT
CODE_BITS = 14  # codes < UNKNOWN_DIGIT × Σ (WEIGHT + i) for i < 30 = 12,825 < 2^14
SIZE_BITS = 5  # conditions per policy < 2^5 (MAX_CONDITIONS = 30)
VERSION_SHIFT = CODE_BITS + SIZE_BITS  # a kept pair: version << 19 | size << 14 | code


def policy_select_sql(numbers: list[int], *, version_id: int) -> str:
    """One policy's kept pairs read from the ``conditions`` table (its conditions' numbers in the
    policy's order): the subjects whose code is below :data:`KEPT_BELOW` (a match or a near miss:
    the rows of :func:`engine.match_select_sql`), each with ``x = version << 19 | size << 14 |
    code``, from which :func:`decode_sql` gives the row back.

    Why this shape: one weighted sum of small integers per (subject, policy) pair, the masks
    decoded once per batch for the kept pairs only; the statement before (``held``, ``unknown``
    and a count summed apart, ``missed`` a ``CASE``, per policy) cost DuckDB ~2.5× the CPU, most
    of it planning the larger expressions."""
    size = len(numbers)
    near = engine.near_miss_allowed(size)
    weight = WEIGHT if near else KEPT_BELOW // FALSE_DIGIT  # one miss is already too many
    terms = [f"d{n} * {weight + (i if near else 0)}::USMALLINT" for i, n in enumerate(numbers)]
    constant = (int(version_id) << VERSION_SHIFT) | (size << CODE_BITS)
    return (
        f"SELECT e, {constant} + c AS x FROM (SELECT e, {' + '.join(terms) or '0'} AS c "
        f"FROM {CONDITIONS}) WHERE c < {KEPT_BELOW}"
    )


def decode_sql(value: str = "x") -> dict[str, str]:
    """SQL for the parts of a kept pair's ``x``: version, code, ``matched``, the ``full`` mask
    (a match's ``held``; its ``unknown`` is 0) and a near miss's entry (:func:`engine.entry_sql`:
    missed condition and unknown bit)."""
    code = f"({value} & {(1 << CODE_BITS) - 1})"
    size = f"(({value} >> {CODE_BITS}) & {(1 << SIZE_BITS) - 1})"
    unknown_from = UNKNOWN_DIGIT * WEIGHT
    false_from = FALSE_DIGIT * WEIGHT
    missed_twice = (  # 2 × missed + unknown
        f"CASE WHEN {code} < {unknown_from} THEN {code} - {false_from} "
        f"ELSE ({code} - {unknown_from}) // {UNKNOWN_DIGIT} * 2 + 1 END"
    )
    return {
        "version": f"({value} >> {VERSION_SHIFT})",
        "code": code,
        "matched": f"({code} = 0)",
        "full": f"((1 << {size}) - 1)",
        "entry": f"(({value} >> {VERSION_SHIFT}) * {1 << engine.ENTRY_SHIFT} + {missed_twice})",
    }


def decode_missed(code: int) -> int | None:
    """A code's missed condition (None for a match), as :func:`decode_sql` reads it."""
    if code == 0:
        return None
    if code < UNKNOWN_DIGIT * WEIGHT:
        return (code - FALSE_DIGIT * WEIGHT) // FALSE_DIGIT
    return (code - UNKNOWN_DIGIT * WEIGHT) // UNKNOWN_DIGIT


def evaluate_codes(
    duck: duckdb.DuckDBPyConnection, selects: list[str], run_id: int
) -> dict[int, engine.Tally]:
    """Our policies' kept pairs (:func:`policy_select_sql`, :data:`STATEMENT_POLICIES` per
    ``UNION ALL`` statement) into DuckDB's ``kept`` (emptied first), then its matches into
    ``matches`` and its near misses, packed per subject, into ``near_misses`` (both emptied by
    :func:`start_batch`; what :func:`evaluate_batch` fills from other statements). Returns per
    version its matches and near misses by the condition missed."""
    duck.execute(f"DELETE FROM {KEPT}")
    for first in range(0, len(selects), STATEMENT_POLICIES):
        chunk = selects[first : first + STATEMENT_POLICIES]
        duck.execute(f"INSERT INTO {KEPT} {' UNION ALL '.join(f'({sql})' for sql in chunk)}")
    parts = decode_sql()
    duck.execute(
        f"INSERT INTO {MATCHES} SELECT {int(run_id)}, {parts['version']}, e, TRUE, "
        f"{parts['full']}, 0, NULL FROM {KEPT} WHERE {parts['matched']}"
    )
    duck.execute(
        f"INSERT INTO {NEAR} SELECT {int(run_id)}, e, string_agg(CAST({parts['entry']} AS "
        f"VARCHAR), ',') FROM {KEPT} WHERE NOT {parts['matched']} GROUP BY e"
    )
    rows = duck.execute(
        f"SELECT {parts['version']}, {parts['code']}, COUNT(*) FROM {KEPT} GROUP BY 1, 2"
    ).fetchall()
    return engine.tallies((version, decode_missed(code), count) for version, code, count in rows)


def evaluate_batch(
    duck: duckdb.DuckDBPyConnection,
    statements: list[engine.Fragment],
    subjects: Subjects,
) -> dict[int, engine.Tally]:
    """Run ``SELECT``s in the match table's columns (the benchmark's hand-written statements)
    into DuckDB's ``results`` (emptied first) as one statement, then add its matches to ``matches`` and its near misses, packed per subject, to
    ``near_misses`` (both emptied by :func:`start_batch`); returns per version its matches and
    near misses by the condition missed."""
    duck.execute(f"DELETE FROM {RESULTS}")
    text = " UNION ALL ".join(f"({sql})" for sql, _ in statements)
    params = [param for _, fragment_params in statements for param in fragment_params]
    duck.execute(f"INSERT INTO {RESULTS} {text}", params)
    duck.execute(f"INSERT INTO {MATCHES} SELECT * FROM {RESULTS} WHERE matched")
    key = _q(subjects.subject_column)
    duck.execute(
        f"INSERT INTO {NEAR} SELECT run_id, {key}, {engine.entries_sql('duckdb')} FROM {RESULTS} "
        f"WHERE NOT matched GROUP BY run_id, {key}"
    )
    return engine.tallies(
        duck.execute(
            f"SELECT policy_version_id, missed, COUNT(*) FROM {RESULTS} GROUP BY 1, 2"
        ).fetchall()
    )


def start_batch(duck: duckdb.DuckDBPyConnection) -> None:
    """Empty the tables a committed batch's results gather in."""
    duck.execute(f"DELETE FROM {MATCHES}")
    duck.execute(f"DELETE FROM {NEAR}")


def near_select_sql(subjects: Subjects, part: int) -> str:
    """A batch's near misses packed into one row per (run, subject), in subject order (so that
    the database's primary key (run, subject, part) takes them in one sweep): the rows
    :func:`engine.store_rows` writes in the database (same entries)."""
    key = _q(subjects.subject_column)
    return (
        f"SELECT run_id, e AS {key}, {int(part)} AS part, string_agg(entries, ',') AS entries "
        f"FROM {NEAR} GROUP BY run_id, e ORDER BY e"
    )


def write_back(
    duck: duckdb.DuckDBPyConnection,
    subjects: Subjects,
    folder: str,
    sizes: dict[int, int] | None = None,
    part: int = 0,
) -> int:
    """Append DuckDB's ``results`` to the database (caller's transaction): the matches to the
    match table, the near misses packed into one row per subject (:func:`near_select_sql`) to
    the near-miss table; returns the rows written.

    ``sizes`` (version id → number of conditions) lets SQLite take each policy's matches as one
    packed JSON array (:func:`_write_packed`) instead of a Python tuple per row.
    """
    if connection.vendor == "postgresql":
        paths = export(duck, subjects, folder, "results", part)
        return copy_in(paths, subjects)
    columns = ", ".join(_q(column) for column in subjects.match_columns)
    table = _q(subjects.match_table)
    written = 0
    with connection.cursor() as cursor:
        if sizes and _packable(duck, subjects, sizes):
            written += _write_packed(duck, subjects, sizes)
        else:
            marks = ", ".join("?" for _ in subjects.match_columns)
            insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
            result = duck.execute(f"SELECT {columns} FROM {MATCHES}")
            while rows := result.fetchmany(FETCH_ROWS):
                cursor.executemany(insert, rows)
                written += len(rows)
        insert = (
            f"INSERT INTO {_q(subjects.near_table)} (run_id, {_q(subjects.subject_column)}, "
            "part, entries) VALUES (?, ?, ?, ?)"
        )
        result = duck.execute(near_select_sql(subjects, part))
        while rows := result.fetchmany(FETCH_ROWS):
            cursor.executemany(insert, rows)
            written += len(rows)
    return written


def export(
    duck: duckdb.DuckDBPyConnection, subjects: Subjects, folder: str, name: str, part: int
) -> tuple[str, str]:
    """DuckDB's ``results`` as two CSV files (for PostgreSQL): the matches in the match table's
    columns, the packed near misses in the near-miss table's."""
    columns = ", ".join(_q(column) for column in subjects.match_columns)
    matches = os.path.join(folder, f"{name}-matches.csv")
    nears = os.path.join(folder, f"{name}-near.csv")
    duck.execute(
        f"COPY (SELECT {columns} FROM {MATCHES}) TO {_literal(matches)} (FORMAT csv, HEADER false)"
    )
    duck.execute(
        f"COPY ({near_select_sql(subjects, part)}) TO {_literal(nears)} (FORMAT csv, HEADER false)"
    )
    return matches, nears


def copy_in(paths: tuple[str, str], subjects: Subjects) -> int:
    """PostgreSQL ``COPY … FROM STDIN`` of the exported files, in chunks; the files are removed.
    Returns the rows copied."""
    matches, nears = paths
    key = _q(subjects.subject_column)
    targets = (
        (matches, _q(subjects.match_table), ", ".join(_q(c) for c in subjects.match_columns)),
        (nears, _q(subjects.near_table), f"run_id, {key}, part, entries"),
    )
    copied = 0
    with connection.cursor() as cursor:
        for path, table, columns in targets:
            query = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)"
            with open(path, "rb") as source, cursor.cursor.copy(query) as copy:
                while chunk := source.read(COPY_CHUNK):
                    copy.write(chunk)
            copied += max(0, cursor.rowcount)
            os.remove(path)
    return copied


def _packable(duck: duckdb.DuckDBPyConnection, subjects: Subjects, sizes: dict[int, int]) -> bool:
    """Whether every row's subject id and two masks fit one signed 64-bit integer."""
    largest = duck.execute(f"SELECT MAX({_q(subjects.subject_column)}) FROM {MATCHES}").fetchone()
    bits = 2 * max(sizes.values())
    return bits <= 2 * PACKED_MAX_CONDITIONS and (largest[0] or 0) < (1 << (63 - bits))


def _write_packed(
    duck: duckdb.DuckDBPyConnection, subjects: Subjects, sizes: dict[int, int]
) -> int:
    """SQLite: each policy's matches as one JSON array of integers ``subject << 2k | held << k |
    unknown`` (k its number of conditions), built by DuckDB and unpacked by SQLite's
    ``json_each`` in one ``INSERT … SELECT``, where ``matched`` and ``missed`` are derived from
    ``held`` exactly as :func:`engine.match_select_sql` derives them.

    Why: ``executemany`` costs ~2.4 µs per row in Python objects and bindings, SQLite's own insert
    ~0.6 µs; packed, a row costs ~0.85 µs CPU in all (measured on 10^6 rows; when near misses
    were rows too, ~75 per enterprise).
    """
    columns = ", ".join(_q(column) for column in subjects.match_columns)
    table = _q(subjects.match_table)
    key = _q(subjects.subject_column)
    shifts = ", ".join(f"({int(version)}, {int(size)})" for version, size in sizes.items())
    arrays = duck.execute(
        f"SELECT r.run_id, r.policy_version_id, k.size, COUNT(*), '[' || string_agg("
        f"((r.{key} << (2 * k.size)) | (r.held << k.size) | r.unknown)::VARCHAR, ',' "
        f"ORDER BY r.{key}) || ']' FROM {MATCHES} r JOIN (VALUES {shifts}) k(version, size) "
        "ON r.policy_version_id = k.version GROUP BY 1, 2, 3"
    ).fetchall()
    written = 0
    with connection.cursor() as cursor:
        for run_id, version_id, size, rows, packed in arrays:
            full = (1 << size) - 1
            held = f"((value >> {size}) & {full})"
            if engine.near_miss_allowed(size):
                missed = f"CASE {held}" + "".join(
                    f" WHEN {full ^ (1 << index)} THEN {index}" for index in range(size)
                )
                missed += " END"
            else:
                missed = "NULL"
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {int(run_id)}, {int(version_id)}, "
                f"value >> {2 * size}, {held} = {full}, {held}, value & {full}, {missed} "
                "FROM json_each(%s)",
                [packed],
            )
            written += rows
    return written


def _create_results(duck: duckdb.DuckDBPyConnection, subjects: Subjects) -> None:
    duck.execute(f"CREATE OR REPLACE TABLE {KEPT} (e BIGINT, x BIGINT)")
    for table in (RESULTS, MATCHES):
        duck.execute(
            f"CREATE OR REPLACE TABLE {table} (run_id BIGINT, policy_version_id BIGINT, "
            f"{_q(subjects.subject_column)} BIGINT, matched BOOLEAN, held BIGINT, "
            "unknown BIGINT, missed SMALLINT)"
        )
    duck.execute(f"CREATE OR REPLACE TABLE {NEAR} (run_id BIGINT, e BIGINT, entries VARCHAR)")


def run_policies(
    run: MatchRun | None,
    versions: list[PolicyVersion],
    plans: dict[int, engine.Plan],
    on_policy_done: Callable[[MatchRun, PolicyVersion], None] | None = None,
    subjects: Subjects | None = None,
    statement: Callable[[PolicyVersion], engine.Fragment] | None = None,
) -> None:
    """Write every version's rows under ``run``, a batch of policies per transaction.

    ``plans`` are the database plans (:func:`engine.plan_many`); the condition columns make their
    order and prefilter unnecessary here. On PostgreSQL (outside a transaction) the batches are copied in by
    :func:`engine.workers` sessions in background threads while DuckDB evaluates the next ones
    (at most one exported batch waits per session, bounding the temporary files).

    The benchmark passes ``statement`` (its hand-written SQL per version) and no ``run`` (no
    progress rows), so that its baseline goes through this same feed, batching and write-back.
    """
    if not versions:
        return
    subjects = subjects or enterprises()
    timings = {"feed": 0.0, "evaluate": 0.0, "write": 0.0}
    last_timings.clear()
    sessions = engine.workers() if connection.vendor == "postgresql" else 1
    with tempfile.TemporaryDirectory(prefix="banshi-match-") as folder:
        duck = connect(folder)
        writers = _Writers(sessions) if sessions > 1 else None
        try:
            started = time.perf_counter()
            feed(duck, subjects, folder)
            _create_results(duck, subjects)
            timings["feed"] = time.perf_counter() - started
            started = time.perf_counter()
            if statement is None:
                fragments = {
                    version.pk: engine.version_fragments(version, run.today, "duckdb")
                    for version in versions
                }
                numbers = evaluate_conditions(
                    duck, subjects, [one for each in fragments.values() for one in each]
                )
                duck.execute(f"DROP TABLE {PORTRAIT}")  # read once; frees its memory
            timings["conditions"] = time.perf_counter() - started
            unit = engine.BATCH_POLICIES
            step = min(STATEMENT_POLICIES, unit)
            for number, start in enumerate(range(0, len(versions), unit)):
                batch = versions[start : start + unit]
                part = batch[0].pk  # tells this batch's near-miss rows from the others'
                started = time.perf_counter()
                start_batch(duck)
                counts: dict[int, engine.Tally] = {}
                if statement is None:
                    selects = [
                        policy_select_sql(
                            [numbers[(text, tuple(params))] for text, params in fragments[v.pk]],
                            version_id=v.pk,
                        )
                        for v in batch
                    ]
                    counts.update(evaluate_codes(duck, selects, run.pk))
                else:
                    statements = [statement(version) for version in batch]
                    for first in range(0, len(statements), step):
                        counts.update(
                            evaluate_batch(duck, statements[first : first + step], subjects)
                        )
                sizes = {version.pk: len(version.conditions) for version in batch}
                evaluated = time.perf_counter()
                timings["evaluate"] += evaluated - started
                if writers is not None:
                    paths = export(duck, subjects, folder, f"batch-{number}", part)
                    writers.submit(
                        lambda paths=paths, batch=batch, counts=counts, started=started: _commit(
                            run,
                            batch,
                            counts,
                            started,
                            on_policy_done,
                            lambda: copy_in(paths, subjects),
                        )
                    )
                    timings["write"] += time.perf_counter() - evaluated
                    continue
                _commit(
                    run,
                    batch,
                    counts,
                    started,
                    on_policy_done,
                    lambda sizes=sizes, part=part: write_back(duck, subjects, folder, sizes, part),
                )
                timings["write"] += time.perf_counter() - evaluated
                last_timings.update(timings)
            if writers is not None:
                waited = time.perf_counter()
                writers.finish()
                timings["write"] += time.perf_counter() - waited
            last_timings.update(timings)
        finally:
            if writers is not None:
                writers.stop()
            duck.close()


def _commit(
    run: MatchRun | None,
    batch: list[PolicyVersion],
    counts: dict[int, engine.Tally],
    started: float,
    on_policy_done: Callable[[MatchRun, PolicyVersion], None] | None,
    write: Callable[[], object],
) -> None:
    """A batch's rows and its policies' progress rows in one transaction, then the heartbeat."""
    with transaction.atomic():
        engine._relaxed_commit()
        write()
        if run is None:
            return
        seconds = (time.perf_counter() - started) / len(batch)
        MatchRunPolicy.objects.bulk_create(
            engine.progress_row(run, version, counts.get(version.pk), seconds) for version in batch
        )
    MatchRun.objects.filter(pk=run.pk).update(heartbeat_at=clock.now())
    if on_policy_done is not None:
        for version in batch:
            on_policy_done(run, version)


class _Writers:
    """Background threads, each with its own database session, running submitted batches; the
    first failure stops further batches and is raised by :meth:`submit` or :meth:`finish`."""

    def __init__(self, sessions: int) -> None:
        self.pool = ThreadPoolExecutor(max_workers=sessions, thread_name_prefix="match-copy")
        self.slots = threading.BoundedSemaphore(sessions + 1)
        self.futures: list[Future] = []

    def submit(self, work: Callable[[], None]) -> None:
        self.slots.acquire()
        self._raise_failure()

        def task() -> None:
            try:
                work()
            finally:
                connections.close_all()  # this thread's session
                self.slots.release()

        self.futures.append(self.pool.submit(task))

    def _raise_failure(self) -> None:
        for future in self.futures:
            if future.done() and future.exception() is not None:
                raise future.exception()

    def finish(self) -> None:
        for future in self.futures:
            future.result()

    def stop(self) -> None:
        for future in self.futures:
            future.cancel()
        self.pool.shutdown(wait=True)
