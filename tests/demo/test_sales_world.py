"""The sales side of the demo world: every frame has its contract's columns, the same
parameters give the same company, and each dynamic the issue asks for is measured on a
small generated company, with thresholds a generator without it would fail."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from revops.core import FiscalCalendar
from revops.demo.frames import FRAMES, World
from revops.demo.params import DemoParams, history_start
from revops.demo.world.sales import simulate_sales

PARAMS = DemoParams(accounts=2_000, years=3, seed=1, as_of=date(2026, 11, 22))
SALES_FRAMES = ("users", "teams", "accounts", "people", "campaigns", "touches",
                "opportunities", "opportunity_history", "activities")  # fmt: skip
AS_OF = pd.Timestamp(PARAMS.as_of)


@pytest.fixture(scope="module")
def company() -> tuple[World, pd.DataFrame]:
    return simulate_sales(PARAMS)


@pytest.fixture(scope="module")
def world(company: tuple[World, pd.DataFrame]) -> World:
    return company[0]


# measures


def quarters(stamps: pd.Series) -> pd.DataFrame:
    """Fiscal year, quarter, and days to the quarter's end of each timestamp."""
    calendar = FiscalCalendar(PARAMS.fiscal_year_start_month)
    periods = calendar.periods_between(history_start(PARAMS), date(2030, 1, 1), "quarter")
    starts = pd.DatetimeIndex([pd.Timestamp(p.start) for p in periods])
    at = starts.searchsorted(stamps.to_numpy(), side="right") - 1
    ends = pd.DatetimeIndex([pd.Timestamp(p.end) for p in periods])[at]
    return pd.DataFrame(
        {
            "year": [periods[i].fiscal_year for i in at],
            "quarter": [periods[i].index for i in at],
            "days_left": (ends - pd.DatetimeIndex(stamps)).days,
            "complete": ends <= AS_OF,
        },
        index=stamps.index,
    )


def quarter_end_share(opportunities: pd.DataFrame) -> float:
    closed = opportunities[opportunities["is_closed"] & (opportunities["type"] != "renewal")]
    where = quarters(closed["closed_at"])
    where = where[where["complete"]]
    return float((where["days_left"] < 14).mean())


def bookings_by_quarter(opportunities: pd.DataFrame) -> pd.Series:
    won = opportunities[opportunities["is_won"] & (opportunities["type"] != "renewal")]
    where = quarters(won["closed_at"])
    won = won[where["complete"]]
    return won.groupby([where["year"], where["quarter"]])["amount"].sum()


def segment_of(world: World, opportunities: pd.DataFrame) -> pd.Series:
    return opportunities["account_id"].map(world.accounts.set_index("account_id")["segment"])


def leads_per_dollar_slope(people: pd.DataFrame, spend: pd.DataFrame) -> float:
    """Slope of log(leads per dollar) on log(spend) across months, within channels."""
    month = people["created_at"].dt.to_period("M").dt.to_timestamp()
    leads = people.groupby([people["channel"], month]).size().rename("leads")
    full = spend[spend["month"] < AS_OF.to_period("M").to_timestamp()]
    data = full.join(leads, on=["channel", "month"]).dropna()
    x = np.log(data["amount"])
    y = np.log(data["leads"] / data["amount"])
    x = x - x.groupby(data["channel"]).transform("mean")
    y = y - y.groupby(data["channel"]).transform("mean")
    return float((x * y).sum() / (x * x).sum())


def funnel_rates(people: pd.DataFrame) -> dict[str, float]:
    """Conversion of each lifecycle step, for leads old enough to have made it."""
    old = people[people["created_at"] < AS_OF - pd.Timedelta(days=120)]
    reached = {step: old[f"{step}_at"].notna().sum() for step in ("mql", "sql", "opportunity")}
    return {
        "lead_mql": reached["mql"] / len(old),
        "mql_sql": reached["sql"] / reached["mql"],
        "sql_opportunity": reached["opportunity"] / reached["sql"],
    }


# contract and determinism


def test_every_frame_has_exactly_its_contract_columns(
    company: tuple[World, pd.DataFrame],
) -> None:
    world, spend = company
    for name in SALES_FRAMES:
        frame = getattr(world, name)
        assert list(frame.columns) == list(FRAMES[name]), name
        assert len(frame) > 0, name
    assert list(spend.columns) == ["month", "channel", "amount"]
    ids = {"users": "user_id", "accounts": "account_id", "people": "person_id",
           "opportunities": "opportunity_id", "activities": "activity_id",
           "campaigns": "campaign_id", "teams": "team_id"}  # fmt: skip
    for name, column in ids.items():
        assert getattr(world, name)[column].is_unique, name
    assert world.people["email"].is_unique
    assert world.accounts["domain"].is_unique


