"""The cockpit home page: the signed-in user's role home."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.api.home import AsRole
from revops.app.api.params import CompareParam, Window
from revops.app.deps import StateDep, Viewer
from revops.app.views.homes import build_role_home
from revops.app.web.render import render

router = APIRouter()


@router.get("/")
def home(
    request: Request,
    state: StateDep,
    principal: Viewer,
    window: Window = None,
    compare: CompareParam = "previous",
    as_role: AsRole = None,
) -> HTMLResponse:
    """The role's home (admin and RevOps: any role's with ?as=); JSON twin /api/v1/home."""
    view = build_role_home(state, principal, window, compare, as_role)
    return render(request, "home.html", view, principal)
