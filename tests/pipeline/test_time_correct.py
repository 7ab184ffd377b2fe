"""Every pipeline function as of a day is blind to what happened after it.

The three hand-built histories (the Q1 quarter, the stalled deals, the bottleneck) plus
versions and activities dated after the as-of day; every row dated after it is then
deleted, or changed (stage, amount, close date, day, deal), and every answer must stay
the same.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from metrics.conftest import MetricWorld
from pipeline.conftest import deal, pipeline_of, version
from pipeline.test_bottlenecks import bottleneck_world
from pipeline.test_stalled import stalled_world
from pipeline.test_waterfall import quarter
from revops.model import ENTITIES

AS_OF = date(2025, 6, 15)
LATER = datetime(2025, 6, 16, tzinfo=UTC)  # the first moment after the as-of day
SETTINGS = {"stalled_percentile": 0.5, "min_stays": 2}


def _future(world: MetricWorld) -> None:
    """Changes after the as-of day to every kind of deal: advanced, won, lost, new, touched."""
    world.add(
        "opportunity_history",
        version("S1", "2025-06-20", "Qualification", 5000, "2025-07-31"),
        version("X", "2025-06-16", "Closed Won", 1000, "2025-06-16"),
        version("A", "2025-06-16T08:00:00", "Closed Lost", 0, "2025-06-16"),
        version("S4", "2025-07-01", "Prospecting", 900, "2025-06-20"),
        version("NEW", "2025-06-20", "Prospecting", 777, "2025-06-25"),
    )
    world.add("opportunity", deal("NEW"))
    world.add(
        "activity",
        {"type": "call", "opportunity_id": "S4", "occurred_at": "2025-06-20"},
        {"type": "meeting", "opportunity_id": "S1", "occurred_at": "2025-06-16T09:00:00"},
    )


def _answers(world: MetricWorld) -> dict[str, Any]:
    pipeline = pipeline_of(world, **SETTINGS)
    deals = pipeline.deals(AS_OF).execute().sort_values("opportunity_id")
    view = pipeline.show("FY2025-Q2", as_of=AS_OF, by="segment")
    thresholds = pipeline.thresholds(AS_OF).execute()
    return {
        "deals": deals.reset_index(drop=True).to_dict(orient="records"),
        "show": view.to_dict(),
        "thresholds": sorted(map(str, thresholds.to_dict(orient="records"))),
        "stalled": pipeline.stalled(AS_OF).to_dict(),
        "bottlenecks": pipeline.bottlenecks("FY2025-Q2", as_of=AS_OF).to_dict(),
        "waterfall": pipeline.waterfall(date(2025, 3, 31), AS_OF, "FY2025-Q2").to_dict(),
        "waterfall_q1": pipeline.waterfall(date(2025, 1, 31), AS_OF, "FY2025-Q1").to_dict(),
        "created": pipeline.created_vs_needed("FY2025-Q2", as_of=AS_OF).to_dict(),
    }


def _rows(world: MetricWorld, entity: str) -> list[dict[str, Any]]:
    spec = ENTITIES[entity]
    return list(world.warehouse.table(entity, spec.namespace).to_pyarrow().to_pylist())


def _rewrite(world: MetricWorld, entity: str, column: str, change: Any) -> int:
    """Replace the rows of `entity` dated after the as-of day by `change(row)` (None drops
    it); returns how many rows were dated after it."""
    spec = ENTITIES[entity]
    kept, later = [], 0
    for row in _rows(world, entity):
        if row[column] is not None and row[column] >= LATER:
            later += 1
            row = change(row)
        if row is not None:
            kept.append(row)
    world.warehouse.load(entity, kept, namespace=spec.namespace, mode="replace")
    return later


def _changed_version(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "stage": "Negotiation", "amount": row["amount"] * 3 + 1,
            "close_date": date(2025, 6, 30), "valid_from": row["valid_from"] + timedelta(days=2),
            "forecast_category": "commit"}  # fmt: skip


def _changed_activity(row: dict[str, Any]) -> dict[str, Any]:
    moved = {"S4": "S1", "S1": "S5", "S5": "S4"}.get(row["opportunity_id"], "S2")
    return {**row, "opportunity_id": moved, "occurred_at": row["occurred_at"] + timedelta(hours=5)}


@pytest.mark.parametrize("variant", ["deleted", "changed"])
def test_pipeline_answers_ignore_rows_dated_after_the_as_of_day(
    duckdb_world: MetricWorld, variant: str
) -> None:
    world = duckdb_world
    quarter(world)
    stalled_world(world)
    bottleneck_world(world)
    _future(world)
    before = _answers(world)
    assert before["stalled"]["rows"]
    assert before["bottlenecks"]["rows"]
    versions = _rewrite(
        world, "opportunity_history", "valid_from",
        (lambda _: None) if variant == "deleted" else _changed_version,
    )  # fmt: skip
    touches = _rewrite(
        world, "activity", "occurred_at",
        (lambda _: None) if variant == "deleted" else _changed_activity,
    )  # fmt: skip
    # The fixtures' own later rows (J, the stalled deals' last moves, S5's July call) too.
    assert versions >= 6
    assert touches >= 3
    after = _answers(world)
    for name, answer in before.items():
        assert after[name] == answer, name
