"""Expected bookings of a territory design: what each rep's book is expected to book in a
year, by the rep's own history, so the comparison says what a design costs or earns.

The model (docs/territories.md, "Expected bookings"):

- **Attention.** A rep covers its book fully up to its fair share of workload times
  `1 + headroom`; beyond, each account gets proportionally less attention:
  `attention = min(1, fair workload × (1 + headroom) / workload)`.
- **Productivity.** Each rep's bookings in the `history_days` up to the as-of day over the
  potential it covered (its CRM book's potential × attention: the accounts it owns in the
  CRM, where it won them, whatever territory version is in effect), shrunk towards
  the company's rate with the weight of one average covered book, so a rep with little
  history (a new hire) is close to the company's rate:
  `rate = (bookings + company rate × average covered book) / (covered + average covered book)`.
- **Expected bookings** of an assignment: Σ over reps of rate × potential × attention.
  For the CRM's assignment it is about the reps' bookings of the last year (exactly,
  without the shrinkage); accounts owned by nobody of the design (a rep who left) book nothing
  today and their new rep's rate once assigned.

Pure Python over per-rep sums (no warehouse here); the bookings come from
:func:`rep_bookings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from revops.metrics import SourceContext


@dataclass(frozen=True)
class Productivity:
    """Each rep's bookings per unit of covered potential, and the company's."""

    rates: dict[str, float]
    company: float
    bookings: dict[str, float]
    """Each rep's bookings in the history window."""


def attention(workload: float, fair_workload: float, headroom: float) -> float:
    """Share of a book a rep covers: 1 up to its fair workload × (1 + headroom).

    Examples:
        >>> attention(60.0, 50.0, 0.2)
        1.0
        >>> attention(120.0, 50.0, 0.2)
        0.5
    """
    room = fair_workload * (1.0 + headroom)
    return 1.0 if workload <= room or workload <= 0 else room / workload


def learn_rates(
    books: Mapping[str, tuple[float, float]],
    fair_workload: Mapping[str, float],
    bookings: Mapping[str, float],
    headroom: float,
) -> Productivity:
    """Rates from the CRM books (per rep: potential, workload) and each rep's bookings."""
    covered = {
        rep: potential * attention(workload, fair_workload.get(rep, 0.0), headroom)
        for rep, (potential, workload) in books.items()
    }
    won = {rep: float(bookings.get(rep, 0.0)) for rep in books}
    total_covered = sum(covered.values())
    company = sum(won.values()) / total_covered if total_covered > 0 else 0.0
    prior = total_covered / len(covered) if covered else 0.0
    rates = {
        rep: (won[rep] + company * prior) / (covered[rep] + prior)
        if covered[rep] + prior > 0 else company
        for rep in books
    }  # fmt: skip
    return Productivity(rates, company, won)


def expected_bookings(
    books: Mapping[str, tuple[float, float]],
    fair_workload: Mapping[str, float],
    productivity: Productivity,
    headroom: float,
) -> dict[str, float]:
    """Per rep: rate × potential × attention of its book in an assignment."""
    return {
        rep: productivity.rates.get(rep, productivity.company)
        * potential
        * attention(workload, fair_workload.get(rep, 0.0), headroom)
        for rep, (potential, workload) in books.items()
    }


def rep_bookings(ctx: SourceContext, day: date, days: int) -> dict[str, float]:
    """user_id → bookings won in the `days` days up to the end of `day`, as the deals stood
    then, in the reporting currency; owners referred to by e-mail are resolved to users
    (summed in the warehouse)."""
    from revops.metrics import moment, opportunities_at

    end = day + timedelta(days=1)
    deals = opportunities_at(ctx, day)
    won = deals.filter(
        deals.is_won
        & (deals.closed_at >= moment(deals, "closed_at", end - timedelta(days=days)))
        & (deals.closed_at < moment(deals, "closed_at", end))
    )
    users = ctx.keyed("user").select(_key="lookup_key", _holder="user_id")
    won = won.left_join(users, won.owner_id == users._key)
    won = won.mutate(_owner=won._holder.fill_null(won.owner_id))
    totals = won.group_by(owner="_owner").aggregate(amount=won.amount.cast("float64").sum())
    return {
        r["owner"]: float(r["amount"] or 0.0)
        for r in totals.to_pyarrow().to_pylist()
        if r["owner"] is not None
    }
