"""`ws.territories`: design territories by `plans/territories.yaml`, compare the optimiser
with the greedy baseline and the current assignment, apply a version, revert it.

The current assignment is the territory version in effect on the as-of day, else the CRM
owners; it is what continuity keeps and what "moved" counts from. Applying stores a
version in the warehouse (:mod:`revops.territories.store`); the CRM is never written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.errors import TerritoryError
from revops.routing import read_directory
from revops.territories.config import TerritoriesFile, read_territories
from revops.territories.inputs import (
    People,
    account_measures,
    build_accounts,
    choose_reps,
)
from revops.territories.solve import (
    Account,
    Balance,
    Rep,
    Settings,
    Solved,
    balance,
    greedy,
    optimise,
)
from revops.territories.store import (
    Version,
    read_assignment,
    read_versions,
    rep_totals,
    revert_latest,
    save_version,
    valid_at,
)

if TYPE_CHECKING:
    from revops.metrics import Metrics
    from revops.warehouse import Warehouse

COMPARISON_COLUMNS = ("assignment", "cv_potential", "cv_workload", "moved", "moved_share",
                      "max_min_potential", "unassigned")  # fmt: skip
REP_COLUMNS = ("rep", "rep_id", "team", "capacity", "potential", "workload", "accounts",
               "current_potential", "current_accounts")  # fmt: skip
MOVE_COLUMNS = ("account_id", "account", "from_rep_id", "from_rep", "to_rep_id", "to_rep",
                "potential", "workload")  # fmt: skip


@dataclass(frozen=True)
class TerritoryPlan:
    """A design as of a day: the three assignments compared, the optimiser's moves."""

    as_of: date
    file: str
    accounts: list[Account]
    reps: list[Rep]
    current: dict[str, str]
    current_version: int | None
    proposed: dict[str, str]
    solved: Solved
    comparison: list[Balance]
    warnings: list[str] = field(default_factory=list)

    def comparison_rows(self) -> list[dict[str, Any]]:
        """One row per assignment (current, greedy, optimiser)."""
        return [
            {"assignment": b.name, "cv_potential": _round(b.cv_potential),
             "cv_workload": _round(b.cv_workload), "moved": b.moved,
             "moved_share": round(b.moved_share, 4),
             "max_min_potential": _round(b.max_min_potential), "unassigned": b.unassigned}
            for b in self.comparison
        ]  # fmt: skip

    def rep_rows(self) -> list[dict[str, Any]]:
        """One row per rep: the optimiser's book beside the current one."""
        best, now = self.comparison[-1].per_rep, self.comparison[0].per_rep
        return [
            {"rep": r.name, "rep_id": r.user_id, "team": r.team, "capacity": round(r.capacity, 3),
             "potential": round(best[r.user_id][0], 2), "workload": round(best[r.user_id][1], 2),
             "accounts": best[r.user_id][2], "current_potential": round(now[r.user_id][0], 2),
             "current_accounts": now[r.user_id][2]}
            for r in self.reps
        ]  # fmt: skip

    def move_rows(self) -> list[dict[str, Any]]:
        """Every account the optimiser moves, names beside ids, largest potential first."""
        names = {r.user_id: r.name for r in self.reps}
        rows = []
        for a in sorted(self.accounts, key=lambda a: (-a.potential, a.account_id)):
            before, after = (
                self.current.get(a.account_id) or a.owner_id,
                self.proposed[a.account_id],
            )
            if before == after:
                continue
            rows.append({
                "account_id": a.account_id, "account": a.name, "from_rep_id": before,
                "from_rep": names.get(before or "", before), "to_rep_id": after,
                "to_rep": names.get(after, after), "potential": round(a.potential, 2),
                "workload": round(a.workload, 2),
            })  # fmt: skip
        return rows

    def solver_summary(self) -> dict[str, Any]:
        """Status, objective, best bound, gap, time and model size."""
        s = self.solved
        return {"status": s.status, "objective": s.objective, "best_bound": s.best_bound,
                "gap": round(s.gap, 6), "seconds": round(s.seconds, 3), "units": s.units,
                "variables": s.variables, "accounts": len(self.accounts), "reps": len(self.reps),
                "groups": s.groups, "current_version": self.current_version}  # fmt: skip


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


