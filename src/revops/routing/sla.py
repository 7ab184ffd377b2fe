"""Speed to lead: per person entering the MQL stage, the working time to the first sales
touch against the SLA, computed in the warehouse as of an instant.

A person (lead or contact) enters the MQL stage at its first `lifecycle_event` of that
stage; its first touch is its first `activity` (call, email, meeting, demo) with it at
or after that moment. Nothing after `as_of` is read: an MQL or a touch later than it
does not exist yet, so a later touch never changes a result as of an earlier instant.

Status: `met` (touched within the SLA), `breached` (touched late, or untouched while the
SLA has run out), `pending` (untouched, SLA still running).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from revops.identity.golden import golden_table
from revops.routing.hours import working_minutes
from revops.routing.inputs import lead_frame, literal_time
from revops.routing.rules import BusinessHours
from revops.routing.store import current_owners

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.warehouse import Warehouse

TOUCH_TYPES = ("call", "email", "meeting", "demo")
SLICES = ("owner", "team", "person_type")


def sla_rows(
    warehouse: Warehouse,
    *,
    as_of: datetime,
    stage: str,
    sla_hours: float,
    hours: BusinessHours,
    start: datetime | None = None,
    end: datetime | None = None,
) -> ir.Table:
    """One row per person who entered `stage` in `[start, end)` by `as_of`: `person_key`
    (golden person, else the record), `person_id` (the same: the id of the person's
    page), `person_type`,
    `person`, `mql_at`, `touched_at`, `minutes` (working minutes to the touch, or elapsed
    so far), `status`, `owner_id`, `owner`, `team`."""
    import ibis

    keys = _person_keys(warehouse)
    events = warehouse.table("lifecycle_event")
    moment = literal_time(events, "entered_at", as_of)
    mql = events.filter((events.stage == stage) & (events.entered_at <= moment))
    mql = _keyed(mql, mql.person_id, keys)
    mql = mql.group_by("person_key").aggregate(
        person_type=mql.person_type.min(),
        mql_at=mql.entered_at.min(),
    )
    # The person by their golden id (their page's), not one of their records: a record
    # (a marketing contact) may sit outside the scope of the owner who sees the person.
    mql = mql.mutate(person_id=mql.person_key)
    if start is not None:
        mql = mql.filter(mql.mql_at >= literal_time(events, "entered_at", start))
    if end is not None:
        mql = mql.filter(mql.mql_at < literal_time(events, "entered_at", end))
    activity = warehouse.table("activity")
    done = activity.filter(
        activity.type.lower().isin(TOUCH_TYPES)
        & activity.occurred_at.notnull()
        & (activity.occurred_at <= literal_time(activity, "occurred_at", as_of))
    )
    touches = done.filter(done.lead_id.notnull()).select(record=done.lead_id, at=done.occurred_at)
    touches = touches.union(
        done.filter(done.contact_id.notnull()).select(record=done.contact_id, at=done.occurred_at)
    )
    touches = _keyed(touches, touches.record, keys).select(t_key="person_key", at="at")
    joined = mql.join(touches, mql.person_key == touches.t_key)
    joined = joined.filter(joined.at >= joined.mql_at)
    first = joined.group_by(f_key="person_key").aggregate(touched_at=joined.at.min())
    rows = mql.left_join(first, mql.person_key == first.f_key).drop("f_key")
    clock_end = rows.touched_at.coalesce(moment.cast(rows.mql_at.type()))
    rows = rows.mutate(minutes=working_minutes(rows.mql_at, clock_end, hours))
    status = ibis.cases(
        (rows.minutes > float(sla_hours) * 60, "breached"),
        (rows.touched_at.notnull(), "met"),
        else_="pending",
    )
    return _with_owner(warehouse, rows.mutate(status=status), keys, as_of)


def _person_keys(warehouse: Warehouse) -> ir.Table | None:
    """`k_record` → `k_key`: each lead's and contact's person cluster (golden person)."""
    if not warehouse.has_table("crosswalk", "identity"):
        return None
    crosswalk = warehouse.table("crosswalk", "identity")
    people = crosswalk.filter(crosswalk.entity.isin(["lead", "contact"]))
    return people.select(k_record=people.record_id, k_key=people.cluster_id)


def _keyed(table: ir.Table, record: ir.Value, keys: ir.Table | None) -> ir.Table:
    """`table` with `person_key`: the record's golden person, else the record itself."""
    if keys is None:
        return table.mutate(person_key=record)
    joined = table.left_join(keys, record == keys.k_record)
    return joined.mutate(person_key=joined.k_key.coalesce(record)).drop("k_record", "k_key")


