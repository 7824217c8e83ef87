"""Settings from the environment (12-factor), with no Django import so tools can reuse it."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean variable; unset means ``default``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in TRUE_WORDS


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return int(raw)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def data_dir() -> Path:
    """Where files live (SQLite database, uploads, keys): ``BANSHI_DATA_DIR``, default ``./var``."""
    return Path(os.environ.get("BANSHI_DATA_DIR") or "var").resolve()


def _option(text: str) -> bool | int | str:
    """A ``DATABASE_URL`` option as the driver expects it: ``true``/``false`` as booleans and
    whole numbers as integers (``?server_side_binding=true&prepare_threshold=5`` for
    PostgreSQL's prepared statements), anything else as written."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    return int(text) if text.strip().isdigit() else text


# PostgreSQL statements are bound and prepared by the server (psycopg prepares a statement the
# fifth time a connection runs it): the submission's database CPU falls by a third. A URL turns
# it off with ``?server_side_binding=false&prepare_threshold=none`` (PgBouncer in transaction
# mode before 1.21, or without ``max_prepared_statements``).
POSTGRES_OPTIONS: dict[str, bool | int | None] = {
    "server_side_binding": True,
    "prepare_threshold": 5,
}


def parse_database_url(url: str) -> dict:
    """Turn ``DATABASE_URL`` into a Django ``DATABASES['default']`` dict.

    Supported: ``sqlite:///relative.db``, ``sqlite:////abs/path.db``, ``postgres://user:pw@host:port/name``
    (also ``postgresql://``), with ``?options`` passed through as connection options.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    options = {key: _option(values[-1]) for key, values in parse_qs(parsed.query).items()}
    if scheme == "sqlite":
        # sqlite:///relative/path.db or sqlite:////absolute/path.db or sqlite:///:memory:
        path = (
            unquote(url.split("?", 1)[0][len("sqlite:///") :])
            if url.startswith("sqlite:///")
            else ""
        )
        return sqlite_database(Path(path or ":memory:"))
    if scheme in ("postgres", "postgresql", "pgsql"):
        options = {**POSTGRES_OPTIONS, **options}
        if options.get("prepare_threshold") == "none":  # ?prepare_threshold=none: never prepare
            options["prepare_threshold"] = None
        return {
            "ENGINE": "banshi.core.postgresql",  # Django's, cheaper health check
            "NAME": unquote(parsed.path.lstrip("/")) or "banshi",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("BANSHI_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ValueError(
        f"DATABASE_URL 的协议 {scheme!r} 不受支持 / unsupported DATABASE_URL scheme {scheme!r}: "
        "use sqlite:///path or postgres://user@host:port/name"
    )


def sqlite_database(path: Path) -> dict:
    """SQLite in WAL mode with IMMEDIATE transactions, so concurrent writers queue instead of failing."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=10000;PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
    }
