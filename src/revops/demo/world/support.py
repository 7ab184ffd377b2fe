"""Support tickets and product usage of the demo company's customers, month by month.

A customer-month is a month at whose end (or at as_of) the account has a live
subscription; its seats are those of its plan rows (not the add-on). Each customer's
health wanders around its latent value; unhealthy customers use the product less (fewer
active users per seat, fewer events), file more tickets, more of them urgent, wait longer
for answers and rate them lower. Bigger customers file more tickets.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from revops.demo.frames import FRAMES
from revops.demo.params import DemoParams
from revops.demo.world.billing import ADDON_ID

Array = npt.NDArray[Any]

PRIORITIES = np.array(["low", "normal", "high", "urgent"], dtype=object)
RESOLUTION_HOURS = np.array([40.0, 20.0, 8.0, 3.0])  # median, by priority
RATED_SHARE = 0.4


def simulate_support(
    params: DemoParams,
    accounts: pd.DataFrame,
    subscriptions: pd.DataFrame,
    people: pd.DataFrame,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tickets (FRAMES columns) and monthly usage (account_id, month, active_users, events)."""
    as_of = np.datetime64(params.as_of, "D")
    ids = pd.Index(accounts["account_id"])
    account, month, seats = _customer_months(ids, subscriptions, as_of)
    first = month.astype("datetime64[D]")
    days = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
    elapsed = np.clip((as_of - first).astype(np.int64) + 1, 0, days)
    health = _health(accounts["health"].fillna(0.5).to_numpy(float), account, month, rng)
    share = np.clip(0.2 + 0.75 * health, 0.05, 0.98)
    active = rng.binomial(seats, share)
    intensity = 45 * (0.4 + health) * rng.lognormal(0, 0.3, seats.size) * elapsed / days
    usage = pd.DataFrame(
        {
            "account_id": ids.to_numpy()[account],
            "month": first,
            "active_users": active,
            "events": rng.poisson(active * intensity),
        }
    )
    rate = 0.15 * seats**0.45 * (0.8 + 3 * (1 - health) ** 2) * elapsed / days
    count = rng.poisson(rate)
    row = np.repeat(np.arange(count.size), count)
    seconds = (rng.random(row.size) * elapsed[row] * 86_400).astype("timedelta64[s]")
    opened = np.minimum(first[row] + seconds, as_of.astype("datetime64[s]"))
    tickets = _tickets(ids, account[row], opened, health[row], people, as_of, rng)
    return tickets, usage


def _customer_months(
    ids: pd.Index, subscriptions: pd.DataFrame, as_of: np.datetime64
) -> tuple[Array, Array, Array]:
    """(account position, month, seats) of every month an account ends as a customer."""
    account = ids.get_indexer(pd.Index(subscriptions["account_id"]))
    start = subscriptions["start_date"].to_numpy("datetime64[D]")
    end = subscriptions["end_date"].to_numpy("datetime64[D]")
    plan = (subscriptions["product_id"] != ADDON_ID).to_numpy()
    seats = np.where(plan, subscriptions["quantity"].to_numpy(np.int64), 0)
    first = start.astype("datetime64[M]")
    last = np.where(np.isnat(end), as_of, end).astype("datetime64[M]")
    # A row counts in a month when it is live on the month's last day (or on as_of).
    snapshot = np.minimum((last + 1).astype("datetime64[D]") - 1, as_of)
    last = last - (~np.isnat(end) & (end < snapshot)).astype(np.int64)
    count = np.where(account >= 0, np.maximum((last - first).astype(np.int64) + 1, 0), 0)
    row = np.repeat(np.arange(count.size), count)
    offset = np.arange(row.size) - np.repeat(np.cumsum(count) - count, count)
    month = (first[row] + offset).astype(np.int64)
    base, span = (int(month.min()), int(np.ptp(month)) + 1) if month.size else (0, 1)
    key = account[row].astype(np.int64) * span + month - base
    keys, inverse = np.unique(key, return_inverse=True)
    total = np.bincount(inverse, weights=seats[row], minlength=keys.size).astype(np.int64)
    months = (keys % span + base).astype("datetime64[M]")
    order = np.lexsort((keys // span, months))
    return (keys // span)[order], months[order], total[order]


def _health(latent: Array, account: Array, month: Array, rng: np.random.Generator) -> Array:
    """Each customer's health by month: its latent health plus a slow random walk."""
    customers, local = np.unique(account, return_inverse=True)
    number = month.astype(np.int64)
    first, span = (int(number.min()), int(np.ptp(number)) + 1) if number.size else (0, 1)
    drift = np.zeros((customers.size, span))
    for step in range(1, span):
        drift[:, step] = 0.85 * drift[:, step - 1] + rng.normal(0, 0.05, customers.size)
    clipped: Array = np.clip(latent[account] + drift[local, number - first], 0, 1)
    return clipped


def _tickets(
    ids: pd.Index,
    account: Array,
    opened: Array,
    health: Array,
    people: pd.DataFrame,
    as_of: np.datetime64,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Priority, resolution and CSAT of each ticket, requested by one of the account's people."""
    size, sick = account.size, 1 - health
    cut = np.cumsum(np.stack([0.35 - 0.15 * sick, 0.5 - 0.05 * sick, 0.12 + 0.12 * sick]), 0)
    priority = (rng.random(size) > cut).sum(axis=0)
    hours = RESOLUTION_HOURS[priority] * (0.7 + 0.9 * sick) * rng.lognormal(0, 0.8, size)
    closed = opened + (hours * 3600).astype("timedelta64[s]")
    solved = closed <= as_of.astype("datetime64[s]")
    mean = 2.6 + 2.2 * health - 0.45 * np.log1p(hours / 24)
    score = np.clip(np.round(mean + rng.normal(0, 0.8, size)), 1, 5)
    rated = solved & (rng.random(size) < RATED_SHARE)
    tickets = pd.DataFrame(
        {
            "account_id": ids.to_numpy()[account],
            "person_id": _requesters(ids, account, people, rng),
            "opened_at": opened,
            "closed_at": np.where(solved, closed, np.datetime64("NaT", "s")),
            "priority": PRIORITIES[priority],
            "csat": np.where(rated, score, np.nan),
        }
    ).sort_values(["opened_at", "account_id"], kind="stable")
    tickets.insert(0, "ticket_id", [f"tkt-{i:07d}" for i in range(1, len(tickets) + 1)])
    return tickets.reset_index(drop=True)[list(FRAMES["tickets"])]


def _requesters(
    ids: pd.Index, account: Array, people: pd.DataFrame, rng: np.random.Generator
) -> Array:
    """A random person of each ticket's account; empty when the account has none."""
    holder = ids.get_indexer(pd.Index(people["account_id"].fillna("")))
    known = holder >= 0
    order = np.lexsort((people["person_id"].to_numpy(str)[known], holder[known]))
    person = people["person_id"].to_numpy(str)[known][order]
    count = np.bincount(holder[known], minlength=len(ids))
    start = np.cumsum(count) - count
    pick = start[account] + (rng.random(account.size) * count[account]).astype(np.int64)
    chosen = person[np.minimum(pick, max(person.size - 1, 0))] if person.size else ""
    requesters: Array = np.where(count[account] > 0, chosen, "")
    return requesters
