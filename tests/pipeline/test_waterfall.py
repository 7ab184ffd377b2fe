"""The waterfall between two days against a hand-built quarter, on every backend."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from metrics.conftest import MetricWorld
from pipeline.conftest import NOT_ON_SPARK, accounts, deal, pipeline_of, version
from revops.errors import PipelineError

Q1 = "FY2025-Q1"  # calendar fiscal year: January to March 2025
START, END = date(2025, 1, 31), date(2025, 3, 15)


def quarter(world: MetricWorld) -> None:
    """Deals moving through Q1 2025 in every way the waterfall tells apart."""
    accounts(world)
    world.add(
        "opportunity_history",
        # A: in at both days, raised from 1,000 to 1,200.
        version("A", "2025-01-05", "Prospecting", 1000, "2025-03-20"),
        version("A", "2025-02-10", "Qualification", 1200, "2025-03-20"),
        # B: won. C: lost. D: pushed to May (slipped).
        version("B", "2025-01-10", "Discovery", 500, "2025-02-28"),
        version("B", "2025-02-20", "Closed Won", 500, "2025-02-20"),
        version("C", "2025-01-12", "Proposal", 800, "2025-03-31"),
        version("C", "2025-03-01", "Closed Lost", 800, "2025-03-01"),
        version("D", "2025-01-15", "Negotiation", 300, "2025-03-10"),
        version("D", "2025-03-05", "Negotiation", 300, "2025-05-15"),
        # E: created after the first day. F: due in April, pulled into March.
        version("E", "2025-02-05", "Prospecting", 400, "2025-03-25"),
        version("F", "2024-12-01", "Discovery", 700, "2025-04-30"),
        version("F", "2025-02-15", "Discovery", 700, "2025-03-30"),
        # G: created and won between the two days.
        version("G", "2025-02-01", "Prospecting", 250, "2025-03-01"),
        version("G", "2025-02-25", "Closed Won", 250, "2025-02-25"),
        # H: cut from 900 to 600. I: due in June, never in Q1. J: created after the end.
        version("H", "2025-01-20", "Qualification", 900, "2025-03-15"),
        version("H", "2025-02-01", "Qualification", 600, "2025-03-15"),
        version("I", "2025-01-03", "Prospecting", 100, "2025-06-30"),
        version("J", "2025-03-20", "Prospecting", 5000, "2025-03-28"),
    )
    world.add("opportunity", *[deal(d) for d in "ABCDEFGHIJ"])


def test_waterfall_steps_match_the_hand_count(world: MetricWorld) -> None:
    quarter(world)
    result = pipeline_of(world).waterfall(START, END, Q1)
    # Open on 31 January and due in Q1: A 1,000, B 500, C 800, D 300, H 900.
    expected = {"open_start": 3500, "created": 650, "pulled_in": 700, "increased": 200,
                "decreased": 300, "won": 750, "lost": 800, "slipped": 300,
                "open_end": 2900}  # fmt: skip
    assert {k: float(v) for k, v in result.amounts.items()} == expected
    counts = {"open_start": 5, "created": 2, "pulled_in": 1, "increased": 1, "decreased": 1,
              "won": 2, "lost": 1, "slipped": 1, "open_end": 4}  # fmt: skip
    assert result.counts == counts
    assert result.balance == Decimal(0)
    assert next(r["step"] for r in result.to_dict()["rows"]) == "open_start"


@NOT_ON_SPARK
def test_waterfall_window_defaults_to_the_quarter_of_the_second_day(world: MetricWorld) -> None:
    quarter(world)
    result = pipeline_of(world).waterfall(START, END)
    assert result.window.label == Q1
    assert float(result.amounts["open_end"]) == 2900


def test_waterfall_movements_name_each_deal(duckdb_world: MetricWorld) -> None:
    quarter(duckdb_world)
    result = pipeline_of(duckdb_world).waterfall(START, END, Q1)
    assert result.deals is not None
    moves = result.deals.execute().set_index("opportunity_id")
    assert moves.loc["E", "entry"] == "created"
    assert moves.loc["F", "entry"] == "pulled_in"
    assert (moves.loc["G", "entry"], moves.loc["G", "exit"]) == ("created", "won")
    assert moves.loc["D", "exit"] == "slipped"
    assert "I" not in moves.index
    assert "J" not in moves.index


def test_waterfall_refuses_days_out_of_order_or_after_the_as_of_day(
    duckdb_world: MetricWorld,
) -> None:
    quarter(duckdb_world)
    pipeline = pipeline_of(duckdb_world)
    with pytest.raises(PipelineError, match="before"):
        pipeline.waterfall(END, START, Q1)
    with pytest.raises(PipelineError, match="as-of day"):
        pipeline.waterfall(START, END, Q1, as_of=date(2025, 3, 1))
