"""What is known about each paying company on a day, and whether it churned after:
the churn model's features and labels, computed in the warehouse.

Every feature of day D uses only what was known at the end of D: usage rows dated up to D,
tickets opened by D (a ticket closed later is still open, its rating unknown), invoices due
by D (one paid after D was unpaid then), subscription lines live at D, activities by D.
A company is its golden account; the rows of its CRM account, billing customer and support
organisation count together. A monthly usage row is dated its month's last day (the day it
is complete); at a month end the windows of 28, 84 and 112 days hold one, three and four.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from revops.errors import SuccessError
from revops.metrics.sources import engine

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from revops.core import Period
    from revops.metrics.sources import SourceContext
    from revops.stats.churn import ChurnModel, Label

FEATURES: dict[str, str] = {
    "usage_per_seat": "average active users per reported day over the last 84 days / seats",
    "usage_trend": "active users of the last 28 days / those of the 84 days before (per day)",
    "events_per_user": "product events per active user over the last 84 days",
    "tickets_per_seat": "tickets opened in the last 90 days per seat",
    "urgent_share": "share of the last 90 days' tickets that were high or urgent",
    "open_tickets": "tickets opened by the day and not closed by it",
    "csat": "mean CSAT (1-5) of tickets closed in the last 180 days",
    "on_time_share": "share of invoices due in the last 180 days paid by their due date",
    "overdue_invoices": "invoices due before the day and unpaid at it",
    "activities_90d": "calls, e-mails and meetings logged with the company in the last 90 days",
    "log_mrr": "natural log of 1 + MRR at the day",
    "tenure_months": "months since the company's first subscription line started",
    "is_annual": "whether a live plan line bills yearly",
    "seat_change": "seats at the day / seats 90 days before, minus 1 (0 when new)",
}
"""The churn model's features and what each means (docs/success.md lists them)."""

USAGE_FEATURES = ("usage_per_seat", "usage_trend", "events_per_user")


def _company(ctx: SourceContext, rows: ir.Table) -> ir.Table:
    """`rows` with `account_id` replaced by the golden account."""
    lookup = ctx.golden_accounts()
    joined = rows.left_join(lookup, rows.account_id == lookup.account_id)
    return joined.mutate(account_id=joined.golden_account_id.fill_null(joined.account_id)).drop(
        "account_id_right", "golden_account_id"
    )


def _instant(day: date) -> ir.Value:
    """The end of `day` as a UTC instant (exclusive)."""
    import ibis

    from revops.metrics.engines.lines import day_end

    return ibis.literal(day_end(day), type="timestamp('UTC')")


def paying(ctx: SourceContext, day: date) -> ir.Table:
    """Companies paying at the end of `day`: `account_id` (golden), `mrr`."""
    from revops.metrics.engines.mrr import mrr_at, subscription_lines

    at = _company(ctx, mrr_at(subscription_lines(ctx), day))
    return at.group_by("account_id").aggregate(mrr=at.mrr.sum().cast("float64"))


def labels(ctx: SourceContext, day: date, horizon_days: int = 90) -> ir.Table:
    """Whether each company paying at `day` churned (paid nothing) or contracted (paid
    less) at the end of `horizon_days` later: `account_id`, `mrr`, `later_mrr`,
    `churned`, `contracted`. Needs data to `day + horizon_days`."""
    now = paying(ctx, day)
    later = paying(ctx, day + timedelta(days=horizon_days)).rename(later_mrr="mrr")
    later = later.rename(_later_account="account_id")
    joined = now.left_join(later, now.account_id == later._later_account)
    later_mrr = joined.later_mrr.fill_null(0.0)
    return joined.select(
        "account_id",
        "mrr",
        later_mrr=later_mrr,
        churned=later_mrr <= 0,
        contracted=later_mrr < joined.mrr - 0.005,
    )


