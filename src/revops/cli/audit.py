"""`revops audit`: the tech-stack audit and the customer-journey audit."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from revops.cli.output import OutputFormat, console, render, render_document, write_csv

app = typer.Typer(help="Audits: the tech stack and the customer journey.",
                  no_args_is_help=True)  # fmt: skip
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
AS_OF = typer.Option(None, "--as-of", formats=["%Y-%m-%d"], help="Day audited (default today).")
TOOLS = (
    "name", "category", "seats", "active_30d", "active_90d", "unused_seats",
    "unused_seat_cost", "cost_per_active_user", "annual_cost", "currency", "capabilities",
)  # fmt: skip


@app.command("stack")
def stack(
    ctx: typer.Context,
    as_of: datetime | None = AS_OF,
    html: Path | None = typer.Option(None, "--html", help="Write the HTML report here."),
    csv: Path | None = typer.Option(None, "--csv", help="Write the per-tool rows here."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Seats, active users, cost per active user, unused seats, overlaps by capability,
    consolidation options with savings, and each rep's selling against admin time."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        report = ws.desk.stack.run(as_of.date() if as_of else None)
    finally:
        ws.close()
    if html is not None:
        from revops.desk.report import stack_html

        html.write_text(stack_html(report), encoding="utf-8")
    if csv is not None:
        write_csv(csv, TOOLS, report.tools)
    if fmt is OutputFormat.json:
        render_document({"summary": report.summary(), "tools": report.tools,
                         "overlaps": report.overlap_rows(), "options": report.option_rows(),
                         "adoption": report.adoption, "reps": report.reps}, fmt)  # fmt: skip
        return
    render(report.tools, TOOLS, fmt, title=f"Tech stack as of {report.as_of}")
    if fmt is OutputFormat.table:
        render(report.overlap_rows(), ("capability", "tools", "count"), fmt, title="Overlaps")
        render(report.option_rows(), ("retire", "covered_by", "capabilities",
               "active_users_90d", "savings", "currency"), fmt,
               title="Consolidation options")  # fmt: skip
        render_document(report.summary(), fmt)
        if report.unresolved:
            console().print(f"Usage rows of no user: {report.usage_rows - report.resolved_rows}"
                            f" (first: {report.unresolved[0]['user_id']}).")  # fmt: skip


@app.command("journey")
def journey(
    ctx: typer.Context,
    as_of: datetime | None = AS_OF,
    days: int = typer.Option(365, "--days", min=1, help="Length of the cohort window."),
    lag: int = typer.Option(60, "--lag", min=0, help="Days each cohort has to move on."),
    csv: Path | None = typer.Option(None, "--csv", help="Write the per-stage touches here."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Per lifecycle stage: people, conversion to the next stage, the channels, activities
    and content that touched them in it; gaps (no touch, no content, conversion drop);
    per content asset, use and win-rate uplift."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        report = ws.desk.journey.run(as_of.date() if as_of else None, days=days, lag_days=lag)
    finally:
        ws.close()
    touch_columns = ("stage", "kind", "touch", "touches", "people", "converted", "conversion")
    if csv is not None:
        write_csv(csv, touch_columns, report.touches)
    if fmt is OutputFormat.json:
        render_document({"stages": report.stages, "gaps": report.gaps,
                         "touches": report.touches, "content": report.content}, fmt)  # fmt: skip
        return
    render(report.stages, ("stage", "next_stage", "entered", "converted", "conversion",
           "previous_conversion", "touches", "content_uses"), fmt,
           title=f"Customer journey as of {report.as_of}")  # fmt: skip
    if fmt is OutputFormat.table:
        render(report.gaps, ("stage", "gap", "detail"), fmt, title="Gaps")
        columns = ("content_id", "title", "type", "uses", "deals", "closed_deals", "win_rate",
                   "baseline_win_rate", "uplift")  # fmt: skip
        render(report.content, columns, fmt, title="Content")
