"""Settings from the environment: DATABASE_URL parsing and typed variables."""

from __future__ import annotations

import pytest

from banshi.env import env_bool, env_int, env_list, parse_database_url


def test_postgres_url_becomes_a_postgresql_database():
    db = parse_database_url("postgres://banshi:s%40cret@db.internal:5433/zwfw?sslmode=require")
    assert db["ENGINE"] == "banshi.core.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "zwfw",
        "banshi",
        "s@cret",
        "db.internal",
        "5433",
    )
    assert db["OPTIONS"]["sslmode"] == "require"


def test_postgresql_statements_are_prepared_by_default():
    db = parse_database_url("postgres://u@h/n")
    assert db["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}


def test_a_url_can_turn_prepared_statements_off():
    db = parse_database_url("postgres://u@h/n?server_side_binding=false&prepare_threshold=none")
    assert db["OPTIONS"] == {"server_side_binding": False, "prepare_threshold": None}


def test_url_options_are_typed_for_the_driver():
    db = parse_database_url(
        "postgres://u@h/n?server_side_binding=true&prepare_threshold=7&sslmode=disable"
    )
    assert db["OPTIONS"] == {
        "server_side_binding": True,  # Django checks `is True`: the text "true" would do nothing
        "prepare_threshold": 7,
        "sslmode": "disable",
    }


def test_relative_and_absolute_sqlite_paths():
    assert parse_database_url("sqlite:///var/x.sqlite3")["NAME"] == "var/x.sqlite3"
    assert parse_database_url("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"


def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    db = parse_database_url("sqlite:///var/x.sqlite3")
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_an_unknown_scheme_is_refused_in_chinese_and_english():
    with pytest.raises(ValueError, match=r"不受支持.*unsupported"):
        parse_database_url("oracle://x")


def test_typed_variables(monkeypatch):
    monkeypatch.setenv("B", "yes")
    monkeypatch.setenv("I", "7")
    monkeypatch.setenv("L", "a, b,,c")
    monkeypatch.setenv("EMPTY", "")
    assert env_bool("B", False) is True
    assert env_bool("EMPTY", True) is True
    assert env_int("I", 1) == 7
    assert env_list("L", []) == ["a", "b", "c"]
