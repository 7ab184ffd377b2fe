"""`revops plan quotas` (top-down against bottom-up; --apply stores the quota records
attainment reads; revert, versions, schema) and `revops plan capacity` (hires to reach a
target, month by month, with what-if changes)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path

import typer

from revops.cli.output import OutputFormat, error_console, render

quotas_app = typer.Typer(
    help="Quota plans: top-down by potential, history and seasonality against bottom-up.",
    invoke_without_command=True,
)
capacity_app = typer.Typer(
    help="Capacity plans: the reps to hire, and when, to reach a bookings target.",
    invoke_without_command=True,
)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
AS_OF = typer.Option(None, "--as-of", formats=["%Y-%m-%d"],
                     help="Day the history is read as of (default today).")  # fmt: skip
TARGET = typer.Option(..., "--target", help="Bookings target of the year, reporting currency.")
YEAR = typer.Option(..., "--year", help="Fiscal year, e.g. FY2027.")
XLSX = typer.Option(None, "--xlsx", dir_okay=False, help="Also write an XLSX workbook here.")
VERSION_COLUMNS = ("version", "fiscal_year", "state", "target", "currency", "applied_at",
                   "as_of_date", "reps", "file", "reverted_at", "note")  # fmt: skip


class QuotaRows(StrEnum):
    """Which rows `--format json|csv` prints."""

    reps = "reps"
    teams = "teams"
    quarters = "quarters"


def _money(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise typer.BadParameter(f"not an amount: {text!r}") from None
    return value


@quotas_app.callback()
def quotas(
    ctx: typer.Context,
    target: str | None = typer.Option(
        None, "--target", help="Bookings target of the year, reporting currency."
    ),
    year: str | None = typer.Option(None, "--year", help="Fiscal year, e.g. FY2027."),
    plan: bool = typer.Option(False, "--plan", help="Show the plan (the default)."),
    apply: bool = typer.Option(False, "--apply", help="Store the quotas as a new version."),
    as_of: datetime | None = AS_OF,
    note: str | None = typer.Option(None, "--note", help="Why this version (with --apply)."),
    plan_hash: str | None = typer.Option(
        None,
        "--plan-hash",
        help="With --apply: the plan hash --plan printed; refused when "
        "the plan computed now differs (its inputs changed).",
    ),
    rows: QuotaRows = typer.Option(
        QuotaRows.reps, "--rows", help="reps, teams or quarters (with -f json|csv)."
    ),
    xlsx: Path | None = XLSX,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Quotas of a fiscal year by plans/quotas.yaml: --plan (default) or --apply."""
    if ctx.invoked_subcommand is not None:
        return
    if plan and apply:
        raise typer.BadParameter("give one of --plan and --apply")
    if target is None or year is None:
        raise typer.BadParameter("a plan needs --target and --year (e.g. --target 12000000 "
                                 "--year FY2027)")  # fmt: skip
    from revops.quotas.component import REP_COLUMNS, TEAM_COLUMNS

    ws = ctx.obj.open_workspace(read_only=not apply)
    try:
        found = ws.quotas.plan(_money(target), year, as_of.date() if as_of else None)
        version = ws.quotas.apply(found, note, plan_hash) if apply else None
    finally:
        ws.close()
    if xlsx is not None:
        from revops.quotas.export import quota_workbook

        xlsx.write_bytes(quota_workbook(found))
        error_console().print(f"Wrote {xlsx}.")
    quarter_columns = ("quarter", "start", "season_share", "top_down")
    if fmt is not OutputFormat.table:
        chosen = {QuotaRows.reps: (found.rep_rows(), REP_COLUMNS),
                  QuotaRows.teams: (found.team_rows(), TEAM_COLUMNS),
                  QuotaRows.quarters: (found.quarter_rows(), quarter_columns)}[rows]  # fmt: skip
        render(chosen[0], chosen[1], fmt)
        return
    render(found.quarter_rows(), quarter_columns, fmt,
           title=f"{found.year.label}: target {found.target:,} {found.currency}, seasonality "
           "from bookings")  # fmt: skip
    render(found.rep_rows(), ("rep", "team", "ramp", "q1", "q2", "q3", "q4", "top_down",
                              "bottom_up", "current", "change"), fmt,
           title="Reps: top-down quota per quarter (-f csv: every column)")  # fmt: skip
    render(found.team_rows(), TEAM_COLUMNS, fmt, title="Top-down against bottom-up per team")
    console = error_console()
    console.print(f"Total {found.total():,} = target {found.target:,}; productivity per "
                  f"ramped rep {found.productivity:,.0f}; settings {found.file}.")  # fmt: skip
    for warning in found.warnings:
        console.print(f"[yellow]{warning}[/]")
    if version is not None:
        console.print(f"Applied version {version.version} of FY{version.fiscal_year} "
                      f"({version.reps} reps), recorded in {version.file}; attainment reads it "
                      "from now on.")  # fmt: skip
    else:
        console.print(
            f"Plan {found.plan_sha256()[:12]} only: `--apply --plan-hash "
            f"{found.plan_sha256()[:12]}` stores exactly it as a new version."
        )


