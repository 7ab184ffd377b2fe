"""The same loads and reads give identical results on every backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from revops.warehouse import Warehouse

from conftest import BACKENDS, open_warehouse
from support import DEAL, DEAL_HISTORY, at, deals, history, rows


def scenario(warehouse: Warehouse) -> dict[str, Any]:
    """Loads in every mode, then reads current state, aggregates and history as of a date."""
    warehouse.init([DEAL, DEAL_HISTORY])
    first = deals(
        ("1", "Prospecting", "100.00", "2024-03-31"),
        ("2", "Proposal", "250.50", "2024-06-30"),
        ("3", "Closed Won", "75.25", "2024-02-15"),
    )
    warehouse.load("deal", first)
    warehouse.load("deal", first)
    update = warehouse.load(
        "deal",
        deals(
            ("2", "Negotiation", "300.10", "2024-07-31"), ("4", "Proposal", "0.05", "2024-08-01")
        ),
    )
    warehouse.load(
        "deal_history",
        history(
            ("h1", "d-1", "2024-01-01T00:00:00", "Prospecting"),
            ("h2", "d-2", "2024-01-10T00:00:00", "Prospecting"),
            ("h3", "d-2", "2024-02-10T08:30:00", "Proposal"),
            ("h4", "d-2", "2024-04-01T00:00:00", "Negotiation"),
        ),
        namespace="history",
    )
    deal = warehouse.table("deal")
    by_stage = deal.group_by("stage").aggregate(total=deal.amount.sum(), deals=deal.count())
    return {
        "counts": (update.inserted, update.updated, update.unchanged),
        "deals": rows(deal),
        "by_stage": rows(by_stage),
        "as_of": rows(warehouse.as_of("deal_history", at("2024-03-01T00:00:00"), "deal_id")),
    }


@pytest.mark.postgres
@pytest.mark.spark
def test_every_backend_gives_identical_results(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    results = {}
    for param in BACKENDS:
        backend = param.values[0]
        warehouse = open_warehouse(backend, tmp_path / backend, request)
        try:
            results[backend] = scenario(warehouse)
        finally:
            warehouse.drop()
    assert results["duckdb"]["counts"] == (1, 1, 0)
    assert results["duckdb"]["by_stage"] == [
        ("Closed Won", "75.25", 1),
        ("Negotiation", "300.10", 1),
        ("Proposal", "0.05", 1),
        ("Prospecting", "100.00", 1),
    ]
    assert results["postgres"] == results["duckdb"]
    assert results["spark"] == results["duckdb"]
