"""The search page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from revops.app.api.search import KindParam, PageParam, PerPageParam, SearchQuery
from revops.app.deps import RowReader, StateDep
from revops.app.views.search import PER_PAGE, build_search
from revops.app.web.render import render

router = APIRouter()


@router.get("/search")
def search(
    request: Request,
    state: StateDep,
    principal: RowReader,
    q: SearchQuery = "",
    kind: KindParam = None,
    page: PageParam = 1,
    per_page: PerPageParam = PER_PAGE,
) -> HTMLResponse:
    """Accounts, people and deals by name; JSON twin /api/v1/search."""
    view = build_search(state, principal, q, kind=kind or None, page_number=page, per_page=per_page)
    return render(request, "search.html", view, principal)
