"""`revops plan territories`: design territories by `plans/territories.yaml` (--plan, the
default), store the design as a new version (--apply), undo the latest (revert), list the
versions, and read the territory valid at a day. The CRM is never written."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from revops.cli.output import OutputFormat, error_console, render

if TYPE_CHECKING:
    from revops import Workspace
    from revops.territories import TerritoryPlan

app = typer.Typer(
    help="Territory design: accounts balanced across reps by potential and workload.",
    invoke_without_command=True,
)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
AS_OF = typer.Option(None, "--as-of", formats=["%Y-%m-%d"],
                     help="Day the accounts are read as of (default today).")  # fmt: skip
MOVES_SHOWN = 30
REP_SHOWN = ("rep", "rep_id", "team", "capacity", "potential", "workload", "accounts",
             "current_potential", "current_accounts", "rate", "current_expected",
             "expected_bookings")  # fmt: skip
VERSION_COLUMNS = ("version", "state", "effective_date", "applied_at", "as_of_date",
                   "accounts", "reps", "moved", "cv_potential", "cv_workload", "reverted_at",
                   "note")  # fmt: skip


class Rows(StrEnum):
    """Which rows `--format json|csv` prints."""

    moves = "moves"
    reps = "reps"
    comparison = "comparison"


@app.callback()
def territories(
    ctx: typer.Context,
    plan: bool = typer.Option(
        False, "--plan", help="Design, compare and keep as the pending plan (the default)."
    ),
    apply: bool = typer.Option(
        False, "--apply", help="Store the pending plan, exactly as reviewed, as a new version."
    ),
    as_of: datetime | None = AS_OF,
    effective: datetime | None = typer.Option(
        None,
        "--effective",
        formats=["%Y-%m-%d"],
        help="Day the applied version takes effect (default the plan's as-of day).",
    ),
    note: str | None = typer.Option(None, "--note", help="Why this version (with --apply)."),
    rows: Rows = typer.Option(
        Rows.moves, "--rows", help="moves, reps or comparison (with --format json|csv)."
    ),
    xlsx: Path | None = typer.Option(
        None,
        "--xlsx",
        dir_okay=False,
        help="Also write the plan as an XLSX workbook (assignment, reps, comparison) here.",
    ),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Design territories by plans/territories.yaml: --plan (default) or --apply."""
    if ctx.invoked_subcommand is not None:
        return
    if plan and apply:
        raise typer.BadParameter("give one of --plan and --apply")
    if apply:
        if as_of is not None:
            raise typer.BadParameter("--apply stores the pending plan, made as of its own day")
        _apply(ctx, effective.date() if effective else None, note)
        return
    from revops.territories.component import COMPARISON_COLUMNS, MOVE_COLUMNS, REP_COLUMNS

    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.territories.plan(as_of.date() if as_of else None)
        path, digest = ws.territories.save_pending(found)
        if xlsx is not None:
            _write_xlsx(ws, xlsx)
    finally:
        ws.close()
    if fmt is not OutputFormat.table:
        chosen = {Rows.moves: (found.move_rows(), MOVE_COLUMNS),
                  Rows.reps: (found.rep_rows(), REP_COLUMNS),
                  Rows.comparison: (found.comparison_rows(), COMPARISON_COLUMNS)}[rows]  # fmt: skip
        render(chosen[0], chosen[1], fmt)
        return
    _print(found)
    error_console().print(
        f"Pending plan {digest[:12]} kept in {path}: `--apply` stores exactly it as a new "
        "territory version."
    )


def _apply(ctx: typer.Context, effective: date | None, note: str | None) -> None:
    ws = ctx.obj.open_workspace()
    try:
        version = ws.territories.apply_pending(effective, note)
    finally:
        ws.close()
    error_console().print(
        f"Applied version {version.version} ({version.state}, effective "
        f"{version.effective_date}): {version.moved} account(s) moved; the CRM is unchanged."
    )


def _write_xlsx(ws: Workspace, path: Path) -> None:
    from revops.territories.export import territory_workbook

    found = ws.territories.pending()
    assert found is not None  # just saved
    path.write_bytes(territory_workbook(found, ws.territories.assignment_rows(found)))
    error_console().print(f"Wrote {path}.")


def _print(found: TerritoryPlan) -> None:
    from revops.territories.component import COMPARISON_COLUMNS

    s = found.solver_summary()
    render(found.comparison_rows(), COMPARISON_COLUMNS, OutputFormat.table,
           title=f"Territories as of {found.as_of}: {s['accounts']} accounts, "
           f"{s['reps']} reps")  # fmt: skip
    render(found.rep_rows(), REP_SHOWN, OutputFormat.table, title="Reps (optimiser's book)")
    moves = found.move_rows()
    render(moves[:MOVES_SHOWN], ("account", "account_id", "from_rep", "to_rep", "potential"),
           OutputFormat.table,
           title=f"Accounts moved: {len(moves)} (largest {min(len(moves), MOVES_SHOWN)} shown; "
           "-f csv gives all)")  # fmt: skip
    console = error_console()
    console.print(
        f"CP-SAT {s['status']} in {s['seconds']} s: objective {s['objective']:.0f}, best bound "
        f"{s['best_bound']:.0f}, gap {s['gap']:.2%} ({s['units']} units, {s['variables']} "
        f"variables, {s['groups']} group(s)); design {found.file}."
    )
    for warning in found.warnings:
        console.print(f"[yellow]{warning}[/]")


@app.command("revert")
def revert(ctx: typer.Context) -> None:
    """Undo the latest version: the one before it is in effect again, exactly."""
    ws = ctx.obj.open_workspace()
    try:
        reverted, restored = ws.territories.revert()
    finally:
        ws.close()
    back = f"version {restored.version} is {restored.state} again" if restored else \
        "no territory version is in effect now"  # fmt: skip
    error_console().print(f"Reverted version {reverted.version}: {back}.")


@app.command("versions")
def versions(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """Every territory version with its state, effective date and balance."""
    from dataclasses import asdict

    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.territories.versions()
    finally:
        ws.close()
    render([asdict(v) for v in found], VERSION_COLUMNS, fmt, title="Territory versions")


@app.command("at")
def at(
    ctx: typer.Context,
    day: datetime = typer.Argument(..., formats=["%Y-%m-%d"], help="The day."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The territory in effect on a day: each account with its rep."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        version, found = ws.territories.assignment_at(day.date())
        names = ws.territories.names(set(found.values()) | set(found))
    finally:
        ws.close()
    rows = [{"account_id": a, "account": names.get(a, a), "rep_id": r, "rep": names.get(r, r)}
            for a, r in sorted(found.items())]  # fmt: skip
    title = f"Version {version.version} in effect on {day.date()}" if version else \
        f"No territory version in effect on {day.date()}"  # fmt: skip
    render(rows, ("account", "account_id", "rep", "rep_id"), fmt, title=title)


@app.command("schema")
def schema() -> None:
    """Print the JSON schema of `plans/territories.yaml`."""
    from revops.territories.config import TerritoriesFile

    print(json.dumps(TerritoriesFile.model_json_schema(), indent=2))
