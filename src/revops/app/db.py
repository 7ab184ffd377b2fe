"""The app database: connection, migrations, sessions.

SQLite in the workspace by default (``app_database.url`` in revops.yaml), PostgreSQL in
production. Migrations ship in the package (:mod:`revops.app.migrations`) and run on
:meth:`AppDatabase.migrate`, which the server and the `revops users` commands call.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from revops.errors import AppError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class AppDatabase:
    """One app database.

    Args:
        url: SQLAlchemy URL; a relative ``sqlite:///FILE`` is inside `root`.
        root: the workspace folder.
        schema: a PostgreSQL schema to keep the tables in (created when missing), for tests
            and shared databases.
    """

    def __init__(self, url: str, root: Path, *, schema: str | None = None) -> None:
        from sqlalchemy import create_engine, event

        self.url = _resolved(url, root)
        self.schema = schema
        if self.url.startswith("sqlite"):
            _private(self.url)
            self.engine: Engine = create_engine(self.url, connect_args={"check_same_thread": False})
            # Foreign keys are off in SQLite unless asked for, per connection.
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            url_text = re.sub(r"^postgresql://", "postgresql+psycopg://", self.url)
            args = {"options": f"-csearch_path={schema}"} if schema else {}
            self.engine = create_engine(url_text, connect_args=args, pool_pre_ping=True)
        from sqlalchemy.orm import sessionmaker

        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> str:
        """Bring the tables up to the newest migration; returns the revision reached.

        Raises:
            AppError: the database cannot be reached.
        """
        from alembic import command
        from alembic.config import Config
        from sqlalchemy import text
        from sqlalchemy.exc import OperationalError

        config = Config()
        config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        try:
            with self.engine.begin() as connection:
                if self.schema:
                    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
                config.attributes["connection"] = connection
                config.attributes["schema"] = self.schema
                command.upgrade(config, "head")
                return self.revision(connection)
        except OperationalError as exc:
            raise AppError(f"cannot open the app database {self.display}: {exc.orig}") from None

    def revision(self, connection: object | None = None) -> str:
        """The migration revision the database is at ('' when none ran)."""
        from alembic.runtime.migration import MigrationContext

        if connection is None:
            with self.engine.connect() as fresh:
                return self.revision(fresh)
        context = MigrationContext.configure(
            connection,  # type: ignore[arg-type]
            opts={"version_table_schema": self.schema},
        )
        return context.get_current_revision() or ""

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed at the end of the block, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @property
    def display(self) -> str:
        """The URL without its password."""
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", self.url)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()


def _resolved(url: str, root: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((root / url.removeprefix(prefix)).resolve())
    return url


def _private(url: str) -> None:
    """Create the SQLite file readable by its owner only (0600), or make an existing one
    so: it holds password hashes, token hashes and the audit log. SQLite gives its
    journal files the database file's mode."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix + ":memory:":
        return
    path = Path(url.removeprefix(prefix).split("?", 1)[0])
    if not path.parent.is_dir():
        return  # migrate() says the database cannot be opened
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
    except OSError as exc:
        log.warning("cannot make the app database %s private: %s", path, exc)


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows (ended sessions, revoked tokens) are overwritten, not left in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
