"""A forecast as of D uses nothing dated after D: removing the future changes no number."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from revops import Workspace
from revops.forecast.call import forecast_call
from revops.model import ENTITIES

AS_OF = date(2026, 3, 10)
PERIOD = "FY2027-Q1"  # February to April 2026: the call is made in its sixth week


def _without_the_future(demo: Workspace, root: Path) -> Workspace:
    """A copy of `demo` as it would look on AS_OF: later versions, activities and deals
    gone, and deals closed later reopened with another amount and stage."""
    import ibis

    cut = datetime.combine(AS_OF + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    copy = Workspace.create(root, fiscal_year_start_month=demo.config.fiscal.year_start_month)
    copy.init_warehouse()
    for entity in ("account", "user", "fx_rate", "opportunity", "opportunity_history",
                   "activity"):  # fmt: skip
        spec = ENTITIES[entity]
        table = demo.warehouse.table(entity, spec.namespace)
        if entity == "opportunity":
            table = table.filter(table.created_at < cut)
            later = table.closed_at >= cut
            table = table.mutate(
                is_won=ibis.ifelse(later, False, table.is_won),
                is_closed=ibis.ifelse(later, False, table.is_closed),
                closed_at=ibis.ifelse(later, ibis.null("timestamp('UTC', 6)"), table.closed_at),
                stage=ibis.ifelse(later, "Negotiation", table.stage),
                amount=ibis.ifelse(later, table.amount * 2, table.amount).cast("decimal(18, 2)"),
            )
        elif entity == "opportunity_history":
            table = table.filter(table.valid_from < cut)
        elif entity == "activity":
            table = table.filter(table.occurred_at < cut)
        copy.warehouse.load(entity, table.to_pyarrow(), namespace=spec.namespace, mode="replace")
    return copy


def test_no_method_changes_when_everything_after_the_as_of_day_is_removed(
    demo: Workspace, tmp_path: Path
) -> None:
    past = _without_the_future(demo, tmp_path / "past")
    try:
        period = demo.metrics.window(PERIOD)
        full = forecast_call(demo.metrics, period, AS_OF)
        cut = forecast_call(past.metrics, period, AS_OF)
    finally:
        past.close()
    assert [f.method for f in full.forecasts] == [f.method for f in cut.forecasts]
    assert len(full.forecasts) == 6
    for mine, theirs in zip(full.forecasts + full.last_week, cut.forecasts + cut.last_week,
                            strict=True):  # fmt: skip
        assert (mine.p10, mine.p50, mine.p90) == pytest.approx(
            (theirs.p10, theirs.p50, theirs.p90), rel=1e-9
        ), mine.method
        assert mine.booked == theirs.booked
    assert full.top_deals.equals(cut.top_deals)
    # The future was there to remove: the full company booked more in the period.
    actual = demo.metrics.compute("bookings", PERIOD, as_of=date(2026, 11, 22)).value("bookings")
    assert actual is not None
    assert actual > full.forecasts[0].booked
