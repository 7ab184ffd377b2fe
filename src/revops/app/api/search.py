"""GET /api/v1/search: accounts and opportunities by name, within the viewer's rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from revops.app.deps import RowReader, StateDep
from revops.app.views.search import SearchView, build_search

router = APIRouter(tags=["cockpit"])


@router.get("/search")
def search(
    state: StateDep, principal: RowReader, q: Annotated[str, Query(max_length=100)] = ""
) -> SearchView:
    """Accounts and opportunities whose name contains `q` (the page `/search`)."""
    return build_search(state, principal, q)
