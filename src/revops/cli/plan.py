"""`revops plan`: the activation plan (`plans/activation.yaml`): its JSON schema, and each
KPI target against the measured value month by month, on track / at risk / missed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from revops.cli import quotas, territories
from revops.cli.output import OutputFormat, error_console, render

if TYPE_CHECKING:
    from revops.plan import PlanStatus

app = typer.Typer(
    help="The activation plan: initiatives, owners and KPI targets by month, tracked.",
    no_args_is_help=True,
)
app.add_typer(territories.app, name="territories")
app.add_typer(quotas.quotas_app, name="quotas")
app.add_typer(quotas.capacity_app, name="capacity")
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d"], help="Day of the status (default today); "
    "nothing dated after it is used."
)  # fmt: skip
TABLE = ("initiative", "owner", "metric", "direction", "month", "target", "measured",
         "result", "next", "projected", "status", "trend")  # fmt: skip


@app.command("schema")
def schema() -> None:
    """Print the JSON schema of `plans/activation.yaml`."""
    from revops.plan.config import PlanFile

    print(json.dumps(PlanFile.model_json_schema(), indent=2))


@app.command("status")
def status(ctx: typer.Context, as_of: datetime | None = AS_OF, fmt: OutputFormat = FORMAT) -> None:
    """Each target against the measured value of each month, with its status and trend."""
    from revops.plan.component import COLUMNS

    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.plan.status(as_of.date() if as_of else None)
    finally:
        ws.close()
    rows = found.rows()
    if fmt is not OutputFormat.table:
        render(rows, COLUMNS, fmt)
        return
    render(_summary(found), TABLE, fmt, title=f"Activation plan as of {found.as_of}")
    counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sorted(found.counts().items()))
    error_console().print(f"{len(found.targets)} targets: {counts or 'none'} ({found.file}).")


def _summary(found: PlanStatus) -> list[dict[str, Any]]:
    """One row per target: its last complete month, the next target and the projection
    (`--format json|csv` give every month)."""
    rows = []
    for t in found.targets:
        done = [m for m in t.months if m.result in ("met", "missed", "no_data")]
        last = done[-1] if done else None
        rows.append({
            "initiative": t.initiative, "owner": t.owner_display, "metric": t.metric_label,
            "direction": t.direction.replace("_", " "), "month": last.month if last else None,
            "target": _num(last.target if last else None),
            "measured": _num(last.measured if last else None),
            "result": last.result if last else None,
            "next": f"{t.next_month}: {_num(t.next_target)}" if t.next_month else None,
            "projected": _num(t.projected), "status": t.status.replace("_", " "),
            "trend": t.trend,
        })  # fmt: skip
    return rows


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
