"""`revops annotate`: dated notes on a metric or a cockpit page ("pricing change on 1
March"), kept in `plans/annotations.yaml` and shown on the metric's charts."""

from __future__ import annotations

import getpass
from datetime import datetime

import typer

from revops.cli.output import OutputFormat, render

app = typer.Typer(help="Dated notes on metrics and pages, shown on their charts.",
                  no_args_is_help=True)  # fmt: skip
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
COLUMNS = ("id", "date", "metric", "page", "text", "author", "created_at")


@app.command("add")
def add(
    ctx: typer.Context,
    day: datetime = typer.Option(..., "--date", formats=["%Y-%m-%d"], help="The day noted."),
    text: str = typer.Option(..., "--text", help="The note."),
    metric: str | None = typer.Option(None, "--metric", help="The metric it is about."),
    page: str | None = typer.Option(None, "--page", help="The cockpit page (/pipeline)."),
    by: str | None = typer.Option(None, "--by", help="Author (default: the OS user)."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Add a note on a metric (--metric) or a page (--page)."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        note = ws.annotations.add(
            day.date(), text, metric=metric, page=page, author=by or getpass.getuser()
        )
    finally:
        ws.close()
    render([note.model_dump(mode="json")], COLUMNS, fmt)


@app.command("list")
def list_notes(
    ctx: typer.Context,
    metric: str | None = typer.Option(None, "--metric", help="Only notes on this metric."),
    page: str | None = typer.Option(None, "--page", help="Only notes on this page."),
    start: datetime | None = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="From."),
    end: datetime | None = typer.Option(None, "--to", formats=["%Y-%m-%d"], help="To."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The notes, by date."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        notes = ws.annotations.find(
            metric=metric, page=page, start=start.date() if start else None,
            end=end.date() if end else None,
        )  # fmt: skip
    finally:
        ws.close()
    render([n.model_dump(mode="json") for n in notes], COLUMNS, fmt)


@app.command("remove")
def remove(
    ctx: typer.Context, annotation_id: str = typer.Argument(..., help="The note's id.")
) -> None:
    """Remove a note."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        note = ws.annotations.remove(annotation_id)
    finally:
        ws.close()
    typer.echo(f"Removed {note.id} ({note.date}: {note.text}).")
