"""`revops coaching`: reps against their team's benchmarks, and which sales plays win."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import typer

from revops.cli.output import OutputFormat, render, render_document

app = typer.Typer(help="Where managers can coach, and which way of selling works.",
                  no_args_is_help=True)  # fmt: skip

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
WINDOW = typer.Option(
    None, "--window", help="FY2025-Q3, FY2025, 2024-01-01..2024-03-31 (default: this quarter)."
)
AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d"], help="Last day of data to use (default: today)."
)
REP_COLUMNS = ("owner_label", "team_label", "metric", "stage", "value", "sample", "team_median",
               "z_score", "is_outlier", "explanation")  # fmt: skip
PLAY_COLUMNS = ("group", "closed", "won", "win_rate", "win_rate_low", "win_rate_high",
                "win_rate_diff", "win_rate_diff_low", "win_rate_diff_high", "cycle_days",
                "cycle_days_diff", "cycle_days_diff_low", "cycle_days_diff_high",
                "win_rate_differs", "cycle_differs")  # fmt: skip


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _rounded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()} for r in rows]


class Against(StrEnum):
    """Whom a rep is compared with."""

    team = "team"
    company = "company"


class PlayField(StrEnum):
    """What groups the deals in `revops coaching plays`."""

    sales_play = "sales_play"
    content_type = "content_type"


@app.command("reps")
def reps(
    ctx: typer.Context,
    window: str | None = WINDOW,
    as_of: datetime | None = AS_OF,
    threshold: float = typer.Option(2.0, help="Standard deviations from the rest that flag."),
    fence: float = typer.Option(1.5, help="IQRs beyond the quartiles that flag."),
    min_sample: int = typer.Option(3, help="Deals a rep's value needs to be judged."),
    against: Against = typer.Option(
        Against.team, help="team (their team's reps) or company (all)."
    ),
    outliers: bool = typer.Option(False, "--outliers", help="Only the flagged rows."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Each rep's win rate, cycle, deal size, activities per deal and stage conversion
    against their team, outliers flagged with the metric behind."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        result = ws.coaching.reps(
            window, as_of=_day(as_of), threshold=threshold, fence=fence,
            min_sample=min_sample, outliers_only=outliers,
            against=against.value,
        )  # fmt: skip
    finally:
        ws.close()
    if fmt is OutputFormat.json:
        render_document(result.to_dict(), fmt)
        return
    title = f"Reps against their {against.value}: {result.window}, as of {result.as_of}"
    render(_rounded(result.rows), REP_COLUMNS, fmt, title=title)


@app.command("plays")
def plays(
    ctx: typer.Context,
    window: str | None = WINDOW,
    as_of: datetime | None = AS_OF,
    by: PlayField = typer.Option(PlayField.sales_play, "--by", help="sales_play or content_type."),
    confidence: float = typer.Option(0.95, help="Confidence of the intervals."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Win rate and cycle per sales play (or content type) with intervals, and each
    group's difference from the rest of the deals with its interval."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        result = ws.coaching.plays(
            window, by=by.value,
            as_of=_day(as_of), confidence=confidence,
        )  # fmt: skip
    finally:
        ws.close()
    if fmt is OutputFormat.json:
        render_document(result.to_dict(), fmt)
        return
    title = f"Deals closed in {result.window} by {by.value} ({confidence:.0%} intervals)"
    render(_rounded(result.rows), PLAY_COLUMNS, fmt, title=title)