def features(ctx: SourceContext, day: date) -> ir.Table:
    """One row per company paying at the end of `day`: `account_id`, the :data:`FEATURES`
    (nulls where a company has nothing to measure: no ticket rated) and `has_notice`,
    whether a live line's cancellation was known by then (a churn already announced, which
    the model does not need to predict)."""
    import ibis

    from revops.metrics.engines.lines import paid_spans
    from revops.metrics.engines.operations import rated_tickets

    end = _instant(day)

    def since(days: int) -> ir.Value:
        return _instant(day - timedelta(days=days))

    base = paying(ctx, day)

    # Seats and contract from the paying spans (versions resolved as MRR resolves them),
    # each with its line's quantity and billing interval.
    spans = paid_spans(ctx.table("subscription_line"))
    raw = ctx.table("subscription_line").select(
        _line_id="subscription_line_id",
        quantity="quantity",
        billing_interval="billing_interval",
    )
    spans = spans.left_join(raw, spans.subscription_line_id == raw._line_id)
    lines = _company(ctx, spans.drop("_line_id"))

    def live(on: date) -> ir.BooleanValue:
        edge = _instant(on)
        return (lines.starts_at < edge) & (lines.ends_at.isnull() | (lines.ends_at >= edge))

    seats_now = (
        lines.filter(live(day))
        .group_by("account_id")
        .aggregate(
            seats=lines.quantity.sum().cast("float64"),
            is_annual=(lines.billing_interval == "year").any(),
            has_notice=(lines.canceled_at.notnull() & (lines.canceled_at < end)).any(),
        )
    )
    seats_then = (
        lines.filter(live(day - timedelta(days=90)))
        .group_by("account_id")
        .aggregate(seats_then=lines.quantity.sum().cast("float64"))
    )
    tenure = (
        lines.filter(lines.starts_at < end)
        .group_by("account_id")
        .aggregate(first_start=lines.starts_at.min().cast("date"))
    )

    usage = _company(ctx, ctx.table("product_usage"))
    # Windows of 4, 12 and 16 weeks: whole weeks of daily rows, and one, three and four
    # monthly rows (each dated its month's last day) at any month end.
    usage = usage.filter((usage.usage_date <= day) & (usage.usage_date > day - timedelta(days=112)))
    recent = usage.usage_date > day - timedelta(days=28)
    window = usage.usage_date > day - timedelta(days=84)
    usage_parts = usage.group_by("account_id").aggregate(
        users_90=usage.active_users.sum(where=window).cast("float64"),
        days_90=usage.usage_date.nunique(where=window).cast("float64"),
        events_90=usage.event_count.sum(where=window).cast("float64"),
        users_30=usage.active_users.sum(where=recent).cast("float64"),
        days_30=usage.usage_date.nunique(where=recent).cast("float64"),
        users_prior=usage.active_users.sum(where=~recent).cast("float64"),
        days_prior=usage.usage_date.nunique(where=~recent).cast("float64"),
    )

    tickets = _company(ctx, rated_tickets(ctx))
    tickets = tickets.filter(tickets.opened_at < end)
    opened_90 = tickets.opened_at >= since(90)
    still_open = tickets.closed_at.isnull() | (tickets.closed_at >= end)
    rated = (tickets.closed_at < end) & (tickets.closed_at >= since(180)) & tickets.csat.notnull()
    ticket_parts = tickets.group_by("account_id").aggregate(
        tickets_90=tickets.count(where=opened_90).cast("float64"),
        urgent_90=tickets.count(where=opened_90 & tickets.priority.isin(["high", "urgent"])).cast(
            "float64"
        ),
        open_tickets=tickets.count(where=still_open).cast("float64"),
        csat=tickets.csat.cast("float64").mean(where=rated),
    )

    invoices = _company(ctx, ctx.table("invoice"))
    invoices = invoices.filter(
        invoices.due_date.notnull()
        & (invoices.due_date <= day)
        & ~invoices.status.isin(["draft", "void"]).fill_null(False)
    )
    paid_by_day = invoices.paid_date.notnull() & (invoices.paid_date <= day)
    recent_due = invoices.due_date > day - timedelta(days=180)
    invoice_parts = invoices.group_by("account_id").aggregate(
        due_180=invoices.count(where=recent_due).cast("float64"),
        on_time_180=invoices.count(
            where=recent_due & paid_by_day & (invoices.paid_date <= invoices.due_date)
        ).cast("float64"),
        overdue_invoices=invoices.count(where=~paid_by_day & (invoices.due_date < day)).cast(
            "float64"
        ),
    )

    activities = _company(ctx, ctx.table("activity").filter(lambda t: t.account_id.notnull()))
    activities = activities.filter(
        (activities.occurred_at < end) & (activities.occurred_at >= since(90))
    )
    activity_parts = activities.group_by("account_id").aggregate(
        activities_90d=activities.count().cast("float64")
    )

    table = base.view()
    for part in (seats_now, seats_then, tenure, usage_parts, ticket_parts, invoice_parts,
                 activity_parts):  # fmt: skip
        renamed = part.rename(_part_account="account_id")
        joined = table.left_join(renamed, table.account_id == renamed._part_account)
        table = joined.drop("_part_account")

    seats = ibis.greatest(table.seats.fill_null(0.0), 1.0)

    def ratio(top: ir.Value, bottom: ir.Value) -> ir.Value:
        return ibis.cases(
            (bottom.isnull() | (bottom == 0), ibis.null("float64")), else_=top / bottom
        )

    per_day_90 = ratio(table.users_90, table.days_90)
    return table.select(
        "account_id",
        usage_per_seat=per_day_90.fill_null(0.0) / seats,
        usage_trend=ratio(
            ratio(table.users_30, table.days_30), ratio(table.users_prior, table.days_prior)
        ),
        events_per_user=ratio(table.events_90, table.users_90),
        tickets_per_seat=table.tickets_90.fill_null(0.0) / seats,
        urgent_share=ratio(table.urgent_90, table.tickets_90),
        open_tickets=table.open_tickets.fill_null(0.0),
        csat=table.csat,
        on_time_share=ratio(table.on_time_180, table.due_180),
        overdue_invoices=table.overdue_invoices.fill_null(0.0),
        activities_90d=table.activities_90d.fill_null(0.0),
        log_mrr=(table.mrr + 1.0).ln(),
        tenure_months=table.first_start.delta(ibis.date(day), unit="day").negate().cast("float64")
        / 30.4375,
        is_annual=table.is_annual.fill_null(False).ifelse(1.0, 0.0),
        seat_change=ratio(table.seats, table.seats_then).fill_null(1.0) - 1.0,
        has_notice=table.has_notice.fill_null(False),
    )


