"""The pack's `plan` section: the activation plan's targets as of the pack's day
(`ws.plan.status`), each with its latest month, status and trend; targets missed or at
risk become the pack's risks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.errors import PlanError
from revops.metrics.display import formatted
from revops.pack.model import Cell, Risk, Section, Source, Table

if TYPE_CHECKING:
    from revops.pack.config import SectionOptions
    from revops.pack.context import PackContext
    from revops.plan.component import MonthStatus, TargetStatus

ORDER = {"missed": 0, "at_risk": 1, "no_data": 2, "on_track": 3, "met": 4}
"""Targets needing attention first."""
STATUS_TEXT = {
    "missed": "missed", "at_risk": "at risk", "no_data": "no data", "on_track": "on track",
    "met": "met",
}  # fmt: skip


def plan_section(ctx: PackContext, options: SectionOptions) -> Section:
    """Every target of `plans/activation.yaml` as of the pack's day, those missed or at
    risk first."""
    section = Section(kind="plan", title=options.title or "Activation plan")
    source = Source(
        label="Activation plan",
        definition_url=ctx.links.page("/plan", as_of=ctx.as_of.isoformat()),
        docs="docs/plan.md",
    )
    try:
        status = ctx.engines.plan.status(ctx.as_of)
    except PlanError as exc:
        section.notes.append(f"No activation plan: {exc}.")
        return section
    counts = status.counts()
    said = [f"{counts[k]} {STATUS_TEXT[k]}" for k in ORDER if counts.get(k)]
    section.notes.append(
        f"{len(status.targets)} targets of {status.file} as of {ctx.as_of}: {', '.join(said)}."
    )
    targets = sorted(status.targets, key=lambda t: (ORDER.get(t.status, 5), t.initiative))
    section.tables.append(
        Table(
            title="Targets against the measured values",
            columns=[
                "Initiative",
                "Owner",
                "Metric",
                "Month",
                "Target",
                "Measured",
                "Status",
                "Trend",
                "Next target",
                "Projected",
            ],
            rows=[_row(ctx, t) for t in targets],
            source=source,
        )
    )
    for target in targets:
        if target.status in ("missed", "at_risk"):
            ctx.risks.append(_risk(ctx, target))
    return section


def shown_month(target: TargetStatus) -> MonthStatus | None:
    """The month a target's row shows: the last complete month with a target (the one its
    status stands on), else the running month with a target, else the last measured one
    (a baseline month)."""
    aimed = [m for m in target.months if m.measured is not None and m.target is not None]
    closed = [m for m in aimed if m.result != "running"]
    return closed[-1] if closed else aimed[-1] if aimed else target.latest()


def _row(ctx: PackContext, target: TargetStatus) -> list[Cell]:
    latest = shown_month(target)
    unit = target.unit
    return [
        Cell(text=target.initiative),
        Cell(
            text=target.owner_name or target.owner,
            url=ctx.links.record("reps", target.owner_id),
            note=target.owner_id or target.owner,
        ),
        Cell(
            text=target.metric_label,
            url=ctx.links.explorer(target.metric, latest.month if latest else ctx.window),
            note=target.metric,
        ),
        Cell(
            text="-"
            if latest is None
            else latest.month + (" (to date)" if latest.result == "running" else "")
        ),
        _value(latest.target if latest else None, unit),
        _value(latest.measured if latest else None, unit),
        Cell(text=STATUS_TEXT.get(target.status, target.status)),
        Cell(text=target.trend or "-"),
        Cell(
            text=f"{formatted(target.next_target, unit)} by {target.next_month}"
            if target.next_month and target.next_target is not None
            else "-"
        ),
        _value(target.projected, unit),
    ]


def _value(value: float | None, unit: str) -> Cell:
    return Cell(text=formatted(value, unit), value=value)


def _risk(ctx: PackContext, target: TargetStatus) -> Risk:
    latest = shown_month(target)
    measured = (
        f": {formatted(latest.measured, target.unit)} in {latest.month} against "
        f"{formatted(latest.target, target.unit)}"
        if latest is not None
        else ""
    )
    return Risk(
        severity="high" if target.status == "missed" else "medium",
        text=f"Plan target {target.metric_label} ({target.initiative}, "
        f"{target.owner_name or target.owner}) {STATUS_TEXT[target.status]}{measured}",
        source=ctx.source(target.metric),
    )
