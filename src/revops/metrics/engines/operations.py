"""Engine sources of customer-success and operations KPIs: tickets, health, tools,
enablement and the RevOps request queue.

Tools like the stack and enablement logs name people by e-mail (`email:<address>` ids)
until identity resolution links them to users; :func:`user_aliases` matches either form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.sources import SourceContext, engine
from revops.model import ENTITIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

SECONDS_PER_HOUR = 3_600
SECONDS_PER_DAY = 86_400
_TICKET = tuple(c.name for c in ENTITIES["support_ticket"].all_columns)
_REQUEST = tuple(c.name for c in ENTITIES["revops_request"].all_columns)
_OPPORTUNITY = tuple(c.name for c in ENTITIES["opportunity"].all_columns)
SALES_REP_ROLES = ("AE",)


def _hours(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    return ((later.epoch_seconds() - earlier.epoch_seconds()) / SECONDS_PER_HOUR).cast("float64")


def user_aliases(ctx: SourceContext) -> ir.Table:
    """Every id a user may appear under (`user_alias`), with the user (`aliased_user_id`)."""
    users = ctx.keyed("user")
    return users.select(user_alias=users.lookup_key, aliased_user_id=users.user_id)


def employed_in(users: ir.Table, period: Period) -> ir.BooleanValue:
    """Whether a user was employed at some day of `period`."""
    from revops.metrics.compile import moment

    started = users.hire_date.isnull() | (
        users.hire_date <= moment(users, "hire_date", period.last_day)
    )
    return started & (
        users.termination_date.isnull()
        | (users.termination_date >= moment(users, "termination_date", period.start))
    )


def rated_tickets(ctx: SourceContext) -> ir.Table:
    """Support tickets, a ticket without a CSAT of its own taking the latest answer of
    its satisfaction survey from the ratings export (`satisfaction_rating`): a rating
    given after the ticket was exported counts."""
    import ibis

    table = ctx.table("support_ticket")
    ratings = ctx.table("satisfaction_rating")
    latest = ibis.row_number().over(
        group_by=ratings.support_ticket_id,
        order_by=[ratings.rated_at.desc(), ratings.source_id.desc()],
    )
    answers = (
        ratings.mutate(_rank=latest)
        .filter(lambda t: t._rank == 0)
        .select(_rated_ticket=ratings.support_ticket_id, _rated_score=ratings.score)
    )
    joined = table.left_join(answers, table.support_ticket_id == answers._rated_ticket)
    return joined.mutate(csat=joined.csat.fill_null(joined._rated_score)).select(_TICKET)


@engine(
    "ticket",
    "A support ticket with resolution_hours (opened to closed) and first_response_hours; "
    "a ticket without a CSAT of its own takes its latest satisfaction_rating's score.",
    (*_TICKET, "resolution_hours", "first_response_hours"),
    windowed=False,
)
def tickets(ctx: SourceContext, period: Period) -> ir.Table:
    """Support tickets with their durations."""
    table = rated_tickets(ctx)
    return table.mutate(
        resolution_hours=_hours(table.closed_at, table.opened_at),
        first_response_hours=_hours(table.first_response_at, table.opened_at),
    )


@engine(
    "account_health",
    "One row per account paying at the window's end (or the as-of day): its health score "
    "0-100 and the parts it is made of, each over every record of its company (its golden "
    "account: the billing customer's tickets are its support organisation's), 0-100, 50 "
    "when there is no data: usage_score "
    "(active users in the window's last 30 days against the 30 before), support_score "
    "(100 - 10 per ticket opened in the window), csat_score (mean CSAT 1-5 of its tickets "
    "closed in the window, scaled; a ticket without its own takes its satisfaction_rating), "
    "payment_score (share of its invoices due in the window, "
    "draft and void left out, paid by the due date), weighted by metrics.health_weights.",
    (
        "account_id",
        "golden_account_id",
        "health_score",
        "usage_score",
        "support_score",
        "csat_score",
        "payment_score",
    ),
    windowed=True,
)
def account_health(ctx: SourceContext, period: Period) -> ir.Table:
    """The health score of each paying account at the window's end."""
    from datetime import timedelta

    import ibis

    from revops.core import FiscalCalendar
    from revops.metrics.compile import in_window
    from revops.metrics.engines.mrr import mrr_at, subscription_lines

    end = min(period.last_day, ctx.as_of)

    def company(rows: ir.Table) -> ir.Table:
        # Usage, tickets and invoices of one company may sit on different systems'
        # records: each part is counted per golden account.
        lookup = ctx.golden_accounts()
        joined = rows.left_join(lookup, rows.account_id == lookup.account_id)
        return joined.mutate(account_id=joined.golden_account_id.fill_null(joined.account_id)).drop(
            "account_id_right", "golden_account_id"
        )

    paying = mrr_at(subscription_lines(ctx), end).select("account_id")
    golden = ctx.golden_accounts()
    paying = paying.left_join(golden, paying.account_id == golden.account_id)
    accounts = paying.select(
        paying.account_id,
        golden_account_id=paying.golden_account_id.fill_null(paying.account_id),
    )
    calendar = FiscalCalendar()
    recent = calendar.custom(end - timedelta(days=29), end)
    before = calendar.custom(end - timedelta(days=59), end - timedelta(days=30))

    usage = company(ctx.table("product_usage"))
    usage_now = (
        usage.filter(in_window(usage, "usage_date", recent))
        .group_by("account_id")
        .aggregate(now=lambda t: t.active_users.sum())
    )
    usage_then = (
        usage.filter(in_window(usage, "usage_date", before))
        .group_by("account_id")
        .aggregate(then=lambda t: t.active_users.sum())
    )
    tickets_all = company(rated_tickets(ctx))
    opened = (
        tickets_all.filter(in_window(tickets_all, "opened_at", period))
        .group_by("account_id")
        .aggregate(opened=lambda t: t.count())
    )
    rated = (
        tickets_all.filter(in_window(tickets_all, "closed_at", period) & tickets_all.csat.notnull())
        .group_by("account_id")
        .aggregate(csat=lambda t: t.csat.mean())
    )
    invoices = company(ctx.table("invoice"))
    due = invoices.filter(
        in_window(invoices, "due_date", period)
        & ~invoices.status.isin(["draft", "void"]).fill_null(False)
    )
    payments = due.group_by("account_id").aggregate(
        due=lambda t: t.count(),
        on_time=lambda t: t.count(where=t.paid_date.notnull() & (t.paid_date <= t.due_date)),
    )
    # A view: the parts below were read through the golden lookup too.
    table = accounts.view()
    for part in (usage_now, usage_then, opened, rated, payments):
        renamed = part.rename(_part_account="account_id")
        joined = table.left_join(renamed, table.golden_account_id == renamed._part_account)
        table = joined.drop("_part_account")
    neutral = ibis.literal(50.0)
    usage_score = ibis.cases(
        (table.then.isnull() | (table.then == 0), neutral),
        else_=ibis.least(100.0, 100.0 * table.now.fill_null(0).cast("float64") / table.then),
    )
    support_score = ibis.greatest(0.0, 100.0 - 10.0 * table.opened.fill_null(0))
    csat_score = table.csat.isnull().ifelse(neutral, (table.csat - 1.0) / 4.0 * 100.0)
    payment_score = ibis.cases(
        (table.due.isnull() | (table.due == 0), neutral),
        else_=100.0 * table.on_time.cast("float64") / table.due,
    )
    weights = ctx.settings.health_weights
    total = weights.usage + weights.support + weights.csat + weights.payment
    score = (
        usage_score * (weights.usage / total)
        + support_score * (weights.support / total)
        + csat_score * (weights.csat / total)
        + payment_score * (weights.payment / total)
    )
    return table.select(
        "account_id",
        "golden_account_id",
        health_score=score.cast("float64"),
        usage_score=usage_score.cast("float64"),
        support_score=support_score.cast("float64"),
        csat_score=csat_score.cast("float64"),
        payment_score=payment_score.cast("float64"),
    )


