"""`revops forecast`: the forecast call for a period, the backtest of every method, and
the people's calls (`submit`, `calls`: :mod:`revops.cli.calls`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from revops.cli import calls
from revops.cli.output import OutputFormat, console, error_console, render, render_document

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    help="Revenue forecast: each method's number and range, and their backtest.",
    invoke_without_command=True,
)

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d"], help="Last day of data to use (default: today)."
)
METHODS = typer.Option(
    None, "--methods", help="Comma-separated methods (default: all; see docs/forecast.md)."
)
CALL_COLUMNS = ("method", "p10", "p50", "p90", "booked", "open_expected", "new_expected",
                "last_week_p50", "change")  # fmt: skip
RANGE_COLUMNS = ("method", "by", "group", "forecasts", "calibrated", "raw_80", "cal_80", "cal_50")
RANGE_TITLE = (
    "Ranges: share of actuals in P10-P90 as forecast (raw_80), calibrated on earlier periods "
    "(cal_80; as forecast where too few), and in the calibrated P25-P75 (cal_50)"
)
SUMMARY_COLUMNS = ("method", "week", "periods", "median_accuracy", "wape", "coverage", "brier",
                   "mean_error", "error_std")  # fmt: skip


def _methods(text: str | None) -> list[str] | None:
    return [m.strip() for m in text.split(",") if m.strip()] if text else None


@app.callback()
def call(
    ctx: typer.Context,
    period: str | None = typer.Option(
        None, "--period", help="FY2025-Q4 or FY2025-M07 (default: this quarter)."
    ),
    as_of: datetime | None = AS_OF,
    methods: str | None = METHODS,
    fmt: OutputFormat = FORMAT,
) -> None:
    """The forecast call: every method's number and range, top deals, change since last week."""
    if ctx.invoked_subcommand is not None:
        return
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        result = ws.forecast.call(
            period, as_of=as_of.date() if as_of else None, methods=_methods(methods)
        )
    finally:
        ws.close()
    if result.warning:
        error_console().print(f"[yellow]warning:[/] {result.warning}", markup=True)
    rows = [_rounded(r) for r in result.methods()]
    chosen = result.recommended
    if fmt is not OutputFormat.table:
        render_document(
            {
                "period": result.period,
                "as_of": result.as_of.isoformat(),
                "warning": result.warning,
                "recommended": _rounded(chosen.as_dict()) if chosen else None,
                "methods": rows,
                "ranked_by": result.ranked_by,
                "top_deals": _records(result.top_deals),
                "changes": _records(result.changes),
            },
            fmt,
        )
        return
    if chosen is not None:
        out = console()
        out.print(
            f"[bold]The call for {result.period} as of {result.as_of}: "
            f"{chosen.p50:,.0f}[/] ({chosen.method}; P10-P90 {chosen.p10:,.0f} - "
            f"{chosen.p90:,.0f}), week {chosen.week} of the period",
            markup=True,
        )
        out.print(f"Why {chosen.method}: {chosen.reason}.", markup=False)
        if chosen.range_note:
            middle = (
                f"; P25-P75 {chosen.p25:,.0f} - {chosen.p75:,.0f}"
                if chosen.p25 is not None and chosen.p75 is not None
                else ""
            )
            out.print(f"Range: {chosen.range_note}{middle}.", markup=False)
    render(rows, CALL_COLUMNS, fmt, title=f"Every method: {result.period} as of {result.as_of}")
    if len(result.top_deals):
        columns = ["name", "owner_name", "stage", "amount", "close_date", "probability",
                   "expected", "why", "opportunity_id"]  # fmt: skip
        render(
            _records(result.top_deals.drop(columns=["reasons"], errors="ignore")),
            columns,
            fmt,
            title=f"Deals that move the call ({result.ranked_by}: probability × amount; why: "
            "what moves each probability against a typical deal)",
        )
    if len(result.changes):
        columns = ["name", "owner_name", "change", "expected_before", "expected_now", "delta",
                   "opportunity_id"]  # fmt: skip
        render(_records(result.changes), columns, fmt, title="Changed since last week's call")
    elif not result.last_week:
        console().print("No call a week earlier: the history starts after it.")


@app.command("backtest")
def backtest(
    ctx: typer.Context,
    periods: int = typer.Option(8, "--periods", help="Completed periods to backtest."),
    methods: str | None = METHODS,
    as_of: datetime | None = AS_OF,
    monthly: bool = typer.Option(False, "--monthly", help="Backtest months, not quarters."),
    ranges: bool = typer.Option(
        False,
        "--ranges",
        help="Print only the ranges' reliability table (coverage by week and fiscal quarter).",
    ),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Fit each method weekly over past periods with only what was known; print the errors,
    then how often each method's range held the actual (as forecast, and calibrated on the
    earlier periods' misses) by week of period and by fiscal quarter."""
    ws = ctx.obj.open_workspace()
    try:
        result = ws.forecast.backtest(
            periods=periods,
            methods=_methods(methods),
            as_of=as_of.date() if as_of else None,
            kind="month" if monthly else "quarter",
        )
    finally:
        ws.close()
    if result.warning:
        error_console().print(f"[yellow]warning:[/] {result.warning}", markup=True)
    title = (
        f"Backtest of {result.runs['period'].nunique()} period(s), weekly; stored in "
        "core.forecast_backtest"
    )
    reliability = _records(result.ranges) if result.ranges is not None else []
    if not ranges:
        render(_records(result.summary), SUMMARY_COLUMNS, fmt, title=title)
    if ranges or fmt is OutputFormat.table:
        render(reliability, RANGE_COLUMNS, fmt, title=RANGE_TITLE)


app.command("submit")(calls.submit)
app.command("calls")(calls.list_calls)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_rounded({str(k): v for k, v in r.items()}) for r in frame.to_dict("records")]


def _rounded(row: dict[str, Any]) -> dict[str, Any]:
    import math

    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, float):
            out[key] = None if math.isnan(value) else round(value, 3 if abs(value) < 10 else 0)
        else:
            out[key] = value
    return out
