"""Bottlenecks: a stage and segment slower and leakier than its own history, ranked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from metrics.conftest import MetricWorld
from pipeline.conftest import NOT_ON_SPARK, accounts, deal, pipeline_of, version

AS_OF = date(2025, 6, 30)
WINDOW = "FY2025-Q2"  # April to June 2025; the baseline is April 2024 to March 2025
SETTINGS = {"min_stays": 2, "baseline_quarters": 4}


def _stays(name: str, start: date, days: int, outcome: str) -> list[dict[str, object]]:
    left = start + timedelta(days=days)
    return [
        version(name, start.isoformat(), "Prospecting", 100, "2025-12-31"),
        version(name, left.isoformat(), outcome, 100, left.isoformat()),
    ]


def bottleneck_world(world: MetricWorld) -> None:
    """smb Prospecting: 4 baseline stays of 10 days all won; 4 recent stays of 30 days, half
    lost. Enterprise: 20 days and won, before and now. One open deal in each segment."""
    accounts(world)
    history, deals = [], []
    plan = [
        ("smb", "acc-smb", date(2024, 9, 1), 10, ["Closed Won"] * 4),
        ("smbnew", "acc-smb", date(2025, 4, 10), 30, ["Closed Won", "Closed Won",
                                                      "Closed Lost", "Closed Lost"]),
        ("ent", "acc-ent", date(2024, 10, 1), 20, ["Closed Won"] * 2),
        ("entnew", "acc-ent", date(2025, 4, 20), 20, ["Closed Won"] * 2),
    ]  # fmt: skip
    for prefix, account, start, days, outcomes in plan:
        for index, outcome in enumerate(outcomes):
            name = f"{prefix}{index}"
            history += _stays(name, start, days, outcome)
            deals.append(deal(name, account))
    history.append(version("X", "2025-06-01", "Prospecting", 1000, "2025-09-30"))
    history.append(version("Y", "2025-06-01", "Prospecting", 5000, "2025-09-30"))
    deals += [deal("X", "acc-smb"), deal("Y", "acc-ent")]
    world.add("opportunity_history", *history)
    world.add("opportunity", *deals)


@NOT_ON_SPARK
def test_bottlenecks_rank_worse_stages_by_revenue_at_stake(world: MetricWorld) -> None:
    bottleneck_world(world)
    result = pipeline_of(world, **SETTINGS).bottlenecks(WINDOW, as_of=AS_OF)
    rows = result.rows
    # Enterprise moved as before: no row. Over all segments: 4 of 6 recent stays moved on
    # against 6 of 6, median 30 days against 10; 6,000 open. smb: half against all.
    assert [(r["stage"], r["segment"]) for r in rows] == [
        ("Prospecting", "(all)"),
        ("Prospecting", "smb"),
    ]
    whole, smb = rows
    assert whole["amount_at_stake"] == 6000
    assert whole["conversion"] == pytest.approx(4 / 6)
    assert whole["baseline_conversion"] == pytest.approx(1)
    assert whole["median_days"] == pytest.approx(30)
    assert whole["baseline_median_days"] == pytest.approx(10)
    assert whole["score"] == pytest.approx((1 - 4 / 6) + (30 / 10 - 1))
    assert smb["score"] == pytest.approx(0.5 + 2)
    assert (smb["stays"], smb["baseline_stays"], smb["open_deals"]) == (4, 4, 1)
    assert "50% of 4 stays moved on, against 100% of 4 before" in smb["explanation"]
    assert result.parameters["baseline_start"] == date(2024, 4, 1)


def test_a_tolerance_above_the_deterioration_leaves_no_bottleneck(
    duckdb_world: MetricWorld,
) -> None:
    bottleneck_world(duckdb_world)
    lenient = pipeline_of(duckdb_world, **SETTINGS, bottleneck_tolerance=3)
    assert lenient.bottlenecks(WINDOW, as_of=AS_OF).rows == []
    # Too few stays: every row needs min_stays in the window and in the baseline.
    sparse = pipeline_of(duckdb_world, min_stays=5)
    assert [r["segment"] for r in sparse.bottlenecks(WINDOW, as_of=AS_OF).rows] == ["(all)"]
