"""Partners and their deal registrations, territories, and quarterly quotas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.core import FiscalCalendar

PARTNER_NAMES = np.array(
    [
        "Northwind",
        "Contoso",
        "Fabrikam",
        "Tailspin",
        "Wingtip",
        "Litware",
        "Proseware",
        "Adatum",
        "Coho",
        "Lucerne",
        "Margie's",
        "Trey",
        "Woodgrove",
        "Alpine",
        "Humongous",
    ]
)
PARTNER_SUFFIXES = np.array(["Consulting", "Partners", "Solutions", "Group", "Digital", "Systems"])
INFLUENCED_SHARE = 0.15
"""Share of the deals the company sourced itself that a partner joins."""
SEGMENT_QUOTA = {"smb": 90_000.0, "mid_market": 180_000.0, "enterprise": 350_000.0}


def _partner_names(count: int, rng: np.random.Generator) -> list[str]:
    """`count` different partner names (a number is added once the combinations run out)."""
    names = [f"{a} {b}" for a in PARTNER_NAMES for b in PARTNER_SUFFIXES]
    order = rng.permutation(len(names))
    return [
        names[order[i % len(names)]] + (f" {i // len(names) + 1}" if i >= len(names) else "")
        for i in range(count)
    ]


def simulate_partners(
    accounts: pd.DataFrame, opportunities: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Partners, and registrations: one converted for each partner-sourced opportunity,
    registrations that were rejected or expired without becoming a deal, and approved ones
    of deals a partner joined after they were opened (influenced, not sourced).
    `decided_at` is when a registration was approved or rejected (NaT for expired ones)."""
    count = max(8, len(accounts) // 150)
    first = opportunities["created_at"].min() if len(opportunities) else pd.Timestamp("2020-01-01")
    partners = pd.DataFrame(
        {
            "partner_id": [f"prt-{i:03d}" for i in range(1, count + 1)],
            "name": _partner_names(count, rng),
            "type": rng.choice(
                np.array(["referral", "reseller", "technology"]), count, p=[0.5, 0.3, 0.2]
            ),
            "tier": rng.choice(
                np.array(["gold", "silver", "registered"]), count, p=[0.2, 0.35, 0.45]
            ),
            "joined_date": (
                first - pd.to_timedelta(rng.integers(0, 720, count), unit="D")
            ).normalize(),
        }
    )
    sourced = opportunities[opportunities["source"] == "partner"]
    partner_of = np.where(
        sourced["partner_id"].fillna("").to_numpy() != "",
        sourced["partner_id"].fillna("").to_numpy(),
        rng.choice(partners["partner_id"].to_numpy(), len(sourced)),
    )
    ahead = pd.to_timedelta(rng.integers(1, 21, len(sourced)), unit="D").to_numpy()
    registered = sourced["created_at"].to_numpy() - ahead
    converted = pd.DataFrame(
        {
            "partner_id": partner_of,
            "account_id": sourced["account_id"].to_numpy(),
            "opportunity_id": sourced["opportunity_id"].to_numpy(),
            "registered_at": registered,
            # Approved before the opportunity was opened from it.
            "decided_at": registered + ahead * rng.uniform(0.05, 0.6, len(sourced)),
            "status": "converted",
        }
    )
    extra = len(sourced) // 2 + count
    made = pd.DatetimeIndex(
        first
        + pd.to_timedelta(rng.integers(0, 900, extra), unit="D")
        + pd.to_timedelta(rng.integers(0, 86_400, extra), unit="s")
    )
    status = rng.choice(np.array(["rejected", "expired", "approved"]), extra, p=[0.3, 0.5, 0.2])
    unconverted = pd.DataFrame(
        {
            "partner_id": rng.choice(partners["partner_id"].to_numpy(), extra),
            "account_id": rng.choice(accounts["account_id"].to_numpy(), extra),
            "opportunity_id": "",
            "registered_at": made,
            # A registration that expired was never decided on.
            "decided_at": (made + _review_time(extra, rng)).where(status != "expired"),
            "status": status,
        }
    )
    deals = pd.concat(
        [converted, unconverted, _influenced(opportunities, partners, rng)], ignore_index=True
    ).sort_values(["registered_at", "partner_id"], kind="stable")
    deals.insert(0, "registration_id", [f"reg-{i:06d}" for i in range(1, len(deals) + 1)])
    return partners, deals.reset_index(drop=True)


def _review_time(count: int, rng: np.random.Generator) -> pd.TimedeltaIndex:
    """How long the channel team takes to approve or reject a registration: a day or two
    mostly, a few weeks for some."""
    hours = np.minimum(rng.lognormal(np.log(36.0), 0.8, count), 24.0 * 45)
    return pd.to_timedelta(hours, unit="h")


def _influenced(
    opportunities: pd.DataFrame, partners: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Approved registrations of deals the company sourced itself: a reseller or a
    technology partner joins an open deal (registered after it was created), so the
    partner influenced it without sourcing it."""
    helpers = partners.loc[partners["type"] != "referral", "partner_id"].to_numpy()
    others = opportunities[
        (opportunities["source"] != "partner") & (opportunities["type"] != "renewal")
    ]
    joined = others[rng.random(len(others)) < INFLUENCED_SHARE]
    if not helpers.size or joined.empty:
        return pd.DataFrame(columns=["partner_id", "account_id", "opportunity_id"])
    registered = (
        joined["created_at"].to_numpy()
        + pd.to_timedelta(rng.integers(1, 30, len(joined)), unit="D").to_numpy()
    )
    return pd.DataFrame(
        {
            "partner_id": rng.choice(helpers, len(joined)),
            "account_id": joined["account_id"].to_numpy(),
            "opportunity_id": joined["opportunity_id"].to_numpy(),
            "registered_at": registered,
            "decided_at": registered + _review_time(len(joined), rng).to_numpy(),
            "status": "approved",
        }
    )


def simulate_territories(users: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """One territory per region and segment that has accounts, run by a sales manager."""
    cells = accounts[["region", "segment"]].drop_duplicates().sort_values(["region", "segment"])
    managers = users.loc[users["role"] == "manager", "user_id"].to_numpy()
    owners = np.resize(managers, len(cells)) if managers.size else np.full(len(cells), "")
    return pd.DataFrame(
        {
            "territory_id": [f"ter-{i:02d}" for i in range(1, len(cells) + 1)],
            "name": [
                f"{r} {s.replace('_', '-').title()}" for r, s in cells.itertuples(index=False)
            ],
            "region": cells["region"].to_numpy(),
            "segment": cells["segment"].to_numpy(),
            "owner_id": owners,
        }
    )


def simulate_quotas(
    users: pd.DataFrame, calendar: FiscalCalendar, start: np.datetime64, as_of: np.datetime64
) -> pd.DataFrame:
    """A quarterly bookings quota for every AE employed in the quarter, reduced while ramping
    and pro-rated for partial quarters."""
    quarters = calendar.periods_between(
        pd.Timestamp(start).date(), (pd.Timestamp(as_of) + pd.Timedelta(days=1)).date(), "quarter"
    )
    aes = users[users["role"] == "AE"]
    hired = aes["hire_date"].to_numpy("datetime64[D]")
    left = aes["termination_date"].to_numpy("datetime64[D]")
    ramp_days = aes["ramp_months"].to_numpy() * 30.4
    full = aes["segment"].map(SEGMENT_QUOTA).fillna(120_000.0).to_numpy()
    parts = []
    for quarter in quarters:
        begin, end = np.datetime64(quarter.start, "D"), np.datetime64(quarter.end, "D")
        active = (hired < end) & (np.isnat(left) | (left >= begin))
        worked = np.minimum(end, np.where(np.isnat(left), end, left)) - np.maximum(begin, hired)
        share = np.clip(worked.astype(float) / (end - begin).astype(float), 0, 1)
        tenure = (begin - hired).astype(float)
        ramp = np.clip((tenure + 45) / np.maximum(ramp_days, 1), 0.25, 1)
        amount = np.round(full * share * ramp / 1_000) * 1_000
        keep = active & (amount > 0)
        parts.append(
            pd.DataFrame(
                {
                    "user_id": aes["user_id"].to_numpy()[keep],
                    "period_start_date": begin,
                    "period_end_date": end - 1,
                    "amount": amount[keep],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
