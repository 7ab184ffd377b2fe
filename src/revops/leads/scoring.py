"""Rule scores in the warehouse: fit points per condition, engagement points per event
with half-life decay, both as of an instant (events after it do not count).

Fit is the sum of the points of the fit rules a lead meets, engagement the sum over
engagement rules of each event's points × 0.5 ** (age in days / half-life), capped per
rule at `max_points`; both are clipped to 0-100.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

from revops.errors import ConfigError
from revops.leads.features import lead_features
from revops.leads.rules import RULES_FILE, EngagementRule, FitRule, LeadRules
from revops.model import ENTITIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.warehouse import Warehouse

EVENT_TIME = {
    "campaign_touch": "occurred_at",
    "web_session": "started_at",
    "activity": "occurred_at",
}
SECONDS_A_DAY = 86_400


def engagement_column(rule: EngagementRule) -> str:
    """The column of a rule's decayed points in the score frame."""
    return f"engagement_{rule.name}"


def fit_column(rule: FitRule) -> str:
    """The column of a fit rule's points in the score frame."""
    return f"fit_{rule.name}"


def _fit_match(features: ir.Table, rule: FitRule) -> ir.BooleanValue:
    import ibis

    value = features[rule.field]
    if rule.min is not None or rule.max is not None:
        conditions = [value.notnull()]
        if rule.min is not None:
            conditions.append(value >= rule.min)
        if rule.max is not None:
            conditions.append(value <= rule.max)
        return ibis.and_(*conditions)
    text = value.cast("string").lower()
    matches = []
    if rule.values:
        matches.append(text.isin([v.lower() for v in rule.values]))
    matches.extend(text.contains(word.lower()) for word in rule.contains)
    return ibis.or_(*matches).fill_null(False)


def _people(warehouse: Warehouse) -> ir.Table:
    """person_key, person_kind → lead_id: a lead by its own id, and by the contact it
    was converted into. A source re-points a converted lead's past events to its contact
    (Salesforce's campaign members do); they happened to the lead all the same."""
    import ibis

    lead = warehouse.table("lead")
    own = lead.select(person_key=lead.lead_id, person_kind=ibis.literal("lead"), owner=lead.lead_id)
    converted = lead.filter(lead.converted_contact_id.notnull()).select(
        person_key=lead.converted_contact_id,
        person_kind=ibis.literal("contact"),
        owner=lead.lead_id,
    )
    return ibis.union(own, converted)


def _events(warehouse: Warehouse, rule: EngagementRule, as_of: datetime) -> ir.Table:
    """lead_id and the age in days of each event of `rule` at or before `as_of`."""
    import ibis

    table = warehouse.table(rule.source)
    at = ibis.literal(as_of, type="timestamp('UTC')")
    conditions = [table[EVENT_TIME[rule.source]] <= at]
    types = ENTITIES[rule.source].schema()
    for column, values in rule.where.items():
        if types[column].is_boolean():
            wanted = [v.strip().lower() in ("true", "yes", "1") for v in values]
            conditions.append(table[column].isin(wanted))
        else:
            conditions.append(
                table[column].cast("string").lower().isin([v.lower() for v in values])
            )
    events = table.filter(*conditions)
    people = _people(warehouse)
    if rule.source == "activity":
        keys = ibis.coalesce(events.lead_id, events.contact_id)
        kinds = ibis.ifelse(events.lead_id.notnull(), "lead", "contact")
        events = events.mutate(_key=keys, _kind=kinds)
    else:
        events = events.mutate(_key=events.person_id, _kind=events.person_type)
    joined = events.join(
        people, [events._key == people.person_key, events._kind == people.person_kind]
    )
    time = joined[EVENT_TIME[rule.source]]
    age_days = (at.epoch_seconds() - time.epoch_seconds()) / SECONDS_A_DAY
    return joined.select(lead_id=joined.owner, age_days=age_days)


def check_rules(rules: LeadRules, root: object) -> None:
    """Engagement rules name columns of their source entity.

    Raises:
        ConfigError: a `where` column the entity does not have (names the file and key).
    """
    for rule in rules.engagement:
        columns = {c.name for c in ENTITIES[rule.source].all_columns}
        for column in rule.where:
            if column not in columns:
                raise ConfigError(
                    f"{root}/{RULES_FILE}",
                    f"engagement[{rule.name}].where.{column}",
                    f"{rule.source} has no column {column!r}",
                )


def rule_scores(warehouse: Warehouse, as_of: datetime, rules: LeadRules) -> ir.Table:
    """Every open lead at `as_of` with its features, each rule's points, `fit` and
    `engagement` (0-100), computed in the warehouse."""
    import ibis

    features = lead_features(warehouse, as_of, rules)
    fit_parts = {
        fit_column(rule): ibis.ifelse(_fit_match(features, rule), rule.points, 0.0)
        for rule in rules.fit
    }
    scored = features.mutate(**fit_parts) if fit_parts else features
    decay = math.log(0.5) / rules.half_life_days
    for rule in rules.engagement:
        events = _events(warehouse, rule, as_of)
        points = events.group_by("lead_id").aggregate(
            points=(rule.points * (events.age_days * decay).exp()).sum()
        )
        capped = (
            points.points if rule.max_points is None else points.points.clip(upper=rule.max_points)
        )
        per_lead = points.select(eng_lead_id=points.lead_id, eng_points=capped)
        scored = scored.left_join(per_lead, scored.lead_id == per_lead.eng_lead_id).select(
            *scored.columns,
            **{engagement_column(rule): per_lead.eng_points.fill_null(0.0)},
        )
    fit_total = sum((scored[c] for c in fit_parts), ibis.literal(0.0))
    engagement_total = sum(
        (scored[engagement_column(r)] for r in rules.engagement), ibis.literal(0.0)
    )
    return scored.mutate(
        fit=fit_total.clip(lower=0, upper=100).round(2),
        engagement=engagement_total.clip(lower=0, upper=100).round(2),
    )
