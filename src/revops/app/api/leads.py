"""GET /api/v1/leads: the lead queue with reasons and the latest evaluation; POST
/api/v1/leads/qualify/plan: who would change lifecycle stage, by which rule."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from revops.app.deps import Csrf, LeadsViewer, StateDep
from revops.app.views.leads import LeadsView, QualifyView, build_leads, build_qualify

router = APIRouter(tags=["leads"])


@router.get("/leads")
def leads(state: StateDep, principal: LeadsViewer) -> LeadsView:
    """The leads of the latest scoring run by learned score, with fit, engagement and
    reasons, within the viewer's rows (the page `/leads`)."""
    return build_leads(state, principal)


@router.get("/leads/evaluation")
def evaluation(state: StateDep, principal: LeadsViewer) -> dict[str, Any] | None:
    """The latest `revops leads evaluate`: AUC per score, lift and calibration by decile."""
    with state.reading():
        return state.workspace.leads.evaluation()


@router.post("/leads/qualify/plan", dependencies=[Csrf])
def qualify_plan(state: StateDep, principal: LeadsViewer) -> QualifyView:
    """Who would enter which lifecycle stage as of the cockpit's day, and by which rule (nothing is
    recorded: `revops leads qualify --apply` does)."""
    return build_qualify(state, principal)
