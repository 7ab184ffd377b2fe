"""One-off buyers: companies that never subscribe but order now and then, invoiced without
a subscription (`--one-off-buyers SHARE`; none by default, so the default company and its
golden files do not change). Drawn from the models the CLV of buyers without a contract
fits: purchases at a Poisson rate λ ~ Gamma(r, α) until the buyer drops out, with
probability p ~ Beta(a, b) after each purchase (BG/NBD); order values around a buyer's
own mean, ν ~ Gamma(q, γ), value ~ Gamma(p, ν) (Gamma-Gamma). The parameters are written
here so a fit can be put against them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.demo.frames import FRAMES

BGNBD = {"r": 0.8, "alpha_days": 60.0, "a": 1.0, "b": 4.0}
"""The purchase process: λ ~ Gamma(shape r, rate α) per day, p ~ Beta(a, b)."""
GAMMA_GAMMA = {"p": 4.0, "q": 5.0, "gamma": 4_000.0}
"""Order values: ν ~ Gamma(shape q, rate γ), each order ~ Gamma(shape p, rate ν), USD."""


def simulate_orders(
    accounts: pd.DataFrame,
    subscriptions: pd.DataFrame,
    share: float,
    start: np.datetime64,
    as_of: np.datetime64,
    first_number: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Invoices (the frame `invoices`, no `subscription_id`) of `share` of the accounts that
    never subscribed, each first ordering on a day between `start` and `as_of`."""
    never = accounts.loc[~accounts["account_id"].isin(subscriptions["account_id"]), "account_id"]
    chosen = never.to_numpy(object)[rng.random(len(never)) < share]
    span = int((as_of - start).astype(np.int64))
    rows: list[tuple[str, np.datetime64, float]] = []
    for account in chosen:
        rate = rng.gamma(BGNBD["r"], 1.0 / BGNBD["alpha_days"])
        drop = rng.beta(BGNBD["a"], BGNBD["b"])
        scale = rng.gamma(GAMMA_GAMMA["q"], 1.0 / GAMMA_GAMMA["gamma"])
        day = start + np.timedelta64(int(rng.integers(0, max(span, 1))), "D")
        first = True
        while day <= as_of:
            value = round(float(rng.gamma(GAMMA_GAMMA["p"], 1.0 / scale)), 2)
            rows.append((str(account), day, max(value, 1.0)))
            # As in BG/NBD, a buyer may drop out right after a repeat purchase only.
            if not first and rng.random() < drop:
                break
            first = False
            day = day + np.timedelta64(max(1, int(rng.exponential(1.0 / rate))), "D")
    if not rows:
        return pd.DataFrame({c: [] for c in FRAMES["invoices"]})
    frame = pd.DataFrame(rows, columns=["account_id", "day", "amount"])
    frame = frame.sort_values(["day", "account_id"], kind="stable").reset_index(drop=True)
    issued = frame["day"].to_numpy("datetime64[D]").astype("datetime64[s]") + np.timedelta64(
        9 * 3600, "s"
    )
    cutoff = as_of.astype("datetime64[s]")
    paid_at = issued + (rng.lognormal(np.log(5), 0.6, len(frame)) * 86_400).astype("timedelta64[s]")
    paid = paid_at <= cutoff
    return pd.DataFrame(
        {
            "invoice_id": [f"inv-{first_number + i:08d}" for i in range(len(frame))],
            "account_id": frame["account_id"].to_numpy(object),
            "subscription_id": None,
            "issued_at": np.minimum(issued, cutoff),
            "due_date": frame["day"].to_numpy("datetime64[D]") + np.timedelta64(30, "D"),
            "paid_at": np.where(paid, paid_at, np.datetime64("NaT", "s")),
            "amount": frame["amount"].to_numpy(float),
            "status": np.where(paid, "paid", "open"),
        }
    )[list(FRAMES["invoices"])]