@engine(
    "tool_adoption",
    "One row per tool of the stack: distinct active_users who used it in the window (a user "
    "known by id and by e-mail counted once), its "
    "seats and intended_users, and cost_in_window (annual cost x days of the window / 365).",
    ("tool_id", "name", "category", "active_users", "seats", "intended_users", "cost_in_window"),
    windowed=True,
)
def tool_adoption(ctx: SourceContext, period: Period) -> ir.Table:
    """Adoption and cost of each tool in the window."""
    import ibis

    from revops.metrics.compile import in_window

    tools = ctx.table("tool")
    usage = ctx.table("tool_usage")
    usage = usage.filter(in_window(usage, "used_at", period))
    # A person logged under their user id by one tool and their e-mail by another is one user.
    aliases = user_aliases(ctx)
    resolved = usage.left_join(aliases, usage.user_id == aliases.user_alias)
    resolved = resolved.select(
        "tool_id", person=resolved.aliased_user_id.fill_null(resolved.user_id)
    )
    active = resolved.group_by(used_tool="tool_id").aggregate(
        active_users=resolved.person.nunique()
    )
    joined = tools.left_join(active, tools.tool_id == active.used_tool)
    share_of_year = period.days / 365
    return joined.select(
        "tool_id",
        "name",
        "category",
        active_users=joined.active_users.fill_null(0),
        seats=joined.seats,
        intended_users=joined.intended_users,
        cost_in_window=(joined.annual_cost.cast("float64") * ibis.literal(share_of_year)),
    )


