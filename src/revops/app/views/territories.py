"""The territories page and its JSON twin: the territory version in effect with each
rep's book, its comparison with greedy and the assignment before it, the history of
versions, and the pending plan with its balance chart; a planner's POST runs a new design
(kept as the pending plan), applies exactly the pending plan shown, or reverts the latest
version, audited."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app import audit
from revops.app.views.common import Page, page
from revops.errors import TerritoryError

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState


class RepBook(BaseModel):
    """One rep's book in a territory version."""

    rep: str
    rep_id: str
    potential: float
    workload: float
    accounts: int


class Comparison(BaseModel):
    """Balance of one assignment across reps."""

    assignment: str = Field(description="current (before the design), greedy or optimiser.")
    cv_potential: float | None = Field(description="CV of potential over fair share.")
    cv_workload: float | None = Field(description="CV of workload over fair share.")
    moved: int
    moved_share: float
    max_min_potential: float | None
    unassigned: int
    expected_bookings: float | None = Field(
        default=None,
        description="Bookings a year expected of the assignment "
        "(each rep's rate of the last year × potential × attention; docs/territories.md).",
    )
    bookings_change: float | None = Field(
        default=None, description="Expected bookings minus the current assignment's."
    )
    bookings_change_share: float | None = None


class VersionRow(BaseModel):
    """A territory version."""

    version: int
    state: str
    effective_date: str
    applied_at: str
    accounts: int
    moved: int
    cv_potential: float | None
    cv_workload: float | None
    reverted: bool
    note: str | None


class BalanceBar(BaseModel):
    """One rep of the balance chart: potential and workload over its fair share, today
    and proposed (1 is a fair share)."""

    rep: str
    rep_id: str
    potential_today: float | None
    potential_proposed: float | None
    workload_today: float | None
    workload_proposed: float | None


class PendingView(BaseModel):
    """The plan kept for review (`revops plan territories --plan` or the API's plan)."""

    plan_sha256: str = Field(description="What an apply must send back: the plan shown.")
    as_of: str
    planned_at: str
    current_version: int | None
    comparison: list[Comparison]
    solver: dict[str, Any]
    reps: list[dict[str, Any]]
    moves: list[dict[str, Any]] = Field(description="The largest moves (names beside ids).")
    moved: int
    warnings: list[str]


class TerritoriesView(Page):
    """The version in effect today, its reps and comparison, every version, and the
    pending plan with its balance chart."""

    version: int | None
    effective_date: str | None
    reps: list[RepBook]
    comparison: list[Comparison]
    solver: dict[str, Any]
    versions: list[VersionRow]
    pending: PendingView | None
    pending_problem: str | None = Field(description="Why the pending plan cannot be shown.")
    balance: list[BalanceBar] = Field(description="The pending plan's balance chart.")
    can_apply: bool = Field(description="The viewer may apply the plan and revert.")
    latest_version: int | None = Field(description="The version a revert undoes.")
    export_xlsx: str | None


class PlanResult(BaseModel):
    """A design run now (not applied): comparison, reps, the largest moves."""

    as_of: str
    comparison: list[Comparison]
    reps: list[dict[str, Any]]
    moves: list[dict[str, Any]]
    moved: int
    solver: dict[str, Any]
    warnings: list[str]
    plan_sha256: str = Field(description="The pending plan now: what an apply sends back.")


def build_territories(state: AppState, principal: Principal) -> TerritoriesView:
    """The page's model: the stored versions (no solve on a page view)."""
    from revops.app.access import TERRITORY_PLANNERS

    territories = state.workspace.territories
    with state.reading():
        version, reps = territories.summary(state.today)
        versions = territories.versions()
        pending, problem = _pending(state)
    stored = json.loads(version.comparison) if version and version.comparison else {}
    live = [v for v in versions if v.reverted_at is None]
    return TerritoriesView(
        pending=pending, pending_problem=problem,
        balance=_balance(pending.reps) if pending else [],
        can_apply=principal.account.role in TERRITORY_PLANNERS,
        latest_version=live[-1].version if live else None,
        export_xlsx="/api/v1/territories/export?format=xlsx" if pending else None,
        **page(state, principal),
        version=version.version if version else None,
        effective_date=version.effective_date.isoformat() if version else None,
        reps=[RepBook(**r) for r in reps],
        comparison=[Comparison(**c) for c in stored.get("comparison", [])],
        solver=stored.get("solver", {}),
        versions=[VersionRow(
            version=v.version, state=v.state, effective_date=v.effective_date.isoformat(),
            applied_at=v.applied_at.isoformat(), accounts=v.accounts, moved=v.moved,
            cv_potential=v.cv_potential, cv_workload=v.cv_workload,
            reverted=v.reverted_at is not None, note=v.note,
        ) for v in reversed(versions)],
    )  # fmt: skip


