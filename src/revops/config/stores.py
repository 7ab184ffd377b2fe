"""Where revops keeps its data and how much one request may cost: the warehouse, the app
database, the query budget, the SMTP server."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from revops.config.base import WAREHOUSE_SCHEMES, Frozen


class WarehouseConfig(Frozen):
    url: str = Field(
        default="duckdb:///warehouse.duckdb",
        description=(
            "Where the canonical model lives. duckdb:///FILE (relative paths are inside the "
            "workspace), postgresql://USER@HOST:PORT/DB, or spark://local for a local-mode "
            "Spark session with a Hive metastore in the workspace."
        ),
    )
    schema_prefix: str = Field(
        default="",
        description=(
            "Prefix for the warehouse schemas (core, history, raw, ...), to share one "
            "database with other tools: 'revops_' gives revops_core, revops_history."
        ),
        pattern=r"^[a-z0-9_]*$",
    )

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        scheme = url.split("://", 1)[0] if "://" in url else ""
        if scheme not in WAREHOUSE_SCHEMES:
            raise ValueError(
                f"unsupported warehouse URL {url!r}; use one of "
                + ", ".join(f"{s}://" for s in WAREHOUSE_SCHEMES)
            )
        return url


class AppDatabaseConfig(Frozen):
    url: str = Field(
        default="sqlite:///app.db",
        description=(
            "SQLAlchemy URL of the app database (users, sessions, audit log). "
            "sqlite:///FILE (relative to the workspace) or postgresql+psycopg://..."
        ),
    )

    @field_validator("url")
    @classmethod
    def _sqlalchemy_url(cls, url: str) -> str:
        if not re.match(r"^(sqlite|postgresql(\+\w+)?)://", url):
            raise ValueError(
                f"unsupported app database URL {url!r}; use sqlite:// or postgresql://"
            )
        return url


class QueryBudget(Frozen):
    """What one request of the cockpit or API may cost, so one user cannot hold the
    warehouse for everyone else."""

    statement_timeout_seconds: float | None = Field(
        default=30.0,
        gt=0,
        description="Longest a request's queries may run, in seconds (DuckDB: interrupted on "
        "a timer; PostgreSQL: statement_timeout); null for no limit. The request then "
        "answers 504 naming this limit.",
    )
    report_timeout_seconds: float | None = Field(
        default=300.0,
        gt=0,
        description="Longest the meeting pack's queries may run, in seconds: a report of "
        "every team's numbers, computed once per period and day and then kept; null for no "
        "limit.",
    )
    max_window_days: int = Field(
        default=3660,
        ge=1,
        description="Longest window a request may ask for, in days (about ten years).",
    )
    max_cells: int = Field(
        default=2000,
        ge=1,
        description="Most values one request may compute: periods × slices × metrics.",
    )


class SmtpSettings(Frozen):
    """The SMTP server automations and deliveries send e-mail through."""

    host: str = Field(default="localhost", min_length=1, description="SMTP server host.")
    port: int = Field(default=25, ge=1, le=65535, description="SMTP server port.")
    user: str | None = Field(default=None, description="Login user; none: no login.")
    password_env: str | None = Field(
        default=None,
        description="Name of the environment variable holding the password (never the "
        "password itself: it is read when a message is sent and never logged).",
    )
    starttls: bool = Field(default=False, description="Upgrade the connection with STARTTLS.")
    sender: str = Field(
        default="revops@localhost", min_length=3, description="The From address of messages."
    )
    timeout_seconds: float = Field(default=10, gt=0, description="Connection timeout.")
