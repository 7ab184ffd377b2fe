"""Pipeline needed for the rest of the quota at the company's own conversion, against the
pipeline already open."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.conftest import MetricWorld
from pipeline.conftest import NOT_ON_SPARK, accounts, deal, pipeline_of, version

AS_OF = date(2025, 8, 15)
WINDOW = "FY2025-Q3"  # July to September 2025; cohort: deals created April 2024 - March 2025


@NOT_ON_SPARK
def test_needed_is_the_quota_gap_over_the_cohort_conversion(world: MetricWorld) -> None:
    accounts(world)
    world.add(
        "opportunity_history",
        # The cohort: 1,000 won, 1,000 lost, 2,000 still open -> 1,000 / 4,000 won.
        version("K1", "2024-06-01", "Prospecting", 1000, "2024-08-01"),
        version("K1", "2024-08-01", "Closed Won", 1000, "2024-08-01"),
        version("K2", "2024-09-01", "Prospecting", 1000, "2024-12-01"),
        version("K2", "2024-11-01", "Closed Lost", 1000, "2024-11-01"),
        version("K3", "2025-01-10", "Discovery", 2000, "2025-09-30"),
        # Created after the cohort (and one before it): not part of the conversion.
        version("K4", "2025-05-01", "Prospecting", 3000, "2025-06-01"),
        version("K4", "2025-06-01", "Closed Won", 3000, "2025-06-01"),
        version("K5", "2024-03-01", "Prospecting", 500, "2024-05-01"),
        version("K5", "2024-05-01", "Closed Won", 500, "2024-05-01"),
        # A win on 30 August is not known on 15 August.
        version("K3", "2025-08-30", "Closed Won", 2000, "2025-08-30"),
        # Booked to date: won on 20 July, as history says.
        version("W", "2025-06-01", "Prospecting", 2000, "2025-07-31"),
        version("W", "2025-07-20", "Closed Won", 2000, "2025-07-20"),
    )
    won = {"is_closed": True, "is_won": True, "currency": "USD"}
    world.add(
        "opportunity",
        *[deal(d) for d in ("K1", "K2", "K3", "K4", "K5")],
        {**deal("W"), **won, "amount": 2000, "created_at": "2025-06-01",
         "closed_at": "2025-07-20"},
        {**deal("N1"), "amount": 3000, "currency": "USD", "created_at": "2025-07-05"},
    )  # fmt: skip
    world.add("quota", {"user_id": "u1", "period_start_date": "2025-07-01",
                        "period_end_date": "2025-09-30", "amount": 10000})  # fmt: skip
    result = pipeline_of(world).created_vs_needed(WINDOW, as_of=AS_OF)
    assert (result.cohort_start, result.cohort_end) == (date(2024, 4, 1), date(2025, 4, 1))
    assert (result.cohort_amount, result.cohort_won) == (4000, 1000)
    assert result.conversion == pytest.approx(0.25)
    assert (result.quota, result.bookings_to_date, result.remaining) == (10000, 2000, 8000)
    assert result.needed == pytest.approx(8000 / 0.25)
    assert (result.created, result.created_deals) == (3000, 1)
    # Open in the window on 15 August: K3 (2,000, closing 30 September); N1 has no history.
    assert result.open_pipeline == 2000
    assert result.gap == pytest.approx(32000 - 2000)
    assert result.to_dict()["cohort_start"] == "2024-04-01"


def test_without_a_cohort_nothing_is_claimed_to_be_needed(duckdb_world: MetricWorld) -> None:
    accounts(duckdb_world)
    duckdb_world.add("opportunity_history", version("Z", "2025-07-02", "Prospecting", 10,
                                                    "2025-09-01"))  # fmt: skip
    duckdb_world.add("opportunity", deal("Z"))
    result = pipeline_of(duckdb_world).created_vs_needed(WINDOW, as_of=AS_OF)
    assert (result.conversion, result.needed, result.gap) == (None, None, None)


def test_without_a_quota_nothing_is_claimed_to_be_needed(duckdb_world: MetricWorld) -> None:
    accounts(duckdb_world)
    duckdb_world.add(
        "opportunity_history",
        version("K1", "2024-06-01", "Prospecting", 1000, "2024-08-01"),
        version("K1", "2024-08-01", "Closed Won", 1000, "2024-08-01"),
    )
    duckdb_world.add("opportunity", deal("K1"))
    result = pipeline_of(duckdb_world).created_vs_needed(WINDOW, as_of=AS_OF)
    assert result.conversion == pytest.approx(1.0)
    # No quota for the window: what is left, needed and missing are unknown, not 0.
    assert (result.quota, result.remaining, result.needed, result.gap) == (None, None, None, None)
