"""Invariants of pipeline analytics on a small demo company, and agreement with the catalog."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest

from revops import Workspace
from revops.demo import DemoParams
from revops.demo.generate import generate_company
from revops.ingest.runner import ingest

PARAMS = DemoParams(accounts=300, years=2, seed=5, as_of=date(2026, 11, 22))
AS_OF = PARAMS.as_of


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    company = tmp_path_factory.mktemp("company")
    generate_company(PARAMS, company)
    root = tmp_path_factory.mktemp("duckdb") / "ws"
    Workspace.create(root, fiscal_year_start_month=PARAMS.fiscal_year_start_month)
    ws = Workspace.open(root)
    report = ingest(ws, sorted(str(p) for p in company.iterdir() if p.name != "truth"))
    assert report.failed == []
    yield ws
    ws.close()


def _quarters(ws: Workspace) -> list[tuple[date, date, str]]:
    """(day before, last known day, label) of each quarter of the demo's last fiscal year."""
    year = ws.calendar.period_of(AS_OF, "year")
    found = []
    for quarter in ws.calendar.periods_between(year.start, year.end, "quarter"):
        if quarter.start <= AS_OF:
            found.append((quarter.start - timedelta(days=1), min(quarter.last_day, AS_OF),
                          quarter.label))  # fmt: skip
    return found


def test_waterfall_balances_and_its_ends_are_the_open_pipeline_metric(demo: Workspace) -> None:
    for start, end, label in _quarters(demo):
        result = demo.pipeline.waterfall(start, end, label)
        assert result.balance == Decimal(0), label
        assert result.counts["open_start"] > 0, label
        assert result.counts["won"] > 0, label
        for day, step in ((start, "open_start"), (end, "open_end")):
            metric = demo.metrics.compute(["open_pipeline"], label, as_of=day)
            assert float(result.amounts[step]) == pytest.approx(metric.value("open_pipeline"))
        # Deals forecast in the quarter at its start that ended it open and due later.
        slipped = demo.metrics.compute(["slipped_deals"], label, as_of=end)
        assert result.counts["slipped"] == slipped.value("slipped_deals"), label


def test_pipeline_by_stage_and_segment_sums_to_the_metric(demo: Workspace) -> None:
    label = _quarters(demo)[-1][2]
    view = demo.pipeline.show(label, as_of=AS_OF, by="segment")
    metric = demo.metrics.compute(["open_pipeline"], label, by=["segment"], as_of=AS_OF)
    totals: dict[str | None, float] = {}
    for row in view.stages.rows:
        totals[row["segment"]] = totals.get(row["segment"], 0) + row["amount"]
    for segment, amount in totals.items():
        assert amount == pytest.approx(metric.value("open_pipeline", segment=segment)), segment
    assert {r["stage"] for r in view.funnel.rows} <= {
        s.name for s in demo.config.opportunity_stages if s.category == "open"
    }


def test_stalled_deals_pass_their_learned_thresholds(demo: Workspace) -> None:
    result = demo.pipeline.stalled(AS_OF)
    assert result.rows
    for row in result.rows:
        assert row["days_in_stage"] > row["threshold_days"]
        assert row["days_since_activity"] > row["threshold_days"]
    amounts = [r["amount"] for r in result.rows]
    assert amounts == sorted(amounts, reverse=True)
    # Not every open deal is stalled.
    open_deals = demo.pipeline.deals(AS_OF).count().execute()
    assert len(result.rows) < open_deals


def test_bottlenecks_are_worse_than_their_history_and_ranked_by_stake(demo: Workspace) -> None:
    label = _quarters(demo)[-2][2]
    result = demo.pipeline.bottlenecks(label, as_of=AS_OF)
    tolerance = demo.config.pipeline.bottleneck_tolerance
    for row in result.rows:
        assert row["score"] > tolerance
        worse = (row["conversion"] < row["baseline_conversion"]) or (
            row["median_days"] > row["baseline_median_days"]
        )
        assert worse
        assert row["explanation"]
    stakes = [r["amount_at_stake"] for r in result.rows]
    assert stakes == sorted(stakes, reverse=True)
