"""The rep page: a CRM user's book of accounts (with ARR), open pipeline, bookings and
attainment against quota (the canonical quota table) in the quarter and the fiscal year,
and their deals. A rep sees their own page, a manager their team's; anyone else's is not
found."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.app.views.common import Page, number, page
from revops.app.views.figures import AccountFigures, account_figures
from revops.app.views.records import (
    RecordLink,
    RecordNotFoundError,
    account_links,
    day,
    link,
    record_url,
    records,
    text,
    user_link,
    user_names,
)

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.core import Period
    from revops.metrics import SourceContext

BOOK_SHOWN = 200
DEALS_SHOWN = 200


class BookAccount(BaseModel):
    """A company the rep owns."""

    account: RecordLink
    segment: str | None
    arr: float | None = Field(description="ARR at the as-of day.")


class RepDeal(BaseModel):
    """A deal the rep owns, as it stood at the end of the as-of day."""

    deal: RecordLink
    account: RecordLink | None
    stage: str | None
    amount: float | None
    close_date: str | None
    is_closed: bool
    is_won: bool


class Attainment(BaseModel):
    """Bookings against quota in one window."""

    window: str
    quota: float | None = Field(description="The quota prorated to the window; None: none.")
    bookings: float
    attainment: float | None = Field(description="bookings / quota.")


class RepView(Page):
    """The rep page."""

    id: str
    name: str
    email: str | None
    role: str | None
    title: str | None
    manager: RecordLink | None
    book: list[BookAccount]
    book_arr: float
    open_pipeline: float
    open_deals: int
    attainment: list[Attainment]
    deals: list[RepDeal] = Field(description="Open deals, then those closed this year.")


def build_rep(state: AppState, principal: Principal, user_id: str) -> RepView:
    """The page of CRM user `user_id`.

    Raises:
        RecordNotFoundError: no such user, or one outside the viewer's rows.
    """
    scope = principal.scope
    if scope.restricted and user_id not in (scope.owners or frozenset()):
        raise RecordNotFoundError("rep", user_id)
    key = ("rep", user_id, scope)
    parts = state.memo(key, lambda: _parts(state, principal, user_id))
    return RepView(**page(state, principal), **parts)


def _parts(state: AppState, principal: Principal, user_id: str) -> dict[str, Any]:
    metrics = state.workspace.metrics
    quarter = metrics.window(None, state.today)
    year = metrics.calendar.period_of(state.today, "year")
    figures = account_figures(state, principal.scope)
    with state.reading():
        ctx = metrics.context(state.today, principal.scope)
        users = ctx.raw("user")
        found = records(users.filter(users.user_id == user_id).limit(1).execute())
        if not found:
            raise RecordNotFoundError("rep", user_id)
        user = found[0]
        keys = [user_id, *([f"email:{str(user['email']).lower()}"] if user.get("email") else [])]
        deals = _deals(ctx, keys, year)
        book = _book(ctx, keys, figures)
        attainment = [_attainment(ctx, user_id, window) for window in (quarter, year)]
        names = user_names(ctx, [user.get("manager_id")])
        accounts = account_links(ctx, [d.get("account_id") for d in deals])
    open_deals = [d for d in deals if not d.get("is_closed")]
    return {
        "id": user_id,
        "name": text(user.get("name")) or user_id,
        "email": text(user.get("email")),
        "role": text(user.get("role")),
        "title": text(user.get("title")),
        "manager": user_link(names, user.get("manager_id")),
        "book": book[:BOOK_SHOWN],
        "book_arr": sum(b.arr or 0.0 for b in book),
        "open_pipeline": sum(number(d.get("amount")) or 0.0 for d in open_deals),
        "open_deals": len(open_deals),
        "attainment": attainment,
        "deals": [_deal(d, accounts) for d in deals[:DEALS_SHOWN]],
    }


def _deals(ctx: SourceContext, keys: list[str], year: Period) -> list[dict[str, Any]]:
    """The user's open deals and those closed in the fiscal year, open first, then by
    close date."""
    from revops.metrics import in_window, opportunities_at

    deals = opportunities_at(ctx, ctx.as_of)
    mine = deals.filter(
        deals.owner_id.isin(keys) & (~deals.is_closed | in_window(deals, "closed_at", year))
    )
    chosen = mine.select("opportunity_id", "name", "account_id", "stage", "amount",
                         "close_date", "is_closed", "is_won")  # fmt: skip
    rows = records(chosen.execute())
    return sorted(rows, key=lambda r: (bool(r["is_closed"]), day(r.get("close_date")) or ""))


def _deal(row: dict[str, Any], accounts: dict[str, RecordLink]) -> RepDeal:
    deal = link("deal", row["opportunity_id"], row.get("name"))
    assert deal is not None
    return RepDeal(
        deal=deal,
        account=accounts.get(text(row.get("account_id")) or ""),
        stage=text(row.get("stage")),
        amount=number(row.get("amount")),
        close_date=day(row.get("close_date")),
        is_closed=bool(row.get("is_closed")),
        is_won=bool(row.get("is_won")),
    )


def _book(ctx: SourceContext, keys: list[str], figures: AccountFigures) -> list[BookAccount]:
    """The companies the user owns (golden accounts: one per company), largest ARR first;
    a company's ARR is that of all its records (a billing customer's lines)."""
    from revops.metrics.labels import lookup

    accounts = ctx.raw("account")
    owned = accounts.filter(accounts.owner_id.isin(keys)).select("account_id", "segment")
    golden = ctx.golden_accounts()
    owned = owned.join(golden, owned.account_id == golden.account_id).select(
        "account_id", "segment", "golden_account_id"
    )
    rows = records(owned.execute())
    companies = sorted({str(r["golden_account_id"]) for r in rows})
    every = ctx.golden_accounts()
    members = records(every.filter(every.golden_account_id.isin(companies)).execute())
    arr_of: dict[str, float] = {}
    for member in members:
        value = figures.arr.get(str(member["account_id"]))
        if value is not None:
            company = str(member["golden_account_id"])
            arr_of[company] = arr_of.get(company, 0.0) + value
    names = lookup(ctx, "account", [r["account_id"] for r in rows])
    book: dict[str, BookAccount] = {}
    for row in rows:
        company = str(row["golden_account_id"])
        book.setdefault(
            company,
            BookAccount(
                account=RecordLink(kind="account", id=company,
                                   name=text(names.get(row["account_id"])) or company,
                                   url=record_url("account", company)),
                segment=text(row.get("segment")),
                arr=arr_of.get(company),
            ),
        )  # fmt: skip
    return sorted(book.values(), key=lambda b: (-(b.arr or 0.0), b.account.name.lower()))


def _attainment(ctx: SourceContext, user_id: str, window: Period) -> Attainment:
    from revops.metrics.sources import build_source

    table = build_source(ctx, "rep_attainment", window)
    found = records(table.filter(table.user_id == user_id).execute())
    quota = number(found[0]["quota"]) if found else None
    bookings = number(found[0]["bookings"]) if found else None
    if not found:
        bookings = _bookings(ctx, user_id, window)
    return Attainment(
        window=window.label,
        quota=quota,
        bookings=bookings or 0.0,
        attainment=(bookings or 0.0) / quota if quota else None,
    )


def _bookings(ctx: SourceContext, user_id: str, window: Period) -> float:
    """Won amount of a user without a quota in the window (the attainment engine lists
    quota holders only)."""
    from revops.metrics import in_window, opportunities_at
    from revops.metrics.compile import known_part

    deals = opportunities_at(ctx, ctx.as_of)
    won = deals.filter(
        (deals.owner_id == user_id)
        & deals.is_won
        & in_window(deals, "closed_at", known_part(ctx, window))
    )
    return number(won.amount.sum().execute()) or 0.0
