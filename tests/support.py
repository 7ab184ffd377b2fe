"""Helpers for tests: small entities, batches, and a backend-neutral view of rows."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from revops.model.base import DATE, FLOAT, MONEY, TEXT, TIMESTAMP, Column, Entity

DEAL = Entity(
    "deal",
    "test",
    "A deal, for warehouse tests.",
    (
        Column("stage", TEXT, "Stage."),
        Column("amount", MONEY, "Amount."),
        Column("currency", TEXT, "Currency."),
        Column("close_date", DATE, "Close date."),
        Column("probability", FLOAT, "Probability."),
    ),
)

DEAL_HISTORY = Entity(
    "deal_history",
    "test",
    "One row per change of a deal.",
    (
        Column("deal_id", TEXT, "The deal.", required=True),
        Column("valid_from", TIMESTAMP, "When this version became valid.", required=True),
        Column("stage", TEXT, "Stage."),
        Column("amount", MONEY, "Amount."),
    ),
    namespace="history",
    history_key="deal_id",
)


def at(text: str) -> datetime:
    """A UTC timestamp from an ISO string."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def deals(*rows: tuple[str, str, str, str]) -> pa.Table:
    """A deal batch from (source_id, stage, amount, close_date) tuples."""
    return pa.table(
        {
            "deal_id": [f"d-{r[0]}" for r in rows],
            "source_system": ["crm"] * len(rows),
            "source_id": [r[0] for r in rows],
            "stage": [r[1] for r in rows],
            "amount": pa.array([Decimal(r[2]) for r in rows], pa.decimal128(18, 2)),
            "currency": ["USD"] * len(rows),
            "close_date": [date.fromisoformat(r[3]) for r in rows],
            "updated_at": [at("2024-01-01T00:00:00")] * len(rows),
        }
    )


def history(*rows: tuple[str, str, str, str]) -> pa.Table:
    """A deal-history batch from (source_id, deal_id, valid_from, stage) tuples."""
    return pa.table(
        {
            "deal_history_id": [f"h-{r[0]}" for r in rows],
            "source_system": ["crm"] * len(rows),
            "source_id": [r[0] for r in rows],
            "deal_id": [r[1] for r in rows],
            "valid_from": [at(r[2]) for r in rows],
            "stage": [r[3] for r in rows],
        }
    )


def canonical(value: Any) -> Any:
    """One value as every backend should agree on it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if isinstance(value, Decimal | date):
        return str(value)
    return value


def rows(expr: Any, *, drop: tuple[str, ...] = ("load_id",)) -> list[tuple[Any, ...]]:
    """The rows of an ibis table expression, sorted, in a backend-neutral form."""
    table = expr.drop(*[c for c in drop if c in expr.columns]).to_pyarrow()
    return sorted(
        (tuple(canonical(v) for v in row.values()) for row in table.to_pylist()),
        key=lambda r: tuple("" if v is None else str(v) for v in r),
    )


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `revops ARGS...` in-process: exit code, stdout, stderr."""
    from revops.cli.app import main

    with pytest.raises(SystemExit) as caught:
        main(list(args))
    out, err = capsys.readouterr()
    return int(caught.value.code or 0), out, err


def salesforce_sample() -> Path:
    """The real Salesforce export sample in the team's shared folder (`../shared` of the
    project root, wherever the clone is), or `$REVOPS_SHARED` when set."""
    import os

    relative = Path("data/external/salesforce_lwc_recipes")
    if "REVOPS_SHARED" in os.environ:
        return Path(os.environ["REVOPS_SHARED"]) / relative
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "shared" / relative).is_dir():
            return parent / "shared" / relative
    return Path("/work/shared") / relative


class SimulatedCrashError(Exception):
    """Raised by :func:`crash_at` to stop a load at one of its steps."""


def crash_at(step: str) -> Callable[[str], None]:
    """A load progress callback that fails when the load reaches `step`."""

    def progress(done: str) -> None:
        if done == step:
            raise SimulatedCrashError(step)

    return progress


