"""History before the CRM's first recorded change (a go-live migration) is not training data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import ibis
import pyarrow as pa

from revops import Workspace
from revops.forecast.data import ForecastData

from .conftest import copy_company

GO_LIVE = date(2025, 9, 15)
AS_OF = date(2026, 11, 15)


def _migrated(entity: str, table: ibis.Table) -> ibis.Table:
    """History as a CRM that went live on GO_LIVE has it: each deal's state then is one
    migrated row stamped GO_LIVE, and nothing of what came before."""
    if entity != "opportunity_history":
        return table
    cut = datetime.combine(GO_LIVE, datetime.min.time(), tzinfo=UTC)
    frame = table.to_pandas()
    before = frame[frame["valid_from"] < cut].sort_values("valid_from")
    migrated = before.groupby("opportunity_id").tail(1).copy()
    migrated["valid_from"] = cut
    kept = frame[frame["valid_from"] >= cut]
    import pandas as pd

    joined = pd.concat([migrated, kept], ignore_index=True)
    schema = table.schema().to_pyarrow()
    return ibis.memtable(pa.Table.from_pandas(joined, schema=schema, preserve_index=False))


def test_periods_before_the_go_live_teach_nothing(demo: Workspace, tmp_path: Path) -> None:
    live = copy_company(demo, tmp_path / "live", _migrated)
    try:
        period = live.metrics.window("FY2027-Q4")
        data = ForecastData.load(live.metrics, [AS_OF], kind="quarter", last_day=AS_OF)
        assert data.first_day == GO_LIVE
        training = data.training(AS_OF)
        assert training["as_of_date"].min() >= GO_LIVE
        # New business is sampled from periods whose same point (15 days in) is after the
        # go-live: FY2026-Q4 to FY2027-Q3, not FY2026-Q1 to Q3 (which had no history).
        samples = data.new_business_samples(period, AS_OF)
        completed = live.metrics.calendar.periods_between(GO_LIVE, AS_OF, "quarter")
        offset = AS_OF + timedelta(days=1) - period.start
        expected = [p for p in completed if p.end <= AS_OF and p.start + offset >= GO_LIVE]
        assert len(samples) == len(expected) == 4
        months = data.monthly_bookings(AS_OF)
        assert min(months.index) >= GO_LIVE
    finally:
        live.close()
