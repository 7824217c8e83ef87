"""The gunicorn worker of ``banshi serve`` (banshi.core.serving), in a real gunicorn."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from banshi.core.serving import WORKER_CLASS

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server():
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "banshi.core.tests.pid_app:app",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--worker-class",
            WORKER_CLASS,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/?0")
            probe.getresponse().read()
            probe.close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(process.stderr.read().decode(errors="replace")[-2000:])
    time.sleep(0.5)  # both workers booted
    yield port
    process.terminate()
    process.wait(timeout=30)


def test_connections_opened_together_are_spread_over_the_workers(server):
    """4 keep-alive clients starting at once on 2 workers × 2 threads: each worker serves two
    of them (gthread alone lets the first awake worker take all four)."""
    barrier = threading.Barrier(4)
    served: dict[int, set[str]] = {}

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
        barrier.wait()
        pids = set()
        for _ in range(3):
            connection.request("GET", "/?0.2")
            pids.add(connection.getresponse().read().decode())
        connection.close()
        served[index] = pids

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(len(pids) == 1 for pids in served.values())  # keep-alive: one worker each
    per_worker = Counter(next(iter(pids)) for pids in served.values())
    assert sorted(per_worker.values()) == [2, 2]


def test_a_busy_worker_still_answers_its_keep_alive_client(server):
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
    answers = []
    for _ in range(3):
        connection.request("GET", "/?0")
        answers.append(connection.getresponse().read().decode())
    connection.close()
    assert len(set(answers)) == 1 and answers[0].isdigit()


def test_banshi_serve_runs_gunicorn_with_this_worker(monkeypatch, settings):
    from django.core.management import call_command

    settings.DEBUG = False
    monkeypatch.setenv("BANSHI_INPROCESS_SCHEDULER", "false")  # the command sets it otherwise
    ran = []
    monkeypatch.setattr("os.execv", lambda path, argv: ran.append(argv))
    call_command("serve", "127.0.0.1:8123", workers=3)
    argv = ran[0]
    assert argv[argv.index("--worker-class") + 1] == WORKER_CLASS
    assert argv[argv.index("--workers") + 1] == "3" and argv[argv.index("--threads") + 1] == "2"
