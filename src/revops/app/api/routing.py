"""GET /api/v1/leads/routing and the routing resources: plan, simulation, why, the
assignment log, speed to lead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from revops.app.deps import StateDep, Viewer
from revops.app.views.routing import PROPOSAL, RoutingView, build_routing
from revops.errors import RevOpsError

router = APIRouter(tags=["leads"])

Days = Annotated[int, Query(ge=1, le=365, description="Days of leads the simulation replays.")]


def _managers_only(principal: Viewer) -> None:
    if principal.account.role == "rep":
        raise HTTPException(403, "routing plans and simulations are for managers")


def _now(state: StateDep) -> datetime:
    day = state.today + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _answer(call: Any) -> Any:
    try:
        with_state = call()
    except RevOpsError as exc:
        raise HTTPException(422, str(exc)) from None
    return with_state


@router.get("/leads/routing")
def routing_page(state: StateDep, principal: Viewer, days: Days = 30) -> RoutingView:
    """The routing page's view model (`/leads/routing`): log, SLA, simulation."""
    return build_routing(state, principal, days)


@router.get("/leads/routing/plan")
def plan(state: StateDep, principal: Viewer) -> list[dict[str, Any]]:
    """Where each unrouted open lead would go now, by the workspace's rules: of the leads
    in the viewer's row scope (their current owner's)."""
    _managers_only(principal)
    owners = principal.scope.owners
    with state.reading():
        result = _answer(lambda: state.workspace.routing.plan(at=_now(state)))
    return [
        {**r, "decided_at": r["decided_at"].isoformat()}
        for r in result.rows()
        if owners is None or r["previous_owner_id"] in owners
    ]


@router.get("/leads/routing/simulate")
def simulate(state: StateDep, principal: Viewer, days: Days = 30) -> dict[str, Any]:
    """The proposed rules (`plans/routing.yaml`) replayed against the current ones."""
    _managers_only(principal)
    proposal = state.workspace.root / PROPOSAL
    if not proposal.is_file():
        raise HTTPException(404, f"no proposed rules at {PROPOSAL}")
    with state.reading():
        sim = _answer(
            lambda: state.workspace.routing.simulate(proposal, days=days, as_of=_now(state))
        )
    return {
        "start": sim.start.isoformat(),
        "end": sim.end.isoformat(),
        "days": days,
        "summary": sim.summary_rows(),
        "reps": sim.rep_rows(),
        "rules": sim.rule_rows(),
        "flows": sim.flow_rows(),
        "moves": sim.move_rows(),
    }


@router.get("/leads/routing/why/{lead_id:path}")
def why(state: StateDep, principal: Viewer, lead_id: str) -> dict[str, Any]:
    """The decision trail of a lead: each rule tried, why it matched or not."""
    with state.reading():
        rows, directory, planned = _answer(lambda: state.workspace.routing.why(lead_id))
    owners = principal.scope.owners
    if owners is not None and not any(
        r.get("owner_id") in owners or r.get("previous_owner_id") in owners for r in rows
    ):
        raise HTTPException(404, f"no lead {lead_id!r} among the records you may see")
    return {
        "lead_id": lead_id,
        "planned": planned,
        "decisions": [
            {
                **r,
                "owner": directory.name(r.get("owner_id")),
                "previous_owner": directory.name(r.get("previous_owner_id")),
                "decided_at": r["decided_at"].isoformat(),
            }
            for r in rows
        ],
    }


@router.get("/leads/routing/assignments")
def assignments(
    state: StateDep, principal: Viewer, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[dict[str, Any]]:
    """The assignment log, newest first, within the caller's rows."""
    with state.reading():
        rows, directory = state.workspace.routing.assignments(limit, owners=principal.scope.owners)
    return [
        {
            **r,
            "owner": directory.name(r["owner_id"]),
            "previous_owner": directory.name(r["previous_owner_id"]),
            "decided_at": r["decided_at"].isoformat(),
        }
        for r in rows
    ]


@router.get("/leads/sla")
def sla(
    state: StateDep,
    principal: Viewer,
    window: str | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """Speed to lead as of the cockpit's day: KPIs per slice and the breaches."""
    with state.reading():
        report = _answer(
            lambda: state.workspace.routing.sla(
                as_of=_now(state), window=window, by=by, owners=principal.scope.owners
            )
        )
    return {
        "as_of": report.as_of.isoformat(),
        "sla_hours": report.sla_hours,
        "summary": report.summary,
        "breaches": report.rows,
    }
