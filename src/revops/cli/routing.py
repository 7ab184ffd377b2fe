"""`revops leads`: route leads (plan, apply, simulate), explain a decision, speed to lead."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from revops.cli.output import OutputFormat, console, render, render_document

app = typer.Typer(
    help="Leads: routing with simulation and audit, speed to lead.", no_args_is_help=True
)

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], help="The instant (default: now)."
)
PLAN_COLUMNS = ("lead_id", "lead", "owner", "team", "queue", "rule", "reason", "previous_owner")


def _instant(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@app.command("route")
def route(
    ctx: typer.Context,
    apply: bool = typer.Option(False, "--apply", help="Assign and log (default: --plan)."),
    plan: bool = typer.Option(False, "--plan", help="Show where each unrouted open lead goes."),
    simulate: bool = typer.Option(
        False, "--simulate", help="Replay the last --days of leads under --rules and compare."
    ),
    rules: Path | None = typer.Option(
        None, "--rules", exists=True, dir_okay=False, help="Proposed rule file (--simulate)."
    ),
    days: int = typer.Option(30, "--days", min=1, help="Days of leads to replay (--simulate)."),
    as_of: datetime | None = AS_OF,
    schema: bool = typer.Option(False, "--schema", help="Print the rule file's JSON schema."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Route leads by rules/routing.yaml: --plan (default), --apply, or --simulate."""
    if schema:
        from revops.routing.rules import RoutingFile

        print(json.dumps(RoutingFile.model_json_schema(by_alias=True), indent=2))
        return
    if sum((apply, plan, simulate)) > 1:
        raise typer.BadParameter("give one of --plan, --apply and --simulate")
    if simulate:
        if rules is None:
            raise typer.BadParameter("--simulate needs --rules FILE")
        _simulate(ctx, rules, days, _instant(as_of), fmt)
        return
    ws = ctx.obj.open_workspace(read_only=not apply)
    try:
        if apply:
            result = ws.routing.apply(at=_instant(as_of))
        else:
            result = ws.routing.plan(at=_instant(as_of))
    finally:
        ws.close()
    rows = result.rows()
    title = f"Run {result.run_id}: {len(rows)} lead(s) assigned" if apply else (
        f"Plan: {len(rows)} lead(s) to route (`--apply` assigns them)"
    )  # fmt: skip
    render(rows, PLAN_COLUMNS, fmt, title=title)


def _simulate(
    ctx: typer.Context, rules: Path, days: int, as_of: datetime | None, fmt: OutputFormat
) -> None:
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        sim = ws.routing.simulate(rules, days=days, as_of=as_of)
    finally:
        ws.close()
    if fmt is OutputFormat.json:
        document: dict[str, Any] = {
            "start": sim.start, "end": sim.end, "summary": sim.summary_rows(),
            "reps": sim.rep_rows(), "rules": sim.rule_rows(), "flows": sim.flow_rows(),
            "moves": sim.move_rows(),
        }  # fmt: skip
        render_document(document, fmt)
        return
    span = f"{sim.start:%Y-%m-%d %H:%M} .. {sim.end:%Y-%m-%d %H:%M} UTC"
    render(sim.summary_rows(), ("figure", "current", "proposed"), fmt,
           title=f"Simulation of {rules.name} over the last {days} day(s) ({span})")  # fmt: skip
    if fmt is OutputFormat.csv:
        return
    render(sim.rep_rows(), ("rep", "team", "current", "proposed", "change"), fmt,
           title="Leads per rep")  # fmt: skip
    render(sim.rule_rows(), ("rule", "current", "proposed"), fmt, title="Leads per rule")
    render(sim.flow_rows()[:20], ("from", "to", "leads"), fmt, title="Leads that move")


@app.command("why")
def why(
    ctx: typer.Context,
    lead_id: str = typer.Argument(..., help="A lead_id."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The decision trail of a lead: each rule tried, why it matched or not."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows, directory, planned = ws.routing.why(lead_id)
    finally:
        ws.close()
    if fmt is OutputFormat.json:
        render_document({"planned": planned, "decisions": rows}, fmt)
        return
    out = console()
    for row in rows:
        owner = directory.name(row["owner_id"]) or f"queue {row['queue']}"
        when = (
            "would go now (not routed yet)"
            if planned
            else f"routed {row['decided_at']:%Y-%m-%d %H:%M}"
        )
        previous = directory.name(row["previous_owner_id"]) or "nobody"
        out.print(f"{lead_id} {when} to {owner} by rule {row['rule']} (before: {previous})",
                  highlight=False, markup=False)  # fmt: skip
        inputs = ", ".join(f"{k}={v}" for k, v in row["inputs"].items())
        out.print(f"  inputs: {inputs or '(none)'}", highlight=False, markup=False)
        trail = [
            {"rule": s["rule"], "kind": s["kind"], "matched": "yes" if s["matched"] else "no",
             "why": s["reason"]}
            for s in row["trail"]
        ]  # fmt: skip
        render(trail, ("rule", "kind", "matched", "why"), fmt)


@app.command("assignments")
def assignments(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", min=1, help="Newest assignments shown."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The assignment log, newest first: owner, rule, previous owner, when."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows, directory = ws.routing.assignments(limit)
    finally:
        ws.close()
    shown = [
        {**r, "owner": directory.name(r["owner_id"]) or f"queue {r['queue']}",
         "previous_owner": directory.name(r["previous_owner_id"])}
        for r in rows
    ]  # fmt: skip
    render(shown, ("decided_at", "lead_id", "owner", "rule", "previous_owner", "run_id"), fmt)


@app.command("sla")
def sla(
    ctx: typer.Context,
    as_of: datetime | None = AS_OF,
    window: str | None = typer.Option(
        None, "--window", help="MQLs of a fiscal window: FY2026-Q3, 2026-01-01..2026-03-31."
    ),
    by: str | None = typer.Option(None, "--by", help="Slice: owner, team or person_type."),
    breaches: bool = typer.Option(False, "--breaches", help="List the breaches, worst first."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Speed to lead: MQL to first sales touch in business hours against the SLA."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        report = ws.routing.sla(as_of=_instant(as_of), window=window, by=by)
    finally:
        ws.close()
    if breaches:
        columns = ("person_id", "person", "owner", "team", "mql_at", "touched_at", "minutes")
        render(
            report.rows, columns, fmt, title=f"SLA breaches ({report.sla_hours:g} business hours)"
        )
        return
    columns = (*((by,) if by else ()), "mqls", "met", "breached", "pending", "met_share",
               "median_minutes")  # fmt: skip
    title = (
        f"Speed to lead as of {report.as_of:%Y-%m-%d %H:%M} UTC, "
        f"SLA {report.sla_hours:g} business hours"
    )
    render(report.summary, columns, fmt, title=title)
