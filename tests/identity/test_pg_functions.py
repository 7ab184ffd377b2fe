"""fuzzystrmatch for identity runs on PostgreSQL: it lives where no run drops it.

Each test works in a database of its own (created and dropped here): the extension exists
once per database, and the suite's other identity runs use the shared one meanwhile.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from revops.identity.pgapi import install_functions

from conftest import POSTGRES_URL

pytestmark = pytest.mark.postgres


@pytest.fixture
def database() -> Iterator[Any]:
    """A connection (SQLAlchemy, in a transaction) to a new, empty database."""
    import sqlalchemy

    name = f"revops_fuzzy_{secrets.token_hex(4)}"
    server = sqlalchemy.make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    admin = sqlalchemy.create_engine(
        server, isolation_level="AUTOCOMMIT", poolclass=sqlalchemy.NullPool
    )
    with admin.connect() as con:
        con.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine = sqlalchemy.create_engine(server.set(database=name), poolclass=sqlalchemy.NullPool)
    try:
        with engine.connect() as con:
            yield con
    finally:
        engine.dispose()
        with admin.connect() as con:
            con.execute(sqlalchemy.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _extension_schema(con: Any) -> str | None:
    from sqlalchemy import text

    return con.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
            "ON n.oid = e.extnamespace WHERE e.extname = 'fuzzystrmatch'"
        )
    ).scalar()


def _work_schema(con: Any, name: str) -> str:
    from sqlalchemy import text

    con.execute(text(f'CREATE SCHEMA "{name}"'))
    return name


def test_a_database_without_the_extension_gets_it_in_public(database: Any) -> None:
    from sqlalchemy import text

    work = _work_schema(database, "t1_identity_work_aaaa")
    assert _extension_schema(database) is None
    assert install_functions(database, work) == "public"
    assert _extension_schema(database) == "public"
    # The run drops its work schema: the extension stays for the next run.
    database.execute(text(f'DROP SCHEMA "{work}" CASCADE'))
    assert database.execute(text("SELECT public.levenshtein('kitten', 'sitting')")).scalar() == 3


def test_an_extension_left_in_another_runs_work_schema_moves_to_public(database: Any) -> None:
    from sqlalchemy import text

    other = _work_schema(database, "t1_identity_work_bbbb")
    database.execute(text(f'CREATE EXTENSION fuzzystrmatch SCHEMA "{other}"'))
    mine = _work_schema(database, "t2_identity_work_cccc")
    assert install_functions(database, mine) == "public"
    # The other run ends and drops its schema: this run's comparisons still resolve.
    database.execute(text(f'DROP SCHEMA "{other}" CASCADE'))
    assert _extension_schema(database) == "public"
    assert database.execute(text("SELECT public.levenshtein('flaw', 'lawn')")).scalar() == 2


def test_an_extension_in_a_schema_of_its_own_stays_there(database: Any) -> None:
    from sqlalchemy import text

    database.execute(text("CREATE SCHEMA extensions"))
    database.execute(text("CREATE EXTENSION fuzzystrmatch SCHEMA extensions"))
    mine = _work_schema(database, "t3_identity_work_dddd")
    assert install_functions(database, mine) == "extensions"
    assert _extension_schema(database) == "extensions"