def empty_tables(warehouse: Any, entities: Iterable[str]) -> None:
    """Empty the model tables of `entities`, so a shared warehouse's next test starts
    from nothing."""
    from revops.model import ENTITIES

    for entity in sorted(set(entities)):
        spec = ENTITIES[entity]
        empty = spec.schema().to_pyarrow().empty_table()
        warehouse.load(entity, empty, namespace=spec.namespace, mode="replace")


def typed_value(column_type: str, value: Any) -> Any:
    """A test row's value as a canonical column of `column_type` holds it: ISO strings
    become dates and UTC times, numbers of a decimal column Decimals."""
    if value is None or not isinstance(value, str | int | float):
        return value
    if column_type == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if column_type.startswith("timestamp") and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if column_type.startswith("decimal") and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def typed_rows(
    entity: str, rows: Iterable[dict[str, Any]], counter: int, **defaults: Any
) -> list[dict[str, Any]]:
    """`rows` of `entity` ready to load: numbered ids after `counter` where a row has none,
    `source_system` test, `defaults`, `source_id` from the id, values typed by column."""
    from revops.model import ENTITIES

    spec = ENTITIES[entity]
    batch = []
    for number, row in enumerate(rows, start=counter + 1):
        full = {spec.id_column: f"{entity}-{number}", "source_system": "test", **defaults, **row}
        full.setdefault("source_id", str(full[spec.id_column]))
        batch.append({k: typed_value(spec.column(k).type, v) for k, v in full.items()})
    return batch


@dataclass
class Company:
    """A workspace and a way to add canonical rows to it (ids, lineage and created_at
    default; ISO strings become dates and times)."""

    ws: Any
    counter: int = 0

    def add(self, entity: str, *rows: dict[str, Any]) -> None:
        """Load `rows` into `entity`; ids and lineage default, strings become dates."""
        from revops.model import ENTITIES

        batch = typed_rows(entity, rows, self.counter, created_at="2026-01-01")
        self.counter += len(rows)
        spec = ENTITIES[entity]
        self.ws.warehouse.load(entity, batch, namespace=spec.namespace, mode="append")


@contextmanager
def company_on(
    root: Path,
    backend: str,
    postgres_url: str,
    configure: Callable[[Path], None] | None = None,
    **create: Any,
) -> Iterator[Company]:
    """An empty workspace at `root` with the canonical tables, on `backend` (duckdb, or
    postgres under a schema prefix of its own, dropped after); `configure` edits its
    config before it opens."""
    import secrets

    from revops import Workspace

    Workspace.create(root, **create)
    if configure:
        configure(root)
    if backend == "postgres":
        config = root / "revops.yaml"
        text = config.read_text().replace("url: duckdb:///warehouse.duckdb", f"url: {postgres_url}")
        config.write_text(
            text.replace('schema_prefix: ""', f"schema_prefix: l{secrets.token_hex(4)}_")
        )
    ws = Workspace.open(root)
    ws.init_warehouse()
    try:
        yield Company(ws)
    finally:
        if backend == "postgres":
            ws.warehouse.drop()
        ws.close()


def hold_job_lock(root: str, name: str, ready: Any, release: Any) -> None:
    """Hold the scheduler's lock of job `name` in the workspace at `root` until `release`
    is set, having set `ready`: another scheduler, run in a spawned process (which imports
    this module by name, as it cannot a test module)."""
    from revops.automate.scheduler import job_lock

    with job_lock(Path(root), name) as held:
        assert held
        ready.set()
        release.wait(30)


CSRF_PAGE = "/admin"
"""A page every role may open (their own tokens) and that computes little: its form fields carry the
session's CSRF token (the home, by contrast, computes a role's KPIs cold)."""


def csrf(client: Any, page: str = CSRF_PAGE) -> str:
    """The CSRF token of the session `client` is signed in with, read off `page`."""
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found is not None, page
    return found.group(1)
