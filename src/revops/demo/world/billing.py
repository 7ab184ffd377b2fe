"""Subscriptions and invoices: what the demo company's customers pay, month by month.

Every won deal of type `new` starts a subscription on the plan its segment buys, sized so
that seats × price matches the deal amount per billing interval (won `expansion` deals add
rows). Then, month by month, each customer's health (its latent health plus a slowly
wandering deviation) sets the odds of what happens at its next billing date: churn, more
seats, fewer seats, an add-on bought or dropped, and, for former customers, coming back.
Annual plans change seats or end only at the end of a paid year, as their contracts allow.
A seat change ends the old row the day before the billing date and starts a new one on it.
Invoices follow: one per billing period of every row, paid late or never more often by
unhealthy customers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from revops.demo.frames import FRAMES
from revops.demo.params import DemoParams

Array = npt.NDArray[Any]
Ints = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

PRODUCT_IDS = np.array(["prd-001", "prd-002", "prd-003", "prd-004"])
PRODUCT_NAMES = ("Starter", "Growth", "Enterprise", "Analytics add-on")
MONTHLY_PRICE = np.array([29.0, 79.0, 149.0, 19.0])
ANNUAL_MONTHS = 10  # a year costs ten months of the monthly price
ADDON = 3
ADDON_ID = str(PRODUCT_IDS[ADDON])
SEGMENTS = ["smb", "mid_market", "enterprise"]
PLAN_MIX = np.array([[0.7, 0.3, 0.0], [0.1, 0.7, 0.2], [0.0, 0.2, 0.8]])  # segment → plan
ANNUAL_SHARE = np.array([0.25, 0.55, 0.85])
CHURN_FACTOR = np.array([1.3, 0.8, 0.5])
DISCOUNTS = np.array([0.0, 0.1, 0.15, 0.2])
NAT_D = np.datetime64("NaT", "D")
NAT_S = np.datetime64("NaT", "s")
DAY = np.timedelta64(1, "D")
ROW_FIELDS = ("account", "deal", "product", "year", "quantity", "price", "start", "end", "canceled")


def add_months(days: Array, months: Ints) -> Array:
    """`days` moved by whole `months`, the day clipped to the month's length (as Stripe bills).

    Examples:
        >>> add_months(np.array(["2024-01-31", "2025-02-28"], "datetime64[D]"), np.array([1, 12]))
        array(['2024-02-29', '2026-02-28'], dtype='datetime64[D]')
    """
    first = days.astype("datetime64[M]")
    day = (days - first.astype("datetime64[D]")).astype(np.int64)
    target = first + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(int)
    moved: Array = target.astype("datetime64[D]") + np.minimum(day, length - 1)
    return moved


def catalogue() -> pd.DataFrame:
    """The price list: three seat-priced plans and an add-on, monthly or yearly."""
    return pd.DataFrame(
        {
            "product_id": PRODUCT_IDS,
            "name": PRODUCT_NAMES,
            "monthly_price": MONTHLY_PRICE,
            "annual_price": MONTHLY_PRICE * ANNUAL_MONTHS,
        }
    )


class _Book:
    """The simulation's state: subscription rows as growing arrays, and per account its plan
    row, add-on row, whether it is live, when it last left and when its rows last changed."""

    def __init__(self, accounts: pd.DataFrame, as_of: np.datetime64, rng: np.random.Generator):
        self.as_of, self.rng, self.size = as_of, rng, 0
        segment = np.maximum(pd.Index(SEGMENTS).get_indexer(pd.Index(accounts["segment"])), 0)
        self.segment, self.churn_factor = segment, CHURN_FACTOR[segment]
        self.account, self.deal, self.product, self.quantity = np.zeros((4, 1024), np.int64)
        self.year, self.price = np.zeros(1024, bool), np.zeros(1024)
        self.start, self.end = np.full((2, 1024), NAT_D)
        self.canceled = np.full(1024, NAT_S)
        n = len(accounts)
        self.base, self.addon = np.full(n, -1, np.int64), np.full(n, -1, np.int64)
        self.active, self.touched = np.zeros(n, bool), np.zeros(n, bool)
        self.left = np.full(n, np.datetime64("1900-01", "M"))
        self.changed, self.discount = np.full(n, NAT_D), np.zeros(n)

    def open(
        self,
        account: Ints,
        start: Array,
        quantity: Array,
        product: Any,
        year: Any,
        price: Any,
        deal: Any = -1,
    ) -> Ints:
        """New rows (scalars broadcast); returns their positions."""
        if self.size + account.size > self.account.size:
            grow = max(self.size + account.size, 2 * self.account.size) - self.account.size
            for name in ROW_FIELDS:
                old = getattr(self, name)
                setattr(self, name, np.concatenate([old, np.full(grow, old[-1])]))
        rows = np.arange(self.size, self.size + account.size)
        values = (account, deal, product, year, quantity, np.round(price, 2), start, NAT_D, NAT_S)
        for name, value in zip(ROW_FIELDS, values, strict=True):
            getattr(self, name)[rows] = value
        self.size += account.size
        self.changed[account] = start
        return rows

    def replace(self, rows: Ints, quantity: Array, date: Array) -> Ints:
        """End `rows` the day before `date` and continue them from `date` with `quantity`."""
        self.end[rows] = date - DAY
        terms = self.product[rows], self.year[rows], self.price[rows], self.deal[rows]
        return self.open(self.account[rows], date, quantity, *terms)

    def stop(self, account: Ints, date: Array, canceled: Array, *, ended: bool) -> None:
        """Cancel every open row of `account`; end them the day before `date` if `ended`."""
        flag = np.zeros(self.base.size, bool)
        flag[account] = True
        rows = np.flatnonzero(flag[self.account[: self.size]] & np.isnat(self.end[: self.size]))
        at, stamp = np.full(self.base.size, NAT_D), np.full(self.base.size, NAT_S)
        at[account], stamp[account] = date - DAY, canceled
        self.canceled[rows] = stamp[self.account[rows]]
        if ended:
            self.end[rows] = at[self.account[rows]]
            self.active[account], self.addon[account] = False, -1
            self.left[account] = (date - DAY).astype("datetime64[M]")

    def sign(self, deals: pd.DataFrame) -> None:
        """At most one deal per account: a first (or returning) subscription, or extra seats."""
        account = deals["account"].to_numpy(np.int64)
        starting = ~self.active[account]
        year = deals["year"].to_numpy(bool) & starting
        plan = np.array(deals["plan"], np.int64)
        plan[~starting] = self.product[self.base[account[~starting]]]
        discount = deals["discount"].to_numpy(float)
        price = MONTHLY_PRICE[plan] * (1 - discount) * np.where(year, ANNUAL_MONTHS, 1)
        seats = deals["amount"].to_numpy(float) / 12 / (price / np.where(year, 12, 1))
        day, deal = deals["day"].to_numpy("datetime64[D]"), deals["deal"].to_numpy(np.int64)
        rows = self.open(account, day, np.maximum(1, np.round(seats)), plan, year, price, deal)
        self.base[account[starting]] = rows[starting]
        self.discount[account[starting]] = discount[starting]
        self.active[account] = self.touched[account] = True

    def renew(self, month: np.datetime64, health: Array) -> None:
        """Churn and seat changes at each live customer's billing date; then add-ons."""
        live = np.flatnonzero(self.active & ~self.touched)
        base, rng, size = self.base[live], self.rng, live.size
        elapsed = (month - self.start[base].astype("datetime64[M]")).astype(np.int64)
        date, year = add_months(self.start[base], elapsed), self.year[base]
        renewal = (elapsed >= 1) & (~year | (elapsed % 12 == 0))
        # A year's odds at an annual renewal, a month's at a monthly one.
        span, h = np.where(year, 12, 1), health[live]
        churn_p = 1 - (1 - self.churn_factor[live] * (0.002 + 0.07 * (1 - h) ** 3)) ** span
        grow_p = 1 - (1 - (0.001 + 0.045 * h**3)) ** span
        shrink_p = 1 - (1 - (0.003 + 0.03 * (1 - h) ** 2)) ** span
        u, quantity = rng.random(size), self.quantity[base]
        churn = renewal & (u < churn_p)
        grow = renewal & ~churn & (u < churn_p + grow_p)
        shrink = renewal & ~churn & ~grow & (u < churn_p + grow_p + shrink_p) & (quantity >= 2)
        due = date <= self.as_of
        # Annual customers give notice weeks ahead; no request predates the last change.
        notice = rng.integers(1, 21, size) + year * rng.integers(0, 40, size)
        canceled = np.maximum((date - notice).astype("datetime64[s]"), self.changed[live])
        canceled += rng.integers(8 * 3600, 20 * 3600, size).astype("timedelta64[s]")
        ended, pending = churn & due, churn & ~due & (canceled <= self.as_of)
        self.stop(live[ended], date[ended], canceled[ended], ended=True)
        self.stop(live[pending], date[pending], canceled[pending], ended=False)
        more = quantity + np.maximum(1, np.round(quantity * rng.uniform(0.1, 0.5, size)))
        fewer = np.minimum(quantity - 1, np.round(quantity * rng.uniform(0.5, 0.9, size)))
        change = (grow | shrink) & due
        seats = np.where(grow, more, np.maximum(1, fewer))
        self.base[live[change]] = self.replace(base[change], seats[change], date[change])
        self._addons(month, live, date, h, (elapsed >= 1) & due & ~churn & ~change)

    def _addons(self, month: np.datetime64, live: Ints, date: Array, h: Array, ok: Mask) -> None:
        """The add-on is bought, grown or dropped monthly, on the plan's monthly billing day."""
        addon, rng, size = self.addon[live], self.rng, live.size
        has = addon >= 0
        settled = has & (self.start[addon].astype("datetime64[M]") < month)
        u, drop_p = rng.random(size), 0.002 + 0.03 * (1 - h) ** 2
        buy = ok & ~has & (u < 0.002 + 0.02 * h**2)
        drop = ok & settled & (u < drop_p)
        grow = ok & settled & ~drop & (u < drop_p + 0.008 * h**2)
        seats = np.round(self.quantity[self.base[live]] * rng.uniform(0.2, 0.8, size))
        price = MONTHLY_PRICE[ADDON] * (1 - self.discount[live])
        self.addon[live[buy]] = self.open(
            live[buy], date[buy], np.maximum(1, seats[buy]), ADDON, False, price[buy]
        )
        quantity = self.quantity[addon]
        more = quantity + np.maximum(1, np.round(quantity * rng.uniform(0.2, 0.6, size)))
        self.addon[live[grow]] = self.replace(addon[grow], more[grow], date[grow])
        gone = addon[drop]
        self.end[gone] = date[drop] - DAY
        asked = np.maximum(date[drop] - rng.integers(1, 15, gone.size), self.start[gone])
        self.canceled[gone] = asked.astype("datetime64[s]") + np.timedelta64(10, "h")
        self.addon[live[drop]] = -1

    def win_back(self, month: np.datetime64, health: Array) -> None:
        """Former customers return on their own, at least two months after leaving."""
        gone = np.flatnonzero(~self.active & (self.base >= 0) & ~self.touched)
        gone = gone[(month - self.left[gone]).astype(np.int64) >= 2]
        back = gone[self.rng.random(gone.size) < 0.006 + 0.03 * health[gone]]
        first = month.astype("datetime64[D]")
        days = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
        start = np.minimum(first + self.rng.integers(0, days, back.size), self.as_of)
        old = self.base[back]
        seats = np.round(self.quantity[old] * self.rng.uniform(0.4, 1.0, back.size))
        self.base[back] = self.open(
            back, start, np.maximum(1, seats), self.product[old], self.year[old], self.price[old]
        )
        self.active[back] = True


