"""Territory inputs and the quota path on Spark, by hand, equal on DuckDB: each company's
potential and workload as of a day, each rep's bookings of the last year, and planned
quota records read by `quota_amount` (through `quotas_known`) and by comp.

The Spark warehouse is the suite's one Spark session (its company emptied after)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from metrics import conftest as metric_fixtures
from metrics.conftest import MetricWorld
from revops.territories.bookings import rep_bookings
from revops.territories.config import TerritoriesFile
from revops.territories.inputs import account_measures
from revops.warehouse import Warehouse

# The metric tests' company fixtures, found by pytest under these names.
spark_world = metric_fixtures.spark_world
duckdb_world = metric_fixtures.duckdb_world

DAY = date(2026, 6, 30)
DESIGN = TerritoriesFile.model_validate({
    "potential": {"employees": 10, "open_pipeline": 0.5, "arr": 1},
    "workload": {"accounts": 1, "open_deals": 2},
})  # fmt: skip


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def world(request: pytest.FixtureRequest) -> Iterator[MetricWorld]:
    """The company on DuckDB, then on the run's Spark session (emptied after)."""
    found: MetricWorld = request.getfixturevalue(f"{request.param}_world")
    yield found
    if request.param == "spark":
        found.empty()
        _empty_quota_plans(found.warehouse)


def _empty_quota_plans(warehouse: Warehouse) -> None:
    """Empty the quota plan tables of the shared Spark warehouse (replaced by no rows, as
    the store itself writes them), so no later test reads this test's plan."""
    from revops.warehouse import LoadSpec

    specs = [
        LoadSpec(table, warehouse.table(table, "quotas").schema().to_pyarrow().empty_table(),
                 "quotas", mode="replace")
        for table in ("version", "quota")
        if warehouse.has_table(table, "quotas")
    ]  # fmt: skip
    if specs:
        warehouse.load_many(specs)


def _deal(key: str, owner: str, account: str, stage: str, amount: int, closed: str | None,
          created: str = "2026-01-01T00:00:00") -> dict[str, object]:  # fmt: skip
    won, done = stage == "Closed Won", stage.startswith("Closed")
    return {"opportunity_id": key, "name": key, "account_id": account, "owner_id": owner,
            "type": "new", "stage": stage, "amount": amount, "currency": "USD",
            "is_closed": done, "is_won": won, "closed_at": closed,
            "close_date": (closed or "2026-09-30")[:10], "created_at": created}  # fmt: skip


def _company(world: MetricWorld) -> None:
    world.add(
        "user",
        {"user_id": "u-ann", "name": "Ann", "email": "ann@acme.test", "is_active": True},
        {"user_id": "u-bob", "name": "Bob", "email": "bob@acme.test", "is_active": True},
    )
    world.add("account",
              {"account_id": "a1", "name": "One", "employees": 100, "owner_id": "u-ann",
               "created_at": "2025-01-01T00:00:00"},
              {"account_id": "a2", "name": "Two", "employees": 20, "owner_id": "u-bob",
               "created_at": "2025-01-01T00:00:00"},
              {"account_id": "late", "name": "Late", "employees": 999, "owner_id": "u-bob",
               "created_at": "2026-07-01T00:00:00"})  # fmt: skip
    world.add("opportunity",
              _deal("open1", "u-ann", "a1", "Discovery", 1000, None),
              _deal("open2", "u-ann", "a1", "Proposal", 3000, None),
              _deal("won1", "u-ann", "a2", "Closed Won", 500, "2026-03-01T12:00:00"),
              _deal("won2", "email:bob@acme.test", "a2", "Closed Won", 200, "2026-06-30T20:00:00"),
              _deal("old", "u-bob", "a2", "Closed Won", 9000, "2025-06-29T12:00:00"),
              _deal("after", "u-bob", "a2", "Closed Won", 9000, "2026-07-01T12:00:00"))  # fmt: skip
    world.add("opportunity_history", *[
        {"opportunity_id": d, "valid_from": "2026-02-01T00:00:00", "stage": stage,
         "amount": amount, "currency": "USD", "close_date": "2026-09-30", "probability": 40,
         "forecast_category": "pipeline"}
        for d, stage, amount in (("open1", "Discovery", 1000), ("open2", "Proposal", 3000))
    ])  # fmt: skip
    world.add("subscription_line",
              {"subscription_line_id": "s1", "account_id": "a2", "product_id": "p",
               "start_date": "2026-01-01", "quantity": 1, "billing_interval": "month",
               "mrr": 100, "currency": "USD"})  # fmt: skip


