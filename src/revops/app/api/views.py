"""Saved views: list, save and delete one's own (GET, POST /api/v1/views, DELETE
/api/v1/views/{id}); every write is audited."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from revops.app import saved
from revops.app.api.params import RowId
from revops.app.deps import Csrf, StateDep, Viewer
from revops.errors import AppError

router = APIRouter(prefix="/views", tags=["views"])


class SavedViewRow(BaseModel):
    """One saved view of the signed-in user."""

    id: int
    name: str
    path: str
    query: str
    url: str = Field(description="The link that opens the view; share it as it is.")
    created_at: str


class NewView(BaseModel):
    """A view to save: a cockpit page's path and query (or `url`, both in one)."""

    name: str = Field(min_length=1, max_length=saved.MAX_NAME)
    path: str = Field(min_length=1, max_length=saved.MAX_PATH + saved.MAX_QUERY + 1)
    query: str = Field(default="", max_length=saved.MAX_QUERY)


def row(view: saved.View) -> SavedViewRow:
    """The API's form of a saved view."""
    created = view.created_at.isoformat(timespec="seconds")
    return SavedViewRow(id=view.id, name=view.name, path=view.path, query=view.query,
                        url=view.url, created_at=created)  # fmt: skip


@router.get("")
def list_views(state: StateDep, principal: Viewer) -> list[SavedViewRow]:
    """The signed-in user's saved views, by name."""
    return [row(v) for v in saved.views_of(state.db, principal.account.id)]


@router.post("", status_code=201, dependencies=[Csrf])
def save_view(state: StateDep, principal: Viewer, body: NewView) -> SavedViewRow:
    """Save a page with its query under a name (the same name again replaces it)."""
    account = principal.account
    view = saved.save(state.db, account.id, body.name, body.path, body.query, account.email)
    return row(view)


@router.delete("/{view_id}", dependencies=[Csrf])
def delete_view(state: StateDep, principal: Viewer, view_id: RowId) -> SavedViewRow:
    """Delete one of the user's saved views (another user's is not found: 404)."""
    try:
        view = saved.delete(state.db, principal.account.id, view_id, principal.account.email)
    except AppError as exc:
        raise HTTPException(404, str(exc)) from exc
    return row(view)
