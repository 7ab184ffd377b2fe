"""GET /api/v1/home: the signed-in user's role home; GET /api/v1/me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from revops.app.api.params import CompareParam, Window
from revops.app.deps import StateDep, Viewer
from revops.app.views.common import Viewer as ViewerModel
from revops.app.views.common import viewer
from revops.app.views.homes import AnyHome, RoleHome, build_role_home

router = APIRouter(tags=["cockpit"])

AsRole = Annotated[
    str | None,
    Query(
        alias="as",
        max_length=20,
        pattern=r"^[a-z]+$",
        description="Admin and RevOps users: the role whose home to show (computed within "
        "their own rows); others may only name their own role.",
    ),
]


@router.get("/home", response_model=AnyHome)
def home(
    state: StateDep,
    principal: Viewer,
    window: Window = None,
    compare: CompareParam = "previous",
    as_role: AsRole = None,
) -> RoleHome:
    """The home of the user's role (the page `/`): its KPI cards with comparison and trend,
    and the role's own parts (a manager's team, a rep's deals, ...), told apart by `home`."""
    return build_role_home(state, principal, window, compare, as_role)


@router.get("/me")
def me(principal: Viewer) -> ViewerModel:
    """The signed-in user, role and row scope."""
    return viewer(principal)
