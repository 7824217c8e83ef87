"""``banshi bench submit``: applications submitted per second over HTTP through the real API.

What is measured (DESIGN benchmark contract): a real server (``gunicorn banshi.wsgi``, workers =
2 × cores × 2 threads, as ``banshi serve`` runs it) on a free 127.0.0.1 port, against the
PostgreSQL database that ``DATABASE_URL`` names (its ``?options`` included), driven from a thread
pool over keep-alive HTTP connections. One submission is what a department's system does with
everything at hand: ONE ``POST /api/v1/applications`` with ``"submit": true`` and an
``Idempotency-Key`` (a draft of a 5-item national bundle with its form data, prefill consent and
three uploaded materials; its pre-review; then one application, 5 cases, their events and an
outbox row — all in one transaction, through the same drafts service and case engine as ``POST
…/submit``).

The baseline, in the same run and at the same concurrency: the machine's ceiling for writing the same
rows (1 application, 5 cases, 6 events, 1 outbox row, copied from what our run wrote) with plain
``INSERT``s through psycopg, one transaction per application. The ratio says how much of that ceiling
the whole stack (HTTP, auth, drafts, pre-review, the plan compiler, the actions service) keeps. The
submission itself writes its rows with plain multi-row statements too (``banshi.core.db``), so the
gap is the reads, the checks and the framework around them, not the way rows are inserted (figures
and what one application costs: docs/api.md §6).
Ours and the baseline alternate in rounds, so a change in the machine's load weighs on both; the
server's own CPU per submission (from /proc, whatever else runs) is reported next to the ratio.

``BANSHI_BENCH_CONCURRENCY`` sets the client threads (default: the server's slots),
``BANSHI_BENCH_WORKERS`` / ``BANSHI_BENCH_THREADS`` the server's (for experiments; the defaults are
``banshi serve``'s).

Everything the bench creates is deleted at the end (the national catalogue stays loaded: loading it
is idempotent). It refuses a database that is not PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from django.core.management.base import CommandError
from django.db import connection, transaction

from banshi.core import clock
from banshi.core.bench import BenchResult, peak_memory_mb, percentile_ms, register
from banshi.core.serving import WORKER_CLASS

BUNDLE = "QYQYDJ"  # 企业迁移登记一件事: 5 items, 4 departments, no situation question
ITEMS = 5
NATIONAL = Path(__file__).resolve().parents[1] / "catalog" / "national"
SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the directory that holds the banshi package
TYPED_FIELDS = {
    "enterprise.type": "有限责任公司",
    "migration.new_address": "郑州航空港经济综合实验区新港大道1号",
    "migration.from_authority": "郑州市市场监督管理局金水分局",
    "migration.to_authority": "郑州航空港经济综合实验区市场监督管理局",
    "enterprise.finance_contact": "王会计",
    "enterprise.finance_contact_phone": "13800138000",
}
UPLOADS = ("LEASE", "CHANGE-RESOLUTION", "ARTICLES-AMEND")


@dataclass
class Setup:
    """What the bench created (deleted at the end)."""

    user: Any = None
    person: Any = None
    enterprise: Any = None
    token_id: int | None = None
    token: str = ""
    loaded_catalogue: bool = False
    sequence_key: str = ""
    sequence_start: int | None = None
    media: str = ""
    baseline_ids: dict[str, list[int]] = field(default_factory=dict)


# ------------------------------------------------------------------------------ set-up
def _id_number(rng: secrets.SystemRandom) -> str:
    """A valid 公民身份号码 (GB 11643) for a bench person born 1960–1999."""
    from banshi.people.identifiers import id_check_character

    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(14_600))
    first17 = f"410102{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_character(first17)


def _uscc(rng: secrets.SystemRandom) -> str:
    """A valid 统一社会信用代码 (GB 32100, with a valid GB 11714 organisation code inside)."""
    from banshi.people.identifiers import org_code_check_character, uscc_check_character

    org8 = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = "91410100" + org8 + org_code_check_character(org8)
    return first17 + uscc_check_character(first17)


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise CommandError(
            "banshi bench submit 只在 PostgreSQL 上运行(与纯 SQL 基线比较)：请设置 "
            "DATABASE_URL=postgres://user@host:5432/bench_submit 并先执行 banshi migrate / "
            "the submit benchmark runs on PostgreSQL only (its baseline is plain SQL through "
            f"psycopg): this DATABASE_URL is {connection.vendor}. Create a scratch database, "
            "run `banshi migrate` on it, and point DATABASE_URL at it."
        )


SERVER_APP = "banshi-bench-server"  # application_name of the server's database sessions
BASELINE_APP = "banshi-bench-baseline"  # and of the baseline's


def _database_url(**extra: str) -> str:
    """The URL of the database this process uses (the test database under pytest), with
    ``extra`` connection options."""
    settings = connection.settings_dict
    user = quote(settings.get("USER") or "", safe="")
    password = quote(settings.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "127.0.0.1"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    options = {**(settings.get("OPTIONS") or {}), **extra}  # the URL's ?options, passed on
    query = "?" + urlencode({k: _url_option(v) for k, v in options.items()}) if options else ""
    return f"postgres://{auth}{host}{port}/{quote(settings['NAME'], safe='')}{query}"


def _url_option(value: Any) -> str:
    """An option as ``banshi.env.parse_database_url`` reads it back (booleans, ``none``)."""
    if value is None:
        return "none"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _psycopg_params() -> dict[str, Any]:
    settings = connection.settings_dict
    params = {"dbname": settings["NAME"], "host": settings.get("HOST") or "127.0.0.1"}
    for key, name in (("USER", "user"), ("PASSWORD", "password"), ("PORT", "port")):
        if settings.get(key):
            params[name] = settings[key]
    return params


def _prepare(setup: Setup) -> None:
    from banshi.api import tokens
    from banshi.cases.models import NumberSequence
    from banshi.catalog.selectors import catalogue_snapshot, invalidate_snapshot
    from banshi.catalog.services import load_catalogue
    from banshi.people import services as people

    if BUNDLE not in catalogue_snapshot(clock.today()).bundles:
        load_catalogue(sorted(NATIONAL.glob("*.yaml")), note="banshi bench submit")
        invalidate_snapshot()
        setup.loaded_catalogue = True
    rng = secrets.SystemRandom()
    from django.contrib.auth import get_user_model

    setup.user = get_user_model().objects.create_user(f"bench-{uuid.uuid4().hex[:12]}")
    setup.person = people.register_person(
        _id_number(rng), "基准测试", phone="13900139000", address="郑州市", user=setup.user
    )
    setup.enterprise = people.register_enterprise(
        _uscc(rng),
        "基准测试迁移有限公司",
        legal_representative=setup.person,
        address="郑州市金水区",
    )
    # A registered enterprise holds its 营业执照 in the licence library (免证: never uploaded).
    from banshi.licences.services import record_existing

    record_existing("YYZZ", holder_enterprise=setup.enterprise)
    row, setup.token = tokens.create_token(setup.user, "banshi bench submit")
    setup.token_id = row.pk
    setup.sequence_key = f"BS-{clock.today():%Y%m%d}"
    existing = NumberSequence.objects.filter(key=setup.sequence_key).first()
    setup.sequence_start = existing.last_value if existing else None


# ------------------------------------------------------------------------------ the server
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(setup: Setup, workers: int) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    setup.media = tempfile.mkdtemp(prefix="banshi-bench-media-")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(application_name=SERVER_APP),
        "DJANGO_SETTINGS_MODULE": "banshi.settings",
        "DEBUG": "false",
        "BANSHI_INPROCESS_SCHEDULER": "false",
        "BANSHI_MEDIA_ROOT": setup.media,
        # the server runs the code this bench runs, whatever the working directory
        "PYTHONPATH": os.pathsep.join(
            part for part in (str(SOURCE_ROOT), os.environ.get("PYTHONPATH", "")) if part
        ),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "banshi.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        os.environ.get("BANSHI_BENCH_THREADS", "2"),  # as `banshi serve` (gthread: keep-alive)
        "--worker-class",
        WORKER_CLASS,  # as `banshi serve`: a worker takes connections while a thread is free
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            error = server.stderr.read().decode("utf-8", "replace")[-2000:]
            raise CommandError(f"gunicorn did not start: {error}")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/api/v1/openapi.json")
            if probe.getresponse().status == 200:
                probe.close()
                return server, port
        except OSError:
            time.sleep(0.2)
    _stop_server(server)
    raise CommandError("gunicorn did not answer within 90 s")


def _server_pids(server: subprocess.Popen) -> list[int] | None:
    """The gunicorn master and its workers (Linux), or None where /proc does not say."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return None
    return [server.pid, *(int(pid) for pid in children)]


