"""`revops success`: customer lifetime value, accounts at risk with reasons, renewals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer

from revops.cli.output import OutputFormat, console, render

app = typer.Typer(
    help="Customer success: lifetime value, accounts at risk, renewal forecast.",
    no_args_is_help=True,
)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d"], help="Last day of data to use (default: today)."
)
LIMIT = typer.Option(20, "--limit", "-n", min=1, help="Rows to show.")
THRESHOLD = typer.Option(
    0.1, "--threshold", min=0.0, max=1.0, help="P(churn) from which a company is at risk."
)
CLV_COLUMNS = ("customer_id", "customer_name", "frequency", "p_alive", "expected_purchases",
               "expected_spend", "expected_value")  # fmt: skip
RISK_COLUMNS = ("account_id", "account_name", "csm_name", "arr", "p_churn", "arr_at_stake",
                "renewal_date", "reasons")  # fmt: skip


def _day(value: datetime | None) -> Any:
    return value.date() if value else None


@app.command("clv")
def clv(
    ctx: typer.Context,
    periods: float = typer.Option(12, "--periods", help="Horizon, in --unit periods."),
    unit: str = typer.Option("month", "--unit", help="week or month."),
    margin: float | None = typer.Option(
        None, "--margin", help="Share of spend that is margin (default: metrics.gross_margin)."
    ),
    discount_rate: float = typer.Option(0.0, "--discount-rate", help="Per period."),
    by_segment: bool = typer.Option(
        False, "--by-segment", help="Per segment, by the method of success/clv.yaml."
    ),
    schema: bool = typer.Option(
        False, "--schema", help="Print the JSON schema of success/clv.yaml."
    ),
    as_of: datetime | None = AS_OF,
    limit: int = LIMIT,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Non-contractual CLV (BG/NBD + Gamma-Gamma) of the buyers without a subscription:
    the fitted parameters, then the customers of highest expected value. With
    --by-segment: every segment's CLV by its method (sBG, contractual_simple or BG/NBD)."""
    if schema:
        import json

        from revops.success.plan import plan_schema

        typer.echo(json.dumps(plan_schema(), indent=2))
        return
    if by_segment:
        _segment_clv(ctx, _day(as_of), margin, fmt)
        return
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        result = ws.success.clv(
            as_of=_day(as_of), periods=periods, unit=unit, margin=margin,
            discount_rate=discount_rate,
        )  # fmt: skip
    finally:
        ws.close()
    payload = result.as_dict(limit)
    if fmt is OutputFormat.table:
        bg, gg = result.model.purchases, result.model.spend
        console().print(
            f"{len(result.customers):,} customers as of {result.as_of}; BG/NBD r={bg.r:.3f} "
            f"alpha={bg.alpha:.3f} a={bg.a:.3f} b={bg.b:.3f}; Gamma-Gamma p={gg.p:.3f} "
            f"q={gg.q:.3f} gamma={gg.gamma:.2f}; next {periods:g} {unit}s: "
            f"{result.total_purchases:,.1f} purchases, value {result.total_value:,.2f}"
        )
    render(payload["rows"], CLV_COLUMNS, fmt, title="Expected value by customer")


