"""The PostgreSQL backend Banshi runs (``ENGINE = "banshi.core.postgresql"``): Django's own, with a
health check that costs no round trip (see :mod:`banshi.core.postgresql.base`)."""
