"""The revenue side of the demo world: subscriptions, invoices, tickets and usage."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from revops.demo.frames import FRAMES, World
from revops.demo.params import DemoParams
from revops.demo.world.billing import ADDON_ID
from revops.demo.world.revenue import simulate_revenue

AS_OF = date(2026, 11, 22)
START = np.datetime64("2024-02-01", "D")
SEGMENTS = np.array(["smb", "mid_market", "enterprise"])
DEAL_SIZE = {"smb": 6_000.0, "mid_market": 30_000.0, "enterprise": 120_000.0}


def make_sales_side(seed: int, accounts: int = 600) -> World:
    """Accounts of varied health, won and lost deals over three years, and their people."""
    rng = np.random.default_rng(seed)
    account_ids = np.array([f"acc-{i:06d}" for i in range(1, accounts + 1)])
    segment = rng.choice(SEGMENTS, accounts, p=[0.6, 0.3, 0.1])
    frame = pd.DataFrame(dict.fromkeys(FRAMES["accounts"], ""), index=range(accounts))
    frame["account_id"] = account_ids
    frame["segment"] = segment
    frame["employees"] = rng.integers(10, 5_000, accounts)
    frame["created_at"] = (START - 200).astype("datetime64[s]")
    frame["health"] = np.round(rng.beta(1.1, 1.1, accounts), 3)
    span = int((np.datetime64(AS_OF, "D") - START).astype(int))
    buyers = rng.permutation(accounts)[:400]
    lost = rng.integers(0, accounts, 250)
    movers = buyers[:60]
    deal_account = np.concatenate([buyers, lost, movers, buyers[100:160]])
    kind = np.repeat(["new", "new", "expansion", "renewal"], [400, 250, 60, 60])
    won = np.repeat([True, False, True, True], [400, 250, 60, 60])
    closed = START + rng.integers(0, span, deal_account.size)
    later = rng.integers(60, 400, deal_account.size)
    first = pd.Series(closed[:400], index=buyers)
    follow_up = kind != "new"
    closed[follow_up] = np.minimum(
        first.loc[deal_account[follow_up]].to_numpy("datetime64[D]") + later[follow_up],
        np.datetime64(AS_OF, "D") - 1,
    )
    size = pd.Series(segment[deal_account]).map(DEAL_SIZE).to_numpy()
    amount = np.round(size * rng.lognormal(0, 0.4, deal_account.size) * (1 - 0.7 * follow_up), -2)
    opportunities = pd.DataFrame(
        dict.fromkeys(FRAMES["opportunities"], ""), index=range(deal_account.size)
    )
    opportunities["opportunity_id"] = [f"opp-{i:07d}" for i in range(1, deal_account.size + 1)]
    opportunities["account_id"] = account_ids[deal_account]
    opportunities["type"] = kind
    opportunities["amount"] = amount
    opportunities["is_closed"] = True
    opportunities["is_won"] = won
    opportunities["closed_at"] = closed.astype("datetime64[s]") + np.timedelta64(15, "h")
    opportunities["stage"] = np.where(won, "Closed Won", "Closed Lost")
    holders = rng.integers(0, accounts, 1_500)
    people = pd.DataFrame(dict.fromkeys(FRAMES["people"], ""), index=range(1_500))
    people["person_id"] = [f"per-{i:07d}" for i in range(1, 1_501)]
    people["account_id"] = np.where(rng.random(1_500) < 0.9, account_ids[holders], "")
    return World(accounts=frame, opportunities=opportunities, people=people)


PARAMS = DemoParams(accounts=600, seed=11, as_of=AS_OF)
UNHEALTHY, HEALTHY = 0.3, 0.7


@pytest.fixture(scope="module")
def sales() -> World:
    return make_sales_side(5)


@pytest.fixture(scope="module")
def revenue(sales: World) -> tuple[World, pd.DataFrame, pd.DataFrame]:
    return simulate_revenue(PARAMS, sales)


@pytest.fixture(scope="module")
def world(revenue: tuple[World, pd.DataFrame, pd.DataFrame]) -> World:
    return revenue[0]


def month_ends(subscriptions: pd.DataFrame) -> pd.DatetimeIndex:
    first = subscriptions["start_date"].min()
    return pd.date_range(first, pd.Timestamp(AS_OF), freq="ME")


def live_rows(subscriptions: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    end = subscriptions["end_date"]
    return (subscriptions["start_date"] <= day) & (end.isna() | (end >= day))


def mrr_cents(subscriptions: pd.DataFrame) -> pd.Series:
    per_month = np.where(subscriptions["interval"] == "year", 12, 1)
    cents = subscriptions["quantity"] * subscriptions["unit_price"] / per_month * 100
    return cents.round().astype(np.int64)


def customer_mrr(subscriptions: pd.DataFrame) -> pd.DataFrame:
    """Customer × month end → MRR in cents, from the rows live on each month's last day."""
    cents = mrr_cents(subscriptions)
    columns = {
        day: cents.where(live_rows(subscriptions, day), 0)
        .groupby(subscriptions["account_id"])
        .sum()
        for day in month_ends(subscriptions)
    }
    return pd.DataFrame(columns)


