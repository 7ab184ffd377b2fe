"""GET /api/v1/automate: workflows with their last run, runs, the viewer's tasks and
subscriptions (the page `/automate`)."""

from __future__ import annotations

from fastapi import APIRouter

from revops.app.deps import StateDep, Viewer
from revops.app.views.automate import (
    AutomateView,
    RunRow,
    SubscriptionRow,
    WorkflowRow,
    build_automate,
)

router = APIRouter(prefix="/automate", tags=["automate"])


@router.get("")
def automate(state: StateDep, principal: Viewer) -> AutomateView:
    """The automation page's view model."""
    return build_automate(state, principal)


@router.get("/workflows")
def workflows(state: StateDep, principal: Viewer) -> list[WorkflowRow]:
    """The workflows of `automations/*.yaml` with their last run."""
    return build_automate(state, principal).workflows


@router.get("/runs")
def runs(state: StateDep, principal: Viewer) -> list[RunRow]:
    """The latest runs, newest first (empty for roles that see only some rows)."""
    return build_automate(state, principal).runs


@router.get("/subscriptions")
def subscriptions(state: StateDep, principal: Viewer) -> list[SubscriptionRow]:
    """The viewer's own subscriptions."""
    return build_automate(state, principal).subscriptions