MOVES_RETURNED = 200
MOVES_SHOWN = 25


def _pending(state: AppState) -> tuple[PendingView | None, str | None]:
    territories = state.workspace.territories
    try:
        found = territories.pending()
    except TerritoryError as exc:
        return None, str(exc)
    if found is None:
        return None, None
    moved = [r for r in territories.assignment_rows(found)
             if r["current_owner_id"] != r["proposed_owner_id"]]  # fmt: skip
    return PendingView(
        plan_sha256=found.plan_sha256, as_of=found.as_of.isoformat(),
        planned_at=found.planned_at, current_version=found.current_version,
        comparison=[Comparison(**c) for c in found.comparison], solver=found.solver,
        reps=found.reps, moves=moved[:MOVES_SHOWN], moved=len(moved), warnings=found.warnings,
    ), None  # fmt: skip


def _balance(reps: list[dict[str, Any]]) -> list[BalanceBar]:
    def share(value: float, fair: float) -> float | None:
        return round(value / fair, 4) if fair else None

    return [
        BalanceBar(
            rep=r["rep"], rep_id=r["rep_id"],
            potential_today=share(r["current_potential"], r["fair_potential"]),
            potential_proposed=share(r["potential"], r["fair_potential"]),
            workload_today=share(r["current_workload"], r["fair_workload"]),
            workload_proposed=share(r["workload"], r["fair_workload"]),
        )
        for r in reps
    ]  # fmt: skip


class Applied(BaseModel):
    """A version stored from the pending plan, or the one a revert undid."""

    version: int
    state: str
    effective_date: str
    moved: int
    restored: int | None = Field(default=None, description="After a revert: the version "
                                 "in effect again (None: no version).")  # fmt: skip


def apply_plan(state: AppState, principal: Principal, plan_sha256: str,
               effective: date | None, note: str | None) -> Applied:  # fmt: skip
    """Store exactly the pending plan whose hash is `plan_sha256`; audited.

    Raises:
        TerritoryError: no pending plan, another one, or its inputs changed.
    """
    with state.writing() as ws:
        version = ws.territories.apply_pending(effective, note, expected_sha256=plan_sha256)
    audit.record(state.db, principal.account.email, "territories.apply", f"v{version.version}",
                 f"plan {plan_sha256[:12]}, effective {version.effective_date}, "
                 f"{version.moved} moved" + (f": {note}" if note else ""))  # fmt: skip
    return Applied(
        version=version.version,
        state=version.state,
        effective_date=version.effective_date.isoformat(),
        moved=version.moved,
    )


def revert_version(state: AppState, principal: Principal, version: int) -> Applied:
    """Revert the latest version, which must be `version` (the one the page showed);
    audited.

    Raises:
        TerritoryError: `version` is not the latest version in effect.
    """
    with state.writing() as ws:
        live = [v for v in ws.territories.versions() if v.reverted_at is None]
        if not live or live[-1].version != version:
            latest = f"version {live[-1].version}" if live else "none"
            raise TerritoryError(f"version {version} is not the latest version (that is "
                                 f"{latest}): reload the page")  # fmt: skip
        reverted, restored = ws.territories.revert()
    audit.record(
        state.db,
        principal.account.email,
        "territories.revert",
        f"v{reverted.version}",
        f"v{restored.version} in effect again" if restored else "no version in effect",
    )
    return Applied(version=reverted.version, state=reverted.state,
                   effective_date=reverted.effective_date.isoformat(), moved=reverted.moved,
                   restored=restored.version if restored else None)  # fmt: skip


def export_plan(state: AppState) -> tuple[list[dict[str, Any]], bytes]:
    """The pending plan's assignment rows and its XLSX workbook.

    Raises:
        TerritoryError: no pending plan.
    """
    from revops.territories.export import territory_workbook

    territories = state.workspace.territories
    with state.reading():
        found = territories.pending()
        if found is None:
            raise TerritoryError("no pending territory plan to export")
        rows = territories.assignment_rows(found)
    return rows, territory_workbook(found, rows)


def run_plan(state: AppState) -> PlanResult:
    """Design territories as of the app's day (solves up to the design's time limit) and
    keep the design as the pending plan."""
    with state.reading():
        found = state.workspace.territories.plan(state.today)
        _, digest = state.workspace.territories.save_pending(found)
    moves = found.move_rows()
    return PlanResult(
        as_of=found.as_of.isoformat(),
        comparison=[Comparison(**c) for c in found.comparison_rows()],
        reps=found.rep_rows(), moves=moves[:MOVES_RETURNED], moved=len(moves),
        solver=found.solver_summary(), warnings=found.warnings, plan_sha256=digest,
    )  # fmt: skip
