"""The gunicorn worker ``banshi serve`` runs: gthread that takes a new connection only while one
of its threads is free.

Why: gunicorn's gthread workers share one listening socket and each accepts whatever arrives
while it is under ``worker_connections`` (1,000). Clients that open their keep-alive connections
together — a department's system with a connection pool, a proxy's upstream pool, the submit
benchmark — mostly end up on ONE worker: the one that happened to be awake. Measured with 4
workers × 2 threads and 8 pooled clients: all 8 connections on one worker in most runs, its 2
threads serving them in turn while three workers idled (one core's worth of Python on a 2-core
machine). A worker that stops accepting while all its threads are busy leaves a new connection
in the kernel's queue for a worker with a free thread; its keep-alive connections stay where
they are, and it accepts again as soon as a thread is free.

Depends on gthread's bookkeeping (``nr_conns``, ``keepalived_conns``, ``pending_conns``,
``set_accept_enabled``, ``enqueue_req``) of the gunicorn in the lock file; the tests start a real
gunicorn with it (``banshi/core/tests/test_serving.py``).
"""

from __future__ import annotations

from gunicorn.workers.gthread import ThreadWorker

WORKER_CLASS = "banshi.core.serving.BalancedThreadWorker"


class BalancedThreadWorker(ThreadWorker):
    """gthread, accepting only while a thread is free (see the module docstring)."""

    def busy_threads(self) -> int:
        """Connections in the thread pool now: neither idle keep-alive nor waiting for data."""
        return self.nr_conns - len(self.keepalived_conns) - len(self.pending_conns)

    def set_accept_enabled(self, enabled: bool) -> None:
        # The run loop enables accepting whenever the worker is under worker_connections; it
        # asks again at every turn (each finished request wakes it), so a veto here holds only
        # while every thread is busy.
        super().set_accept_enabled(enabled and self.busy_threads() < self.cfg.threads)

    def enqueue_req(self, conn) -> None:
        super().enqueue_req(conn)
        if self.busy_threads() >= self.cfg.threads:
            super().set_accept_enabled(False)
