"""The `quotas` namespace: quota plan versions and their quota records.

- `quotas.version`: one row per version: the fiscal year, target, when it was applied (and
  reverted), its state and the YAML file that records it in the workspace;
- `quotas.quota`: one row per rep and fiscal quarter per version (appended, never
  rewritten): the effective-dated quota record attainment reads
  (:func:`revops.metrics.quotas_known`), with the top-down and bottom-up figures.

A version counts from its `applied_at`; reverting stamps `reverted_at`, so attainment as
of a day before the revert still sees it, and the version before it is back in effect,
its rows untouched.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from revops.errors import PlanError
from revops.metrics.quotas import NAMESPACE, ROWS, VERSIONS

if TYPE_CHECKING:
    import ibis.expr.schema as sch

    from revops.warehouse import Warehouse

State = Literal["active", "archived"]


@dataclass(frozen=True)
class QuotaVersion:
    """One applied quota plan."""

    version: int
    fiscal_year: int
    state: State
    target: Decimal
    currency: str
    applied_at: datetime
    as_of_date: date
    reps: int
    file: str
    reverted_at: datetime | None
    note: str | None


def _schemas() -> dict[str, sch.Schema]:
    import ibis

    return {
        VERSIONS: ibis.schema({
            "version": "int64", "fiscal_year": "int64", "state": "string",
            "target": "decimal(18, 2)", "currency": "string", "applied_at": "timestamp('UTC')",
            "as_of_date": "date", "reps": "int64", "file": "string",
            "reverted_at": "timestamp('UTC')", "note": "string",
        }),
        ROWS: ibis.schema({
            "version": "int64", "fiscal_year": "int64", "quota_id": "string",
            "user_id": "string", "team_id": "string", "period_start_date": "date",
            "period_end_date": "date", "opportunity_type": "string", "amount": "decimal(18, 2)",
            "currency": "string", "top_down": "decimal(18, 2)", "bottom_up": "decimal(18, 2)",
            "ramp": "float64",
        }),
    }  # fmt: skip


def ensure_tables(warehouse: Warehouse) -> None:
    """Create the quotas namespace and tables that are missing."""
    warehouse.ensure_tables(NAMESPACE, _schemas())


def read_versions(warehouse: Warehouse) -> list[QuotaVersion]:
    """Every version, oldest first (a short table)."""
    if not warehouse.has_table(VERSIONS, NAMESPACE):
        return []
    rows = warehouse.table(VERSIONS, NAMESPACE).order_by("version").to_pyarrow().to_pylist()
    return [QuotaVersion(**r) for r in rows]


def in_effect(versions: list[QuotaVersion], fiscal_year: int) -> QuotaVersion | None:
    """The version of `fiscal_year` in effect now: the latest not reverted."""
    live = [v for v in versions if v.fiscal_year == fiscal_year and v.reverted_at is None]
    return live[-1] if live else None


def read_rows(warehouse: Warehouse, version: int) -> list[dict[str, Any]]:
    """The quota records of one version (reps x quarters: a few hundred rows)."""
    table = warehouse.table(ROWS, NAMESPACE)
    found = table.filter(table.version == version).order_by(["user_id", "period_start_date"])
    return list(found.to_pyarrow().to_pylist())


def save_version(
    warehouse: Warehouse, version: QuotaVersion, rows: list[dict[str, Any]]
) -> list[QuotaVersion]:
    """Store a new version and its rows; the version of the same year it replaces is
    archived. Returns every version after the change."""
    import pyarrow as pa

    from revops.warehouse import LoadSpec

    ensure_tables(warehouse)
    versions = [
        replace(v, state="archived") if v.fiscal_year == version.fiscal_year else v
        for v in read_versions(warehouse)
    ]
    versions.append(version)
    records = pa.Table.from_pylist(
        [{"version": version.version, "fiscal_year": version.fiscal_year, **r} for r in rows],
        _schemas()[ROWS].to_pyarrow(),
    )
    warehouse.load_many([
        LoadSpec(VERSIONS, _version_table(versions), NAMESPACE, mode="replace"),
        LoadSpec(ROWS, records, NAMESPACE, mode="append"),
    ])  # fmt: skip
    return versions


def revert_latest(
    warehouse: Warehouse, fiscal_year: int, now: datetime
) -> tuple[QuotaVersion, QuotaVersion | None]:
    """Mark the year's latest live version reverted at `now`; the one before it is
    active again.

    Raises:
        PlanError: the year has no version to revert.
    """
    versions = read_versions(warehouse)
    live = [v for v in versions if v.fiscal_year == fiscal_year and v.reverted_at is None]
    if not live:
        raise PlanError(f"no quota version of FY{fiscal_year} to revert "
                        "(`revops plan quotas --apply` makes one)")  # fmt: skip
    latest, before = live[-1], (live[-2] if len(live) > 1 else None)
    changed = []
    for v in versions:
        if v.version == latest.version:
            v = replace(v, state="archived", reverted_at=now)
        elif before is not None and v.version == before.version:
            v = replace(v, state="active")
        changed.append(v)
    from revops.warehouse import LoadSpec

    warehouse.load_many([LoadSpec(VERSIONS, _version_table(changed), NAMESPACE, mode="replace")])
    by_number = {v.version: v for v in changed}
    return by_number[latest.version], by_number[before.version] if before else None


def _version_table(versions: list[QuotaVersion]) -> Any:
    import pyarrow as pa

    return pa.Table.from_pylist([asdict(v) for v in versions], _schemas()[VERSIONS].to_pyarrow())