def month_ends(last: date, months: int) -> list[date]:
    """The last `months` month ends on or before `last`, oldest first.

    Examples:
        >>> month_ends(date(2026, 8, 24), 2)
        [datetime.date(2026, 6, 30), datetime.date(2026, 7, 31)]
    """
    found: list[date] = []
    day = last if (last + timedelta(days=1)).day == 1 else last.replace(day=1) - timedelta(days=1)
    while len(found) < months:
        found.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return sorted(found)


def snapshots(ctx: SourceContext, days: list[date], horizon_days: int = 90) -> pd.DataFrame:
    """The features and labels of every company paying at each of `days`, one row per
    company and day (`day`, `label_known`: the day its outcome is known), as a frame:
    these are per-company rows, the aggregation ran in the warehouse."""
    import pandas as pd

    frames = []
    for day in days:
        found = features(ctx, day)
        outcome = labels(ctx, day, horizon_days).rename(_label_account="account_id")
        joined = found.left_join(outcome, found.account_id == outcome._label_account)
        frame = joined.drop("_label_account").to_pandas()
        frame["day"] = day
        frame["label_known"] = day + timedelta(days=horizon_days)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def train_churn_model(
    ctx: SourceContext,
    day: date,
    *,
    months: int = 12,
    horizon_days: int = 90,
    label: Label = "churned",
) -> ChurnModel:
    """The churn model trained as of `day`: on the companies paying at each of the
    `months` month ends whose outcome `horizon_days` later is known by `day` (companies
    that had already given notice left out: their churn is announced, not predicted).

    Raises:
        SuccessError: too few churns to learn from, or a bad number of months or days.
    """
    from revops.stats.churn import fit_churn_model

    if not 1 <= months <= 60:
        raise SuccessError(f"train on 1 to 60 months of snapshots, not {months}")
    if not 7 <= horizon_days <= 365:
        raise SuccessError(f"the horizon must be 7 to 365 days, not {horizon_days}")
    days = month_ends(day - timedelta(days=horizon_days), months)
    frame = snapshots(ctx, days, horizon_days)
    if len(frame):
        frame = frame[~frame["has_notice"].astype(bool)]
    if not len(frame):
        raise SuccessError(
            f"no company paid at any month end from {days[0]} to {days[-1]}: nothing to learn from"
        )
    return fit_churn_model(
        frame, features=list(FEATURES), trained_as_of=day, label=label,
        horizon_days=horizon_days,
    )  # fmt: skip


def stored_or_trained(ctx: SourceContext, day: date) -> ChurnModel:
    """The newest churn model `revops success train` stored in the workspace on or before
    `day` (it saw nothing after its own day), else one trained as of `day`.

    Raises:
        SuccessError: nothing stored and too few churns to learn from.
    """
    from revops.metrics import stored_models

    if ctx.root is not None:
        found = stored_models.latest(ctx.root, day)
        if found is not None:
            return stored_models.load(ctx.root, found)[0]
    key = _training_key(ctx, day)
    if key is None:
        return train_churn_model(ctx, day)
    with _TRAINED_LOCK:
        model = _TRAINED.get(key)
        if model is not None:
            _TRAINED.move_to_end(key)
            return model
    model = train_churn_model(ctx, day)
    with _TRAINED_LOCK:
        _TRAINED[key] = model
        while len(_TRAINED) > _TRAINED_KEPT:
            _TRAINED.popitem(last=False)
    return model