def test_references_resolve_to_records_of_the_right_kind(world: World) -> None:
    users = world.users.set_index("user_id")
    for frame in (world.accounts, world.opportunities, world.opportunity_history):
        assert frame["owner_id"].map(users["role"]).eq("AE").all()
    assert world.opportunities["contact_id"].isin(world.people["person_id"]).all()
    assert world.opportunities["account_id"].isin(world.accounts["account_id"]).all()
    assert world.touches["campaign_id"].isin(world.campaigns["campaign_id"]).all()
    assert world.touches["person_id"].isin(world.people["person_id"]).all()
    known = world.people["account_id"] != ""
    assert world.people.loc[known, "account_id"].isin(world.accounts["account_id"]).all()
    assert 0.1 < (~known).mean() < 0.4  # some leads are not matched to their company yet
    assert known[world.people["sql_at"].notna()].all()  # sales always knows the company
    # owners sell to their own segment, and accounts are with AEs still there
    segment = segment_of(world, world.opportunities)
    assert (world.opportunities["owner_id"].map(users["segment"]) == segment).mean() > 0.95
    owner = world.accounts["owner_id"]
    assert (owner.map(users["segment"]) == world.accounts["segment"]).mean() > 0.95
    assert owner.map(users["termination_date"]).isna().all()


def test_the_market_mixes_segments_and_sizes_them(world: World) -> None:
    accounts = world.accounts
    mix = accounts["segment"].value_counts(normalize=True)
    assert abs(mix["smb"] - 0.6) < 0.05
    assert abs(mix["mid_market"] - 0.3) < 0.05
    assert abs(mix["enterprise"] - 0.1) < 0.03
    employees = accounts.groupby("segment")["employees"].agg(["min", "max"])
    assert employees.loc["smb", "max"] < 200 <= employees.loc["mid_market", "min"]
    assert employees.loc["mid_market", "max"] < 2_000 <= employees.loc["enterprise", "min"]
    assert accounts["health"].between(0, 1).all()
    assert accounts["region"].nunique() == 4
    assert accounts["industry"].nunique() >= 10


def test_the_same_parameters_give_the_same_company_and_another_seed_another() -> None:
    small = DemoParams(accounts=150, years=2, seed=5, as_of=date(2026, 11, 22))
    first, spend = simulate_sales(small)
    again, spend_again = simulate_sales(small)
    for name in SALES_FRAMES:
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name))
    pd.testing.assert_frame_equal(spend, spend_again)
    other, _ = simulate_sales(small.model_copy(update={"seed": 6}))
    for name in ("accounts", "people", "opportunities", "activities"):
        assert not getattr(first, name).equals(getattr(other, name)), name


# dynamics


def test_the_company_grows_more_pipeline_created_in_the_last_year_than_the_first(
    world: World,
) -> None:
    new = world.opportunities[world.opportunities["type"] == "new"]
    start = pd.Timestamp(history_start(PARAMS))
    first = new[new["created_at"] < start + pd.DateOffset(years=1)]["amount"]
    last = new[new["created_at"] >= AS_OF - pd.DateOffset(years=1)]["amount"]
    assert last.sum() > 1.25 * first.sum()
    assert len(last) > 1.25 * len(first)
    hired = world.users[world.users["role"] == "AE"]
    at_start = ((hired["hire_date"] <= start) & ~(hired["termination_date"] < start)).sum()
    now = (hired["termination_date"].isna()).sum()
    assert now > 1.3 * at_start


def test_closes_bunch_in_the_last_two_weeks_of_fiscal_quarters(world: World) -> None:
    assert quarter_end_share(world.opportunities) > 2 * 2 / 13


def test_fiscal_q4_books_more_than_the_other_quarters(world: World) -> None:
    booked = bookings_by_quarter(world.opportunities)
    years = [y for y in booked.index.get_level_values(0).unique() if len(booked[y]) == 4]
    assert len(years) >= 2
    q4 = sum(booked[year][4] for year in years)
    assert q4 > 1.25 * sum(booked[year][[1, 2, 3]].mean() for year in years)
    # against the quarters either side too, so that growth alone cannot explain it
    followed = [year for year in years if (year + 1, 1) in booked.index]
    around = sum((booked[year][3] + booked[year + 1][1]) / 2 for year in followed)
    assert sum(booked[year][4] for year in followed) > 1.4 * around
    # and deals closing in Q4 are won more often
    closed = world.opportunities[
        world.opportunities["is_closed"] & (world.opportunities["type"] != "renewal")
    ]
    where = quarters(closed["closed_at"])
    closed, where = closed[where["complete"]], where[where["complete"]]
    win_rate = closed["is_won"].groupby(where["quarter"] == 4).mean()
    assert win_rate[True] > win_rate[False] + 0.03


