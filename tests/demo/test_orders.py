"""One-off buyers of the demo: only companies that never subscribed, invoices without a
subscription, none after the day; and the BG/NBD fitted on their summaries comes back
near the parameters they were drawn from."""

from __future__ import annotations

from datetime import date

import ibis
import numpy as np
import pandas as pd
import pytest

from revops.demo.world.orders import BGNBD, simulate_orders
from revops.metrics.engines.customers import purchase_summary, read_summary
from revops.stats.bgnbd import fit_bgnbd

START, AS_OF = np.datetime64("2024-01-01", "D"), np.datetime64("2026-11-22", "D")


def _orders(share: float, accounts: int = 3000) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = pd.DataFrame({"account_id": [f"a{i:05d}" for i in range(accounts)]})
    subscriptions = pd.DataFrame({"account_id": frame["account_id"][:1000]})
    found = simulate_orders(
        frame, subscriptions, share, START, AS_OF, 501, np.random.default_rng(7)
    )
    return found, subscriptions


def test_orders_come_from_companies_that_never_subscribed() -> None:
    orders, subscriptions = _orders(0.5)

    buyers = set(orders["account_id"])
    assert not buyers & set(subscriptions["account_id"])
    assert 800 < len(buyers) < 1200  # half of the 2,000 that never subscribed
    assert orders["subscription_id"].isna().all()
    assert (orders["amount"] > 0).all()
    assert orders["issued_at"].max() <= AS_OF.astype("datetime64[s]")
    assert orders["invoice_id"].iloc[0] == "inv-00000501"
    assert orders["invoice_id"].is_unique
    assert _orders(0.0)[0].empty


def test_bgnbd_recovers_the_purchase_process_from_the_orders() -> None:
    orders, _ = _orders(1.0, accounts=5000)
    table = ibis.memtable(orders.assign(day=pd.to_datetime(orders["issued_at"]).dt.date))

    summary = read_summary(
        purchase_summary(
            table,
            date(2026, 11, 22),
            period_days=1.0,
            customer="account_id",
            day="day",
            amount="amount",
        )
    )
    fitted = fit_bgnbd(summary.frequency, summary.recency, summary.age)

    assert fitted.r == pytest.approx(BGNBD["r"], rel=0.25)
    assert fitted.alpha == pytest.approx(BGNBD["alpha_days"], rel=0.3)
    assert fitted.a / (fitted.a + fitted.b) == pytest.approx(
        BGNBD["a"] / (BGNBD["a"] + BGNBD["b"]), rel=0.3
    )