def simulate_billing(
    params: DemoParams,
    accounts: pd.DataFrame,
    opportunities: pd.DataFrame,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Subscriptions, invoices and the product catalogue of the accounts' won deals."""
    as_of = np.datetime64(params.as_of, "D")
    ids = pd.Index(accounts["account_id"])
    latent = accounts["health"].fillna(0.5).to_numpy(float)
    book = _Book(accounts, as_of, rng)
    deals = _deals(opportunities, ids, book)
    batches = dict(tuple(deals.groupby(["month", "rank"], sort=True)))
    last = int(as_of.astype("datetime64[M]").astype(np.int64))
    drift = np.zeros(len(accounts))
    for number in range(int(deals["month"].min()) if len(deals) else last + 1, last + 1):
        drift = 0.85 * drift + rng.normal(0, 0.05, drift.size)
        health = np.clip(latent + drift, 0, 1)
        book.touched[:] = False
        rank = 0
        while (number, rank) in batches:
            book.sign(batches[number, rank])
            rank += 1
        book.renew(np.datetime64(number, "M"), health)
        book.win_back(np.datetime64(number, "M"), health)
    order = np.lexsort((book.account[: book.size], book.start[: book.size]))
    deal_ids = np.append(deals["opportunity_id"].to_numpy(object), "")
    subscriptions = pd.DataFrame(
        {
            "subscription_id": [f"sub-{i:07d}" for i in range(1, order.size + 1)],
            "account_id": ids.to_numpy()[book.account[order]],
            "opportunity_id": deal_ids[book.deal[order]],
            "product_id": PRODUCT_IDS[book.product[order]].astype(object),
            "interval": np.where(book.year[order], "year", "month").astype(object),
            "quantity": book.quantity[order],
            "unit_price": book.price[order],
            "start_date": book.start[order],
            "end_date": book.end[order],
            "canceled_at": book.canceled[order],
        }
    )
    invoices = _invoices(subscriptions, latent[book.account[order]], as_of, rng)
    return subscriptions, invoices, catalogue()


def _deals(opportunities: pd.DataFrame, ids: pd.Index, book: _Book) -> pd.DataFrame:
    """Won new and expansion deals in time order, with each deal's plan drawn."""
    segment, rng = book.segment, book.rng
    won = opportunities[
        opportunities["is_won"].eq(True)
        & opportunities["type"].isin(["new", "expansion"])
        & opportunities["closed_at"].notna()
    ]
    day = won["closed_at"].to_numpy("datetime64[D]")
    account = ids.get_indexer(pd.Index(won["account_id"]))
    keep = (account >= 0) & (day <= book.as_of)
    deals = pd.DataFrame(
        {
            "opportunity_id": won["opportunity_id"].to_numpy(object)[keep],
            "account": account[keep],
            "day": day[keep],
            "month": day[keep].astype("datetime64[M]").astype(np.int64),
            "amount": won["amount"].to_numpy(float)[keep],
        }
    )
    deals = deals.sort_values(["day", "opportunity_id"], kind="stable").reset_index(drop=True)
    deals["deal"] = np.arange(len(deals))
    deals["rank"] = deals.groupby(["account", "month"]).cumcount()
    buyer = segment[deals["account"].to_numpy()]
    mix = PLAN_MIX.cumsum(axis=1)[buyer]
    deals["plan"] = (rng.random((len(deals), 1)) > mix).sum(axis=1).clip(0, 2)
    deals["year"] = rng.random(len(deals)) < ANNUAL_SHARE[buyer]
    deals["discount"] = rng.choice(DISCOUNTS, len(deals), p=[0.45, 0.3, 0.15, 0.1])
    deals["amount"] = deals["amount"].fillna(12_000.0).clip(lower=300.0)
    return deals


def _invoices(
    subscriptions: pd.DataFrame, health: Array, as_of: np.datetime64, rng: np.random.Generator
) -> pd.DataFrame:
    """One invoice per billing period begun by as_of; unhealthy customers pay late or never."""
    start = subscriptions["start_date"].to_numpy("datetime64[D]")
    end = subscriptions["end_date"].to_numpy("datetime64[D]")
    last = np.where(np.isnat(end), as_of, np.minimum(end, as_of))
    step = np.where(subscriptions["interval"].to_numpy() == "year", 12, 1)
    periods = (last.astype("datetime64[M]") - start.astype("datetime64[M]")).astype(np.int64)
    periods //= step
    periods -= add_months(start, periods * step) > last
    count = np.maximum(periods + 1, 0)
    row = np.repeat(np.arange(count.size), count)
    offset = np.arange(row.size) - np.repeat(np.cumsum(count) - count, count)
    day = add_months(start[row], offset * step[row])
    cutoff = as_of.astype("datetime64[s]")
    issued = np.minimum(day + rng.integers(0, 6 * 3600, row.size).astype("timedelta64[s]"), cutoff)
    h = health[row]
    late = rng.random(row.size) < 0.04 + 0.3 * (1 - h) ** 2
    lost = rng.random(row.size) < 0.005 + 0.06 * (1 - h) ** 3
    prompt = rng.lognormal(np.log(6), 0.7, row.size).clip(0, 29)
    delay = np.where(late, 30 + rng.exponential(20, row.size), prompt)
    paid_at = issued + (delay * 86_400).astype("timedelta64[s]")
    due = day + 30
    paid = ~lost & (paid_at <= cutoff)
    status = np.where(paid, "paid", np.where(lost & (due + 60 <= as_of), "uncollectible", "open"))
    amount = (subscriptions["quantity"] * subscriptions["unit_price"]).round(2).to_numpy()[row]
    invoices = pd.DataFrame(
        {
            "account_id": subscriptions["account_id"].to_numpy()[row],
            "subscription_id": subscriptions["subscription_id"].to_numpy()[row],
            "issued_at": issued,
            "due_date": due,
            "paid_at": np.where(paid, paid_at, NAT_S),
            "amount": amount,
            "status": status,
        }
    ).sort_values(["issued_at", "subscription_id"], kind="stable")
    invoices.insert(0, "invoice_id", [f"inv-{i:08d}" for i in range(1, len(invoices) + 1)])
    return invoices.reset_index(drop=True)[list(FRAMES["invoices"])]
