"""The forecast engine on Spark: deal snapshots and a call equal DuckDB's on a hand-built company.

Four deals over calendar-ish fiscal quarters (the default fiscal year, from February):
A is pushed and moves stage, has two calls and is won; B is won early, C lost, D won;
E is still open at the end. The Spark warehouse is the suite's one Spark session.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pandas as pd
import pytest

from metrics import conftest as metric_fixtures
from metrics.conftest import MetricWorld
from revops.forecast.call import forecast_call
from revops.forecast.data import ForecastData

pytestmark = pytest.mark.spark

# The metric tests' company fixtures, found by pytest under these names.
spark_world = metric_fixtures.spark_world
duckdb_world = metric_fixtures.duckdb_world

DAYS = [date(2024, 3, 15), date(2024, 5, 1), date(2024, 5, 20)]
LAST_DAY = date(2024, 7, 31)


def _deal(key: str, owner: str, account: str, created: str, outcome: str | None, closed: str | None,
          amount: str) -> dict[str, Any]:  # fmt: skip
    return {
        "opportunity_id": key,
        "name": f"Deal {key}",
        "account_id": account,
        "owner_id": owner,
        "type": "new",
        "lead_source": "web",
        "stage": {"won": "Closed Won", "lost": "Closed Lost", None: "Discovery"}[outcome],
        "amount": amount,
        "currency": "USD",
        "is_closed": outcome is not None,
        "is_won": outcome == "won",
        "closed_at": closed,
        "created_at": created,
    }


def _version(key: str, at: str, stage: str, close: str, prob: float, cat: str,
             amount: str) -> dict[str, Any]:  # fmt: skip
    return {"opportunity_id": key, "valid_from": at, "stage": stage, "amount": amount,
            "currency": "USD", "close_date": close, "probability": prob,
            "forecast_category": cat}  # fmt: skip


def _fill(world: MetricWorld) -> None:
    world.add(
        "account",
        {"account_id": "acc-1", "name": "One", "segment": "smb"},
        {"account_id": "acc-2", "name": "Two", "segment": "mid_market"},
    )
    world.add(
        "opportunity",
        _deal("A", "u1", "acc-1", "2024-02-05T10:00:00", "won", "2024-04-20T00:00:00", "100"),
        _deal("B", "u1", "acc-1", "2024-01-01T00:00:00", "won", "2024-03-01T00:00:00", "50"),
        _deal("C", "u1", "acc-1", "2024-01-01T00:00:00", "lost", "2024-03-20T00:00:00", "70"),
        _deal("D", "u2", "acc-2", "2024-02-20T00:00:00", "won", "2024-05-10T00:00:00", "30"),
        _deal("E", "u2", "acc-2", "2024-04-25T00:00:00", None, None, "80"),
    )
    world.add(
        "opportunity_history",
        _version("A", "2024-02-05T10:00:00", "Prospecting", "2024-04-15", 10, "pipeline", "100"),
        _version("A", "2024-03-01T00:00:00", "Discovery", "2024-04-30", 40, "commit", "120"),
        _version("A", "2024-04-20T00:00:00", "Closed Won", "2024-04-20", 100, "closed", "100"),
        _version("B", "2024-01-01T00:00:00", "Prospecting", "2024-02-28", 10, "pipeline", "50"),
        _version("B", "2024-03-01T00:00:00", "Closed Won", "2024-03-01", 100, "closed", "50"),
        _version("C", "2024-01-01T00:00:00", "Prospecting", "2024-05-15", 10, "pipeline", "70"),
        _version("C", "2024-03-20T00:00:00", "Closed Lost", "2024-03-20", 0, "omitted", "70"),
        _version("D", "2024-02-20T00:00:00", "Qualification", "2024-04-01", 20, "pipeline", "30"),
        _version("D", "2024-04-02T00:00:00", "Qualification", "2024-05-10", 20, "best_case", "30"),
        _version("D", "2024-05-10T00:00:00", "Closed Won", "2024-05-10", 100, "closed", "30"),
        _version("E", "2024-04-25T00:00:00", "Discovery", "2024-07-15", 40, "best_case", "80"),
    )
    world.add(
        "activity",
        {"type": "call", "opportunity_id": "A", "occurred_at": "2024-03-05T00:00:00"},
        {"type": "call", "opportunity_id": "A", "occurred_at": "2024-04-02T00:00:00"},
        {"type": "email", "opportunity_id": "E", "occurred_at": "2024-05-02T12:00:00"},
    )


@pytest.fixture(scope="module")
def spark(spark_world: MetricWorld) -> Iterator[MetricWorld]:
    _fill(spark_world)
    yield spark_world
    spark_world.empty()


@pytest.fixture
def duck(duckdb_world: MetricWorld) -> MetricWorld:
    _fill(duckdb_world)
    return duckdb_world


def _snapshots(world: MetricWorld) -> pd.DataFrame:
    data = ForecastData.load(world.metrics(), DAYS, kind="quarter", last_day=LAST_DAY)
    return data.snapshots.sort_values(["as_of_date", "opportunity_id"]).reset_index(drop=True)


def test_deal_snapshots_on_spark_equal_duckdbs(spark: MetricWorld, duck: MetricWorld) -> None:
    expected = _snapshots(duck)
    got = _snapshots(spark)
    # Not an empty fixture: on 15 Mar A is pushed once, has one call, and u1 has won B.
    a = expected.set_index(["as_of_date", "opportunity_id"]).loc[(date(2024, 3, 15), "A")]
    assert (a["stage"], a["pushes"], a["activities"], a["owner_won"]) == ("Discovery", 1, 1, 1)
    assert len(expected) > 5
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_a_forecast_call_on_spark_equals_duckdbs(spark: MetricWorld, duck: MetricWorld) -> None:
    def call(world: MetricWorld) -> tuple[list[dict[Any, Any]], list[str]]:
        metrics = world.metrics()
        day = date(2024, 5, 20)
        made = forecast_call(metrics, metrics.window("FY2025-Q2", day), day, ["weighted",
                             "rollup", "stage_conversion"])  # fmt: skip
        rows = [
            {k: round(v, 6) if isinstance(v, float) else v for k, v in row.items()}
            for row in made.methods()
        ]
        changes = made.changes.to_dict("records")
        return rows + changes, list(made.top_deals["opportunity_id"])

    expected_rows, expected_deals = call(duck)
    got_rows, got_deals = call(spark)
    assert expected_deals  # E and D are open on 20 May
    assert got_deals == expected_deals
    assert got_rows == expected_rows
