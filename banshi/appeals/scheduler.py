"""The in-process 12345 / 好差评 scan of the embedded default (one daemon thread per process).

Production runs ``banshi appeals scan`` from cron. Started from ``AppealsConfig.ready()`` only when
``BANSHI_INPROCESS_SCHEDULER`` is true; the scan is idempotent and locks each row it changes, so
several processes may each run one.
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
    global _thread
    with _started:
        if _thread is not None and _thread.is_alive():
            return None
        _stop.clear()
        _thread = threading.Thread(target=_run, name="banshi-appeals-scan", daemon=True)
        _thread.start()
        return _thread


def stop() -> None:
    _stop.set()


def run_once() -> None:
    """One scan of tickets and rectifications; errors are logged, never raised."""
    from django.apps import apps

    from banshi.appeals.services import scan

    try:
        for line in scan().lines():
            log.info("appeals scan: %s", line)
        if apps.is_installed("banshi.ratings"):
            from banshi.ratings.services import scan as ratings_scan

            for line in ratings_scan().lines():
                log.info("ratings scan: %s", line)
    except Exception:
        log.exception("appeals scan failed")


def _run() -> None:
    while not _stop.is_set():
        close_old_connections()
        run_once()
        close_old_connections()
        _stop.wait(conf.scan_minutes() * 60)
