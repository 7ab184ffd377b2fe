"""The metric layer's tiny company on each backend, and the pipeline component over it."""

from __future__ import annotations

from typing import Any

import pytest

from metrics import conftest as metric_fixtures
from metrics.conftest import MetricWorld
from revops.pipeline import Pipeline

# The metric tests' company fixtures, found by pytest under these names.
world = metric_fixtures.world
duckdb_world = metric_fixtures.duckdb_world
spark_world = metric_fixtures.spark_world

NOT_ON_SPARK = pytest.mark.parametrize(
    "world",
    [
        pytest.param("duckdb", id="duckdb"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ],
    indirect=True,
)
"""For tests whose Spark run would add minutes and no new code path: Spark runs the
waterfall and the stalled deals (window functions, percentiles) only."""


def pipeline_of(world: MetricWorld, **settings: Any) -> Pipeline:
    """The pipeline component of `world`, with `settings` in revops.yaml's `pipeline:`."""
    world.config_overrides["pipeline"] = settings
    return Pipeline(world.metrics())


def version(
    deal: str, at: str, stage: str, amount: float, close: str, **extra: Any
) -> dict[str, Any]:
    """One opportunity history row."""
    return {"opportunity_id": deal, "valid_from": at, "stage": stage, "amount": amount,
            "close_date": close, "currency": "USD", **extra}  # fmt: skip


def deal(deal_id: str, account: str = "acc-smb", **extra: Any) -> dict[str, Any]:
    """One opportunity row (its current state matters only for account, owner, source)."""
    return {"opportunity_id": deal_id, "stage": "x", "account_id": account,
            "owner_id": "u1", "lead_source": "web", **extra}  # fmt: skip


def accounts(world: MetricWorld) -> None:
    """Three accounts, one per segment (once per world: fixtures combine)."""
    if "account" in world.touched:
        return
    world.add(
        "account",
        {"account_id": "acc-smb", "name": "Small", "segment": "smb"},
        {"account_id": "acc-ent", "name": "Big", "segment": "enterprise"},
        {"account_id": "acc-mid", "name": "Middle", "segment": "mid_market"},
    )