def test_enterprise_deals_take_longer_and_are_bigger_than_smb(world: World) -> None:
    won = world.opportunities[
        world.opportunities["is_won"] & (world.opportunities["type"] == "new")
    ]
    segment = segment_of(world, won)
    days = (won["closed_at"] - won["created_at"]).dt.days
    cycle = days.groupby(segment).median()
    size = won["amount"].groupby(segment).median()
    assert cycle["enterprise"] > 2.5 * cycle["smb"]
    assert cycle["mid_market"] > 1.5 * cycle["smb"]
    assert size["enterprise"] > 5 * size["smb"]
    assert size["mid_market"] > 2 * size["smb"]


def test_win_rates_differ_by_segment_and_rise_with_rep_skill(world: World) -> None:
    closed = world.opportunities[
        world.opportunities["is_closed"] & (world.opportunities["type"] != "renewal")
    ]
    by_segment = closed["is_won"].groupby(segment_of(world, closed)).mean()
    assert by_segment["smb"] > by_segment["enterprise"] + 0.08
    skill = closed["owner_id"].map(world.users.set_index("user_id")["skill"])
    strong = closed.loc[skill >= skill.median(), "is_won"].mean()
    weak = closed.loc[skill < skill.median(), "is_won"].mean()
    assert strong > weak + 0.1
    activities = world.activities.groupby("opportunity_id").size()
    count = closed["opportunity_id"].map(activities).fillna(0)
    assert count[closed["is_won"]].mean() > 1.5 * count[~closed["is_won"]].mean()
    # reps still ramping win less (the latent chance at creation, to see past the noise)
    first = world.opportunity_history.drop_duplicates("opportunity_id").set_index("opportunity_id")
    creator = world.opportunities["opportunity_id"].map(first["owner_id"])
    users = world.users.set_index("user_id")
    tenure = (world.opportunities["created_at"] - creator.map(users["hire_date"])).dt.days / 30.4
    ramping = tenure < creator.map(users["ramp_months"])
    truth = world.opportunities["win_probability"]
    assert ramping.sum() > 20
    assert truth[ramping].mean() < truth[~ramping].mean() - 0.03
    assert truth.between(0, 1).all()
    by_truth = closed["is_won"].groupby(closed["win_probability"] > 0.35).mean()
    assert by_truth[True] > by_truth[False] + 0.15


def test_channels_differ_in_lead_quality_and_in_source_win_rates(world: World) -> None:
    people = world.people
    mql_rate = people["mql_at"].notna().groupby(people["channel"]).mean()
    quality = people["quality"].groupby(people["channel"]).mean()
    assert mql_rate.max() > 1.6 * mql_rate.min()
    assert mql_rate["referral"] > mql_rate["paid_social"] + 0.1
    assert np.corrcoef(quality, mql_rate)[0, 1] > 0.8
    closed = world.opportunities[
        world.opportunities["is_closed"] & (world.opportunities["type"] == "new")
    ]
    by_source = closed["is_won"].groupby(closed["source"]).mean()
    warm = by_source[["referral", "partner"]].mean()
    cold = by_source[["paid_social", "outbound"]].mean()
    assert warm > cold + 0.1


def test_leads_per_dollar_fall_as_spend_rises(company: tuple[World, pd.DataFrame]) -> None:
    world, spend = company
    assert -0.65 < leads_per_dollar_slope(world.people, spend) < -0.2
    assert spend["amount"].groupby(spend["channel"]).sum().nunique() == 7


def test_lifecycle_rates_are_realistic_and_delays_positive_and_ordered(world: World) -> None:
    rates = funnel_rates(world.people)
    assert 0.2 <= rates["lead_mql"] <= 0.35
    assert 0.3 <= rates["mql_sql"] <= 0.5
    assert 0.5 <= rates["sql_opportunity"] <= 0.7
    people = world.people
    steps = ["created_at", "mql_at", "sql_at", "opportunity_at", "customer_at"]
    for earlier, later in pairwise(steps):
        both = people[earlier].notna() & people[later].notna()
        assert both.sum() > 10, later
        assert (people.loc[both, later] >= people.loc[both, earlier]).all(), later
        assert (people[later].notna() & people[earlier].isna()).sum() == 0, later
    delay = (people["mql_at"] - people["created_at"]).dt.total_seconds().dropna()
    assert delay.median() > 86_400
    opened = world.opportunities[world.opportunities["type"] == "new"]
    assert (
        opened["created_at"] >= opened["contact_id"].map(people.set_index("person_id")["sql_at"])
    ).all()


