"""`ws.quality`: the rules of a workspace, evaluated, scored, stored and reported."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.config import RevOpsConfig
from revops.errors import QualityError
from revops.model import ENTITIES
from revops.quality.compile import Evaluated, evaluate
from revops.quality.failures import FailurePage, failing_records
from revops.quality.loader import RuleSet, load_rules
from revops.quality.report import Report, build_report
from revops.quality.rules import Rule
from revops.quality.scores import Loads, RunResult, new_run_id, owner_scores, store

if TYPE_CHECKING:
    from revops.metrics import Scope
    from revops.warehouse import Warehouse


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's verdict on one record."""

    rule: Rule
    applies: bool
    passed: bool


class Quality:
    """The data-quality component of a workspace.

    Args:
        root: the workspace folder (its `rules/` add to and override the built-in rules).
        config: the workspace configuration (stages, for stage-scoped rules).
        warehouse: returns the warehouse, connected on first use.
    """

    def __init__(
        self, root: Path | None, config: RevOpsConfig, warehouse: Callable[[], Warehouse]
    ) -> None:
        self.root = root
        self.config = config
        self._warehouse = warehouse

    @cached_property
    def rules(self) -> RuleSet:
        """The rule set: built-in rules merged with the workspace's `rules/*.yaml`."""
        return load_rules(self.root, self.config)

    def entities(self, entity: str | None = None) -> list[str]:
        """The entities to evaluate: `entity` (checked), else every entity with rules."""
        if entity is None:
            return self.rules.entities()
        if entity not in ENTITIES:
            raise QualityError(f"no entity {entity!r} in the canonical model")
        if not self.rules.for_entity(entity):
            raise QualityError(f"no quality rule checks {entity!r}")
        return [entity]

    def evaluate(self, entity: str, as_of: date | None = None) -> Evaluated:
        """One row per record of `entity`: which rules apply to it and which it fails."""
        [name] = self.entities(entity)
        return evaluate(
            self._warehouse(), self.config, name, self.rules.for_entity(name), as_of or _today()
        )

    def run(
        self,
        as_of: date | None = None,
        *,
        entities: Sequence[str] | None = None,
        save: bool = True,
        loads: Loads | None = None,
    ) -> RunResult:
        """Evaluate the rules (one query per entity) and store the scores as a new run.

        Args:
            as_of: the day to evaluate as of; default today (UTC).
            entities: only these entities; default every entity with rules.
            save: store the run (quality_run, quality_score, quality_failure) for the trend.
            loads: the ingest run this run scores (stored with it, so the trend is by load).
        """
        started = time.perf_counter()
        day = as_of or _today()
        # Microseconds kept: two runs in one second (an ingest, then a fix) still order.
        run_at = datetime.now(UTC)
        chosen: list[str | None] = list(entities) if entities else [None]
        names = list(dict.fromkeys(n for e in chosen for n in self.entities(e)))
        scores = [s for name in names for s in owner_scores(self.evaluate(name, day))]
        seconds = time.perf_counter() - started
        run = RunResult(new_run_id(run_at), run_at, day, scores, seconds, stored=save, loads=loads)
        if save:
            described: dict[str, tuple[str, str, str]] = {
                r.name: (r.kind, r.severity, r.team) for r in self.rules if r.entity in names
            }
            store(self._warehouse(), run, described)
        return run

    def check(self, entity: str, record_id: str, as_of: date | None = None) -> list[RuleOutcome]:
        """Which rules apply to one record, and which it fails.

        Raises:
            QualityError: no such record (or it was created after `as_of`).
        """
        evaluated = self.evaluate(entity, as_of)
        table = evaluated.table
        rows = table.filter(table.record_id == record_id).to_pyarrow().to_pylist()
        if not rows:
            raise QualityError(f"no {entity} {record_id!r} in the warehouse")
        row = rows[0]
        return [
            RuleOutcome(rule, bool(row[f"applies_{i}"]), not bool(row[f"fails_{i}"]))
            for i, rule in enumerate(evaluated.rules)
        ]

    def report(
        self,
        *,
        entity: str | None = None,
        owner: str | None = None,
        limit: int = 20,
        scope: Scope | None = None,
    ) -> Report:
        """The report of the latest stored run (see :func:`build_report`), of the records
        `scope` owns (default every record)."""
        if entity is not None:
            self.entities(entity)
        return build_report(
            self._warehouse(), self.rules, entity=entity, owner=owner, limit=limit, scope=scope
        )

    def failures(
        self,
        entity: str,
        rule: str,
        *,
        as_of: date | None = None,
        owner: str | None = None,
        scope: Scope | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> FailurePage:
        """The records of `entity` failing `rule` (see :func:`failing_records`), evaluated
        as of `as_of`: by default the day of the latest stored run, so the list holds the
        records the report counts (today's when no run is stored). `owner` is a user_id or
        a user's name."""
        from revops.quality.report import owner_id_of

        warehouse = self._warehouse()
        day = as_of or self.latest_as_of() or _today()
        owner_id = None
        if owner is not None:
            users = warehouse.table("user", "core").select("user_id", owner_name="name")
            owner_id = owner_id_of(users, owner)
        return failing_records(
            warehouse,
            self.evaluate(entity, day),
            rule,
            scope=scope,
            owner=owner_id,
            limit=limit,
            offset=offset,
        )

    def latest_as_of(self) -> date | None:
        """The day the latest stored run evaluated the rules as of; None before any run."""
        warehouse = self._warehouse()
        if not warehouse.has_table("quality_run", "core"):
            return None
        runs = warehouse.table("quality_run", "core")
        latest = runs.order_by([runs.run_at.desc(), runs.quality_run_id.desc()]).limit(1)
        found = latest.select("as_of_date").to_pyarrow().to_pylist()
        return found[0]["as_of_date"] if found else None

    def failing(
        self, entity: str, as_of: date | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Records of `entity` failing at least one rule, the most failures first."""
        table = self.evaluate(entity, as_of).table
        worst = table.filter(table.failures > 0).order_by([table.failures.desc(), table.record_id])
        return [dict(r) for r in worst.limit(limit).to_pyarrow().to_pylist()]


def _today() -> date:
    return datetime.now(UTC).date()
