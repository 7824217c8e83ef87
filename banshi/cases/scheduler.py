"""The in-process deadline scanner of the embedded default (one daemon thread per process).

Production runs ``banshi scan_deadlines`` from cron or a scheduled task instead. The thread is
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


def run_once() -> None:
    """One scan, logged; errors are logged, never raised (the next run tries again)."""
    from banshi.cases.notices import retry_pending
    from banshi.cases.services import scan

    try:
        report = scan()
        for line in report.lines():
            log.info("scan_deadlines: %s", line)
    except Exception:
        log.exception("scan_deadlines failed")
    try:
        retry_pending()
    except Exception:
        log.exception("issuing pending notices failed")
    try:  # 电子证照: expiry and renewal reminders (idempotent, like the scan)
        from banshi.licences.services import expire_due, renewal_reminders

        log.info("licences: %s expired, %s reminded", expire_due(), renewal_reminders())
    except Exception:
        log.exception("licence expiry scan failed")
    try:
        from banshi.cases import commitments

        for line in commitments.scan().lines():
            log.info("scan_commitments: %s", line)
        commitments.retry_documents()
    except Exception:
        log.exception("commitment and 容缺 scan failed")


def _run() -> None:
    while not _stop.is_set():
        close_old_connections()  # this thread's own connection: drop it if broken or too old
        run_once()
        close_old_connections()
        _stop.wait(conf.scan_minutes() * 60)
