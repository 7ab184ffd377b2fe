"""GET /api/v1/search: accounts, people and deals by name, one row per golden record,
within the viewer's rows, paged."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from revops.app.deps import RowReader, StateDep
from revops.app.views.search import MAX_PER_PAGE, PER_PAGE, SearchKind, SearchView, build_search

router = APIRouter(tags=["cockpit"])
SearchQuery = Annotated[str, Query(max_length=100)]
KindParam = Annotated[
    SearchKind | Literal[""] | None, Query(description="account, person or deal; empty: all")
]
PageParam = Annotated[int, Query(ge=1, le=100_000)]
PerPageParam = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]


@router.get("/search")
def search(
    state: StateDep,
    principal: RowReader,
    q: SearchQuery = "",
    kind: KindParam = None,
    page: PageParam = 1,
    per_page: PerPageParam = PER_PAGE,
) -> SearchView:
    """Accounts, people (contacts and leads, by name or e-mail) and deals whose name
    contains `q`; `total` counts every page (the page `/search`)."""
    return build_search(state, principal, q, kind=kind or None, page_number=page, per_page=per_page)
