"""Campaign cost, return, ROI and CAC against hand-built campaigns, touches and deals."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.conftest import MetricWorld

Q1 = "FY2025-Q1"
MODELS = ("first_touch", "last_touch", "linear", "w_shaped")
WON = {"stage": "Closed Won", "is_closed": True, "is_won": True}


def _campaigns(world: MetricWorld) -> None:
    world.add(
        "campaign",
        {"campaign_id": "k1", "name": "Q1 Summit", "channel": "events",
         "start_date": "2025-01-05", "actual_cost": 1000},
        {"campaign_id": "k2", "name": "Search Feb", "channel": "paid_search",
         "start_date": "2025-02-01", "actual_cost": 500},
        # Started the quarter before: not in Q1's campaigns, but its touches take credit.
        {"campaign_id": "k3", "name": "Autumn Fair", "channel": "events",
         "start_date": "2024-11-01", "actual_cost": 800},
        # No actual cost known yet: counts none.
        {"campaign_id": "k4", "name": "Search Mar", "channel": "paid_search",
         "start_date": "2025-03-10"},
    )  # fmt: skip
    world.add(
        "contact",
        {"contact_id": "c1", "account_id": "acc1"},
        {"contact_id": "c2", "account_id": "acc2"},
    )
    world.add(
        "campaign_touch",
        {"campaign_id": "k3", "person_id": "c1", "occurred_at": "2024-12-01"},
        {"campaign_id": "k1", "person_id": "c1", "occurred_at": "2025-01-10"},
        {"campaign_id": "k2", "person_id": "c1", "occurred_at": "2025-02-05"},
        {"campaign_id": "k1", "person_id": "c2", "occurred_at": "2025-01-20"},
    )
    world.add(
        "opportunity",
        # Touched by k3, k1, k2; won after the quarter, which still counts for Q1's campaigns.
        {**WON, "opportunity_id": "o1", "account_id": "acc1", "type": "new", "amount": 1200,
         "campaign_id": "k2", "created_at": "2025-02-10", "closed_at": "2025-04-15"},
        # Touched by k1 only; an expansion, so no new customer.
        {**WON, "opportunity_id": "o2", "account_id": "acc2", "type": "expansion",
         "amount": 600, "campaign_id": "k1", "created_at": "2025-02-01",
         "closed_at": "2025-03-01"},
        # Touched by k3, k1; lost.
        {"opportunity_id": "o3", "account_id": "acc1", "type": "new", "amount": 900,
         "stage": "Closed Lost", "is_closed": True, "is_won": False,
         "created_at": "2025-01-15", "closed_at": "2025-02-20"},
        # Touched by k1; open.
        {"opportunity_id": "o4", "account_id": "acc2", "type": "new", "amount": 300,
         "stage": "Proposal", "campaign_id": "k1", "created_at": "2025-01-25"},
    )  # fmt: skip


def _names(*kinds: str) -> list[str]:
    return [f"campaign_{kind}_{model}" for kind in kinds for model in MODELS]


def test_cost_and_sourced_return_of_the_quarters_campaigns(world: MetricWorld) -> None:
    _campaigns(world)
    names = ["campaign_cost", "campaign_sourced_pipeline", "campaign_sourced_bookings",
             "campaign_sourced_new_customers", "campaign_roi_sourced", "campaign_cac_sourced",
             "campaign_deals_won"]  # fmt: skip
    result = world.compute(names, Q1)
    assert result.value("campaign_cost") == 1500  # k1 + k2; k4 has no cost, k3 is older
    assert result.value("campaign_sourced_pipeline") == 2100  # o1 (k2), o2 and o4 (k1)
    assert result.value("campaign_sourced_bookings") == 1800  # o1, o2
    assert result.value("campaign_sourced_new_customers") == 1  # o1
    assert result.value("campaign_roi_sourced") == pytest.approx(0.2)  # (1800 - 1500) / 1500
    assert result.value("campaign_cac_sourced") == pytest.approx(1500)
    assert result.value("campaign_deals_won") == 3  # o1, o2 for k1; o1 for k2


@pytest.mark.spark_scenario
def test_each_model_credits_bookings_and_customers_to_the_campaigns(world: MetricWorld) -> None:
    _campaigns(world)
    result = world.compute(_names("pipeline", "bookings", "new_customers", "roi", "cac"), Q1)
    # o1 (1,200, won, new): k3, k1, k2 - first k3, last k2, linear a third each, W-shaped
    # (no MQL moment: the lead-creation touch is the last) 30 %, 10 %, 60 %.
    # o2 (600, won): k1 alone. o3 (900, lost): k3, k1 - W-shaped 1/3, 2/3. o4 (300): k1.
    expected = {
        "first_touch": {"pipeline": 900, "bookings": 600, "new_customers": 0},
        "last_touch": {"pipeline": 3000, "bookings": 1800, "new_customers": 1},
        "linear": {"pipeline": 2150, "bookings": 1400, "new_customers": 2 / 3},
        "w_shaped": {"pipeline": 2340, "bookings": 1440, "new_customers": 0.7},
    }
    for model, values in expected.items():
        for kind, value in values.items():
            assert result.value(f"campaign_{kind}_{model}") == pytest.approx(value), (kind, model)
        roi = (values["bookings"] - 1500) / 1500
        assert result.value(f"campaign_roi_{model}") == pytest.approx(roi), model
    assert result.value("campaign_cac_first_touch") is None  # no new customer credited
    assert result.value("campaign_cac_last_touch") == pytest.approx(1500)
    assert result.value("campaign_cac_linear") == pytest.approx(2250)
    assert result.value("campaign_cac_w_shaped") == pytest.approx(1500 / 0.7)


@pytest.mark.spark_scenario
def test_roi_and_cac_by_channel_and_campaign(world: MetricWorld) -> None:
    _campaigns(world)
    names = ["campaign_cost", "campaign_roi_linear", "campaign_cac_last_touch",
             "campaign_bookings_w_shaped"]  # fmt: skip
    by_channel = world.compute(names, Q1, by=["channel"])
    assert by_channel.value("campaign_roi_linear", channel="events") == pytest.approx(0)
    assert by_channel.value("campaign_roi_linear", channel="paid_search") == pytest.approx(-0.2)
    assert by_channel.value("campaign_cac_last_touch", channel="paid_search") == 500
    assert by_channel.value("campaign_cac_last_touch", channel="events") is None
    by_campaign = world.compute(names, Q1, by=["campaign"])
    assert by_campaign.value("campaign_bookings_w_shaped", campaign="k1") == pytest.approx(720)
    assert by_campaign.value("campaign_bookings_w_shaped", campaign="k2") == pytest.approx(720)
    assert by_campaign.value("campaign_cost", campaign="k4") == 0
    frame = by_campaign.frame
    assert dict(zip(frame["campaign"], frame["campaign_label"], strict=True))["k1"] == "Q1 Summit"


@pytest.mark.spark_scenario
def test_return_counts_only_what_was_won_by_the_as_of_day(world: MetricWorld) -> None:
    _campaigns(world)
    names = ["campaign_cost", "campaign_pipeline_linear", "campaign_bookings_linear",
             "campaign_deals_won", "campaign_sourced_bookings"]  # fmt: skip
    result = world.compute(names, Q1, as_of=date(2025, 2, 15))
    # k1 and k2 had started; o1 (won in April) and o2 (won 1 March) were still open.
    assert result.value("campaign_cost") == 1500
    assert result.value("campaign_pipeline_linear") == pytest.approx(2150)
    assert result.value("campaign_bookings_linear") == 0
    assert result.value("campaign_sourced_bookings") == 0
    assert result.value("campaign_deals_won") == 0


@pytest.mark.spark_scenario
def test_campaign_cost_is_the_cost_recorded_by_the_as_of_day(world: MetricWorld) -> None:
    _campaigns(world)
    # k1's actual cost was 400 on 2025-01-20, 1,000 from 2025-04-02 (the row holds the
    # latest); k2's 500 was first recorded on 2025-03-03.
    world.add(
        "campaign_history",
        {"campaign_id": "k1", "valid_from": "2025-01-20T10:00:00", "actual_cost": 400,
         "currency": "USD"},
        {"campaign_id": "k1", "valid_from": "2025-04-02T10:00:00", "actual_cost": 1000,
         "currency": "USD"},
        {"campaign_id": "k2", "valid_from": "2025-03-03T10:00:00", "actual_cost": 500,
         "currency": "USD"},
    )  # fmt: skip
    names = ["campaign_cost", "campaign_roi_sourced"]
    early = world.compute(names, Q1, as_of=date(2025, 3, 2))
    assert early.value("campaign_cost") == 400  # k1 as it stood; k2 not recorded yet
    # o2 (600, k1) was won on 2025-03-01: (600 - 400) / 400.
    assert early.value("campaign_roi_sourced") == pytest.approx(0.5)
    end = world.compute(names, Q1, as_of=date(2025, 3, 31))
    assert end.value("campaign_cost") == 900  # 400 + 500: k1's revision came in April
    later = world.compute(names, Q1, as_of=date(2025, 4, 30))
    assert later.value("campaign_cost") == 1500
    assert later.value("campaign_roi_sourced") == pytest.approx(0.2)  # (1800 - 1500) / 1500
