"""`revops desk`: the RevOps request queue: intake (one request or a CSV / Jira export),
the queue ranked by value, triage, the status flow, the requester's rating."""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from revops.cli.output import OutputFormat, console, render, render_document

app = typer.Typer(
    help="The RevOps desk: requests ranked by value (RICE or WSJF), SLA, aging, CSAT.",
    no_args_is_help=True,
)
request_app = typer.Typer(help="Requests: add, import, list, show, triage, move, rate.",
                          no_args_is_help=True)  # fmt: skip
app.add_typer(request_app, name="request")
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
BY = typer.Option(None, "--by", help="Who makes the change (default: the OS user).")
TODAY = typer.Option(None, "--as-of", formats=["%Y-%m-%d"], help="Day ages are counted to.")
QUEUE = (
    "rank", "request_id", "title", "requester", "type", "value_score", "stated_urgency",
    "priority", "status", "owner", "age_days", "sla_days", "is_overdue", "due_date",
)  # fmt: skip


def _by(value: str | None) -> str:
    return value or getpass.getuser()


def _rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        for name in ("value_score", "rice", "wsjf", "age_days"):
            if isinstance(row.get(name), float):
                row[name] = round(row[name], 2)
    return rows


@app.command("schema")
def schema() -> None:
    """Print the JSON schema of `desk/desk.yaml`."""
    from revops.desk.config import DeskFile

    print(json.dumps(DeskFile.model_json_schema(), indent=2))


@app.command("summary")
def summary(ctx: typer.Context, as_of: datetime | None = TODAY, fmt: OutputFormat = FORMAT) -> None:
    """Open and overdue requests, median age, and the desk's CSAT."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        figures = ws.desk.summary(as_of.date() if as_of else None)
    finally:
        ws.close()
    render_document(figures, fmt)


@request_app.command("add")
def add(
    ctx: typer.Context,
    title: str = typer.Argument(..., help="Short summary of the request."),
    requester: str = typer.Option(..., "--requester", "-r", help="E-mail or user_id."),
    kind: str = typer.Option("other", "--type", "-t", help="report, data_fix, integration..."),
    details: str | None = typer.Option(None, "--details", "-d", help="What and why."),
    kpi: str | None = typer.Option(None, "--kpi", help="Linked metric of the catalog."),
    process: str | None = typer.Option(None, "--process", help="Linked process."),
    reach: float | None = typer.Option(None, "--reach", help="People or deals per quarter."),
    impact: float | None = typer.Option(None, "--impact", help="0.25, 0.5, 1, 2 or 3."),
    confidence: float | None = typer.Option(None, "--confidence", help="Percent, 0-100."),
    effort: float | None = typer.Option(None, "--effort", help="Person-days."),
    due: datetime | None = typer.Option(None, "--due", formats=["%Y-%m-%d"], help="Due date."),
    urgency: str = typer.Option("medium", "--urgency", help="low, medium, high, critical."),
    by: str | None = BY,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Put a request in the queue."""
    from pydantic import ValidationError

    from revops.desk.intake import RequestInput
    from revops.errors import DeskError

    try:
        request = RequestInput(
            title=title, requester=requester, type=kind, details=details, linked_kpi=kpi,
            linked_process=process, reach=reach, impact=impact, confidence=confidence,
            effort=effort, due_date=due.date() if due else None, stated_urgency=urgency,
        )  # fmt: skip
    except ValidationError as exc:
        error = exc.errors()[0]
        raise DeskError(f"--{error['loc'][0]}: {error['msg']}") from None
    ws = ctx.obj.open_workspace()
    try:
        row = ws.desk.add(request, by=_by(by), source="cli")
    finally:
        ws.close()
    render([row], ("request_id", "title", "requester_id", "type", "status"), fmt,
           title="Request added")  # fmt: skip


@request_app.command("import")
def import_(
    ctx: typer.Context,
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or Jira export."),
    by: str | None = BY,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Import requests from a CSV file: the desk's columns or a Jira export (Summary,
    Issue key, Reporter, Priority, Created, Due date, Status, Description)."""
    ws = ctx.obj.open_workspace()
    try:
        result = ws.desk.import_csv(path, by=_by(by))
    finally:
        ws.close()
    render([result.as_row()], ("file", "rows", "added", "changed", "unchanged"), fmt)


@request_app.command("list")
def list_(
    ctx: typer.Context,
    requester: str | None = typer.Option(None, "--requester", help="Only this e-mail's."),
    closed: bool = typer.Option(False, "--all", help="Include done and declined."),
    limit: int = typer.Option(50, "--limit", min=1, help="Requests to show."),
    as_of: datetime | None = TODAY,
    fmt: OutputFormat = FORMAT,
) -> None:
    """The queue by value score, highest first, stated urgency beside it."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = ws.desk.queue(requester=requester, include_closed=closed, limit=limit,
                             today=as_of.date() if as_of else None)  # fmt: skip
        method = ws.desk.settings.score.method
    finally:
        ws.close()
    render(_rows(rows), QUEUE, fmt, title=f"Request queue by value ({method.upper()})")


