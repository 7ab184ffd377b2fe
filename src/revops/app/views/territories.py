"""The territories page and its JSON twin: the territory version in effect with each
rep's book, its comparison with greedy and the assignment before it, and the history of
versions; a planner's POST runs a new design (nothing is applied from the cockpit)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app.views.common import Page, page

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


class TerritoriesView(Page):
    """The version in effect today, its reps and comparison, and every version."""

    version: int | None
    effective_date: str | None
    reps: list[RepBook]
    comparison: list[Comparison]
    solver: dict[str, Any]
    versions: list[VersionRow]


class PlanResult(BaseModel):
    """A design run now (not applied): comparison, reps, the largest moves."""

    as_of: str
    comparison: list[Comparison]
    reps: list[dict[str, Any]]
    moves: list[dict[str, Any]]
    moved: int
    solver: dict[str, Any]
    warnings: list[str]


def build_territories(state: AppState, principal: Principal) -> TerritoriesView:
    """The page's model: the stored versions (no solve on a page view)."""
    territories = state.workspace.territories
    with state.reading():
        version, reps = territories.summary(state.today)
        versions = territories.versions()
    stored = json.loads(version.comparison) if version and version.comparison else {}
    return TerritoriesView(
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


def run_plan(state: AppState) -> PlanResult:
    """Design territories as of the app's day (solves up to the design's time limit)."""
    with state.reading():
        found = state.workspace.territories.plan(state.today)
    moves = found.move_rows()
    return PlanResult(
        as_of=found.as_of.isoformat(),
        comparison=[Comparison(**c) for c in found.comparison_rows()],
        reps=found.rep_rows(), moves=moves[:MOVES_RETURNED], moved=len(moves),
        solver=found.solver_summary(), warnings=found.warnings,
    )  # fmt: skip
