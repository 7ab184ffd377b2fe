"""The app database's migrations on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy import inspect

from revops.app import users
from revops.app.db import AppDatabase
from revops.errors import AppError

from conftest import POSTGRES_URL

TABLES = {
    "alembic_version",
    "app_user",
    "api_token",
    "audit_event",
    "app_session",
    "signin_throttle",
    "identity_decision",
    "forecast_submission",
    "saved_view",
    "job",
}


def _check(db: AppDatabase, schema: str | None) -> None:
    assert db.revision() == ""
    assert db.migrate() == "0006"
    assert db.migrate() == "0006"  # a second run changes nothing
    assert set(inspect(db.engine).get_table_names(schema=schema)) == TABLES
    users.add_user(db, "a@example.com", "admin", "longenough1")
    assert [u.email for u in users.list_users(db)] == ["a@example.com"]


def test_migrations_create_the_tables_on_sqlite(tmp_path: Path) -> None:
    db = AppDatabase("sqlite:///app.db", tmp_path)
    _check(db, None)
    assert (tmp_path / "app.db").is_file()
    db.close()


@pytest.mark.postgres
def test_migrations_create_the_tables_on_postgres() -> None:
    schema = f"app_{secrets.token_hex(4)}"
    db = AppDatabase(POSTGRES_URL, Path.cwd(), schema=schema)
    try:
        _check(db, schema)
    finally:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        db.close()


def test_an_unreachable_database_is_one_clear_error(tmp_path: Path) -> None:
    db = AppDatabase("sqlite:///missing/folder/app.db", tmp_path)
    with pytest.raises(AppError, match="cannot open the app database"):
        db.migrate()
