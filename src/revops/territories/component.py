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
from revops.territories.bookings import (
    Productivity,
    expected_bookings,
    learn_rates,
    rep_bookings,
)
from revops.territories.config import TerritoriesFile, read_territories
from revops.territories.inputs import (
    People,
    account_measures,
    build_accounts,
    choose_reps,
)
from revops.territories.pending import (
    PendingPlan,
    archive_pending,
    fingerprint,
    read_pending,
    write_pending,
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
                      "max_min_potential", "unassigned", "expected_bookings",
                      "bookings_change", "bookings_change_share")  # fmt: skip
REP_COLUMNS = ("rep", "rep_id", "team", "capacity", "potential", "workload", "accounts",
               "current_potential", "current_workload", "current_accounts", "fair_potential",
               "fair_workload", "bookings", "rate", "current_expected",
               "expected_bookings")  # fmt: skip
ASSIGNMENT_COLUMNS = ("account", "account_id", "current_owner", "current_owner_id",
                      "proposed_owner", "proposed_owner_id", "territory", "potential",
                      "workload")  # fmt: skip


@dataclass(frozen=True)
class DesignInputs:
    """What a design reads as of a day, with the fingerprint of it all."""

    as_of: date
    path: Path | None
    design: TerritoriesFile
    accounts: list[Account]
    reps: list[Rep]
    current_version: int | None
    warnings: list[str]
    bookings: dict[str, float]
    crm_books: dict[str, tuple[float, float]]
    """Per rep: potential and workload of the accounts it owns in the CRM (where its
    bookings were won: revops never writes the CRM, whatever version is in effect)."""
    fingerprint: str


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
    productivity: Productivity = field(default_factory=lambda: Productivity({}, 0.0, {}))
    expected: list[dict[str, float]] = field(default_factory=list)
    """Per assignment of `comparison`: each rep's expected bookings."""
    inputs_sha256: str = ""

    def comparison_rows(self) -> list[dict[str, Any]]:
        """One row per assignment (current, greedy, optimiser), with its expected bookings
        and their change from the current assignment's."""
        totals = [sum(e.values()) for e in self.expected] or [0.0] * len(self.comparison)
        now = totals[0]
        return [
            {"assignment": b.name, "cv_potential": _round(b.cv_potential),
             "cv_workload": _round(b.cv_workload), "moved": b.moved,
             "moved_share": round(b.moved_share, 4),
             "max_min_potential": _round(b.max_min_potential), "unassigned": b.unassigned,
             "expected_bookings": round(total, 2), "bookings_change": round(total - now, 2),
             "bookings_change_share": round((total - now) / now, 4) if now else None}
            for b, total in zip(self.comparison, totals, strict=True)
        ]  # fmt: skip

    def rep_rows(self) -> list[dict[str, Any]]:
        """One row per rep: the optimiser's book beside the current one, fair shares, and
        expected bookings of both."""
        best, now = self.comparison[-1].per_rep, self.comparison[0].per_rep
        fair = self.comparison[0].fair
        before = self.expected[0] if self.expected else {}
        after = self.expected[-1] if self.expected else {}
        p = self.productivity
        return [
            {"rep": r.name, "rep_id": r.user_id, "team": r.team, "capacity": round(r.capacity, 3),
             "potential": round(best[r.user_id][0], 2), "workload": round(best[r.user_id][1], 2),
             "accounts": best[r.user_id][2], "current_potential": round(now[r.user_id][0], 2),
             "current_workload": round(now[r.user_id][1], 2),
             "current_accounts": now[r.user_id][2],
             "fair_potential": round(fair.get(r.user_id, (0.0, 0.0))[0], 2),
             "fair_workload": round(fair.get(r.user_id, (0.0, 0.0))[1], 2),
             "bookings": round(p.bookings.get(r.user_id, 0.0), 2),
             "rate": round(p.rates.get(r.user_id, p.company), 6),
             "current_expected": round(before.get(r.user_id, 0.0), 2),
             "expected_bookings": round(after.get(r.user_id, 0.0), 2)}
            for r in self.reps
        ]  # fmt: skip

    def pending(self) -> PendingPlan:
        """The plan as kept for review (:mod:`revops.territories.pending`)."""
        return PendingPlan(
            as_of=self.as_of, planned_at=datetime.now(UTC).isoformat(timespec="seconds"),
            design_file=self.file, inputs_sha256=self.inputs_sha256,
            current_version=self.current_version, comparison=self.comparison_rows(),
            solver=self.solver_summary(), reps=self.rep_rows(),
            assignment=[
                {"account_id": a.account_id, "account": a.name, "owner_id": a.owner_id,
                 "rep_id": self.proposed[a.account_id], "potential": a.potential,
                 "workload": a.workload}
                for a in self.accounts
            ],
            warnings=self.warnings,
        )  # fmt: skip

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

    def inputs(self, as_of: date | None = None) -> DesignInputs:
        """What a design reads as of a day (default today), and its fingerprint.

        Raises:
            ConfigError: the file is invalid or names an unknown user or team.
            TerritoryError: no account is known as of the day.
        """
        day = as_of or datetime.now(UTC).date()
        path, design = self.design()
        metrics = self._metrics()
        rows = account_measures(metrics, day, design).to_pyarrow().to_pylist()
        people = People(read_directory(metrics.context().warehouse), path)
        versions = read_versions(self._warehouse())
        version = valid_at(versions, day)
        current = read_assignment(self._warehouse(), version.version) if version else {}
        crm_owner = {row["account_id"]: row["owner_id"] for row in rows}
        for row in rows:
            row["owner_id"] = current.get(row["account_id"], row["owner_id"])
        owners = {r["owner_id"] for r in rows if r["owner_id"]}
        reps = choose_reps(design, people, owners, day)
        accounts, warnings = build_accounts(rows, design, people, reps)
        if not accounts:
            raise TerritoryError(f"no account is known as of {day}")
        ids = {r.user_id for r in reps}
        won = rep_bookings(metrics.context(day), day, design.expected_bookings.history_days)
        bookings = {user: amount for user, amount in won.items() if user in ids}
        crm_books = dict.fromkeys(ids, (0.0, 0.0))
        for a in accounts:
            owner = crm_owner[a.account_id]
            if owner in crm_books:
                p, w = crm_books[owner]
                crm_books[owner] = (p + a.potential, w + a.workload)
        text = path.read_text(encoding="utf-8") if path else ""
        number = version.version if version else None
        print_ = fingerprint(day, text, number, accounts, reps, bookings, crm_books)
        return DesignInputs(day, path, design, accounts, reps, number, warnings, bookings,
                            crm_books, print_)  # fmt: skip

    def plan(self, as_of: date | None = None) -> TerritoryPlan:
        """Design the territories as of a day (default today) and compare.

        Raises:
            ConfigError: the file is invalid or names an unknown user or team.
            TerritoryError: no reps, an account no rep may own, caps no assignment meets.
        """
        found = self.inputs(as_of)
        accounts, reps, design = found.accounts, found.reps, found.design
        settings = _settings(design)
        baseline = greedy(accounts, reps, settings)
        solved = optimise(accounts, reps, settings, hint=baseline)
        now = {a.account_id: a.owner_id for a in accounts if a.owner_id}
        comparison = [
            balance("current", accounts, reps, now),
            balance("greedy", accounts, reps, baseline),
            balance("optimiser", accounts, reps, solved.assignment),
        ]
        headroom = design.expected_bookings.headroom
        fair_w = {rep: w for rep, (_, w) in comparison[0].fair.items()}
        productivity = learn_rates(found.crm_books, fair_w, found.bookings, headroom)
        expected = [
            expected_bookings({rep: (p, w) for rep, (p, w, _) in b.per_rep.items()}, fair_w,
                              productivity, headroom)
            for b in comparison
        ]  # fmt: skip
        return TerritoryPlan(found.as_of, str(found.path or "plans/territories.yaml (defaults)"),
                             accounts, reps, now, found.current_version, solved.assignment,
                             solved, comparison, found.warnings, productivity, expected,
                             found.fingerprint)  # fmt: skip

    def save_pending(self, found: TerritoryPlan) -> tuple[Path, str]:
        """Keep the plan as the pending one (`plans/pending/territories.json`), replacing
        one before: what `apply_pending` stores. Its path and hash."""
        return write_pending(self.root, found.pending())

    def pending(self) -> PendingPlan | None:
        """The pending plan, if any.

        Raises:
            TerritoryError: its file is not a plan or was edited since it was written.
        """
        return read_pending(self.root)

    def apply_pending(self, effective: date | None = None, note: str | None = None,
                      expected_sha256: str | None = None) -> Version:  # fmt: skip
        """Store exactly the pending plan as a new version (no solve), then move its file
        to `plans/territory_versions/v<N>.json`.

        Args:
            effective: the day it takes effect (default the plan's as-of day).
            expected_sha256: the hash of the plan the caller reviewed: refused when the
                pending plan is another one.

        Raises:
            TerritoryError: no pending plan, another plan than the one reviewed, or the
                inputs read again as of its day differ from those it was designed from.
        """
        found = self.pending()
        if found is None:
            raise TerritoryError("no pending territory plan: `revops plan territories --plan` "
                                 "designs one")  # fmt: skip
        if expected_sha256 is not None and expected_sha256 != found.plan_sha256:
            raise TerritoryError(f"the pending plan is {found.plan_sha256[:12]}, not the "
                                 f"{expected_sha256[:12]} reviewed: review it again")  # fmt: skip
        now = self.inputs(found.as_of)
        if now.fingerprint != found.inputs_sha256:
            raise TerritoryError(
                f"the inputs changed since the plan of {found.as_of} was made "
                "(accounts, owners, reps, the design file or the version in "
                "effect): `revops plan territories --plan` designs it again"
            )
        best = found.comparison[-1]
        version = self._store(
            found.as_of,
            effective,
            note,
            found.assignment,
            len(found.reps),
            best,
            json.dumps({"comparison": found.comparison, "solver": found.solver}),
        )
        archive_pending(self.root, version.version)
        return version

    def apply(self, found: TerritoryPlan, effective: date | None = None,
              note: str | None = None) -> Version:  # fmt: skip
        """Store the plan's assignment as a new version taking effect on `effective`
        (default the plan's as-of day): active when it takes effect by today, else
        planning. (`apply_pending` stores a plan kept for review.)"""
        pending = found.pending()
        return self._store(
            found.as_of,
            effective,
            note,
            pending.assignment,
            len(found.reps),
            pending.comparison[-1],
            json.dumps({"comparison": pending.comparison, "solver": pending.solver}),
        )

    def _store(self, as_of: date, effective: date | None, note: str | None,
               assignment: list[dict[str, Any]], reps: int, best: dict[str, Any],
               comparison: str) -> Version:  # fmt: skip
        today = datetime.now(UTC).date()
        day = effective or as_of
        warehouse = self._warehouse()
        number = max((v.version for v in read_versions(warehouse)), default=0) + 1
        version = Version(
            version=number, state="active" if day <= today else "planning", effective_date=day,
            applied_at=datetime.now(UTC), as_of_date=as_of, accounts=len(assignment),
            reps=reps, moved=best["moved"], cv_potential=best["cv_potential"],
            cv_workload=best["cv_workload"], reverted_at=None, note=note, comparison=comparison,
        )  # fmt: skip
        rows = [
            {"account_id": a["account_id"], "account_name": a["account"],
             "owner_id": a["rep_id"], "previous_owner_id": a["owner_id"],
             "potential": a["potential"], "workload": a["workload"]}
            for a in assignment
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

    def assignment_rows(self, found: PendingPlan) -> list[dict[str, Any]]:
        """Every account of a plan: current and proposed owner by name beside the id, the
        territory (the proposed rep's team: each rep's book is a territory of its team),
        potential and workload; largest potential first."""
        reps = {r["rep_id"]: r for r in found.reps}
        names = self.names({a["owner_id"] for a in found.assignment
                            if a["owner_id"] and a["owner_id"] not in reps})  # fmt: skip
        names.update({rep: r["rep"] for rep, r in reps.items()})
        return [
            {"account": a["account"], "account_id": a["account_id"],
             "current_owner": names.get(a["owner_id"] or "", a["owner_id"]),
             "current_owner_id": a["owner_id"], "proposed_owner": names[a["rep_id"]],
             "proposed_owner_id": a["rep_id"],
             "territory": reps[a["rep_id"]]["team"] or "(no team)",
             "potential": round(a["potential"], 2), "workload": round(a["workload"], 2)}
            for a in sorted(found.assignment, key=lambda a: (-a["potential"], a["account_id"]))
        ]  # fmt: skip

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