_TRAINED: OrderedDict[Hashable, ChurnModel] = OrderedDict()
"""Models :func:`stored_or_trained` trained in this process, by what they were trained
on: training takes seconds, and every page and query that reads the churn risk of a day
would otherwise train again on the same rows."""
_TRAINED_KEPT = 16
_TRAINED_LOCK = threading.Lock()


def _training_key(ctx: SourceContext, day: date) -> Hashable | None:
    """What a model trained as of `day` through `ctx` depends on: the warehouse and its
    data version, the rows the scope lets it read, the as-of day and the conventions
    (currency); None when the warehouse cannot tell at once that its data changed
    (nothing is kept)."""
    version = ctx.warehouse.data_version() if ctx.warehouse.exact_data_version else None
    if version is None:
        return None
    warehouse = (str(ctx.warehouse.url), ctx.warehouse.schema_prefix, version)
    return (warehouse, ctx.scope, ctx.as_of, day, ctx.config.model_dump_json())


def scored(ctx: SourceContext, day: date, model: ChurnModel) -> pd.DataFrame:
    """Every company paying at `day`: its features, `mrr`, `p_churn` (1 when its
    cancellation is known) and `member_id`, one of its account records (for slicing)."""
    import pandas as pd

    found = features(ctx, day)
    now = paying(ctx, day).rename(_paying="account_id")
    members = ctx.golden_accounts()
    members = members.group_by("golden_account_id").aggregate(member_id=members.account_id.min())
    joined = found.left_join(now, found.account_id == now._paying).drop("_paying")
    joined = joined.left_join(members, joined.account_id == members.golden_account_id)
    frame: pd.DataFrame = joined.drop("golden_account_id").to_pandas()
    if not len(frame):
        frame["p_churn"] = pd.Series(dtype="float64")
        return frame
    frame["member_id"] = frame["member_id"].fillna(frame["account_id"])
    chance = model.predict(frame)
    frame["p_churn"] = [1.0 if n else p for n, p in zip(frame["has_notice"], chance, strict=True)]
    return frame


RISK_COLUMNS = ("account_id", "golden_account_id", "arr", "p_churn", "arr_at_stake",
                "retained_arr", "health_score", "has_notice")  # fmt: skip


@engine(
    "churn_risk",
    "One row per company (golden account) paying at the window's end (or the as-of day): "
    "its ARR, p_churn (probability of paying nothing 90 days later, from the churn model "
    "stored by `revops success train` on or before that day, else trained as of that day on "
    "the 12 month ends before whose outcome is known; 1 when its "
    "cancellation is already known), arr_at_stake (arr x p_churn), retained_arr "
    "(arr x (1 - p_churn)) and health_score (100 x (1 - p_churn)); account_id is one of the "
    "company's account records. Empty, with a warning, when no model can be trained.",
    RISK_COLUMNS,
    windowed=True,
)
def churn_risk(ctx: SourceContext, period: Period) -> ir.Table:
    """The churn model's risk of each paying company at the window's end."""
    import ibis
    import pandas as pd

    day = min(period.last_day, ctx.as_of)

    def build() -> ir.Table:
        try:
            model = stored_or_trained(ctx, day)
        except SuccessError as exc:
            ctx.warnings.append(f"churn_risk on {day}: {exc}")
            frame = pd.DataFrame({c: [] for c in RISK_COLUMNS})
        else:
            found = scored(ctx, day, model)
            arr = 12.0 * found["mrr"].astype(float)
            frame = pd.DataFrame(
                {
                    "account_id": found["member_id"].astype(str),
                    "golden_account_id": found["account_id"].astype(str),
                    "arr": arr,
                    "p_churn": found["p_churn"].astype(float),
                    "arr_at_stake": arr * found["p_churn"],
                    "retained_arr": arr * (1.0 - found["p_churn"]),
                    "health_score": 100.0 * (1.0 - found["p_churn"]),
                    "has_notice": found["has_notice"].astype(bool),
                }
            )
        money = ("arr", "p_churn", "arr_at_stake", "retained_arr", "health_score")
        schema = {"account_id": "string", "golden_account_id": "string",
                  "has_notice": "boolean", **dict.fromkeys(money, "float64")}  # fmt: skip
        return ibis.memtable(frame, schema=schema)

    return ctx.memo(f"churn_risk:{day.isoformat()}", build)
