"""The record pages: account 360, deal, person and rep; JSON twins under /api/v1."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from revops.app.api.records import RecordId, found
from revops.app.deps import RowReader, StateDep
from revops.app.views.account import build_account
from revops.app.views.deal import build_deal
from revops.app.views.person import build_person
from revops.app.views.rep import build_rep
from revops.app.web.render import render

router = APIRouter()


def _page(request: Request, template: str, principal: Any, view: Any) -> Any:
    if isinstance(view, RedirectResponse):
        return view
    return render(request, template, view, principal)


@router.get("/accounts/{account_id:path}", response_class=HTMLResponse)
def account(request: Request, state: StateDep, principal: RowReader, account_id: RecordId) -> Any:
    """Account 360; JSON twin /api/v1/accounts/{id}."""
    view = found(lambda: build_account(state, principal, account_id), prefix="")
    return _page(request, "account.html", principal, view)


@router.get("/deals/{deal_id:path}", response_class=HTMLResponse)
def deal(request: Request, state: StateDep, principal: RowReader, deal_id: RecordId) -> Any:
    """A deal; JSON twin /api/v1/deals/{id}."""
    view = found(lambda: build_deal(state, principal, deal_id), prefix="")
    return _page(request, "deal.html", principal, view)


@router.get("/people/{person_id:path}", response_class=HTMLResponse)
def person(request: Request, state: StateDep, principal: RowReader, person_id: RecordId) -> Any:
    """A person; JSON twin /api/v1/people/{id}."""
    view = found(lambda: build_person(state, principal, person_id), prefix="")
    return _page(request, "person.html", principal, view)


@router.get("/reps/{user_id:path}", response_class=HTMLResponse)
def rep(request: Request, state: StateDep, principal: RowReader, user_id: RecordId) -> Any:
    """A rep's book and attainment; JSON twin /api/v1/reps/{id}."""
    view = found(lambda: build_rep(state, principal, user_id), prefix="")
    return _page(request, "rep.html", principal, view)
