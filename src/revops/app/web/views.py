"""The save-view control of every page and the delete buttons of the home's list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException
from fastapi.responses import RedirectResponse

from revops.app import saved
from revops.app.api.params import RowId
from revops.app.deps import Csrf, StateDep, Viewer
from revops.errors import AppError

router = APIRouter()


@router.post("/views", dependencies=[Csrf])
def save_view(
    state: StateDep,
    principal: Viewer,
    name: Annotated[str, Form(max_length=saved.MAX_NAME)],
    path: Annotated[str, Form(max_length=saved.MAX_PATH)],
    query: Annotated[str, Form(max_length=saved.MAX_QUERY * 2)] = "",
) -> RedirectResponse:
    """Save the page the form was on, then go back to it."""
    account = principal.account
    view = saved.save(state.db, account.id, name, path, query, account.email)
    return RedirectResponse(view.url, status_code=303)


@router.post("/views/{view_id}/delete", dependencies=[Csrf])
def delete_view(state: StateDep, principal: Viewer, view_id: RowId) -> RedirectResponse:
    """Delete one of the user's saved views, then show the home."""
    try:
        saved.delete(state.db, principal.account.id, view_id, principal.account.email)
    except AppError as exc:
        raise HTTPException(404, str(exc)) from exc
    return RedirectResponse("/", status_code=303)
