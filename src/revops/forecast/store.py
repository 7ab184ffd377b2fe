"""Backtest results kept in the warehouse, so the cockpit shows them without re-running.

Three tables in the `core` namespace, replaced whole by each backtest: its runs (one row
per method, period and week), its summary per method and week, and the reliability table
of deal probabilities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.schema as sch
    import pandas as pd

    from revops.forecast.backtest import BacktestResult
    from revops.warehouse import Warehouse

NAMESPACE = "core"
RUNS_TABLE = "forecast_backtest"
SUMMARY_TABLE = "forecast_backtest_summary"
RELIABILITY_TABLE = "forecast_calibration"


def _schemas() -> dict[str, sch.Schema]:
    import ibis

    return {
        RUNS_TABLE: ibis.schema(
            {
                "method": "string",
                "period": "string",
                "week": "int64",
                "as_of_date": "date",
                "p10": "float64",
                "p50": "float64",
                "p90": "float64",
                "booked": "float64",
                "actual": "float64",
                "error": "float64",
                "accuracy": "float64",
                "in_range": "boolean",
                "run_at": "timestamp('UTC')",
            }
        ),
        SUMMARY_TABLE: ibis.schema(
            {
                "method": "string",
                "week": "int64",
                "periods": "int64",
                "median_accuracy": "float64",
                "wape": "float64",
                "coverage": "float64",
                "brier": "float64",
                "mean_error": "float64",
                "error_std": "float64",
                "run_at": "timestamp('UTC')",
            }
        ),
        RELIABILITY_TABLE: ibis.schema(
            {
                "method": "string",
                "bin": "int64",
                "deals": "int64",
                "mean_probability": "float64",
                "win_share": "float64",
                "run_at": "timestamp('UTC')",
            }
        ),
    }


def save_backtest(warehouse: Warehouse, result: BacktestResult) -> list[str]:
    """Replace the stored backtest with `result`, all three tables in one load.

    Returns:
        The qualified names of the tables written.
    """
    from datetime import UTC, datetime

    from revops.warehouse import LoadSpec

    stamp = datetime.now(UTC)
    frames = {
        RUNS_TABLE: result.runs,
        SUMMARY_TABLE: result.summary,
        RELIABILITY_TABLE: result.reliability,
    }
    specs = []
    for name, schema in _schemas().items():
        if not warehouse.has_table(name, NAMESPACE):
            warehouse.create_table(name, schema, NAMESPACE)
        frame = frames[name].assign(run_at=stamp)
        specs.append(LoadSpec(name, _records(frame, schema), NAMESPACE, mode="replace"))
    warehouse.load_many(specs)
    return [f"{NAMESPACE}.{name}" for name in frames]


def stored_summary(warehouse: Warehouse) -> pd.DataFrame | None:
    """The summary of the last stored backtest, or None when none was stored."""
    if not warehouse.has_table(SUMMARY_TABLE, NAMESPACE):
        return None
    table = warehouse.table(SUMMARY_TABLE, NAMESPACE)
    frame: pd.DataFrame = table.order_by(["method", "week"]).to_pandas()
    return frame


def stored_runs(warehouse: Warehouse) -> pd.DataFrame | None:
    """The runs of the last stored backtest (one row per method, period and week), or None."""
    if not warehouse.has_table(RUNS_TABLE, NAMESPACE):
        return None
    frame: pd.DataFrame = warehouse.table(RUNS_TABLE, NAMESPACE).to_pandas()
    return frame


def stored_kind(warehouse: Warehouse) -> str | None:
    """The period kind (``quarter`` or ``month``) of the stored backtest, or None."""
    if not warehouse.has_table(RUNS_TABLE, NAMESPACE):
        return None
    table = warehouse.table(RUNS_TABLE, NAMESPACE)
    labels = table.select("period").limit(1).to_pandas()["period"]
    if labels.empty:
        return None
    return "month" if "-M" in str(labels.iloc[0]) else "quarter"


def _records(frame: pd.DataFrame, schema: sch.Schema) -> list[dict[str, object]]:
    import math

    rows = []
    for record in frame[list(schema.names)].to_dict("records"):
        rows.append(
            {
                str(k): None if isinstance(v, float) and math.isnan(v) else v
                for k, v in record.items()
            }
        )
    return rows
