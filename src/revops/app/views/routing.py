"""The lead routing page: the routing log, speed-to-lead breaches and KPIs by team, and
the simulation of the proposed rules (`plans/routing.yaml`) against the current ones.

Rows are cut to the viewer's scope in the queries (a rep sees leads to or from them and
the people they own); the simulation's figures are the whole organisation's, shown to
roles that see beyond their own rows.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app.views.common import Page, page
from revops.app.views.records import record_url
from revops.errors import RevOpsError

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState

PROPOSAL = "plans/routing.yaml"
"""Where a workspace keeps the routing rules it proposes; the page simulates them."""


class Assignment(BaseModel):
    """One logged assignment."""

    decided_at: str
    lead_id: str
    lead: str
    lead_url: str | None
    owner_id: str | None
    owner: str | None
    owner_url: str | None
    queue: str | None
    rule: str
    reason: str = Field(description="Why the deciding rule placed the lead there.")
    previous_owner: str | None
    previous_owner_url: str | None


class SlaKpi(BaseModel):
    """Speed to lead of one team."""

    team: str | None
    mqls: int
    met: int
    breached: int
    pending: int
    met_share: float | None = Field(description="Met over met + breached.")
    median_minutes: float | None = Field(description="Median business minutes to first touch.")


class Breach(BaseModel):
    """A person whose first sales touch came later than the SLA, or not yet."""

    person_id: str
    person: str | None
    person_url: str | None
    owner: str | None
    owner_url: str | None
    team: str | None
    mql_at: str
    touched_at: str | None
    minutes: float


class SimFigure(BaseModel):
    """A headline figure of the simulation."""

    figure: str
    current: float | None
    proposed: float | None


class SimRep(BaseModel):
    """Leads of one rep under both rule files."""

    rep: str | None
    rep_url: str | None
    team: str | None
    current: int
    proposed: int
    change: int


class SimFlow(BaseModel):
    """Leads moving from one owner (or queue) to another."""

    source: str | None
    source_url: str | None
    target: str | None
    target_url: str | None
    leads: int


class Simulation(BaseModel):
    """The proposed rules replayed against the current ones."""

    proposal: str
    days: int
    start: str
    end: str
    figures: list[SimFigure]
    reps: list[SimRep]
    flows: list[SimFlow]


class RoutingView(Page):
    """The lead routing page."""

    problem: str | None = Field(description="Why a part is missing, when one is.")
    sla_hours: float | None
    kpis: list[SlaKpi]
    breaches: list[Breach]
    assignments: list[Assignment]
    simulation: Simulation | None
    simulation_note: str | None


def build_routing(state: AppState, principal: Principal, days: int = 30) -> RoutingView:
    """The routing page of this viewer: log and SLA within their scope, the simulation."""
    key = ("routing", principal.scope, principal.account.role, days)
    parts = state.memo(key, lambda: _parts(state, principal, days))
    return RoutingView(**page(state, principal), **parts)


def _instant(state: AppState) -> datetime:
    day = state.today + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _parts(state: AppState, principal: Principal, days: int) -> dict[str, Any]:
    routing = state.workspace.routing
    owners = principal.scope.owners
    parts: dict[str, Any] = {
        "problem": None,
        "sla_hours": None,
        "kpis": [],
        "breaches": [],
        "assignments": [],
        "simulation": None,
        "simulation_note": None,
    }
    try:
        with state.reading():
            report = routing.sla(as_of=_instant(state), by="team", limit=100, owners=owners)
            log, directory = routing.assignments(100, owners=owners)
    except RevOpsError as exc:
        return {**parts, "problem": str(exc)}
    parts["sla_hours"] = report.sla_hours
    parts["kpis"] = [SlaKpi(**{k: r[k] for k in SlaKpi.model_fields}) for r in report.summary]
    parts["breaches"] = [
        Breach(
            person_id=r["person_id"],
            person=r["person"],
            person_url=record_url("person", r["person_id"]),
            owner=r["owner"],
            owner_url=_rep_url(principal, r["owner_id"]),
            team=r["team"],
            mql_at=f"{r['mql_at']:%Y-%m-%d %H:%M}",
            touched_at=f"{r['touched_at']:%Y-%m-%d %H:%M}" if r["touched_at"] else None,
            minutes=round(float(r["minutes"]), 1),
        )
        for r in report.rows
    ]
    parts["assignments"] = [_assignment(r, directory.name, principal) for r in log]
    parts.update(_simulation(state, principal, days))
    return parts


def _assignment(row: dict[str, Any], name: Any, principal: Principal) -> Assignment:
    trail = json.loads(row["trail"])
    return Assignment(
        decided_at=f"{row['decided_at']:%Y-%m-%d %H:%M}",
        lead_id=row["lead_id"],
        lead=row["lead_name"] or row["lead_id"],
        lead_url=record_url("person", row["lead_id"]),
        owner_id=row["owner_id"],
        owner=name(row["owner_id"]),
        owner_url=_rep_url(principal, row["owner_id"]),
        queue=row["queue"],
        rule=row["rule"],
        reason=trail[-1]["reason"] if trail else "",
        previous_owner=name(row["previous_owner_id"]),
        previous_owner_url=_rep_url(principal, row["previous_owner_id"]),
    )


def _simulation(state: AppState, principal: Principal, days: int) -> dict[str, Any]:
    if principal.account.role == "rep":
        return {"simulation_note": "The routing simulation is for managers."}
    proposal = state.workspace.root / PROPOSAL
    if not proposal.is_file():
        return {"simulation_note": f"No proposed rules: write them to {PROPOSAL} to compare."}
    try:
        with state.reading():
            sim = state.workspace.routing.simulate(proposal, days=days, as_of=_instant(state))
    except RevOpsError as exc:
        return {"simulation_note": str(exc)}
    return {
        "simulation": Simulation(
            proposal=PROPOSAL,
            days=days,
            start=f"{sim.start:%Y-%m-%d}",
            end=f"{sim.end:%Y-%m-%d}",
            figures=[SimFigure(**r) for r in sim.summary_rows()],
            reps=[
                SimRep(
                    rep=r["rep"],
                    rep_url=_rep_url(principal, r["rep_id"]),
                    team=r["team"],
                    current=r["current"],
                    proposed=r["proposed"],
                    change=r["change"],
                )
                for r in sim.rep_rows()
            ],
            flows=[
                SimFlow(
                    source=r["from"],
                    source_url=_owner_url(principal, r["from_id"]),
                    target=r["to"],
                    target_url=_owner_url(principal, r["to_id"]),
                    leads=r["leads"],
                )
                for r in sim.flow_rows()[:50]
            ],
        )
    }


def _rep_url(principal: Principal, user_id: str | None) -> str | None:
    """The rep's page, when the viewer may see it (a link outside the scope would 404)."""
    owners = principal.scope.owners
    if user_id is None or (owners is not None and user_id not in owners):
        return None
    return record_url("rep", user_id)


def _owner_url(principal: Principal, owner: str | None) -> str | None:
    return None if owner is None or owner.startswith("queue:") else _rep_url(principal, owner)
