"""GET /api/v1/accounts/{id}, /deals/{id}, /people/{id}, /reps/{id}: the record pages'
view models. A record outside the viewer's rows is not found (404), like one that does
not exist; another id of a company or person (a source record's) redirects to its golden
record's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import RedirectResponse

from revops.app.deps import RowReader, StateDep
from revops.app.views.account import AccountView, build_account
from revops.app.views.deal import DealView, build_deal
from revops.app.views.person import PersonView, build_person
from revops.app.views.records import Moved, RecordNotFoundError, record_url
from revops.app.views.rep import RepView, build_rep

router = APIRouter(tags=["records"])
RecordId = Annotated[
    str,
    Path(
        max_length=300,
        # No id has control characters; refused here, they never reach a query.
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="The record's id (a golden id, or another id of the same record).",
    ),
]
T = TypeVar("T")
MOVED: dict[int | str, dict[str, Any]] = {
    307: {"description": "Another id of the record: the golden record's URL (Location)."}
}


def found(build: Callable[[], T], prefix: str = "/api/v1") -> T | RedirectResponse:
    """`build()`, a redirect to the golden record's URL, or 404 for a record the viewer
    may not see or that does not exist.

    Raises:
        HTTPException: 404.
    """
    try:
        return build()
    except Moved as moved:
        return RedirectResponse(f"{prefix}{record_url(moved.kind, moved.record_id)}", 307)
    except RecordNotFoundError as missing:
        raise HTTPException(404, str(missing)) from None


@router.get("/accounts/{account_id:path}", response_model=AccountView, responses=MOVED)
def account(state: StateDep, principal: RowReader, account_id: RecordId) -> Any:
    """A company across systems: golden record, owner, ARR and movements, deals, tickets,
    health, people and timeline (the page `/accounts/{id}`)."""
    return found(lambda: build_account(state, principal, account_id))


@router.get("/deals/{deal_id:path}", response_model=DealView)
def deal(state: StateDep, principal: RowReader, deal_id: RecordId) -> Any:
    """A deal: account, owner, history, activities and the forecast's win probability
    with its reasons (the page `/deals/{id}`)."""
    return found(lambda: build_deal(state, principal, deal_id))


@router.get("/people/{person_id:path}", response_model=PersonView, responses=MOVED)
def person(state: StateDep, principal: RowReader, person_id: RecordId) -> Any:
    """A person across systems: records, company, activities and campaign touches (the
    page `/people/{id}`)."""
    return found(lambda: build_person(state, principal, person_id))


@router.get("/reps/{user_id:path}", response_model=RepView)
def rep(state: StateDep, principal: RowReader, user_id: RecordId) -> Any:
    """A rep's book, open pipeline, bookings and attainment against quota, and deals
    (the page `/reps/{id}`)."""
    return found(lambda: build_rep(state, principal, user_id))