class Territories:
    """Territory design on the façade (`ws.territories`)."""

    def __init__(
        self, root: Path, metrics: Callable[[], Metrics], warehouse: Callable[[], Warehouse]
    ) -> None:
        self.root = root
        self._metrics = metrics
        self._warehouse = warehouse

    def design(self) -> tuple[Path | None, TerritoriesFile]:
        """`plans/territories.yaml` and its path (the defaults when there is none)."""
        return read_territories(self.root)

    def plan(self, as_of: date | None = None) -> TerritoryPlan:
        """Design the territories as of a day (default today) and compare.

        Raises:
            ConfigError: the file is invalid or names an unknown user or team.
            TerritoryError: no reps, an account no rep may own, caps no assignment meets.
        """
        day = as_of or datetime.now(UTC).date()
        path, design = self.design()
        metrics = self._metrics()
        rows = account_measures(metrics, day, design).to_pyarrow().to_pylist()
        people = People(read_directory(metrics.context().warehouse), path)
        versions = read_versions(self._warehouse())
        version = valid_at(versions, day)
        current = read_assignment(self._warehouse(), version.version) if version else {}
        for row in rows:
            row["owner_id"] = current.get(row["account_id"], row["owner_id"])
        owners = {r["owner_id"] for r in rows if r["owner_id"]}
        reps = choose_reps(design, people, owners, day)
        accounts, warnings = build_accounts(rows, design, people, reps)
        if not accounts:
            raise TerritoryError(f"no account is known as of {day}")
        settings = _settings(design)
        baseline = greedy(accounts, reps, settings)
        solved = optimise(accounts, reps, settings, hint=baseline)
        now = {a.account_id: a.owner_id for a in accounts if a.owner_id}
        comparison = [
            balance("current", accounts, reps, now),
            balance("greedy", accounts, reps, baseline),
            balance("optimiser", accounts, reps, solved.assignment),
        ]
        return TerritoryPlan(day, str(path or "plans/territories.yaml (defaults)"), accounts,
                             reps, now, version.version if version else None,
                             solved.assignment, solved, comparison, warnings)  # fmt: skip

    def apply(self, found: TerritoryPlan, effective: date | None = None,
              note: str | None = None) -> Version:  # fmt: skip
        """Store the plan's assignment as a new version taking effect on `effective`
        (default the plan's as-of day): active when it takes effect by today, else
        planning."""
        today = datetime.now(UTC).date()
        day = effective or found.as_of
        warehouse = self._warehouse()
        number = max((v.version for v in read_versions(warehouse)), default=0) + 1
        best = found.comparison[-1]
        version = Version(
            version=number, state="active" if day <= today else "planning", effective_date=day,
            applied_at=datetime.now(UTC), as_of_date=found.as_of, accounts=len(found.accounts),
            reps=len(found.reps), moved=best.moved, cv_potential=best.cv_potential,
            cv_workload=best.cv_workload, reverted_at=None, note=note,
            comparison=json.dumps({"comparison": found.comparison_rows(),
                                   "solver": found.solver_summary()}),
        )  # fmt: skip
        rows = [
            {"account_id": a.account_id, "account_name": a.name,
             "owner_id": found.proposed[a.account_id], "previous_owner_id": a.owner_id,
             "potential": a.potential, "workload": a.workload}
            for a in found.accounts
        ]  # fmt: skip
        save_version(warehouse, version, rows)
        return version

    def revert(self) -> tuple[Version, Version | None]:
        """Undo the latest version: the one before it is in effect again, exactly.

        Raises:
            TerritoryError: no version to revert.
        """
        return revert_latest(self._warehouse(), datetime.now(UTC).date())

    def summary(self, day: date) -> tuple[Version | None, list[dict[str, Any]]]:
        """The version in effect on `day` and its reps' books (names beside ids)."""
        version = valid_at(read_versions(self._warehouse()), day)
        if version is None:
            return None, []
        rows = rep_totals(self._warehouse(), version.version)
        names = self.names({r["owner_id"] for r in rows})
        return version, [{"rep": names.get(r["owner_id"], r["owner_id"]), "rep_id": r["owner_id"],
                          "potential": round(r["potential"] or 0.0, 2),
                          "workload": round(r["workload"] or 0.0, 2),
                          "accounts": int(r["accounts"])} for r in rows]  # fmt: skip

    def potential_by_rep(self, day: date) -> dict[str, float]:
        """Each rep's potential on `day`: its book in the territory version in effect, else
        the potential of the accounts it owns in the CRM (summed in the warehouse)."""
        version = valid_at(read_versions(self._warehouse()), day)
        if version is not None:
            rows = rep_totals(self._warehouse(), version.version)
            return {r["owner_id"]: float(r["potential"] or 0.0) for r in rows}
        _, design = self.design()
        measures = account_measures(self._metrics(), day, design)
        owned = measures.filter(measures.owner_id.notnull())
        each = float(design.potential.get("accounts", 0.0))  # added in Python, as in a design
        totals = owned.group_by("owner_id").aggregate(
            potential=owned.potential.sum() + owned.count().cast("float64") * each
        )
        return {r["owner_id"]: float(r["potential"] or 0.0)
                for r in totals.to_pyarrow().to_pylist()}  # fmt: skip

    def names(self, ids: set[str]) -> dict[str, str]:
        """Names of accounts and users by id (for the territory at a day)."""
        warehouse = self._warehouse()
        found: dict[str, str] = {}
        for entity in ("account", "user"):
            table = warehouse.table(entity)
            key = table[f"{entity}_id"]
            rows = table.filter(key.isin(sorted(ids))).select(key.name("id"), "name")
            for r in rows.to_pyarrow().to_pylist():
                found[r["id"]] = r["name"] or r["id"]
        return found

    def versions(self) -> list[Version]:
        """Every territory version, oldest first."""
        return read_versions(self._warehouse())

    def assignment_at(self, day: date) -> tuple[Version | None, dict[str, str]]:
        """The territory version in effect on `day` and its account → rep."""
        version = valid_at(read_versions(self._warehouse()), day)
        if version is None:
            return None, {}
        return version, read_assignment(self._warehouse(), version.version)


def _settings(design: TerritoriesFile) -> Settings:
    return Settings(
        continuity_weight=design.continuity_weight,
        potential_weight=design.balance.get("potential", 1.0),
        workload_weight=design.balance.get("workload", 1.0),
        max_accounts=design.limits.max_accounts,
        max_workload=design.limits.max_workload,
        time_limit_seconds=design.solver.time_limit_seconds,
        workers=design.solver.workers,
        max_units=design.solver.max_units,
        candidates=design.solver.candidates,
    )