def _with_owner(
    warehouse: Warehouse, rows: ir.Table, keys: ir.Table | None, as_of: datetime
) -> ir.Table:
    """The person's owner: revops's routed owner of one of its leads, else the golden
    person's owner (CRM first), else its records' owners."""
    leads = lead_frame(warehouse, as_of)
    contact = warehouse.table("contact")
    records = leads.select(record=leads.lead_id, owner_id=leads.owner_id, name=_lead_name(leads))
    records = records.union(
        contact.select(record=contact.contact_id, owner_id=contact.owner_id,
                       name=_lead_name(contact))
    )  # fmt: skip
    records = _keyed(records, records.record, keys)
    per_key = records.group_by(p_key="person_key").aggregate(
        r_owner=records.owner_id.min(), person=records["name"].min()
    )
    joined = rows.left_join(per_key, rows.person_key == per_key.p_key).drop("p_key")
    golden = golden_table(warehouse, "person")
    if golden is not None:
        g = golden.select(g_key=golden.golden_person_id, g_owner=golden.owner_id)
        joined = joined.left_join(g, joined.person_key == g.g_key).drop("g_key")
        owner = joined.g_owner.coalesce(joined.r_owner)
        joined = joined.mutate(owner_id=owner).drop("g_owner", "r_owner")
    else:
        joined = joined.rename(owner_id="r_owner")
    routed = current_owners(warehouse, as_of)
    if routed is not None:
        routed = _keyed(routed, routed.o_lead_id, keys)
        per = routed.group_by(o_key="person_key").aggregate(o_owner=routed.o_owner_id.max())
        joined = joined.left_join(per, joined.person_key == per.o_key).drop("o_key")
        joined = joined.mutate(owner_id=joined.o_owner.coalesce(joined.owner_id)).drop("o_owner")
    user = warehouse.table("user")
    team = warehouse.table("team")
    named = user.left_join(team, user.team_id == team.team_id).select(
        u_id=user.user_id, owner=user["name"], team=team["name"]
    )
    return joined.left_join(named, joined.owner_id == named.u_id).drop("u_id")


def _lead_name(table: ir.Table) -> ir.StringValue:
    import ibis

    name = (
        ibis.coalesce(table.first_name, ibis.literal(""))
        .concat(" ", ibis.coalesce(table.last_name, ibis.literal("")))
        .strip()
    )
    return ibis.ifelse(name == "", table.email, name)


def sla_summary(rows: ir.Table, by: str | None = None) -> ir.Table:
    """Per slice (or overall): MQLs, met, breached, pending, met share of the decided
    ones, median working minutes to the first touch."""
    import ibis

    keys = [] if by is None else [by]
    touched = rows.touched_at.notnull()
    decided = rows.status.isin(["met", "breached"])
    grouped = rows.group_by(keys) if keys else rows
    summary = grouped.aggregate(
        mqls=rows.count(),
        met=(rows.status == "met").sum(),
        breached=(rows.status == "breached").sum(),
        pending=(rows.status == "pending").sum(),
        median_minutes=rows.minutes.median(where=touched).round(1).cast("float64"),
        _decided=decided.sum(),
    )
    share = ibis.ifelse(summary._decided > 0, summary.met / summary._decided, ibis.null())
    return summary.mutate(met_share=share.cast("float64").round(3).cast("float64")).drop("_decided")
