"""`revops comp`: plans as code, statements, the payout summary, period close, what-if on a
deal, the cost of a plan change, disputes."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import typer

from revops.cli.output import OutputFormat, console, render, render_document

app = typer.Typer(
    help="Sales compensation: plans as code, exact statements, close, what-if, disputes.",
    no_args_is_help=True,
)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
PERIOD = typer.Option(..., "--period", "-p", help="FY2027-Q1, FY2027, FY2027-M02...")
PLAN = typer.Option(None, "--plan", help="One plan by name (default: every plan).")
AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d"], help="Last day of data to use (default: today)."
)
LINE = ("no", "kind", "deal_id", "deal_name", "rule", "rate", "base", "amount", "note")


def _day(value: datetime | None) -> Any:
    return value.date() if value else None


@app.command("schema")
def schema() -> None:
    """The JSON schema of a plan file (plans/comp/*.yaml)."""
    from revops.comp.plan import plan_schema

    typer.echo(json.dumps(plan_schema(), indent=2))


@app.command("plans")
def plans(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """The plans of plans/comp/, validated."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.comp.plans
    finally:
        ws.close()
    rows = [
        {
            "plan": p.name,
            "label": p.label,
            "period": p.period,
            "measure": p.measure,
            "tiers": len(p.rates),
            "spifs": len(p.spifs),
            "pay_on": p.pay_on,
        }
        for p in found.values()
    ]
    render(
        rows,
        ("plan", "label", "period", "measure", "tiers", "spifs", "pay_on"),
        fmt,
        title="Comp plans",
    )


@app.command("statement")
def statement(
    ctx: typer.Context,
    rep: str = typer.Argument(..., help="The rep: user id, email or name."),
    period: str = PERIOD,
    plan: str | None = PLAN,
    as_of: datetime | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """The rep's statement for the period: every line names the deal, rule, rate, base
    and amount."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.comp.statements(period, rep=rep, plan=plan, as_of=_day(as_of))
    finally:
        ws.close()
    if fmt is OutputFormat.json:
        render_document([s.as_dict() for s in found], fmt)
        return
    for item in found:
        rows = [{"no": n, **line.as_dict()} for n, line in enumerate(item.lines, start=1)]
        title = (
            f"{item.participant_name} ({item.participant_id}) · plan {item.plan} · "
            f"{item.period}{' · locked' if item.locked else ''}"
        )
        render(rows, LINE, fmt, title=title)
        if fmt is OutputFormat.table:
            attainment = item.attainment
            console().print(
                f"Quota {item.quota or 0:,.2f} · credited {item.credited:,.2f} · attainment "
                f"{'n/a' if attainment is None else f'{attainment:.2f} %'} · "
                f"total {item.total:,.2f}"
                + (
                    f" · held until invoice paid {sum(ln.amount for ln in item.held):,.2f}"
                    if item.held
                    else ""
                )
            )


@app.command("run")
def run(
    ctx: typer.Context,
    period: str = PERIOD,
    plan: str | None = PLAN,
    as_of: datetime | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Everyone's statement for the period: the payout summary."""
    from revops.comp.statement import SUMMARY_COLUMNS

    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.comp.statements(period, plan=plan, as_of=_day(as_of))
    finally:
        ws.close()
    rows = [s.summary() for s in found]
    render(rows, SUMMARY_COLUMNS, fmt, title=f"Payout summary {period}")
    if fmt is OutputFormat.table:
        paid = sum((s.total for s in found), Decimal(0))
        console().print(f"{len(found):,} statements · total {paid:,.2f}")


@app.command("close")
def close(
    ctx: typer.Context,
    period: str = PERIOD,
    plan: str | None = PLAN,
    as_of: datetime | None = AS_OF,
    actor: str = typer.Option("revops", "--as", help="Who closes, for the record."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Lock the period's payouts in the warehouse (comp.statement_line); later data
    changes become adjustment lines of the next open period."""
    ws = ctx.obj.open_workspace()
    try:
        done = ws.comp.close(period, plan=plan, as_of=_day(as_of), by=actor)
    finally:
        ws.close()
    render(done, ("plan", "period", "participants", "total"), fmt, title=f"Closed {period}")


@app.command("whatif")
def whatif(
    ctx: typer.Context,
    rep: str = typer.Argument(..., help="The rep: user id, email or name."),
    amount: str = typer.Option(..., "--amount", help="Deal amount, reporting currency."),
    close_date: datetime = typer.Option(
        ..., "--close-date", formats=["%Y-%m-%d"], help="The day it would close."
    ),
    deal: str | None = typer.Option(None, "--deal", help="An open deal (opportunity_id)."),
    deal_type: str = typer.Option("new", "--type", help="Deal type when no --deal."),
    plan: str | None = PLAN,
    as_of: datetime | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """What a deal would pay the rep if it closed at this amount on this day."""
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise typer.BadParameter(f"--amount {amount!r} is not a number") from None
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.comp.whatif(
            rep,
            value,
            close_date.date(),
            deal=deal,
            deal_type=deal_type,
            plan=plan,
            as_of=_day(as_of),
        )
    finally:
        ws.close()
    if fmt is OutputFormat.json:
        render_document([w.as_dict() for w in found], fmt)
        return
    for result in found:
        doc = result.as_dict()
        console().print(
            f"{doc['participant_name']} · plan {doc['plan']} · {doc['period']}: "
            f"{doc['deal_name']} would pay {doc['deal_pays']} (total {doc['total_before']} → "
            f"{doc['total_after']}, attainment {doc['attainment_before']} → "
            f"{doc['attainment_after']} %)"
        )
        items = doc["items"]
        assert isinstance(items, list)
        render(items, LINE[1:], fmt, title="The deal's lines")


EFFECTIVE = typer.Option(
    ..., "--from", formats=["%Y-%m-%d"], help="First day in effect: the start of a period."
)


@app.command("plan-diff")
def plan_diff(
    ctx: typer.Context,
    candidate: Path = typer.Argument(..., help="A changed plan file (same plan name)."),
    period: str = PERIOD,
    effective: datetime | None = typer.Option(
        None,
        "--from",
        formats=["%Y-%m-%d"],
        help="As a version from this day (default: the whole plan replaced).",
    ),
    as_of: datetime | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """What a changed plan would have paid each participant in a past period, against
    the current plan: plan a change before applying it."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = ws.comp.plan_diff(candidate, period, effective=_day(effective), as_of=_day(as_of))
    finally:
        ws.close()
    columns = ("participant_name", "participant_id", "period", "current", "candidate", "difference")
    render(rows, columns, fmt, title=f"Plan change {candidate.name} over {period}")
    if fmt is OutputFormat.table:
        now = sum((Decimal(str(r["current"])) for r in rows), Decimal(0))
        then = sum((Decimal(str(r["candidate"])) for r in rows), Decimal(0))
        console().print(f"Current {now:,.2f} → candidate {then:,.2f}: {then - now:+,.2f}")


@app.command("plan-apply")
def plan_apply(
    ctx: typer.Context,
    candidate: Path = typer.Argument(..., help="The changed plan file (same plan name)."),
    effective: datetime = EFFECTIVE,
) -> None:
    """Apply a plan change from a day: the file is kept as a version of the plan
    (plans/comp/versions/<plan>/<day>.yaml); open periods from that day use it."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        done = ws.comp.apply_plan(candidate, effective.date())
    finally:
        ws.close()
    console().print(f"Plan {done['plan']} changed from {done['effective']}: {done['file']}")


@app.command("plan-revert")
def plan_revert(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The plan's name."),
    effective: datetime = EFFECTIVE,
) -> None:
    """Revert the change of a plan applied from a day (its version file is removed)."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        done = ws.comp.revert_plan(name, effective.date())
    finally:
        ws.close()
    console().print(f"Plan {done['plan']}: the change from {done['effective']} is reverted")


@app.command("versions")
def versions(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """Every plan's base file and the changes applied to it, by effective day."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = ws.comp.plan_versions()
    finally:
        ws.close()
    columns = ("plan", "effective", "label", "period", "measure", "tiers", "file")
    render(rows, columns, fmt, title="Comp plan versions")


@app.command("dispute")
def dispute(
    ctx: typer.Context,
    rep: str = typer.Argument(..., help="The rep whose statement it is."),
    period: str = PERIOD,
    line: int = typer.Option(..., "--line", min=1, help="Line number on the statement."),
    note: str = typer.Option(..., "--note", help="What is wrong."),
    plan: str | None = PLAN,
    as_of: datetime | None = AS_OF,
    actor: str = typer.Option("rep", "--as", help="Who flags it."),
) -> None:
    """Flag a line of a statement with a note."""
    ws = ctx.obj.open_workspace()
    try:
        row = ws.comp.dispute(rep, period, line, note, plan=plan, by=actor, as_of=_day(as_of))
    finally:
        ws.close()
    console().print(f"Dispute {row['dispute_id']} opened on line {line}: {row['line']}")


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    dispute_id: str = typer.Argument(..., help="The dispute id."),
    status: str = typer.Option(..., "--status", help="accepted or rejected."),
    resolution: str = typer.Option(..., "--resolution", help="What was decided."),
    actor: str = typer.Option("revops", "--as", help="Who resolves it."),
) -> None:
    """Record the resolution of a dispute (kept with the dispute's history)."""
    ws = ctx.obj.open_workspace()
    try:
        row = ws.comp.resolve(dispute_id, status, resolution, by=actor)
    finally:
        ws.close()
    console().print(f"Dispute {row['dispute_id']} {row['status']}: {row['resolution']}")


@app.command("disputes")
def disputes(
    ctx: typer.Context,
    history: bool = typer.Option(False, "--history", help="Every row, not the latest."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Disputes, newest first."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = ws.comp.disputes(history=history)
    finally:
        ws.close()
    columns = (
        "dispute_id",
        "participant_id",
        "plan",
        "period",
        "line_no",
        "line",
        "note",
        "status",
        "resolution",
        "recorded_by",
        "recorded_at",
    )
    render(rows, columns, fmt, title="Comp disputes")
