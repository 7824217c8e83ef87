"""Background work on a real broker (Redis and RabbitMQ): a worker subprocess runs the jobs.

Each test starts ``celery -A banshi.celery worker`` as a subprocess on its own queue, with a
database both processes see: the PostgreSQL test database when the suite runs on PostgreSQL, else
a file copy of the SQLite test database (``VACUUM INTO``) that this process switches to for the
test. Skipped when a broker is not running, failed instead when ``BANSHI_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from celery import Celery
from django.db import connection

from banshi.cases.models import OutboxMessage
from banshi.cases.tests.factories import make_person
from banshi.core import clock, taskqueue
from banshi.notify import services
from banshi.notify.models import Delivery, DeliveryStatus, Notification
from banshi.webhooks.tests.receiver import Receiver

ROOT = Path(__file__).resolve().parents[3]
BROKERS = {
    "redis": os.environ.get("BANSHI_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0",
    "rabbitmq": os.environ.get("BANSHI_TEST_AMQP_URL") or "amqp://guest:guest@127.0.0.1:5672//",
}
DEAD = {"redis": "redis://127.0.0.1:1/0", "rabbitmq": "amqp://guest:guest@127.0.0.1:1//"}


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(params=sorted(BROKERS))
def broker(request) -> tuple[str, str]:
    """(kind, URL) of a running broker."""
    url = BROKERS[request.param]
    if not _reachable(url):
        reason = f"{request.param} broker not reachable at {url}"
        if os.environ.get("BANSHI_REQUIRE_SERVICES") == "1":
            pytest.fail(f"BANSHI_REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    return request.param, url


@pytest.fixture
def shared_db(transactional_db, tmp_path):
    """A ``DATABASE_URL`` for the worker naming the database this test writes to."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
        yield f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        return
    # SQLite: the test database is in memory, which another process cannot open. Copy it (schema
    # and all) to a file and point this process's connection at the file for the test.
    path = tmp_path / "shared.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    saved = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        connection.connection, connection.settings_dict["NAME"] = saved


