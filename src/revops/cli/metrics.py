"""`revops metrics`: the KPI catalog, values for any window and slice, definitions, rows."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from revops.cli.output import OutputFormat, console, error_console, render, render_document

if TYPE_CHECKING:
    from revops.metrics import Metric, MetricResult

app = typer.Typer(help="The KPI catalog: definitions and values.", no_args_is_help=True)

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
WINDOW = typer.Option(
    None,
    "--window",
    help="FY2025, FY2025-Q3, FY2025-M07 or 2024-01-01..2024-03-31 (default: this quarter).",
)
AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d"], help="Last day of data to use (default: today)."
)
LIST_COLUMNS = ("name", "label", "team", "signal", "unit", "kind", "kpi", "description")


@app.command("list")
def list_metrics(
    ctx: typer.Context,
    team: str | None = typer.Option(None, "--team", help="Only this team's metrics."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The catalog: every metric with its definition, owner team, leading/lagging."""
    ws = ctx.obj.open_workspace(read_only=True)
    metrics = [m for m in ws.metrics.definitions() if team is None or m.team == team]
    rows = [m.model_dump() for m in metrics]
    render(rows, LIST_COLUMNS, fmt, title=f"{len(rows)} metrics")


@app.command("show")
def show(
    ctx: typer.Context,
    metrics: list[str] = typer.Argument(..., help="Metric or group names."),
    window: str | None = WINDOW,
    by: list[str] = typer.Option([], "--by", help="Dimension to slice by (repeatable)."),
    grain: str | None = typer.Option(None, "--grain", help="month, quarter or year."),
    compare: str | None = typer.Option(None, "--compare", help="previous or last_year."),
    as_of: datetime | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Values of metrics for a window, sliced and as a time series, with comparisons."""
    from revops.errors import MetricError

    if grain not in (None, "month", "quarter", "year"):
        raise MetricError(f"--grain must be month, quarter or year, not {grain!r}")
    if compare not in (None, "previous", "last_year"):
        raise MetricError(f"--compare must be previous or last_year, not {compare!r}")
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        result = ws.metrics.compute(
            metrics,
            window,
            by=by,
            grain=grain,
            compare=compare,
            as_of=as_of.date() if as_of else None,
        )
        units = {m.name: m for m in ws.metrics.definitions()}
        group = ws.metrics.catalog.groups.get(metrics[0]) if len(metrics) == 1 else None
    finally:
        ws.close()
    for warning in result.warnings:
        error_console().print(f"[yellow]warning:[/] {warning}")
    if group is not None and fmt is OutputFormat.table:
        _render_wide(result, units, list(group.metrics), group.label)
        return
    records = result.records()
    columns = [c for c in result.frame.columns if c not in ("period_start", "period_end")]
    if fmt is OutputFormat.json:
        render(records, [*columns, "drill"], fmt)
        return
    if fmt is OutputFormat.table:
        records = [_formatted(r, units[r["metric"]]) for r in records]
    render(records, columns, fmt, title=f"{result.window.label}")


def _render_wide(
    result: MetricResult, units: dict[str, Metric], names: list[str], title: str
) -> None:
    frame = result.frame
    labels = [f"{d}_label" for d in result.by if f"{d}_label" in frame.columns]
    frame = frame.assign(**{name: frame[name].fillna("") for name in labels})
    keys = ["period", *[k for d in result.by for k in (d, f"{d}_label") if k in frame.columns]]
    wide = frame.pivot_table(
        index=keys, columns="metric", values="value", aggfunc="first", dropna=False, sort=False
    ).reset_index()
    rows = []
    for record in wide.to_dict(orient="records"):
        row: dict[str, Any] = {k: record[k] for k in keys}
        for name in names:
            row[name] = _format_value(record.get(name), units[name].unit)
        rows.append(row)
    render(rows, [*keys, *names], OutputFormat.table, title=title)


def _formatted(record: dict[str, Any], metric: Metric) -> dict[str, Any]:
    shown = dict(record)
    for column in ("value", "compare_value", "change", "target"):
        if column in shown:
            shown[column] = _format_value(shown[column], metric.unit)
    for column in ("change_ratio", "attainment"):
        if column in shown:
            shown[column] = _format_value(shown[column], "ratio")
    return shown


def _format_value(value: Any, unit: str) -> str:
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    number = float(value)
    if unit in ("money", "money_per_day"):
        return f"{number:,.2f}"
    if unit == "ratio":
        return f"{number * 100:.1f} %"
    if unit == "multiple":
        return f"{number:.1f}×"
    if unit == "count":
        return f"{number:,.0f}"
    return f"{number:,.1f}"


@app.command("explain")
def explain(
    ctx: typer.Context,
    metric: str = typer.Argument(..., help="Metric name."),
    window: str | None = WINDOW,
    fmt: OutputFormat = FORMAT,
) -> None:
    """A metric's definition, what it is computed from, and the SQL it runs."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        explanation = ws.metrics.explain(metric, window)
    finally:
        ws.close()
    document = {
        **explanation.metric.model_dump(exclude_none=True),
        "dimensions": list(explanation.dimensions),
        "computed_from": [p.name for p in explanation.parts],
    }
    if fmt is not OutputFormat.table:
        render_document({**document, "sql": explanation.sql}, fmt)
        return
    render_document(document, fmt)
    for name, sql in explanation.sql.items():
        console().rule(f"SQL of {name}")
        console().print(sql, markup=False, highlight=False)


def _key_columns(metric: Metric, columns: list[str], where: dict[str, Any]) -> list[str]:
    """The columns that say why a row counts: its id, name, measure, time, filter, slice."""
    from revops.metrics.expression import filter_columns

    wanted = [columns[0], "name", metric.column, metric.time]
    wanted += list(filter_columns(metric.filter)) if metric.filter else []
    wanted += list(where)
    # The names beside ids (owner_label beside owner_id, ...).
    wanted += [c for c in columns if c.endswith("_label")]
    return [c for c in dict.fromkeys(wanted) if c is not None and c in columns]


@app.command("rows")
def rows(
    ctx: typer.Context,
    metric: str = typer.Argument(..., help="Metric name."),
    window: str | None = WINDOW,
    where: list[str] = typer.Option(
        [], "--where", help="DIMENSION=VALUE of the slice (repeatable); VALUE empty for none."
    ),
    limit: int = typer.Option(20, "--limit", "-n", help="Rows to show per part."),
    as_of: datetime | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """The rows behind a value (drill-down): per aggregate it is computed from."""
    from revops.errors import MetricError

    slice_values: dict[str, Any] = {}
    for item in where:
        name, sep, value = item.partition("=")
        if not sep:
            raise MetricError(f"--where takes DIMENSION=VALUE, not {item!r}")
        slice_values[name.strip()] = value or None
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        parts = ws.metrics.rows(
            metric, window, as_of=as_of.date() if as_of else None, **slice_values
        )
        for name, table in parts.items():
            total = int(table.count().execute())
            frame = table.limit(limit).execute()
            records = frame.to_dict(orient="records")
            columns = [str(c) for c in frame.columns]
            if fmt is OutputFormat.table:
                columns = _key_columns(ws.metrics.catalog.metric(name), columns, slice_values)
            title = f"{name}: {total} row(s)" + (f", first {limit}" if total > limit else "")
            render(records, columns, fmt, title=title)
    finally:
        ws.close()


@app.command("docs")
def docs() -> None:
    """Print the Markdown reference of the built-in catalog (docs/metrics.md)."""
    import sys

    from revops.metrics.catalog import load_catalog
    from revops.metrics.reference import reference

    sys.stdout.write(reference(load_catalog()))
