"""Django's PostgreSQL backend with a health check that asks the server only when it must.

With ``CONN_HEALTH_CHECKS`` (``banshi.env`` sets it: connections live ``BANSHI_CONN_MAX_AGE``
seconds across requests) Django checks a kept connection before the first query of every
request, by sending ``SELECT 1``: one round trip per request. Measured with ``banshi bench
submit``, a round trip costs a filing about 2 % of its CPU (server and database), as the
processes hand the two cores back and forth.

Here an idle connection (no transaction open) is checked on its socket first: a server that
went away — restarted, ``pg_terminate_backend``, a proxy's idle timeout — has sent its goodbye
or closed the connection, so the socket is readable. Nothing to read: the connection is as it
was left, and no statement is sent. Something to read (that, or a notice or notification), a
transaction left open, or a socket that cannot be polled: Django's ``SELECT 1`` decides, as
before. A connection cut without a word (a cable pulled) is found by neither until the first
query fails; Django then closes it and the next request connects again, as it always did.
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's PostgreSQL connection with :meth:`is_usable` checked on the socket first."""

    def is_usable(self) -> bool:
        conn = self.connection
        if conn is None or conn.closed:
            return False
        pgconn = conn.pgconn
        if pgconn.status != pq.ConnStatus.OK:
            return False
        if pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError, psycopg.Error):
            return super().is_usable()
        if readable:  # the server said something while nothing was asked: ask it
            return super().is_usable()
        return True
