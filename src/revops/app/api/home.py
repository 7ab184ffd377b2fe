"""GET /api/v1/home: the cockpit home's view model."""

from __future__ import annotations

from fastapi import APIRouter

from revops.app.api.params import CompareParam, Window
from revops.app.deps import StateDep, Viewer
from revops.app.views.common import Viewer as ViewerModel
from revops.app.views.common import viewer
from revops.app.views.home import HomeView, build_home

router = APIRouter(tags=["cockpit"])


@router.get("/home")
def home(
    state: StateDep, principal: Viewer, window: Window = None, compare: CompareParam = "previous"
) -> HomeView:
    """The headline KPIs of the window with comparison and trend (the page `/`)."""
    return build_home(state, principal, window, compare)


@router.get("/me")
def me(principal: Viewer) -> ViewerModel:
    """The signed-in user, role and row scope."""
    return viewer(principal)