def _server_cpu_s(server: subprocess.Popen) -> float | None:
    """CPU seconds (user + system) the server's processes have used so far (Linux): what one
    submission costs the server, whatever else the machine runs at the same time."""
    pids = _server_pids(server)
    if pids is None:
        return None
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _backend_ticks(application_name: str) -> dict[int, int] | None:
    """CPU ticks (user + system) so far of each PostgreSQL backend serving ``application_name``,
    by process id; None when the database server's processes are not readable here (another
    host, another /proc)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name]
        )
        pids = [row[0] for row in cursor.fetchall()]
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


class DatabaseCpu:
    """CPU seconds the database spent for one side (ours or the baseline) over the rounds:
    the ticks its backends gained between the start and the end of each round."""

    def __init__(self, application_name: str) -> None:
        self.application_name = application_name
        self.seconds: float | None = 0.0
        self.before: dict[int, int] | None = None

    def start(self) -> None:
        self.before = _backend_ticks(self.application_name) if self.seconds is not None else None

    def stop(self) -> None:
        after = _backend_ticks(self.application_name) if self.before is not None else None
        if after is None or self.before is None or self.seconds is None:
            self.seconds = None
            return
        gained = sum(ticks - self.before.get(pid, 0) for pid, ticks in after.items())
        self.seconds += gained / os.sysconf("SC_CLK_TCK")

    def ms_per(self, count: int) -> float | None:
        return None if self.seconds is None else round(1000 * self.seconds / count, 2)


def _server_peak_mb(server: subprocess.Popen) -> float | None:
    """Peak resident memory of the gunicorn master and its workers (VmHWM, Linux)."""
    pids = _server_pids(server)
    if pids is None:
        return None
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def _stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    if server.stderr:
        server.stderr.close()


# ------------------------------------------------------------------------------ the client
class Client:
    """One keep-alive HTTP connection with the bench's token."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}"}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                self.connection.request(method, path, body, {**self.headers, **headers})
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def json(self, path: str, document: dict, headers: dict | None = None) -> tuple[int, dict]:
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        status, data = self.request(
            "POST", path, body, {"Content-Type": "application/json", **(headers or {})}
        )
        try:
            return status, json.loads(data or b"{}")
        except ValueError:
            raise CommandError(
                f"POST {path}: HTTP {status} without a JSON body (a server error?): "
                f"{data[:300].decode('utf-8', 'replace')!r}"
            ) from None

    def upload(self, name: str, content: bytes) -> dict:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, data = self.request(
            "POST",
            "/api/v1/files",
            body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        if status != 201:
            raise CommandError(f"upload failed: {status} {data[:300]!r}")
        return json.loads(data)

    def close(self) -> None:
        self.connection.close()


def _draft_body(setup: Setup, file_id: int) -> dict:
    return {
        "bundle_code": BUNDLE,
        "enterprise_uscc": setup.enterprise.uscc,
        "prefill_consent": True,
        "form_data": TYPED_FIELDS,
        "materials": {code: {"files": [file_id]} for code in UPLOADS},
    }


def submit_one(client: Client, body: dict) -> tuple[float, str]:
    """File one application as a department's system does, in one request: ``POST
    /api/v1/applications`` with ``"submit": true`` and a fresh ``Idempotency-Key`` (the draft, its
    pre-review and the filing in one transaction). Returns (seconds, application number)."""
    started = time.perf_counter()
    status, application = client.json(
        "/api/v1/applications", {**body, "submit": True}, {"Idempotency-Key": uuid.uuid4().hex}
    )
    done = time.perf_counter()
    if status != 201:
        raise CommandError(
            f"submit failed: {status} {json.dumps(application, ensure_ascii=False)[:600]}"
        )
    if len(application["cases"]) != ITEMS:
        raise CommandError(f"expected {ITEMS} cases, got {len(application['cases'])}")
    return done - started, application["number"]


def _timed_pool(count: int, states: list[Any], job) -> tuple[float, list[Any]]:
    """Run ``job(state, index)`` for index in 0..count-1 on one thread per state (an open HTTP or
    database connection, made before the clock starts); returns (seconds, results in order)."""
    counter = itertools.count()
    lock = threading.Lock()
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def worker(state: Any) -> None:
        try:
            while not errors:
                with lock:
                    index = next(counter)
                if index >= count:
                    return
                results[index] = job(state, index)
        except BaseException as error:  # stop everyone, report the first
            errors.append(error)

    pool = [threading.Thread(target=worker, args=(state,)) for state in states[: max(1, count)]]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed, results


def _rounds(size: int, most: int = 5) -> list[tuple[int, int]]:
    """(first index, count) of up to ``most`` rounds of at least 20 submissions each."""
    count = max(1, min(most, size // 20))
    sizes = [size // count + (1 if i < size % count else 0) for i in range(count)]
    starts = [sum(sizes[:i]) for i in range(count)]
    return list(zip(starts, sizes, strict=True))


# ------------------------------------------------------------------------------ the baseline
def _template(number: str) -> dict[str, Any]:
    """The rows our run wrote for one application, to copy in the baseline."""
    with connection.cursor() as cursor:

        def rows(sql: str, params: list) -> list[dict]:
            cursor.execute(sql, params)
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

        [application] = rows("SELECT * FROM cases_application WHERE number = %s", [number])
        cases = rows(
            "SELECT * FROM cases_case WHERE application_id = %s ORDER BY id", [application["id"]]
        )
        events = rows(
            "SELECT * FROM cases_caseevent WHERE application_id = %s ORDER BY id",
            [application["id"]],
        )
        outbox = rows(
            "SELECT * FROM cases_outboxmessage WHERE key = %s ORDER BY id", [application["number"]]
        )
    return {"application": application, "cases": cases, "events": events, "outbox": outbox}


def _insert_sql(table: str, row: dict) -> tuple[str, list[str]]:
    columns = [name for name in row if name != "id"]
    placeholders = ", ".join(["%s"] * len(columns))
    names = ", ".join(f'"{name}"' for name in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({placeholders}) RETURNING id", columns


class Baseline:
    """Plain INSERTs through psycopg of one application's rows, one transaction each."""

    def __init__(self, template: dict[str, Any], run: str) -> None:
        from psycopg.types.json import Jsonb

        self.jsonb = Jsonb
        self.template = template
        self.run = run
        self.sql = {
            "application": _insert_sql("cases_application", template["application"]),
            "case": _insert_sql("cases_case", template["cases"][0]),
            "event": _insert_sql("cases_caseevent", template["events"][0]),
            "outbox": _insert_sql("cases_outboxmessage", template["outbox"][0]),
        }
        self.ids: dict[str, list[int]] = {"application": [], "case": [], "event": [], "outbox": []}
        self.lock = threading.Lock()

    def _values(self, row: dict, columns: list[str], **changes: Any) -> list[Any]:
        values = []
        for name in columns:
            value = changes.get(name, row[name])
            values.append(self.jsonb(value) if isinstance(value, dict | list) else value)
        return values

    def connect(self):
        import psycopg

        return psycopg.connect(**_psycopg_params(), application_name=BASELINE_APP)

    def insert(self, conn, index: int) -> float:
        started = time.perf_counter()
        template = self.template
        number = f"BL-{self.run}-{index:06d}"
        made: dict[str, list[int]] = {"application": [], "case": [], "event": [], "outbox": []}
        with conn.transaction(), conn.cursor() as cursor:
            sql, columns = self.sql["application"]
            cursor.execute(
                sql,
                self._values(
                    template["application"],
                    columns,
                    number=number,
                    idempotency_key=f"baseline-{self.run}-{index}",
                ),
            )
            application_id = cursor.fetchone()[0]
            made["application"].append(application_id)
            case_ids = {}
            sql, columns = self.sql["case"]
            for position, row in enumerate(template["cases"], start=1):
                cursor.execute(
                    sql,
                    self._values(
                        row,
                        columns,
                        application_id=application_id,
                        number=f"{number}-{position:02d}",
                    ),
                )
                case_ids[row["id"]] = cursor.fetchone()[0]
            made["case"] += case_ids.values()
            sql, columns = self.sql["event"]
            for row in template["events"]:
                cursor.execute(
                    sql,
                    self._values(
                        row,
                        columns,
                        application_id=application_id,
                        case_id=case_ids.get(row["case_id"]),
                    ),
                )
                made["event"].append(cursor.fetchone()[0])
            sql, columns = self.sql["outbox"]
            for row in template["outbox"]:
                cursor.execute(sql, self._values(row, columns, key=number))
                made["outbox"].append(cursor.fetchone()[0])
        with self.lock:
            for kind, ids in made.items():
                self.ids[kind] += ids
        return time.perf_counter() - started


# ------------------------------------------------------------------------------ measuring
def _data_size(numbers: list[str]) -> tuple[int, int]:
    """(rows, bytes) of the application, case, event and outbox rows of ``numbers``."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH apps AS (SELECT id, number FROM cases_application WHERE number = ANY(%s))
            SELECT
              (SELECT count(*) FROM apps)
              + (SELECT count(*) FROM cases_case WHERE application_id IN (SELECT id FROM apps))
              + (SELECT count(*) FROM cases_caseevent WHERE application_id IN (SELECT id FROM apps))
              + (SELECT count(*) FROM cases_outboxmessage
                 WHERE key IN (SELECT number FROM apps)),
              (SELECT coalesce(sum(pg_column_size(a.*)), 0) FROM cases_application a
                 WHERE a.id IN (SELECT id FROM apps))
              + (SELECT coalesce(sum(pg_column_size(c.*)), 0) FROM cases_case c
                 WHERE c.application_id IN (SELECT id FROM apps))
              + (SELECT coalesce(sum(pg_column_size(e.*)), 0) FROM cases_caseevent e
                 WHERE e.application_id IN (SELECT id FROM apps))
              + (SELECT coalesce(sum(pg_column_size(o.*)), 0) FROM cases_outboxmessage o
                 WHERE o.key IN (SELECT number FROM apps))
            """,
            [numbers],
        )
        rows, size = cursor.fetchone()
    return int(rows), int(size)


# ------------------------------------------------------------------------------ clean-up
def _cleanup(setup: Setup, numbers: list[str], baseline: Baseline | None) -> None:
    from banshi.api.models import ApiToken, ApiUpload, IdempotencyRecord
    from banshi.cases.models import (
        Application,
        ApplicationDraft,
        Case,
        CaseEvent,
        NumberSequence,
        OutboxMessage,
    )
    from banshi.files.models import StoredFile
    from banshi.people.models import Consent, EnterpriseRole

    with transaction.atomic():
        if baseline is not None:
            with connection.cursor() as cursor:
                for table, kind in (
                    ("cases_outboxmessage", "outbox"),
                    ("cases_caseevent", "event"),
                    ("cases_case", "case"),
                    ("cases_application", "application"),
                ):
                    if baseline.ids[kind]:
                        cursor.execute(
                            f"DELETE FROM {table} WHERE id = ANY(%s)",
                            [baseline.ids[kind]],
                        )
        if setup.person is not None:
            applications = Application.objects.filter(applicant=setup.person)
            case_numbers = list(
                Case.objects.filter(application__in=applications).values_list("number", flat=True)
            )
            app_numbers = list(applications.values_list("number", flat=True))
            OutboxMessage.objects.filter(key__in=[*app_numbers, *case_numbers]).delete()
            CaseEvent.objects.filter(application__in=applications).delete()
            Case.depends_on.through.objects.filter(from_case__application__in=applications).delete()
            IdempotencyRecord.objects.filter(user=setup.user).delete()
            ApplicationDraft.objects.filter(owner=setup.person).delete()
            Case.objects.filter(application__in=applications).delete()
            applications.delete()
            Consent.objects.filter(person=setup.person).delete()
            file_ids = list(
                ApiUpload.objects.filter(user=setup.user).values_list("file", flat=True)
            )
            ApiUpload.objects.filter(user=setup.user).delete()
            StoredFile.objects.filter(pk__in=file_ids).delete()
            EnterpriseRole.objects.filter(person=setup.person).delete()
            if setup.enterprise is not None:
                from banshi.licences.models import Licence

                licences = Licence.objects.filter(holder_enterprise=setup.enterprise)
                OutboxMessage.objects.filter(
                    key__in=list(licences.values_list("number", flat=True))
                ).delete()
                licences.delete()
                EnterpriseRole.objects.filter(enterprise=setup.enterprise).delete()
                setup.enterprise.delete()
            setup.person.delete()
        if setup.user is not None:
            ApiToken.objects.filter(user=setup.user).delete()
            setup.user.delete()
        if setup.sequence_key:
            issued = len(numbers)
            rows = NumberSequence.objects.filter(key=setup.sequence_key)
            if setup.sequence_start is None:
                rows.filter(last_value=issued).delete()
            else:
                rows.filter(last_value=setup.sequence_start + issued).update(
                    last_value=setup.sequence_start
                )
    if setup.media:
        import shutil

        shutil.rmtree(setup.media, ignore_errors=True)


# ------------------------------------------------------------------------------ the benchmark
@register(
    "submit",
    "申请提交 over HTTP through the real API (draft + submit, a 5-item bundle, PostgreSQL) "
    "vs plain-SQL inserts of the same rows",
    500,
)
def bench_submit(size: int) -> BenchResult:
    _require_postgresql()
    cores = os.cpu_count() or 1
    workers = int(os.environ.get("BANSHI_BENCH_WORKERS") or max(2, 2 * cores))
    threads = int(os.environ.get("BANSHI_BENCH_CONCURRENCY") or workers * 2)  # server slots
    warmup = min(size, max(workers * 2, 4))
    setup = Setup()
    numbers: list[str] = []
    baseline: Baseline | None = None
    server = None
    clients: list[Client] = []
    connections: list[Any] = []
    try:
        _prepare(setup)
        server, port = _start_server(setup, workers)
        uploader = Client(port, setup.token)
        content = b"%PDF-1.4\n% banshi bench " + secrets.token_hex(16).encode() + b"\n%%EOF\n"
        file_id = uploader.upload("bench.pdf", content)["id"]
        uploader.close()
        body = _draft_body(setup, file_id)

        def job(client: Client, index: int):
            return submit_one(client, body)

        clients += [Client(port, setup.token) for _ in range(threads)]
        _, warm = _timed_pool(warmup, clients, job)
        numbers += [number for _, number in warm]
        baseline = Baseline(_template(numbers[-1]), run=uuid.uuid4().hex[:8])
        connections += [baseline.connect() for _ in range(threads)]
        # Ours and the baseline alternate in rounds, so a change in the machine's load during the
        # run weighs on both (the server idles while the baseline runs). Connections stay open.
        elapsed = base_elapsed = server_cpu = client_cpu = base_client_cpu = 0.0
        ours_db, base_db = DatabaseCpu(SERVER_APP), DatabaseCpu(BASELINE_APP)
        results: list[tuple[float, str]] = []
        base_latencies: list[float] = []
        for start, count in _rounds(size):
            cpu_before = _server_cpu_s(server)
            ours_db.start()
            client_before = time.process_time()
            seconds, done = _timed_pool(count, clients, job)
            client_cpu += time.process_time() - client_before
            ours_db.stop()
            cpu_after = _server_cpu_s(server)
            if cpu_before is not None and cpu_after is not None:
                server_cpu += cpu_after - cpu_before
            elapsed += seconds
            results += done
            numbers += [number for _, number in done]

            def insert(conn, index: int, start: int = start) -> float:
                return baseline.insert(conn, start + index)

            base_db.start()
            client_before = time.process_time()
            seconds, latencies = _timed_pool(count, connections, insert)
            base_client_cpu += time.process_time() - client_before
            base_db.stop()
            base_elapsed += seconds
            base_latencies += latencies
        server_peak = _server_peak_mb(server)
        _stop_server(server)
        server = None
        rows, data_bytes = _data_size(numbers)

        latencies = [seconds for seconds, _ in results]
        ours_per_s = size / elapsed
        baseline_per_s = size / base_elapsed
        per_app = data_bytes / len(numbers) if numbers else 0
        cpu_ms = 1000 * server_cpu / size
        notes = [
            f"database: PostgreSQL {connection.settings_dict['NAME']} "
            f"(server {connection.pg_version // 10000}), {cores} cores",
            f"server: gunicorn banshi.wsgi, {workers} workers × 2 threads on 127.0.0.1:{port}; "
            f"client: {threads} threads, keep-alive http.client, token auth",
            f"bundle {BUNDLE}: {ITEMS} items → per application 1 application + {ITEMS} cases + "
            f"{ITEMS + 1} events + 1 outbox row; {len(UPLOADS)} uploaded materials, prefill with "
            "consent, pre-review",
            f"ours: {size:,} submissions (one request each: create + submit) in {elapsed:.2f} s "
            f"after {warmup} warm-up, in {len(_rounds(size))} rounds alternating with the "
            "baseline's",
            f"server CPU per submission: {cpu_ms:.1f} ms (user + system of the gunicorn "
            f"processes during our rounds; {cores} cores); the bench's own client threads "
            f"{1000 * client_cpu / size:.1f} ms",
            "database CPU per application: "
            + (
                f"ours {ours_db.ms_per(size):.2f} ms, baseline {base_db.ms_per(size):.2f} ms "
                "(the PostgreSQL backends of each side, from /proc)"
                if ours_db.seconds is not None and base_db.seconds is not None
                else "not measured (the database server's processes are not readable here)"
            ),
            f"baseline: the same rows with plain INSERTs through psycopg, one transaction per "
            f"application, {threads} connections: {size:,} in {base_elapsed:.2f} s, "
            f"p50 {percentile_ms(base_latencies, 50):.2f} ms, its client threads "
            f"{1000 * base_client_cpu / size:.1f} ms of CPU per application",
            f"data size: {rows:,} rows, {data_bytes / 1024:,.0f} KiB for {len(numbers):,} "
            f"applications ({per_app:,.0f} bytes each, heap tuples without indexes)",
            f"peak memory: server {server_peak or 0:,.0f} MB (master + workers), "
            f"bench process {peak_memory_mb():,.0f} MB",
            "everything created here was deleted afterwards; the national catalogue stays"
            + (" (loaded by this run)" if setup.loaded_catalogue else ""),
        ]
        return BenchResult(
            name="submit",
            size=size,
            ours_per_s=ours_per_s,
            baseline="plain SQL INSERTs via psycopg (same rows, same concurrency)",
            baseline_per_s=baseline_per_s,
            p50_ms=percentile_ms(latencies, 50),
            p95_ms=percentile_ms(latencies, 95),
            peak_mb=server_peak,
            notes=notes,
            extra={
                "goal_ratio": 0.3,
                "data_bytes": data_bytes,
                "data_rows": rows,
                "baseline_p50_ms": round(percentile_ms(base_latencies, 50) or 0, 3),
                "server_cpu_ms_per_submission": round(cpu_ms, 2),
                "client_cpu_ms_per_submission": round(1000 * client_cpu / size, 2),
                "baseline_client_cpu_ms": round(1000 * base_client_cpu / size, 2),
                "database_cpu_ms_per_submission": ours_db.ms_per(size),
                "baseline_database_cpu_ms": base_db.ms_per(size),
                "workers": workers,
                "client_threads": threads,
                "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            },
        )
    finally:
        for state in [*clients, *connections]:
            state.close()
        if server is not None:
            _stop_server(server)
        _cleanup(setup, numbers, baseline)