@request_app.command("show")
def show(
    ctx: typer.Context, request_id: str = typer.Argument(...), fmt: OutputFormat = FORMAT
) -> None:
    """One request and its history (every version: who changed what, when)."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        versions = ws.desk.history(request_id)
        if not versions:
            ws.desk.get(request_id)  # raises the one-line error
    finally:
        ws.close()
    render(versions, ("version", "changed_at", "changed_by", "note", "status", "priority",
                      "owner_id", "reach", "impact", "confidence", "effort", "rating"),
           fmt, title=f"{request_id}: {versions[-1]['title']}")  # fmt: skip


@request_app.command("triage")
def triage(
    ctx: typer.Context,
    request_id: str = typer.Argument(...),
    reach: float | None = typer.Option(None, "--reach"),
    impact: float | None = typer.Option(None, "--impact"),
    confidence: float | None = typer.Option(None, "--confidence"),
    effort: float | None = typer.Option(None, "--effort"),
    priority: str | None = typer.Option(None, "--priority", help="low, medium, high, critical."),
    owner: str | None = typer.Option(None, "--owner", help="E-mail or user_id in RevOps."),
    kpi: str | None = typer.Option(None, "--kpi", help="Linked metric."),
    note: str | None = typer.Option(None, "--note"),
    by: str | None = BY,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Set a request's estimates, priority (its SLA) and owner."""
    changes = {"reach": reach, "impact": impact, "confidence": confidence, "effort": effort,
               "priority": priority, "owner_id": owner, "linked_kpi": kpi}  # fmt: skip
    ws = ctx.obj.open_workspace()
    try:
        row = ws.desk.update(request_id, changes, by=_by(by), note=note)
    finally:
        ws.close()
    render([row], ("request_id", "status", "priority", "owner_id", "reach", "impact",
                   "confidence", "effort"), fmt)  # fmt: skip


@request_app.command("move")
def move(
    ctx: typer.Context,
    request_id: str = typer.Argument(...),
    status: str = typer.Argument(..., help="triaged, in_progress, waiting, done, declined."),
    note: str | None = typer.Option(None, "--note"),
    by: str | None = BY,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Move a request along the status flow of desk/desk.yaml."""
    ws = ctx.obj.open_workspace()
    try:
        row = ws.desk.move(request_id, status, by=_by(by), note=note)
    finally:
        ws.close()
    render([row], ("request_id", "status", "resolved_at", "note"), fmt)


@request_app.command("rate")
def rate(
    ctx: typer.Context,
    request_id: str = typer.Argument(...),
    rating: int = typer.Argument(..., help="1 (very unhappy) to 5 (very happy)."),
    requester: str = typer.Option(..., "--requester", "-r", help="The requester's e-mail."),
    comment: str | None = typer.Option(None, "--comment"),
    fmt: OutputFormat = FORMAT,
) -> None:
    """How satisfied the requester is with a closed request (the desk's CSAT)."""
    ws = ctx.obj.open_workspace()
    try:
        row = ws.desk.rate(request_id, rating, by=requester, comment=comment)
    finally:
        ws.close()
    render([row], ("request_id", "status", "rating", "rating_comment"), fmt)


@request_app.command("rank-check")
def rank_check(
    ctx: typer.Context,
    truth: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A demo's truth/request_value.csv."
    ),
    as_of: datetime | None = TODAY,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Spearman rank correlation with the true value of the value score, RICE, WSJF and
    the stated urgency (the demo company's ground truth)."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        figures = ws.desk.rank_correlation(truth, as_of.date() if as_of else None)
    finally:
        ws.close()
    render_document({k: round(v, 3) if isinstance(v, float) else v
                     for k, v in figures.items()}, fmt)  # fmt: skip
    if fmt is OutputFormat.table:
        console().print("1 = the same order as the truth; 0 = no relation.")