@quotas_app.command("revert")
def revert(ctx: typer.Context, year: str = typer.Argument(..., help="Fiscal year.")) -> None:
    """Undo the year's latest quota version from now on; the one before is in effect."""
    ws = ctx.obj.open_workspace()
    try:
        reverted, restored = ws.quotas.revert(year)
    finally:
        ws.close()
    back = f"version {restored.version} is active again" if restored else \
        "the imported quotas count again"  # fmt: skip
    error_console().print(f"Reverted version {reverted.version}: {back}.")


@quotas_app.command("versions")
def versions(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """Every quota version with its year, target and state."""
    from dataclasses import asdict

    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.quotas.versions()
    finally:
        ws.close()
    render([asdict(v) for v in found], VERSION_COLUMNS, fmt, title="Quota versions")


@quotas_app.command("schema")
def schema() -> None:
    """Print the JSON schema of `plans/quotas.yaml`."""
    from revops.quotas.config import QuotasFile

    print(json.dumps(QuotasFile.model_json_schema(), indent=2))


def parse_change(text: str | None, unit: str) -> float:
    """`-10%` → -0.10 (unit `%`); `+5pts` → 0.05 (unit `pts`).

    Raises:
        typer.BadParameter: not a signed number with the unit.
    """
    if not text:
        return 0.0
    found = re.fullmatch(rf"\s*([+-]?\d+(?:\.\d+)?)\s*{unit}\s*", text)
    if found is None:
        raise typer.BadParameter(f"{text!r}: write e.g. -10{unit} or +5{unit}")
    return float(found.group(1)) / 100


@capacity_app.callback()
def capacity(
    ctx: typer.Context,
    target: str = TARGET,
    year: str = YEAR,
    as_of: datetime | None = AS_OF,
    productivity: str | None = typer.Option(
        None, "--productivity", help="What-if change of productivity, e.g. -10%."
    ),
    attrition: str | None = typer.Option(
        None, "--attrition", help="What-if change of yearly attrition, e.g. +5pts."
    ),
    hires: bool = typer.Option(False, "--hires", help="With -f json|csv: the hires."),
    xlsx: Path | None = XLSX,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Reps to hire, and when, to reach a bookings target in a fiscal year."""
    from revops.quotas.component import HIRE_COLUMNS, MONTH_COLUMNS

    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.quotas.capacity(float(_money(target)), year, as_of.date() if as_of else None,
                                   parse_change(productivity, "%"),
                                   parse_change(attrition, "pts"))  # fmt: skip
    finally:
        ws.close()
    if xlsx is not None:
        from revops.quotas.export import capacity_workbook

        xlsx.write_bytes(capacity_workbook(found))
        error_console().print(f"Wrote {xlsx}.")
    if fmt is not OutputFormat.table:
        if hires:
            render(found.hire_rows(), HIRE_COLUMNS, fmt)
        else:
            render(found.rows, MONTH_COLUMNS, fmt)
        return
    render(found.rows, MONTH_COLUMNS, fmt, title=f"Capacity plan {year}")
    render(found.hire_rows(), HIRE_COLUMNS, fmt, title="Hires")
    totals = found.totals()
    render([{"key": k, "value": v} for k, v in totals.items()], ("key", "value"), fmt,
           title="Totals")  # fmt: skip
    if not found.reachable:
        error_console().print(f"[yellow]The target is out of reach by hiring this year: "
                              f"{totals['gap']:,.0f} short.[/]")  # fmt: skip
