"""The stack, enablement, partner, planning and request-queue parts of the demo world."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from revops.core import FiscalCalendar
from revops.demo.frames import FRAMES
from revops.demo.world.desk import simulate_requests
from revops.demo.world.planning import simulate_partners, simulate_quotas, simulate_territories
from revops.demo.world.stack import simulate_content, simulate_stack

START = np.datetime64("2024-02-01", "D")
AS_OF = np.datetime64("2026-11-22", "D")


def make_users(rng: np.random.Generator, count: int = 120) -> pd.DataFrame:
    roles = rng.choice(["AE", "SDR", "CSM", "manager", "marketing", "revops"], count)
    hired = START - 400 + rng.integers(0, 1300, count)
    left = np.where(
        rng.random(count) < 0.2, hired + rng.integers(120, 600, count), np.datetime64("NaT")
    )
    return pd.DataFrame(
        {
            "user_id": [f"usr-{i:06d}" for i in range(count)],
            "role": roles,
            "segment": rng.choice(["smb", "mid_market", "enterprise"], count),
            "team_id": "team-01",
            "hire_date": hired.astype("datetime64[D]"),
            "ramp_months": rng.integers(3, 7, count),
            "termination_date": left.astype("datetime64[D]"),
        }
    )


def make_opportunities(
    rng: np.random.Generator, users: pd.DataFrame, count: int = 3000
) -> pd.DataFrame:
    created = pd.to_datetime(START) + pd.to_timedelta(rng.integers(0, 900, count), unit="D")
    closed = rng.random(count) < 0.7
    won = closed & (rng.random(count) < 0.3)
    return pd.DataFrame(
        {
            "opportunity_id": [f"opp-{i:07d}" for i in range(count)],
            "account_id": [f"acc-{i % 500:06d}" for i in range(count)],
            "owner_id": rng.choice(users["user_id"].to_numpy(), count),
            "source": rng.choice(["partner", "paid_search", "outbound"], count, p=[0.1, 0.5, 0.4]),
            "type": rng.choice(["new", "expansion", "renewal"], count),
            "partner_id": "",
            "created_at": created,
            "closed_at": pd.Series(
                created + pd.to_timedelta(rng.integers(10, 120, count), unit="D")
            ).where(closed),
            "is_won": won,
        }
    )


@pytest.fixture(scope="module")
def rng() -> np.random.Generator:
    return np.random.default_rng(5)


def test_the_stack_has_low_adoption_tools_and_overlapping_capabilities(
    rng: np.random.Generator,
) -> None:
    users = make_users(rng)
    tools, usage = simulate_stack(users, AS_OF, rng)
    assert list(tools.columns) == list(FRAMES["tools"])
    assert list(usage.columns) == list(FRAMES["tool_usage"])
    seat_use = usage.assign(active=usage["active_days"] > 0).groupby("tool_id")["active"].mean()
    assert seat_use.min() < 0.3 < 0.8 < seat_use.max()
    capabilities = tools["capabilities"].str.split(";").explode()
    assert (capabilities.value_counts() >= 2).sum() >= 5


def test_deals_that_used_content_were_won_more_often(rng: np.random.Generator) -> None:
    users = make_users(rng)
    opportunities = make_opportunities(rng, users)
    content, usage = simulate_content(users, opportunities, rng)
    assert list(content.columns) == list(FRAMES["content"])
    assert list(usage.columns) == list(FRAMES["content_usage"])
    closed = opportunities[opportunities["closed_at"].notna()]
    with_content = closed["opportunity_id"].isin(usage["opportunity_id"])
    assert closed[with_content]["is_won"].mean() > 1.5 * closed[~with_content]["is_won"].mean()


def test_partner_sourced_deals_have_converted_registrations(rng: np.random.Generator) -> None:
    users = make_users(rng)
    opportunities = make_opportunities(rng, users)
    accounts = pd.DataFrame({"account_id": [f"acc-{i:06d}" for i in range(500)]})
    partners, deals = simulate_partners(accounts, opportunities, rng)
    assert list(partners.columns) == list(FRAMES["partners"])
    assert list(deals.columns) == list(FRAMES["partner_deals"])
    converted = deals[deals["status"] == "converted"]
    sourced = opportunities[opportunities["source"] == "partner"]
    assert set(converted["opportunity_id"]) == set(sourced["opportunity_id"])
    assert set(deals["partner_id"]) <= set(partners["partner_id"])
    assert (deals["status"] != "converted").sum() > 0


def test_registrations_are_decided_after_they_are_made_and_some_join_open_deals(
    rng: np.random.Generator,
) -> None:
    users = make_users(rng)
    opportunities = make_opportunities(rng, users)
    accounts = pd.DataFrame({"account_id": [f"acc-{i:06d}" for i in range(500)]})
    partners, deals = simulate_partners(accounts, opportunities, rng)
    decided = deals[deals["decided_at"].notna()]
    assert (decided["decided_at"] > decided["registered_at"]).all()
    assert deals.loc[deals["status"] == "expired", "decided_at"].isna().all()
    assert deals.loc[deals["status"] != "expired", "decided_at"].notna().all()
    # A converted registration is approved before its opportunity is opened.
    created = opportunities.set_index("opportunity_id")["created_at"]
    converted = deals[deals["status"] == "converted"]
    assert (converted["decided_at"] < converted["opportunity_id"].map(created)).all()
    # Influenced: approved registrations of deals opened before, not partner-sourced.
    joined = deals[(deals["status"] == "approved") & (deals["opportunity_id"] != "")]
    assert len(joined) > 0
    source = opportunities.set_index("opportunity_id")["source"]
    assert (joined["opportunity_id"].map(source) != "partner").all()
    assert (joined["registered_at"] > joined["opportunity_id"].map(created)).all()
    kinds = partners.set_index("partner_id")["type"]
    assert (joined["partner_id"].map(kinds) != "referral").all()


def test_quotas_are_lower_while_reps_ramp(rng: np.random.Generator) -> None:
    users = make_users(rng)
    quotas = simulate_quotas(users, FiscalCalendar(2), START, AS_OF)
    assert list(quotas.columns) == list(FRAMES["quotas"])
    aes = users.set_index("user_id")
    hired = quotas["user_id"].map(aes["hire_date"])
    tenure = (quotas["period_start_date"] - hired).dt.days
    assert quotas[tenure < 60]["amount"].mean() < 0.7 * quotas[tenure > 365]["amount"].mean()
    assert (quotas["period_end_date"] > quotas["period_start_date"]).all()


def test_every_region_and_segment_has_a_territory(rng: np.random.Generator) -> None:
    accounts = pd.DataFrame(
        {
            "region": rng.choice(["NA", "EMEA"], 100),
            "segment": rng.choice(["smb", "enterprise"], 100),
        }
    )
    territories = simulate_territories(make_users(rng), accounts)
    assert list(territories.columns) == list(FRAMES["territories"])
    assert len(territories) == 4


def test_stated_urgency_is_a_poor_guide_to_a_requests_value(rng: np.random.Generator) -> None:
    requests = simulate_requests(make_users(rng), START, AS_OF, rng)
    assert list(requests.columns) == list(FRAMES["requests"])
    urgency = requests["stated_urgency"].map({"low": 0, "medium": 1, "high": 2, "critical": 3})
    # Spearman's rank correlation: Pearson's on the ranks.
    correlation = urgency.rank().corr(requests["true_value"].rank())
    assert 0 < correlation < 0.4
    assert requests["requested_at"].max() <= pd.Timestamp(AS_OF)
    done = requests["resolved_at"].notna()
    assert (requests.loc[done, "resolved_at"] >= requests.loc[done, "requested_at"]).all()
    assert set(requests.loc[~done, "status"]) <= {"open", "in_progress"}


def test_the_operations_world_is_deterministic() -> None:
    first = simulate_requests(
        make_users(np.random.default_rng(1)), START, AS_OF, np.random.default_rng(2)
    )
    again = simulate_requests(
        make_users(np.random.default_rng(1)), START, AS_OF, np.random.default_rng(2)
    )
    other = simulate_requests(
        make_users(np.random.default_rng(1)), START, AS_OF, np.random.default_rng(3)
    )
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)
    assert date(2026, 11, 22) == pd.Timestamp(AS_OF).date()
