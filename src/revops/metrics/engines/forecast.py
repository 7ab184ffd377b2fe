"""Engine source of forecast accuracy and revenue predictability: the stored backtest.

It reads the `core.forecast_backtest` table the forecast backtest writes (`revops forecast
backtest`): one row per method, past period and weekly forecast point. The metric layer
knows the table, not the code that fills it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.sources import SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

BACKTEST_NAMESPACE = "core"
BACKTEST_TABLE = "forecast_backtest"
"""Where the backtest stores its runs (revops.forecast.store writes it)."""

RUN_COLUMNS = {
    "method": "string",
    "period": "string",
    "week": "int64",
    "p50": "float64",
    "actual": "float64",
    "error": "float64",
    "accuracy": "float64",
}


@engine(
    "forecast_backtest_run",
    "One row per forecast of the stored backtest (core.forecast_backtest, as of its latest "
    "run, whatever the window): method, period (the past period forecast), week (the weekly "
    "forecast point, 1 = the period's first day), accuracy (1 - |P50 - actual| / actual), "
    "actual, abs_error (|P50 - actual|), relative_error ((P50 - actual) / actual).",
    ("method", "period", "week", "accuracy", "actual", "abs_error", "relative_error"),
    windowed=True,
)
def forecast_backtest_runs(ctx: SourceContext, period: Period) -> ir.Table:
    """The stored backtest's forecasts with their errors; empty (and a warning) when none."""
    import ibis

    if ctx.warehouse.has_table(BACKTEST_TABLE, BACKTEST_NAMESPACE):
        runs = ctx.stored(BACKTEST_TABLE, BACKTEST_NAMESPACE)
    else:
        ctx.warnings.append("no forecast backtest stored yet: run `revops forecast backtest`")
        runs = ibis.memtable({c: [] for c in RUN_COLUMNS}, schema=RUN_COLUMNS)
    # A period with no bookings has no relative error: null, so it is left out, not infinite.
    actual = runs.actual.cast("float64")
    relative = ibis.ifelse(actual != 0, runs.error.cast("float64") / actual, ibis.null("float64"))
    return runs.select(
        method=runs.method,
        period=runs.period,
        week=runs.week.cast("int64"),
        accuracy=runs.accuracy.cast("float64"),
        actual=actual,
        abs_error=runs.error.cast("float64").abs(),
        relative_error=relative,
    )
