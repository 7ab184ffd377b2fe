"""Search accounts and opportunities by name, within the viewer's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from revops.app.views.common import Page, number, page

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState

SEARCH_LIMIT = 50


class SearchHit(BaseModel):
    """One account or opportunity whose name matches."""

    kind: str
    id: str
    name: str
    owner_id: str | None
    amount: float | None = None


class SearchView(Page):
    """The search results."""

    query: str
    hits: list[SearchHit]


def build_search(state: AppState, principal: Principal, query: str) -> SearchView:
    """Accounts and opportunities whose name contains `query` (case-insensitive)."""
    hits: list[SearchHit] = []
    needle = query.strip().lower()
    if needle:
        with state.reading():
            # The scoped source context: the same row filter as every metric value.
            ctx = state.workspace.metrics.context(state.today, principal.scope)
            for kind, amount in (("account", None), ("opportunity", "amount")):
                table = ctx.raw(kind)
                found = table.filter(table.name.lower().contains(needle))
                columns = [f"{kind}_id", "name", "owner_id", *([amount] if amount else [])]
                frame = found.select(*columns).order_by("name").limit(SEARCH_LIMIT).execute()
                for row in frame.to_dict(orient="records"):
                    hits.append(
                        SearchHit(
                            kind=kind,
                            id=str(row[f"{kind}_id"]),
                            name=str(row["name"]),
                            owner_id=None if row["owner_id"] is None else str(row["owner_id"]),
                            amount=number(row.get("amount")) if amount else None,
                        )
                    )
    return SearchView(**page(state, principal), query=query, hits=hits)