class Worker:
    """``celery worker`` in a subprocess (solo pool: the task runs in the process we kill)."""

    def __init__(self, broker_url: str, database_url: str, queue: str, folder: Path, env: dict):
        self.log = folder / f"worker-{uuid.uuid4().hex[:6]}.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "banshi.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "DATABASE_URL": database_url,
            "BROKER_URL": broker_url,
            "BANSHI_TASK_QUEUE": queue,
            "BANSHI_BROKER_VISIBILITY_TIMEOUT": "3",
            "BANSHI_DATA_DIR": str(folder),
            "BANSHI_INPROCESS_SCHEDULER": "false",
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        command = [
            sys.executable, "-m", "celery", "-A", "banshi.celery", "worker",
            "-P", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-I", "banshi.core.tests.worker_tasks", "-l", "INFO", "-n", f"{uuid.uuid4().hex[:8]}@test",
        ]  # fmt: skip
        self.spawn(command)
        wait_for(lambda: " ready." in self.output(), 90, self.output)
        return self

    def spawn(self, command: list[str]) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def beat(self) -> Worker:
        """Run ``celery beat`` instead (same environment): it sends the registered jobs."""
        schedule = self.log.with_suffix(".schedule")
        self.spawn(
            [sys.executable, "-m", "celery", "-A", "banshi.celery", "beat", "-s", str(schedule),
             "--max-interval", "1", "-l", "INFO"]
        )  # fmt: skip
        return self

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log.exists() else ""

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(condition: Callable[[], object], seconds: float, message: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(
        f"timed out after {seconds}s: {message() if callable(message) else message}"
    )


@pytest.fixture
def workers(broker, shared_db, tmp_path):
    """Start workers on a queue of this test; all are stopped at the end."""
    started: list[Worker] = []
    queue = f"banshi-test-{uuid.uuid4().hex[:10]}"

    def start(beat: bool = False, **env: str) -> Worker:
        worker = Worker(broker[1], shared_db, queue, tmp_path, env)
        started.append(worker)
        return worker.beat() if beat else worker.start()

    start.queue = queue  # type: ignore[attr-defined]
    yield start
    for worker in started:
        worker.stop()


def producer(url: str) -> Celery:
    app = Celery("banshi-test-producer", set_as_current=False)
    app.conf.update(taskqueue.celery_config())
    app.conf.update(broker_url=url, task_always_eager=False)
    return app


def pending_sms(phone: str = "13800138000") -> Delivery:
    person = make_person("周八")
    person.phone = phone
    person.save()
    services.notify(person, "case.grant", {"title": "开办餐饮店", "case": "C-1"})
    return Delivery.objects.get(channel="sms")


@pytest.fixture
def sms_gateway():
    gateway = Receiver().start()
    yield gateway
    gateway.stop()


def test_a_job_enqueued_on_the_broker_runs_in_a_worker(broker, workers, settings, sms_gateway):
    row = pending_sms()
    workers(BANSHI_SMS_URL=sms_gateway.url)
    settings.BROKER_URL, settings.BANSHI_TASK_QUEUE = broker[1], workers.queue
    assert taskqueue.enqueue("notify.send") is True
    wait_for(lambda: Delivery.objects.get(pk=row.pk).status == DeliveryStatus.SENT, 60)
    assert len(sms_gateway.received) == 1
    assert "准予许可" in sms_gateway.received[0].body.decode("utf-8")


@pytest.mark.parametrize("stall", ["inside", "after"])
def test_a_worker_killed_mid_task_runs_it_again_and_the_effect_happens_once(
    broker, workers, tmp_path, stall
):
    """SIGKILL while the outbox dispatch is uncommitted (``inside``) or committed but not yet
    acknowledged (``after``): a restarted worker runs the task again; each outbox message ends
    up with exactly one message per recipient."""
    now = clock.now()
    for serial in range(3):
        person = make_person(f"持证人{serial}")
        OutboxMessage.objects.create(
            topic="licence.expiring",
            payload={"person": person.id_number, "valid_until": "2026-12-31"},
            created_at=now,
            next_attempt_at=now,
        )
    marker = tmp_path / "runs.txt"
    word = "done-uncommitted" if stall == "inside" else "committed"
    first = workers()
    app = producer(broker[1])
    app.send_task(
        "banshi.tests.stalling_job",
        args=("outbox.dispatch", str(marker), stall),
        queue=workers.queue,
    )
    wait_for(lambda: marker.exists() and word in marker.read_text(), 60, first.output)
    first.kill()
    expected_before = 0 if stall == "inside" else 3
    assert Notification.objects.count() == expected_before

    workers()  # a restarted worker gets the unacknowledged message again
    wait_for(lambda: marker.read_text().count(word) == 2, 60, lambda: marker.read_text())
    wait_for(lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists(), 30)
    app.close()
    assert marker.read_text().count("run") == 2
    assert Notification.objects.count() == 3
    assert sorted(Notification.objects.values_list("person__name", flat=True)) == [
        "持证人0",
        "持证人1",
        "持证人2",
    ]


def test_a_broker_that_is_down_delays_delivery_and_loses_nothing(
    broker, workers, settings, sms_gateway
):
    """The outbox keeps the message and the delivery stays due while the broker is down; once
    it is back, the same jobs dispatch and send it, once."""
    person = make_person("吴九")
    person.phone = "13900139000"
    person.save()
    now = clock.now()
    OutboxMessage.objects.create(
        topic="licence.expiring",
        payload={"person": person.id_number, "valid_until": "2026-12-31"},
        created_at=now,
        next_attempt_at=now,
    )
    settings.BROKER_URL, settings.BANSHI_TASK_QUEUE = DEAD[broker[0]], workers.queue
    assert taskqueue.enqueue("outbox.dispatch") is False  # logged, not raised
    assert taskqueue.enqueue("notify.send") is False
    assert OutboxMessage.objects.get().sent_at is None and not Notification.objects.exists()

    workers(BANSHI_SMS_URL=sms_gateway.url)  # the broker is back
    settings.BROKER_URL = broker[1]
    assert taskqueue.enqueue("outbox.dispatch") and taskqueue.enqueue("notify.send")
    sms = Delivery.objects.filter(channel="sms", status=DeliveryStatus.SENT)
    wait_for(sms.exists, 60)
    assert (
        len(sms_gateway.received) == 1 and "证照即将到期" in sms_gateway.received[0].body.decode()
    )
    assert OutboxMessage.objects.get().sent_at is not None and Notification.objects.count() == 1


def test_beat_sends_the_periodic_jobs_to_the_workers(workers, sms_gateway):
    """No explicit enqueue: beat's tick of ``notify.send`` (every second here) reaches a worker."""
    row = pending_sms()
    env = {"BANSHI_SMS_URL": sms_gateway.url, "BANSHI_NOTIFY_INTERVAL_SECONDS": "1"}
    workers(**env)
    beat = workers(beat=True, **env)
    wait_for(lambda: Delivery.objects.get(pk=row.pk).status == DeliveryStatus.SENT, 90, beat.output)
    assert len(sms_gateway.received) == 1
