"""The `territories` namespace: territory model versions and their assignments.

- `territories.model`: one row per version: state (planning, active, archived), the day it
  takes effect, when it was applied (and reverted), its size and balance;
- `territories.assignment`: one row per account per version (appended, never rewritten):
  the rep, the owner before, the account's potential and workload then.

The territory valid at a day is the version with the latest effective date on or before
it that was not reverted. Reverting marks the latest version reverted and gives the one
before it back its state: its rows were never touched, so it is restored exactly. Nothing
here writes the CRM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from revops.errors import TerritoryError

if TYPE_CHECKING:
    import ibis.expr.schema as sch

    from revops.warehouse import Warehouse

NAMESPACE = "territories"
MODEL = "model"
ASSIGNMENT = "assignment"
State = Literal["planning", "active", "archived"]


@dataclass(frozen=True)
class Version:
    """One territory model version."""

    version: int
    state: State
    effective_date: date
    applied_at: datetime
    as_of_date: date
    accounts: int
    reps: int
    moved: int
    cv_potential: float | None
    cv_workload: float | None
    reverted_at: datetime | None
    note: str | None
    comparison: str | None = None
    """JSON: the plan's comparison rows (current, greedy, optimiser) and solver summary."""


def _schemas() -> dict[str, sch.Schema]:
    import ibis

    return {
        MODEL: ibis.schema({
            "version": "int64", "state": "string", "effective_date": "date",
            "applied_at": "timestamp('UTC')", "as_of_date": "date", "accounts": "int64",
            "reps": "int64", "moved": "int64", "cv_potential": "float64",
            "cv_workload": "float64", "reverted_at": "timestamp('UTC')", "note": "string",
            "comparison": "string",
        }),
        ASSIGNMENT: ibis.schema({
            "version": "int64", "account_id": "string", "account_name": "string",
            "owner_id": "string", "previous_owner_id": "string", "potential": "float64",
            "workload": "float64",
        }),
    }  # fmt: skip


def ensure_tables(warehouse: Warehouse) -> None:
    """Create the territory namespace and tables that are missing."""
    warehouse.ensure_tables(NAMESPACE, _schemas())


def read_versions(warehouse: Warehouse) -> list[Version]:
    """Every version, oldest first (one row per version: a short table)."""
    if not warehouse.has_table(MODEL, NAMESPACE):
        return []
    rows = warehouse.table(MODEL, NAMESPACE).order_by("version").to_pyarrow().to_pylist()
    return [Version(**r) for r in rows]


def valid_at(versions: list[Version], day: date) -> Version | None:
    """The version in effect on `day`: the latest effective on or before it, not reverted."""
    live = [v for v in versions if v.reverted_at is None and v.effective_date <= day]
    return max(live, key=lambda v: (v.effective_date, v.version), default=None)


def rep_totals(warehouse: Warehouse, version: int) -> list[dict[str, Any]]:
    """Per rep of one version: potential, workload and accounts (summed in the warehouse)."""
    table = warehouse.table(ASSIGNMENT, NAMESPACE)
    mine = table.filter(table.version == version)
    totals = mine.group_by("owner_id").aggregate(
        potential=mine.potential.sum(), workload=mine.workload.sum(), accounts=mine.count()
    )
    return list(totals.order_by("owner_id").to_pyarrow().to_pylist())


def read_assignment(warehouse: Warehouse, version: int) -> dict[str, str]:
    """account_id → rep of one version."""
    table = warehouse.table(ASSIGNMENT, NAMESPACE)
    rows = table.filter(table.version == version).select("account_id", "owner_id")
    frame = rows.to_pyarrow()
    return dict(zip(frame["account_id"].to_pylist(), frame["owner_id"].to_pylist(), strict=True))


def save_version(
    warehouse: Warehouse, version: Version, rows: list[dict[str, Any]]
) -> list[Version]:
    """Store a new version and its assignment rows; an active one archives the version
    that was active. Returns every version after the change."""
    import pyarrow as pa

    from revops.warehouse import LoadSpec

    ensure_tables(warehouse)
    versions = read_versions(warehouse)
    if version.state == "active":
        versions = [_with(v, state="archived") if v.state == "active" else v for v in versions]
    versions.append(version)
    schemas = _schemas()
    assignment = pa.Table.from_pylist(
        [{"version": version.version, **r} for r in rows], schemas[ASSIGNMENT].to_pyarrow()
    )
    warehouse.load_many([
        LoadSpec(MODEL, _model_table(versions), NAMESPACE, mode="replace"),
        LoadSpec(ASSIGNMENT, assignment, NAMESPACE, mode="append"),
    ])  # fmt: skip
    return versions


def revert_latest(warehouse: Warehouse, today: date) -> tuple[Version, Version | None]:
    """Mark the latest version that was not reverted as reverted, and give the one before
    it its state back (active when it takes effect by `today`).

    Raises:
        TerritoryError: no version to revert.
    """
    versions = read_versions(warehouse)
    live = [v for v in versions if v.reverted_at is None]
    if not live:
        raise TerritoryError("no territory version to revert (`revops plan territories "
                             "--apply` makes one)")  # fmt: skip
    latest = live[-1]
    before = live[-2] if len(live) > 1 else None
    now = datetime.now(UTC)
    changed = []
    for v in versions:
        if v.version == latest.version:
            v = _with(v, state="archived", reverted_at=now)
        elif before is not None and v.version == before.version:
            v = _with(v, state="active" if v.effective_date <= today else "planning")
        changed.append(v)
    from revops.warehouse import LoadSpec

    warehouse.load_many([LoadSpec(MODEL, _model_table(changed), NAMESPACE, mode="replace")])
    restored = next((v for v in changed if before and v.version == before.version), None)
    return next(v for v in changed if v.version == latest.version), restored


def _with(version: Version, **changes: Any) -> Version:
    from dataclasses import replace

    return replace(version, **changes)


def _model_table(versions: list[Version]) -> Any:
    from dataclasses import asdict

    import pyarrow as pa

    return pa.Table.from_pylist([asdict(v) for v in versions], _schemas()[MODEL].to_pyarrow())
