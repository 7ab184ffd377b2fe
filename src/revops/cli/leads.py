"""`revops leads`: score (rules and the learned model, with reasons), the queue,
evaluate, qualify by the lifecycle stages' entry criteria, and accept / reject / recycle."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import typer

from revops.cli.output import OutputFormat, console, render, render_document
from revops.leads.evaluate import LABELS

app = typer.Typer(
    help=(
        "Leads: scoring with reasons, qualification as code, acceptance, routing with "
        "simulation and audit, speed to lead."
    ),
    no_args_is_help=True,
)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d"], help="Last day of data to use (default: now)."
)
QUEUE = ("lead_id", "name", "company", "owner_name", "fit", "engagement", "model_score", "reasons")


def _day(value: datetime | None) -> Any:
    return value.date() if value else None


def _queue_rows(rows: list[dict[str, Any]], fmt: OutputFormat) -> list[dict[str, Any]]:
    if fmt is OutputFormat.json:
        return rows
    return [{**r, "reasons": "; ".join(r["reasons"])} for r in rows]


@app.command("score")
def score(
    ctx: typer.Context,
    as_of: datetime | None = AS_OF,
    top: int = typer.Option(10, "--top", min=0, help="Leads of the queue to show."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Score every open lead (fit, engagement, learned score with reasons) and store the
    scores with their model version in leads.score."""
    ws = ctx.obj.open_workspace()
    try:
        run = ws.leads.score(_day(as_of))
        rows = ws.leads.queue(limit=top)
    finally:
        ws.close()
    console().print(
        f"Scored {run.leads:,} open leads as of {run.as_of:%Y-%m-%d %H:%M} UTC with model "
        f"{run.model_version} (trained on {run.trained_rows:,} lead snapshots, "
        f"{run.trained_outcomes:,} outcomes)."
    )
    if top:
        render(_queue_rows(rows, fmt), QUEUE, fmt, title="Top of the lead queue")


@app.command("queue")
def queue(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", min=1, help="Leads to show."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The leads of the latest scoring run, best learned score first, with reasons."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = ws.leads.queue(limit=limit)
    finally:
        ws.close()
    render(_queue_rows(rows, fmt), QUEUE, fmt, title="Lead queue")


@app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    as_of: datetime | None = AS_OF,
    snapshots: int = typer.Option(8, "--snapshots", min=1, help="Weekly instants scored."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """AUC, lift by decile and calibration of the scores against later outcomes: the
    model trained on what was known at a cutoff, judged on what happened after; kept in
    leads.evaluation for the cockpit."""
    ws = ctx.obj.open_workspace()
    try:
        result = ws.leads.evaluate(_day(as_of), snapshots=snapshots, save=True)
    finally:
        ws.close()
    if fmt is OutputFormat.json:
        render_document(result.to_dict(), fmt)
        return
    console().print(
        f"Trained as of {result.cutoff:%Y-%m-%d} ({result.model_version}); "
        f"{result.leads:,} lead snapshots, {result.outcomes:,} outcomes by {result.as_of:%Y-%m-%d}."
    )
    aucs = [{"score": LABELS.get(k, k), "auc": v} for k, v in result.auc.items()]
    render(aucs, ("score", "auc"), fmt, title="AUC")
    columns = ("decile", "leads", "outcomes", "rate", "lift")
    render(result.lift, columns, fmt, title="Lift by decile of the learned score")
    render(
        result.calibration,
        ("decile", "predicted", "observed"),
        fmt,
        title="Calibration by decile of the probability from each lead's age",
    )


@app.command("qualify")
def qualify(
    ctx: typer.Context,
    plan: bool = typer.Option(False, "--plan", help="Show who would change stage."),
    apply: bool = typer.Option(False, "--apply", help="Record the stage changes."),
    as_of: datetime | None = AS_OF,
    actor: str = typer.Option("revops", "--as", help="Who applies, for the record."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Move leads into lifecycle stages by the entry criteria of revops.yaml."""
    if plan == apply:
        raise typer.BadParameter("give exactly one of --plan and --apply")
    ws = ctx.obj.open_workspace(read_only=plan)
    try:
        found = ws.leads.plan(_day(as_of)) if plan else ws.leads.apply(_day(as_of), by=actor)
    finally:
        ws.close()
    verb = "would enter" if plan else "entered"
    counts = ", ".join(f"{n:,} {stage}" for stage, n in found.counts().items()) or "none"
    console().print(f"Of {found.considered:,} open leads, {verb}: {counts}.")
    render(found.rows, found.columns, fmt, title="Stage changes")


@app.command("accept")
def accept(
    ctx: typer.Context,
    lead: str = typer.Argument(..., help="The lead id."),
    reject: str | None = typer.Option(None, "--reject", help="Reject, with this reason."),
    recycle: str | None = typer.Option(None, "--recycle", help="Recycle, with this reason."),
    actor: str = typer.Option("revops", "--as", help="Who decides, for the record."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Record sales's decision on a lead (accepted unless --reject or --recycle), kept
    with its history."""
    if reject is not None and recycle is not None:
        raise typer.BadParameter("give at most one of --reject and --recycle")
    decision = "rejected" if reject is not None else "recycled" if recycle else "accepted"
    ws = ctx.obj.open_workspace()
    try:
        ws.leads.accept(lead, decision, reason=reject or recycle, by=actor)
        history = ws.leads.acceptance(lead)
    finally:
        ws.close()
    columns = ("lead_id", "decision", "reason", "decided_by", "decided_at")
    render(history, columns, fmt, title=f"Decisions on {lead}")


@app.command("rules")
def rules(
    ctx: typer.Context,
    schema: bool = typer.Option(False, "--schema", help="The JSON schema of rules/leads.yaml."),
) -> None:
    """The scoring rules in effect (rules/leads.yaml over the shipped defaults)."""
    from revops.leads.rules import rules_schema

    if schema:
        typer.echo(json.dumps(rules_schema(), indent=2))
        return
    ws = ctx.obj.open_workspace(read_only=True)
    typer.echo(json.dumps(ws.leads.rules.model_dump(mode="json", by_alias=True), indent=2))
