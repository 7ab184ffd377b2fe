"""`revops pipeline`: the pipeline as of any day, stalled deals, bottlenecks, the waterfall."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import typer

from revops.cli.output import OutputFormat, console, render, render_document

app = typer.Typer(help="Pipeline analytics from opportunity history.", no_args_is_help=True)

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
WINDOW = typer.Option(
    None,
    "--window",
    help="Target close window: FY2025-Q3, FY2025, 2024-01-01..2024-03-31 (default: this quarter).",
)
AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d"], help="Last day of data to use (default: today)."
)
KPI_UNITS = {
    "open_pipeline_count": "count",
    "pipeline_created_count": "count",
    "pipeline_coverage": "times",
    "pipeline_coverage_of_quota": "times",
    "deal_slippage": "ratio",
}


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _number(value: Any, unit: str = "money") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    number = float(value)
    if unit == "count":
        return f"{number:,.0f}"
    if unit == "ratio":
        return f"{number * 100:.1f} %"
    if unit == "times":
        return f"{number:.2f}x"
    if unit == "days":
        return f"{number:,.1f}"
    if unit == "score":
        return f"{number:.2f}"
    return f"{number:,.0f}"


def _shown(rows: list[dict[str, Any]], units: dict[str, str]) -> list[dict[str, Any]]:
    return [{k: _number(v, units[k]) if k in units else v for k, v in r.items()} for r in rows]


@app.command("show")
def show(
    ctx: typer.Context,
    window: str | None = WINDOW,
    by: str | None = typer.Option(None, "--by", help="Slice by segment, owner or source."),
    as_of: datetime | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Open pipeline by stage (deals, amount, weighted), coverage, velocity, funnel."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        view = ws.pipeline.show(window, as_of=_day(as_of), by=by)
    finally:
        ws.close()
    if fmt is OutputFormat.json:
        render_document(view.to_dict(), fmt)
        return
    if fmt is OutputFormat.csv:
        render(view.stages.rows, view.stages.columns, fmt)
        return
    money = {"amount": "money", "weighted_amount": "money", "mean_days_in_stage": "days"}
    title = f"Open pipeline closing in {view.window}, as of {view.as_of}"
    render(_shown(view.stages.rows, money), view.stages.columns, fmt, title=title)
    kpis = [
        {"metric": r["metric"], "value": _number(r["value"], KPI_UNITS.get(r["metric"], "money"))}
        for r in view.kpis.rows
    ]
    render(kpis, ("metric", "value"), fmt, title=f"KPIs of {view.window}")
    funnel_units = {
        "stage_entries": "count",
        "stage_advances": "count",
        "stage_conversion": "ratio",
        "time_in_stage_days_median": "days",
    }
    render(
        _shown(view.funnel.rows, funnel_units),
        view.funnel.columns,
        fmt,
        title=f"Stage conversion and time in stage, {view.window}",
    )
    created = view.created
    console().print(
        f"Needed {_number(created.needed)} (quota {_number(created.quota)} - booked "
        f"{_number(created.bookings_to_date)}, at the {_number(created.conversion, 'ratio')} "
        f"created-to-won conversion of deals created {created.cohort_start}.."
        f"{created.cohort_end}); open {_number(created.open_pipeline)}, gap "
        f"{_number(created.gap)}; created so far {_number(created.created)}",
        highlight=False,
    )


@app.command("stalled")
def stalled(
    ctx: typer.Context,
    as_of: datetime | None = AS_OF,
    limit: int | None = typer.Option(None, "--limit", "-n", help="Show only the first N."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Open deals idle in their stage (no stage change, no activity) past its typical time."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        result = ws.pipeline.stalled(_day(as_of), limit=limit)
    finally:
        ws.close()
    if fmt is OutputFormat.json:
        render_document(result.to_dict(), fmt)
        return
    rows = result.rows
    if fmt is OutputFormat.table:
        units = {
            "days_in_stage": "days",
            "days_since_activity": "days",
            "threshold_days": "days",
            "amount": "money",
        }
        rows = _shown(rows, units)
    percentile = result.parameters["percentile"]
    title = (
        f"{len(rows)} stalled deal(s) as of {result.as_of} (past the p{percentile * 100:g} days)"
    )
    render(rows, result.columns, fmt, title=title)


@app.command("bottlenecks")
def bottlenecks(
    ctx: typer.Context,
    window: str | None = typer.Option(
        None,
        "--window",
        help="The recent window compared with its history (default: the last complete quarter).",
    ),
    as_of: datetime | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Stages and segments converting worse or slower than their history, by revenue at stake."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        result = ws.pipeline.bottlenecks(window, as_of=_day(as_of))
    finally:
        ws.close()
    if fmt is OutputFormat.json:
        render_document(result.to_dict(), fmt)
        return
    rows = result.rows
    columns = result.columns
    if fmt is OutputFormat.table:
        units = {
            "score": "score",
            "amount_at_stake": "money",
            "conversion": "ratio",
            "baseline_conversion": "ratio",
            "median_days": "days",
            "baseline_median_days": "days",
        }
        rows = _shown(rows, units)
        columns = [c for c in columns if c not in ("stays", "baseline_stays")]
    p = result.parameters
    title = (
        f"{len(rows)} bottleneck(s): {p['window']} against {p['baseline_start']}.."
        f"{p['baseline_end']}, as of {result.as_of}"
    )
    render(rows, columns, fmt, title=title)


@app.command("waterfall")
def waterfall(
    ctx: typer.Context,
    start: datetime = typer.Option(..., "--from", formats=["%Y-%m-%d"], help="First day."),
    end: datetime = typer.Option(..., "--to", formats=["%Y-%m-%d"], help="Second day."),
    window: str | None = typer.Option(
        None, "--window", help="Target close window (default: the fiscal quarter of --to)."
    ),
    fmt: OutputFormat = FORMAT,
) -> None:
    """How the pipeline of a close window moved between two days: created, pulled in,
    increased, decreased, won, lost, slipped."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        result = ws.pipeline.waterfall(start.date(), end.date(), window)
    finally:
        ws.close()
    if fmt is OutputFormat.json:
        render_document(result.to_dict(), fmt)
        return
    rows = result.rows
    if fmt is OutputFormat.table:
        rows = _shown(rows, {"amount": "money", "deals": "count"})
    title = f"Pipeline closing in {result.window.label}: {result.start} to {result.end}"
    render(rows, ("step", "sign", "amount", "deals"), fmt, title=title)
