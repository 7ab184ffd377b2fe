"""Scores: rules passed per record, entity, owner and team; runs stored for the trend
(each ingest run ends with one, tied to its loads).

Aggregation happens in the warehouse: :func:`owner_summary` is one `GROUP BY owner_id`
per entity, with a sum per rule, and only that small table (owners × rules) comes back.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from revops.quality.compile import Evaluated, as_count

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.warehouse import Warehouse

RUN_SOURCE = "revops"
"""`source_system` of the rows a quality run writes."""


@dataclass(frozen=True)
class OwnerScore:
    """The records of one entity and owner, and how they fared."""

    entity: str
    owner_id: str | None
    records: int
    passing: int
    checks: int
    checks_passed: int
    failures: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Rule name → (records it applies to, records failing it)."""

    @property
    def score(self) -> float | None:
        """Share of records passing every rule (None without records)."""
        return self.passing / self.records if self.records else None


@dataclass(frozen=True)
class Loads:
    """The ingest run a quality run scores: its id, the loads it made, what they read."""

    ingest_run_id: str
    load_ids: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class RunResult:
    """One evaluation of every rule: when, as of which day, and the scores it found."""

    run_id: str
    run_at: datetime
    as_of: date
    scores: list[OwnerScore]
    seconds: float = 0.0
    stored: bool = False
    loads: Loads | None = None
    """The ingest run this run ended; None for a run of its own (`revops quality run`)."""

    def by_entity(self) -> dict[str, tuple[int, int]]:
        """Entity → (records, passing)."""
        totals: dict[str, tuple[int, int]] = {}
        for row in self.scores:
            records, passing = totals.get(row.entity, (0, 0))
            totals[row.entity] = (records + row.records, passing + row.passing)
        return totals

    def totals(self) -> tuple[int, int]:
        """(records, passing) over every entity."""
        return sum(s.records for s in self.scores), sum(s.passing for s in self.scores)


def owner_summary(evaluated: Evaluated) -> ir.Table:
    """Per owner: records, passing, checks, checks passed, and per rule applies/fails."""
    table = evaluated.table
    sums: dict[str, Any] = {
        "records": table.count(),
        "passing": as_count(table.passes_all).sum(),
        "checks": table.checks.sum(),
        "failed_checks": table.failures.sum(),
    }
    for index in range(len(evaluated.rules)):
        sums[f"applies_{index}"] = as_count(table[f"applies_{index}"]).sum()
        sums[f"fails_{index}"] = as_count(table[f"fails_{index}"]).sum()
    return table.group_by("owner_id").aggregate(**sums)


def owner_scores(evaluated: Evaluated) -> list[OwnerScore]:
    """:func:`owner_summary` computed: one small row per owner."""
    rows = owner_summary(evaluated).to_pyarrow().to_pylist()
    scores = []
    for row in rows:
        checks = _int(row["checks"])
        scores.append(
            OwnerScore(
                entity=evaluated.entity,
                owner_id=row["owner_id"],
                records=_int(row["records"]),
                passing=_int(row["passing"]),
                checks=checks,
                checks_passed=checks - _int(row["failed_checks"]),
                failures={
                    rule.name: (_int(row[f"applies_{i}"]), _int(row[f"fails_{i}"]))
                    for i, rule in enumerate(evaluated.rules)
                },
            )
        )
    return sorted(scores, key=lambda s: (s.entity, s.owner_id or ""))


def _int(value: Any) -> int:
    # Postgres sums integers as numeric, and a sum over no rows is null.
    return int(value) if value is not None else 0


def new_run_id(run_at: datetime) -> str:
    """A run id that sorts by time, to the microsecond: `20261122T101500.123456-3fa2c1`."""
    return f"{run_at:%Y%m%dT%H%M%S.%f}-{secrets.token_hex(3)}"


def store(warehouse: Warehouse, run: RunResult, rules: dict[str, tuple[str, str, str]]) -> None:
    """Write a run's scores and per-rule failures, in one load (readers see all or none).

    Args:
        warehouse: the warehouse.
        run: the run.
        rules: rule name → (kind, severity, team), stored with each rule's counts.
    """
    from revops.warehouse import LoadSpec

    common = {"quality_run_id": run.run_id, "run_at": run.run_at, "as_of_date": run.as_of}
    scores, failures = [], []
    for row in run.scores:
        owner = row.owner_id or ""
        score_id = f"{run.run_id}:{row.entity}:{owner}"
        scores.append(
            {
                "quality_score_id": score_id,
                "source_system": RUN_SOURCE,
                "source_id": score_id,
                **common,
                "entity_name": row.entity,
                "owner_id": row.owner_id,
                "records": row.records,
                "passing": row.passing,
                "checks": row.checks,
                "checks_passed": row.checks_passed,
                "created_at": run.run_at,
                "updated_at": run.run_at,
            }
        )
        for rule, (applies, failed) in row.failures.items():
            failure_id = f"{score_id}:{rule}"
            kind, severity, team = rules[rule]
            failures.append(
                {
                    "quality_failure_id": failure_id,
                    "source_system": RUN_SOURCE,
                    "source_id": failure_id,
                    **common,
                    "entity_name": row.entity,
                    "owner_id": row.owner_id,
                    "rule_name": rule,
                    "kind": kind,
                    "severity": severity,
                    "team": team,
                    "records": applies,
                    "failures": failed,
                    "created_at": run.run_at,
                    "updated_at": run.run_at,
                }
            )
    records = sum(row.records for row in run.scores)
    summary = {
        "quality_run_id": run.run_id,
        "source_system": RUN_SOURCE,
        "source_id": run.run_id,
        "run_at": run.run_at,
        "as_of_date": run.as_of,
        "entities": ",".join(dict.fromkeys(row.entity for row in run.scores)),
        "rules": len(rules),
        "records": records,
        "passing": sum(row.passing for row in run.scores),
        "seconds": run.seconds,
        "ingest_run_id": run.loads.ingest_run_id if run.loads else None,
        "load_ids": ",".join(run.loads.load_ids) if run.loads else None,
        "sources": ",".join(run.loads.sources) if run.loads else None,
        "created_at": run.run_at,
        "updated_at": run.run_at,
    }
    warehouse.load_many(
        [
            LoadSpec("quality_run", _batch("quality_run", [summary]), mode="append"),
            LoadSpec("quality_score", _batch("quality_score", scores), mode="append"),
            LoadSpec("quality_failure", _batch("quality_failure", failures), mode="append"),
        ]
    )


def _batch(entity: str, rows: list[dict[str, Any]]) -> Any:
    """`rows` as a pyarrow table of the entity's schema (also when there are none)."""
    import pyarrow as pa

    from revops.model import ENTITIES

    schema = ENTITIES[entity].schema().to_pyarrow()
    return pa.Table.from_pylist(rows, schema=schema)
