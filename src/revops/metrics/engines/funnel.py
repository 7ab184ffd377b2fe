"""Engine sources of funnel KPIs: lifecycle cohorts and speed to lead.

People move through the workspace's lifecycle stages (lead, MQL, SQL, opportunity,
customer). A person's entry into a stage opens a cohort; conversion is the share of the
cohort that went on to a later stage (the next one, or one beyond it when a stage was
skipped). Marketing tools and the CRM may hold the same person under different ids: they are
matched on id and on e-mail address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.metrics.sources import EMAIL_PREFIX, SourceContext, engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period

SECONDS_PER_DAY = 86_400
SECONDS_PER_HOUR = 3_600
SALES_TOUCHES = ("call", "email", "meeting")
_ENTRY = (
    "person_id",
    "person_type",
    "account_id",
    "owner_id",
    "stage",
    "stage_order",
    "entered_at",
    "reached_next",
    "reached_sql",
    "reached_customer",
    "days_to_next",
)


def first_entries(ctx: SourceContext) -> ir.Table:
    """Each person's first entry into each lifecycle stage, with the stage's position."""
    import ibis

    events = ctx.table("lifecycle_event")
    stages = [s.name for s in ctx.config.lifecycle_stages]
    order = ibis.cases(*[(events.stage == name, i) for i, name in enumerate(stages)], else_=-1)
    events = events.mutate(stage_order=order)
    return events.group_by(["person_id", "stage", "stage_order"]).aggregate(
        person_type=events.person_type.max(),
        account_id=events.account_id.max(),
        entered_at=events.entered_at.min(),
    )


@engine(
    "lifecycle_entry",
    "One row per person and lifecycle stage they entered (the first time): entered_at, "
    "reached_next (entered a later stage afterwards), reached_sql, reached_customer, and "
    "days_to_next (to the first later stage).",
    _ENTRY,
    windowed=False,
)
def lifecycle_entries(ctx: SourceContext, period: Period) -> ir.Table:
    """Lifecycle cohorts: who entered which stage, and whether they went further."""
    entries = first_entries(ctx)
    later = entries.select(
        later_person="person_id",
        later_stage="stage",
        later_order="stage_order",
        later_at="entered_at",
    )
    pairs = entries.left_join(
        later,
        [
            entries.person_id == later.later_person,
            later.later_order > entries.stage_order,
            later.later_at >= entries.entered_at,
        ],
    )
    grouped = pairs.group_by(
        ["person_id", "person_type", "account_id", "stage", "stage_order", "entered_at"]
    ).aggregate(
        next_at=pairs.later_at.min(),
        reached_sql=(pairs.later_stage == "sql").any(),
        reached_customer=(pairs.later_stage == "customer").any(),
    )
    grouped = with_person_owner(ctx, grouped)
    seconds = grouped.next_at.epoch_seconds() - grouped.entered_at.epoch_seconds()
    return grouped.select(
        "person_id",
        "person_type",
        "account_id",
        "owner_id",
        "stage",
        "stage_order",
        "entered_at",
        reached_next=grouped.next_at.notnull(),
        reached_sql=grouped.reached_sql.fill_null(False),
        reached_customer=grouped.reached_customer.fill_null(False),
        days_to_next=(seconds / SECONDS_PER_DAY).cast("float64"),
    )


def with_person_owner(ctx: SourceContext, rows: ir.Table) -> ir.Table:
    """`rows` with `owner_id`: the person's owner (lead or contact, filled from their
    golden person), else their account's (filled from its golden account: the CRM owner),
    so the funnel slices by owner and team."""
    import ibis

    contacts = ctx.dimension_values("contact", "owner_id")
    leads = ctx.dimension_values("lead", "owner_id")
    people = contacts.union(leads, distinct=True)
    # One owner per key: an `email:` key may name a lead and a contact.
    people = people.group_by(_owner_person=people.lookup_key).aggregate(
        _person_owner=people.value.max()
    )
    accounts = ctx.dimension_values("account", "owner_id")
    accounts = accounts.select(_owner_account=accounts.lookup_key, _account_owner=accounts.value)
    joined = rows.left_join(people, rows.person_id == people._owner_person)
    joined = joined.left_join(accounts, joined.account_id == accounts._owner_account)
    return joined.mutate(owner_id=ibis.coalesce(joined._person_owner, joined._account_owner)).drop(
        "_owner_person", "_person_owner", "_owner_account", "_account_owner"
    )


def person_emails(ctx: SourceContext) -> ir.Table:
    """Every person id (lead or contact, any system) with its e-mail address, lower case."""
    contacts = ctx.raw("contact")
    leads = ctx.raw("lead")
    return contacts.select(
        person_key=contacts.contact_id, person_email=contacts.email.lower()
    ).union(leads.select(person_key=leads.lead_id, person_email=leads.email.lower()))


@engine(
    "mql_follow_up",
    "One row per person who became an MQL: entered_at, first_touch_at (the first call, "
    "email or meeting by sales with that person after it - an activity whose lead_id or "
    "contact_id is the person's id, or an id of the same e-mail address) and "
    "hours_to_first_touch.",
    ("person_id", "account_id", "entered_at", "first_touch_at", "hours_to_first_touch"),
    windowed=False,
)
def mql_follow_up(ctx: SourceContext, period: Period) -> ir.Table:
    """How long sales took to reach each MQL."""
    import ibis

    entries = first_entries(ctx)
    mqls = entries.filter(entries.stage == "mql").select("person_id", "account_id", "entered_at")
    # Every id the person is known by: its own, `email:<address>`, and the ids of the
    # leads and contacts with its e-mail address.
    emails = person_emails(ctx)
    mailed = mqls.join(emails, mqls.person_id == emails.person_key).select(
        mailed_person="person_id", mailed_email="person_email"
    )
    others = emails.select(namesake="person_key", namesake_email="person_email")
    namesakes = mailed.join(others, mailed.mailed_email == others.namesake_email)
    aliases = (
        mqls.select(alias_person="person_id", alias_key=mqls.person_id)
        .union(
            mailed.select(
                alias_person="mailed_person",
                alias_key=ibis.literal(EMAIL_PREFIX) + mailed.mailed_email,
            )
        )
        .union(namesakes.select(alias_person="mailed_person", alias_key="namesake"))
        .distinct()
    )
    activities = ctx.table("activity")
    sales = activities.filter(activities.type.isin(list(SALES_TOUCHES)))
    touches = (
        sales.filter(sales.lead_id.notnull())
        .select(touched=sales.lead_id, touched_at=sales.occurred_at)
        .union(
            sales.filter(sales.contact_id.notnull()).select(
                touched=sales.contact_id, touched_at=sales.occurred_at
            )
        )
    )
    touches = touches.join(aliases, touches.touched == aliases.alias_key).select(
        "alias_person", "touched_at"
    )
    reached = mqls.left_join(
        touches,
        [mqls.person_id == touches.alias_person, touches.touched_at >= mqls.entered_at],
    )
    first = reached.group_by(["person_id", "account_id", "entered_at"]).aggregate(
        first_touch_at=reached.touched_at.min()
    )
    seconds = first.first_touch_at.epoch_seconds() - first.entered_at.epoch_seconds()
    return first.mutate(hours_to_first_touch=(seconds / SECONDS_PER_HOUR).cast("float64"))