@app.command("risk")
def risk(
    ctx: typer.Context,
    as_of: datetime | None = AS_OF,
    limit: int = LIMIT,
    threshold: float = THRESHOLD,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Paying companies ranked by ARR at stake (ARR × P(churn) in the next 90 days), with
    the reasons of those at risk and their CSM; the churn model is trained as of the day."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.success.risk(as_of=_day(as_of), threshold=threshold)
    finally:
        ws.close()
    rows = [{**r.as_dict(), "reasons": "; ".join(r.reasons)} for r in found[:limit]]
    render(rows, RISK_COLUMNS, fmt, title="Accounts at risk, by ARR at stake")


@app.command("renewals")
def renewals(
    ctx: typer.Context,
    as_of: datetime | None = AS_OF,
    threshold: float = THRESHOLD,
    fmt: OutputFormat = FORMAT,
) -> None:
    """The renewal forecast: expected retained ARR over the next 90 days with its P10-P90
    range, and the annual renewals due by month with the ARR at risk."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.success.renewals(as_of=_day(as_of), threshold=threshold)
    finally:
        ws.close()
    if fmt is OutputFormat.table:
        console().print(
            f"ARR {found.arr:,.0f} on {found.as_of}; expected retained after "
            f"{found.horizon_days} days {found.expected_retained_arr:,.0f} "
            f"(P10 {found.p10:,.0f} - P90 {found.p90:,.0f})"
        )
    rows = [m.as_dict() for m in found.months]
    render(
        rows,
        ("month", "accounts", "arr", "expected_retained_arr", "accounts_at_risk"),
        fmt,
        title="Annual renewals by month",
    )


SEGMENT_COLUMNS = ("segment", "method", "customers", "arpa", "lifetime_periods", "clv",
                   "base_value", "parameters", "problem")  # fmt: skip


def _segment_clv(ctx: typer.Context, as_of: Any, margin: float | None, fmt: OutputFormat) -> None:
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        result = ws.success.segment_clv(as_of=as_of, margin=margin)
    finally:
        ws.close()
    if fmt is OutputFormat.table:
        console().print(
            f"CLV per segment as of {result.as_of}: margin {result.margin:g}, discount "
            f"{result.discount_rate:g} per {result.cohort_period} (sBG lifetimes in "
            f"{result.cohort_period}s, ARPA per {result.cohort_period})"
        )
    rows = []
    for row in result.rows:
        item = row.as_dict()
        if fmt is not OutputFormat.json:
            item["parameters"] = ", ".join(f"{k}={v:g}" for k, v in row.parameters.items()
                                           if not k.endswith("customers"))  # fmt: skip
        rows.append(item)
    render(rows, SEGMENT_COLUMNS, fmt, title="Lifetime value by segment")


@app.command("cohorts")
def cohorts(
    ctx: typer.Context,
    unit: str = typer.Option("month", "--unit", help="month or quarter."),
    revenue: bool = typer.Option(False, "--revenue", help="Revenue retention, not logo."),
    as_of: datetime | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Retention of every start cohort at each period end since its start, as of the day:
    logo (companies still paying / companies that started) or revenue (MRR / MRR at the
    end of the start period)."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        table = ws.success.cohorts(as_of=_day(as_of), unit=unit)
    finally:
        ws.close()
    if fmt is OutputFormat.json:
        render([r.as_dict() for r in table.rows], ("cohort", "customers", "start_mrr", "paying",
               "mrr", "logo_retention", "revenue_retention"), fmt)  # fmt: skip
        return
    width = max((len(r.paying) for r in table.rows), default=0)
    periods = [f"p{t}" for t in range(width)]
    rows = []
    for row in table.rows:
        shares = row.revenue_retention if revenue else row.logo_retention
        rows.append({"cohort": row.cohort.isoformat(), "customers": row.customers,
                     "start_mrr": round(row.start_mrr, 2),
                     **{p: None if v is None else round(100 * v, 1)
                        for p, v in zip(periods, shares, strict=False)}})  # fmt: skip
    kind = "revenue" if revenue else "logo"
    title = f"{kind.title()} retention (%) by {table.unit} since start, as of {table.as_of}"
    render(rows, ("cohort", "customers", "start_mrr", *periods), fmt, title=title)


@app.command("train")
def train(
    ctx: typer.Context,
    as_of: datetime | None = AS_OF,
    keep: int = typer.Option(12, "--keep", min=1, help="Stored models to keep, newest first."),
) -> None:
    """Train the churn model and the sBG fits as of the day and store them in the
    workspace (.revops/models/success/<day>/); risk, renewals, the page and the catalog's
    churn-risk metrics then use them. Older stored models beyond --keep are removed."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        folder = ws.success.train(as_of=_day(as_of), keep=keep)
    finally:
        ws.close()
    console().print(f"stored in {folder}")


@app.command("models")
def models(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """The churn models stored in the workspace: training day, rows, churns, AUC."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.success.stored_models()
    finally:
        ws.close()
    rows = [{"day": m["day"], "rows": m.get("rows"), "events": m.get("events"),
             "label": m.get("label"), "horizon_days": m.get("horizon_days"),
             "segments": ", ".join(sorted(m.get("sbg") or {})), "error": m.get("error")}
            for m in found]  # fmt: skip
    render(rows, ("day", "rows", "events", "label", "horizon_days", "segments", "error"), fmt,
           title="Stored success models (`revops success train`)")  # fmt: skip