@engine(
    "rep_enablement",
    "One row per sales rep (role AE) employed in the window: whether they used enablement "
    "content in it (used_content).",
    ("user_id", "team_id", "used_content"),
    windowed=True,
)
def rep_enablement(ctx: SourceContext, period: Period) -> ir.Table:
    """Which reps used enablement content in the window."""
    from revops.metrics.compile import in_window

    users = ctx.raw("user")
    reps = users.filter(users.role.isin(list(SALES_REP_ROLES)) & employed_in(users, period))
    usage = ctx.table("content_usage")
    usage = usage.filter(in_window(usage, "used_at", period))
    aliases = user_aliases(ctx)
    used = usage.join(aliases, usage.user_id == aliases.user_alias)
    users_who_used = used.select(used_by=used.aliased_user_id).distinct()
    joined = reps.left_join(users_who_used, reps.user_id == users_who_used.used_by)
    return joined.select("user_id", "team_id", used_content=joined.used_by.notnull())


@engine(
    "deal_content",
    "An opportunity as it stood at the end of the as-of day (as `deal`) with has_content: "
    "whether enablement content was used on it.",
    (*_OPPORTUNITY, "has_content"),
    windowed=False,
)
def deal_content(ctx: SourceContext, period: Period) -> ir.Table:
    """Opportunities as of the day, flagged by content use."""
    from revops.metrics.engines.deal_state import opportunities_at

    deals = opportunities_at(ctx, ctx.as_of)
    usage = ctx.table("content_usage")
    used = usage.filter(usage.opportunity_id.notnull()).select(used_on=usage.opportunity_id)
    used = used.distinct()
    joined = deals.left_join(used, deals.opportunity_id == used.used_on)
    return joined.mutate(has_content=joined.used_on.notnull()).drop("used_on")


@engine(
    "request",
    "A RevOps request with age_days (requested to resolved), sla_days (from "
    "metrics.request_sla_days) and is_within_sla. Its priority is the one RevOps set, or "
    "until it sets one the requester's stated_urgency (triage_priority keeps the one set), "
    "so that slicing by priority and the SLA see the same level.",
    (*_REQUEST, "triage_priority", "age_days", "sla_days", "is_within_sla"),
    windowed=False,
)
def requests(ctx: SourceContext, period: Period) -> ir.Table:
    """RevOps requests with their age and SLA."""
    import ibis

    table = ctx.table("revops_request")
    settings = ctx.settings
    level = table.priority.fill_null(table.stated_urgency)
    sla = ibis.cases(
        *[(level == name, ibis.literal(days)) for name, days in settings.request_sla_days.items()],
        else_=ibis.literal(settings.default_request_sla_days),
    )
    age = (table.resolved_at.epoch_seconds() - table.requested_at.epoch_seconds()) / SECONDS_PER_DAY
    return table.mutate(
        triage_priority=table.priority,
        priority=level,
        age_days=age.cast("float64"),
        sla_days=sla.cast("float64"),
        is_within_sla=age <= sla,
    )


DESK_RATING_COLUMNS = {
    "request_id": "string",
    "requester_id": "string",
    "owner_id": "string",
    "rating": "float64",
    "is_satisfied": "int64",
    "resolved_at": "timestamp('UTC')",
}


@engine(
    "desk_rating",
    "One row per request closed through the RevOps desk (`ws.desk`, table desk.request) "
    "that its requester rated: the rating (1-5) of its latest version written by the end "
    "of the as-of day, is_satisfied (1 for 4 or 5) and resolved_at.",
    tuple(DESK_RATING_COLUMNS),
    windowed=False,
)
def desk_rating(ctx: SourceContext, period: Period) -> ir.Table:
    """The requesters' ratings of their closed requests."""
    import ibis

    if not ctx.warehouse.has_table("request", "desk"):
        # Built from Arrow: an empty pandas column would be float, not a timestamp.
        return ibis.memtable(ibis.schema(DESK_RATING_COLUMNS).to_pyarrow().empty_table())
    from datetime import timedelta

    from revops.metrics.compile import moment

    log = ctx.stored("request", "desk")
    # As of the day: the versions written by its end (a later rating was not given yet).
    log = log.filter(log.changed_at < moment(log, "changed_at", ctx.as_of + timedelta(days=1)))
    latest = ibis.row_number().over(group_by=log.request_id, order_by=log.version.desc())
    last = log.mutate(_rank=latest)
    rated = last.filter((last._rank == 0) & last.rating.notnull() & last.resolved_at.notnull())
    return rated.select(
        "request_id",
        "requester_id",
        "owner_id",
        rating=rated.rating.cast("float64"),
        is_satisfied=ibis.ifelse(rated.rating >= 4, 1, 0).cast("int64"),
        resolved_at=rated.resolved_at,
    )