def test_each_stage_loses_deals(world: World) -> None:
    new = world.opportunities.loc[world.opportunities["type"] == "new", "opportunity_id"]
    history = world.opportunity_history[world.opportunity_history["opportunity_id"].isin(new)]
    reached = history.groupby("stage")["opportunity_id"].nunique()
    order = ["Prospecting", "Qualification", "Discovery", "Proposal", "Negotiation", "Closed Won"]
    counts = reached.reindex(order).to_numpy()
    assert (np.diff(counts) < 0).all(), counts
    assert counts[-1] < 0.4 * counts[0]
    lost_in = world.opportunities.loc[
        world.opportunities["stage"] == "Closed Lost", "opportunity_id"
    ]
    last_open = history[
        history["opportunity_id"].isin(lost_in) & ~history["stage"].str.startswith("Closed")
    ]
    assert last_open.groupby("opportunity_id")["stage"].last().nunique() == 5


def test_close_dates_slip_and_amounts_change(world: World) -> None:
    history = world.opportunity_history
    same = history["opportunity_id"].eq(history["opportunity_id"].shift())
    pushed = same & (history["close_date"] > history["close_date"].shift())
    resized = same & (history["amount"] != history["amount"].shift())
    assert pushed.sum() > 0.3 * history["opportunity_id"].nunique()
    assert resized.sum() > 0.1 * history["opportunity_id"].nunique()
    categories = {"Prospecting": "Pipeline", "Qualification": "Pipeline", "Discovery": "Pipeline",
                  "Proposal": "Best Case", "Negotiation": "Commit", "Closed Won": "Closed",
                  "Closed Lost": "Omitted"}  # fmt: skip
    assert (history["stage"].map(categories) == history["forecast_category"]).all()
    assert history.groupby("opportunity_id")["valid_from"].is_monotonic_increasing.all()


def test_open_deals_pass_to_another_ae_when_their_owner_leaves(world: World) -> None:
    history = world.opportunity_history
    left = world.users.set_index("user_id")["termination_date"]
    same = history["opportunity_id"].eq(history["opportunity_id"].shift())
    handed = history[same & (history["owner_id"] != history["owner_id"].shift())]
    before = history["owner_id"].shift()[handed.index]
    assert len(handed) >= 10
    assert (handed["valid_from"] > before.map(left)).all()
    assert (handed["valid_from"] <= before.map(left) + pd.Timedelta(days=5)).all()
    # no version is owned by someone gone for more than the hand-over lag
    gone = history["owner_id"].map(left)
    assert ~(history["valid_from"] > gone + pd.Timedelta(days=5)).any()
    open_ = world.opportunities[~world.opportunities["is_closed"]]
    assert open_["owner_id"].map(left).isna().mean() > 0.97


def test_people_leave_at_a_realistic_rate(world: World) -> None:
    users = world.users[world.users["role"].isin(["AE", "SDR", "CSM"])]
    start = pd.Timestamp(history_start(PARAMS))
    years = (AS_OF - start).days / 365.25
    left = users["termination_date"].between(start, AS_OF).sum()
    hired = users["hire_date"].clip(lower=start)
    end = users["termination_date"].fillna(AS_OF).clip(upper=AS_OF)
    headcount = ((end - hired).dt.days.clip(lower=0).sum() / 365.25) / years
    assert 0.1 < left / years / headcount < 0.3
    assert users["ramp_months"].between(3, 6).all()


def test_nothing_happens_after_as_of_but_open_deals_may_close_later(world: World) -> None:
    columns = {name: [c for c in FRAMES[name] if c.endswith(("_at", "_date")) or c == "valid_from"]
               for name in SALES_FRAMES}  # fmt: skip
    for name, names in columns.items():
        frame = getattr(world, name)
        for column in names:
            values = frame[column]
            if (name, column) == ("opportunities", "close_date"):
                values = values[frame["is_closed"]]
            if (name, column) == ("opportunity_history", "close_date"):
                continue
            assert not (values > AS_OF).any(), (name, column)
    open_ = world.opportunities[~world.opportunities["is_closed"]]
    assert (open_["close_date"] > AS_OF).any()
    assert open_["closed_at"].isna().all()
    assert not open_["is_won"].any()


def test_some_open_deals_are_stale(world: World) -> None:
    open_ = world.opportunities[~world.opportunities["is_closed"]]
    stale = open_["close_date"] < AS_OF
    assert 0.05 < stale.mean() < 0.6
    assert (AS_OF - open_.loc[stale, "close_date"]).dt.days.max() > 60