def movements(mrr: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The five MRR movements per customer and month (cents), by the KPIS.md convention."""
    now = mrr.to_numpy()
    before = np.concatenate([np.zeros((len(mrr), 1), np.int64), now[:, :-1]], axis=1)
    seen = np.cumsum(before > 0, axis=1) > 0
    start, stop = (before == 0) & (now > 0), (before > 0) & (now == 0)
    moves = {
        "new": np.where(start & ~seen, now, 0),
        "expansion": np.where((before > 0) & (now > before), now - before, 0),
        "contraction": np.where((now > 0) & (now < before), before - now, 0),
        "churn": np.where(stop, before, 0),
        "reactivation": np.where(start & seen, now, 0),
        "opening": before,
    }
    return {
        name: pd.DataFrame(v, index=mrr.index, columns=mrr.columns) for name, v in moves.items()
    }


def health_of(world: World, account_ids: pd.Index | pd.Series) -> np.ndarray:
    return world.accounts.set_index("account_id")["health"].reindex(account_ids).to_numpy()


def test_the_bridge_measure_reproduces_the_kpis_worked_example() -> None:
    """Gold yearly, Silver added, Silver cancelled, Gold ends with its year, Gold monthly."""
    example = pd.DataFrame(
        {
            "account_id": "acc-000001",
            "interval": ["year", "month", "month"],
            "quantity": [4, 2, 3],
            "unit_price": [500.0, 30.0, 50.0],
            "start_date": pd.to_datetime(["2024-03-10", "2024-05-10", "2025-06-10"]),
            "end_date": pd.to_datetime(["2025-03-09", "2024-08-09", None]),
        }
    )
    moves = {name: frame.sum() for name, frame in movements(customer_mrr(example)).items()}
    nonzero = {name: total[total != 0].to_dict() for name, total in moves.items()}
    assert nonzero["new"] == {pd.Timestamp("2024-03-31"): 16_667}
    assert nonzero["expansion"] == {pd.Timestamp("2024-05-31"): 6_000}
    assert nonzero["contraction"] == {pd.Timestamp("2024-08-31"): 6_000}
    assert nonzero["churn"] == {pd.Timestamp("2025-03-31"): 16_667}
    assert nonzero["reactivation"] == {pd.Timestamp("2025-06-30"): 15_000}


def test_every_frame_has_exactly_the_contract_columns(
    revenue: tuple[World, pd.DataFrame, pd.DataFrame],
) -> None:
    world, products, usage = revenue
    for name in ("subscriptions", "invoices", "tickets"):
        assert list(world.frames()[name].columns) == list(FRAMES[name]), name
    assert list(products.columns) == ["product_id", "name", "monthly_price", "annual_price"]
    assert list(usage.columns) == ["account_id", "month", "active_users", "events"]
    assert world.subscriptions["subscription_id"].is_unique
    assert world.invoices["invoice_id"].is_unique
    assert world.tickets["ticket_id"].is_unique
    assert set(world.subscriptions["product_id"]) <= set(products["product_id"])


def test_same_seed_same_company_and_another_seed_another_company(
    sales: World, revenue: tuple[World, pd.DataFrame, pd.DataFrame]
) -> None:
    again, products, usage = simulate_revenue(PARAMS, sales)
    for name in ("subscriptions", "invoices", "tickets"):
        pd.testing.assert_frame_equal(again.frames()[name], revenue[0].frames()[name])
    pd.testing.assert_frame_equal(usage, revenue[2])
    pd.testing.assert_frame_equal(products, revenue[1])
    other = simulate_revenue(PARAMS.model_copy(update={"seed": 12}), sales)[0]
    for name in ("subscriptions", "invoices", "tickets"):
        assert not other.frames()[name].equals(revenue[0].frames()[name]), name


def test_mrr_bridge_balances_to_the_cent_every_month_with_all_five_movements(
    world: World,
) -> None:
    subscriptions = world.subscriptions
    moves = {name: frame.sum() for name, frame in movements(customer_mrr(subscriptions)).items()}
    cents = mrr_cents(subscriptions)
    closing = pd.Series(
        {day: int(cents[live_rows(subscriptions, day)].sum()) for day in month_ends(subscriptions)}
    )
    opening = closing.shift(1, fill_value=0)
    bridge = (
        opening
        + moves["new"]
        + moves["expansion"]
        - moves["contraction"]
        - moves["churn"]
        + moves["reactivation"]
    )
    assert (bridge == closing).all()
    assert (moves["opening"] == opening).all()
    counts = {
        name: int((movements(customer_mrr(subscriptions))[name] > 0).sum().sum()) for name in moves
    }
    least = {"new": 300, "expansion": 50, "contraction": 20, "churn": 30, "reactivation": 2}
    assert all(counts[name] >= count for name, count in least.items()), counts


def rates_by_health(world: World, name: str) -> tuple[float, float]:
    """Customer-months with movement `name` per customer-month with opening MRR, for the
    unhealthy (< 0.3) and the healthy (> 0.7) customers."""
    moves = movements(customer_mrr(world.subscriptions))
    exposed = (moves["opening"] > 0).sum(axis=1)
    events = (moves[name] > 0).sum(axis=1)
    health = health_of(world, exposed.index)
    low, high = health < UNHEALTHY, health > HEALTHY
    return events[low].sum() / exposed[low].sum(), events[high].sum() / exposed[high].sum()


def test_unhealthy_customers_churn_at_least_twice_as_often_as_healthy_ones(world: World) -> None:
    unhealthy, healthy = rates_by_health(world, "churn")
    assert unhealthy >= 2 * healthy
    assert 0.005 < unhealthy < 0.1


def test_healthy_customers_expand_at_least_twice_as_often_as_unhealthy_ones(world: World) -> None:
    unhealthy, healthy = rates_by_health(world, "expansion")
    assert healthy >= 2 * unhealthy
    contraction_unhealthy, contraction_healthy = rates_by_health(world, "contraction")
    assert contraction_unhealthy >= 1.5 * contraction_healthy


def test_won_new_deals_start_subscriptions_worth_their_amount(sales: World, world: World) -> None:
    opportunities = sales.opportunities
    won = opportunities[(opportunities["type"] == "new") & opportunities["is_won"]]
    first = world.subscriptions.drop_duplicates("opportunity_id").set_index("opportunity_id")
    started = first.reindex(won["opportunity_id"])
    assert started["start_date"].notna().all()
    assert (started["start_date"].to_numpy() == won["closed_at"].dt.normalize().to_numpy()).all()
    per_year = np.where(started["interval"] == "year", 1, 12)
    yearly = started["quantity"] * started["unit_price"] * per_year
    error = (yearly.to_numpy() / won["amount"].to_numpy() - 1).__abs__()
    assert np.median(error) < 0.05
    assert error.max() < 0.5
    annual_share = (
        (started["interval"] == "year")
        .groupby(
            won["account_id"].map(sales.accounts.set_index("account_id")["segment"]).to_numpy()
        )
        .mean()
    )
    assert annual_share["enterprise"] > annual_share["smb"] + 0.3


def test_annual_subscriptions_end_only_when_a_paid_year_ends(world: World) -> None:
    subscriptions = world.subscriptions
    assert (
        subscriptions["end_date"].isna()
        | (subscriptions["end_date"] >= subscriptions["start_date"])
    ).all()
    ended = subscriptions[(subscriptions["interval"] == "year") & subscriptions["end_date"].notna()]
    assert len(ended) >= 20
    for start, end in zip(ended["start_date"], ended["end_date"], strict=True):
        months = (end.year - start.year) * 12 + end.month - start.month
        years = max(1, round(months / 12))
        assert end + pd.Timedelta(days=1) == start + pd.DateOffset(months=12 * years)
    canceled = subscriptions.dropna(subset=["canceled_at", "end_date"])
    assert (canceled["canceled_at"].dt.normalize() <= canceled["end_date"]).all()
    assert (canceled["canceled_at"] >= canceled["start_date"]).all()


def test_nothing_is_dated_after_as_of(
    revenue: tuple[World, pd.DataFrame, pd.DataFrame],
) -> None:
    world, _, usage = revenue
    cutoff = pd.Timestamp(AS_OF)
    stamps = {
        "subscriptions": ["start_date", "end_date", "canceled_at"],
        "invoices": ["issued_at", "paid_at"],
        "tickets": ["opened_at", "closed_at"],
    }
    for name, columns in stamps.items():
        for column in columns:
            assert (world.frames()[name][column].dropna() <= cutoff).all(), (name, column)
    assert (usage["month"] <= cutoff).all()
    assert world.invoices["issued_at"].max() > cutoff - pd.Timedelta(days=31)


def test_invoices_bill_each_period_and_paid_ones_are_paid_after_issue(world: World) -> None:
    invoices = world.invoices
    paid = invoices[invoices["status"] == "paid"]
    assert (paid["paid_at"] >= paid["issued_at"]).all()
    assert invoices.loc[invoices["status"] != "paid", "paid_at"].isna().all()
    assert (
        invoices["due_date"] == invoices["issued_at"].dt.normalize() + pd.Timedelta(days=30)
    ).all()
    assert set(invoices["status"]) == {"paid", "open", "uncollectible"}
    assert (invoices["status"] == "paid").mean() > 0.85
    subscriptions = world.subscriptions.set_index("subscription_id")
    billed = subscriptions.loc[invoices["subscription_id"]]
    assert np.allclose(invoices["amount"], billed["quantity"] * billed["unit_price"], atol=0.01)
    monthly = subscriptions[
        (subscriptions["interval"] == "month") & subscriptions["end_date"].isna()
    ]
    counts = invoices["subscription_id"].value_counts().reindex(monthly.index)
    expected = (pd.Timestamp(AS_OF).to_period("M") - monthly["start_date"].dt.to_period("M")).map(
        lambda offset: offset.n
    )
    assert ((counts - expected).abs() <= 1).all()
    trouble = (invoices["status"] == "uncollectible") | (invoices["paid_at"] > invoices["due_date"])
    health = health_of(world, invoices["account_id"])
    assert trouble[health < UNHEALTHY].mean() >= 2 * trouble[health > HEALTHY].mean()


def test_unhealthy_customers_file_more_tickets_and_rate_them_lower(
    revenue: tuple[World, pd.DataFrame, pd.DataFrame],
) -> None:
    world, _, usage = revenue
    tickets = world.tickets
    months = usage.groupby("account_id").size()
    per_month = tickets.groupby("account_id").size().reindex(months.index, fill_value=0)
    health = health_of(world, months.index)
    low, high = health < UNHEALTHY, health > HEALTHY
    assert (
        per_month[low].sum() / months[low].sum() >= 1.5 * per_month[high].sum() / months[high].sum()
    )
    ticket_health = health_of(world, tickets["account_id"])
    csat = tickets["csat"]
    assert csat[ticket_health < UNHEALTHY].mean() + 0.5 <= csat[ticket_health > HEALTHY].mean()
    assert 0.3 <= csat.notna().mean() <= 0.5
    assert set(csat.dropna().unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    known = tickets["person_id"] != ""
    assert known.mean() > 0.8
    people = world.people.set_index("person_id")["account_id"]
    assert (
        people.loc[tickets.loc[known, "person_id"]].to_numpy()
        == tickets.loc[known, "account_id"].to_numpy()
    ).all()
    urgent = tickets["priority"].isin(["high", "urgent"])
    assert urgent[ticket_health < UNHEALTHY].mean() > urgent[ticket_health > HEALTHY].mean()


def test_healthy_customers_use_more_of_their_seats(
    revenue: tuple[World, pd.DataFrame, pd.DataFrame],
) -> None:
    world, _, usage = revenue
    subscriptions = world.subscriptions
    plan = subscriptions[subscriptions["product_id"] != ADDON_ID]
    seats = pd.concat(
        {
            day.to_period("M").to_timestamp(): plan["quantity"]
            .where(live_rows(plan, day), 0)
            .groupby(plan["account_id"])
            .sum()
            for day in month_ends(subscriptions)
        },
        names=["month", "account_id"],
    )
    used = usage.set_index(["month", "account_id"])["active_users"]
    share = (used / seats.reindex(used.index)).dropna()
    health = health_of(world, share.index.get_level_values("account_id"))
    assert share[health > HEALTHY].mean() >= share[health < UNHEALTHY].mean() + 0.3
    assert (share <= 1).all()
