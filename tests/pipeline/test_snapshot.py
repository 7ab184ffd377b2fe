"""The open pipeline as of a day, deal by deal and by stage, against the hand-built quarter."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.conftest import MetricWorld
from pipeline.conftest import NOT_ON_SPARK, pipeline_of
from pipeline.test_waterfall import Q1, quarter

FEB_15 = date(2025, 2, 15)


@NOT_ON_SPARK
def test_open_deals_as_of_a_day_are_the_versions_valid_then(world: MetricWorld) -> None:
    quarter(world)
    deals = pipeline_of(world).deals(FEB_15).execute().set_index("opportunity_id")
    # Open at the end of 15 February: all but J (created in March); F moved into March that day.
    assert sorted(deals.index) == list("ABCDEFGHI")
    assert float(deals.loc["A", "amount"]) == 1200
    assert deals.loc["A", "stage"] == "Qualification"
    assert float(deals.loc["H", "amount"]) == 600
    assert str(deals.loc["F", "close_date"])[:10] == "2025-03-30"
    assert deals.loc["A", "segment"] == "smb"
    assert deals.loc["A", "days_in_stage"] == pytest.approx(6)  # Qualification since 10 Feb
    # No activity yet: idle since the deal appeared.
    assert deals.loc["E", "days_since_activity"] == pytest.approx(11)


@NOT_ON_SPARK
def test_pipeline_by_stage_sums_to_the_open_pipeline_metric(world: MetricWorld) -> None:
    quarter(world)
    view = pipeline_of(world).show(Q1, as_of=FEB_15)
    stages = {r["stage"]: r for r in view.stages.rows}
    # Due in Q1: E 400 + G 250; A 1,200 + H 600; B 500 + F 700; C 800; D 300 (I is due in June).
    amounts = {s: r["amount"] for s, r in stages.items()}
    assert amounts == {"Prospecting": 650, "Qualification": 1800, "Discovery": 1200,
                       "Proposal": 800, "Negotiation": 300}  # fmt: skip
    assert next(r["stage"] for r in view.stages.rows) == "Prospecting"
    assert stages["Discovery"]["deals"] == 2
    assert stages["Discovery"]["weighted_amount"] == pytest.approx(1200 * 0.4)
    kpis = {r["metric"]: r["value"] for r in view.kpis.rows}
    assert kpis["open_pipeline"] == sum(amounts.values())
    assert kpis["open_pipeline_count"] == sum(r["deals"] for r in view.stages.rows)


def test_show_slices_by_owner_and_refuses_unknown_slices(duckdb_world: MetricWorld) -> None:
    from revops.errors import PipelineError

    quarter(duckdb_world)
    pipeline = pipeline_of(duckdb_world)
    view = pipeline.show(Q1, as_of=FEB_15, by="owner")
    assert {r["owner_id"] for r in view.stages.rows} == {"u1"}
    assert "owner" in view.funnel.columns
    assert view.to_dict()["by"] == "owner"
    with pytest.raises(PipelineError, match="segment, owner, source"):
        pipeline.show(Q1, as_of=FEB_15, by="colour")