def test_territory_inputs_by_hand(world: MetricWorld) -> None:
    _company(world)
    metrics = world.metrics()
    rows = {r["account_id"]: r for r in
            account_measures(metrics, DAY, DESIGN).to_pyarrow().to_pylist()}  # fmt: skip
    assert set(rows) == {"a1", "a2"}  # "late" was created after the day
    # a1: 10 × 100 employees + 0.5 × 4,000 open; workload 2 × 2 open deals (+1 per
    # account, added in Python). a2: 10 × 20 + ARR 12 × 100; no open deal.
    assert rows["a1"]["potential"] == pytest.approx(1000 + 2000)
    assert rows["a1"]["workload"] == pytest.approx(4)
    assert rows["a2"]["potential"] == pytest.approx(200 + 1200)
    assert rows["a2"]["workload"] == pytest.approx(0)
    # Won in the 365 days to the end of 2026-06-30: Ann 500; Bob 200 (an owner known by
    # e-mail is the user); the deal of 2025-06-29 is older, that of 2026-07-01 later.
    assert rep_bookings(metrics.context(DAY), DAY, 365) == {"u-ann": 500, "u-bob": 200}


def test_planned_quotas_are_read_by_attainment_and_comp(world: MetricWorld) -> None:
    from revops.comp.inputs import read_quotas
    from revops.quotas.store import QuotaVersion, save_version

    _company(world)
    world.add("quota", {"user_id": "u-ann", "period_start_date": "2026-04-01",
                        "period_end_date": "2026-06-30", "amount": 50_000, "currency": "USD"},
              {"user_id": "u-bob", "period_start_date": "2026-04-01",
               "period_end_date": "2026-06-30", "amount": 7_000, "currency": "USD"})  # fmt: skip
    applied = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
    version = QuotaVersion(version=1, fiscal_year=2026, state="active",
                           target=Decimal("80000.00"), currency="USD", applied_at=applied,
                           as_of_date=date(2026, 6, 15), reps=1, file="x.yaml",
                           reverted_at=None, note=None)  # fmt: skip
    save_version(world.warehouse, version, [
        {"quota_id": "FY2026:u-ann:FY2026-Q2", "user_id": "u-ann", "team_id": None,
         "period_start_date": date(2026, 4, 1), "period_end_date": date(2026, 6, 30),
         "opportunity_type": None, "amount": Decimal("80000.00"), "currency": "USD",
         "top_down": Decimal("80000.00"), "bottom_up": Decimal("60000.00"), "ramp": 1.0},
    ])  # fmt: skip

    def quota(day: date) -> float | None:
        return world.value("quota_amount", "FY2026-Q2", as_of=day)

    # Before the plan was applied: the imported quotas, 50,000 + 7,000; after: Ann's is
    # replaced by the plan's 80,000, Bob's stays.
    assert quota(date(2026, 6, 14)) == pytest.approx(57_000)
    assert quota(date(2026, 6, 30)) == pytest.approx(87_000)
    ctx = world.metrics().context(date(2026, 6, 30))
    found = {(q.user_id, q.first): q.amount
             for q in read_quotas(ctx, date(2026, 4, 1), date(2026, 6, 30))}  # fmt: skip
    assert found == {("u-ann", date(2026, 4, 1)): Decimal("80000.00"),
                     ("u-bob", date(2026, 4, 1)): Decimal("7000.00")}  # fmt: skip
