"""The search page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from revops.app.deps import RowReader, StateDep
from revops.app.views.search import build_search
from revops.app.web.render import render

router = APIRouter()


@router.get("/search")
def search(
    request: Request,
    state: StateDep,
    principal: RowReader,
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """Accounts and opportunities by name; JSON twin /api/v1/search."""
    return render(request, "search.html", build_search(state, principal, q), principal)
