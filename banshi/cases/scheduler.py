"""The in-process deadline scanner of the embedded default (one daemon thread per process).

Production runs the same jobs on Celery beat + workers (``banshi beat``, ``banshi worker``;
docs/deployment.md) or ``banshi scan_deadlines`` from cron. The thread is
started from ``CasesConfig.ready()`` only when ``BANSHI_INPROCESS_SCHEDULER`` is true, so tests,
migrations and management commands never start it. Several processes may each run one: the scan
is idempotent and every change takes the application's row lock, so they cannot double up.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from banshi.cases import conf

log = logging.getLogger(__name__)

_started = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()
_timetable = None  # banshi.core.jobs.Timetable, made at the first round


def start() -> threading.Thread | None:
    """Start the scanner thread once per process; returns it (None if already running)."""
    global _thread
    with _started:
        if _thread is not None and _thread.is_alive():
            return None
        _stop.clear()
        _thread = threading.Thread(target=_run, name="banshi-deadline-scan", daemon=True)
        _thread.start()
        log.info("deadline scanner started: every %s minutes", conf.scan_minutes())
        return _thread


def stop() -> None:
    """Ask the scanner to stop after its current scan (tests, orderly shutdown)."""
    _stop.set()


def scan_job() -> int:
    """The deadline scan as a background job (:mod:`banshi.core.jobs`): scan, log what changed."""
    from banshi.cases.services import scan

    report = scan()
    lines = list(report.lines())
    for line in lines:
        log.info("scan_deadlines: %s", line)
    return len(lines)


def run_once() -> None:
    """One round: every registered background job whose turn has come (:mod:`banshi.core.jobs`:
    the deadline scan, pending notices, outbox dispatch, deliveries, …), the same functions the
    Celery workers run in production; a failing job is logged, never raised (it runs again at
    its next turn)."""
    from banshi.core import clock, jobs

    global _timetable
    if _timetable is None:
        _timetable = jobs.Timetable()
    _timetable.run_due(clock.now())


def _run() -> None:
    while not _stop.is_set():
        close_old_connections()  # this thread's own connection: drop it if broken or too old
        run_once()
        close_old_connections()
        _stop.wait(_timetable.tick_seconds() if _timetable else conf.scan_minutes() * 60)
