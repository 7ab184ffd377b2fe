"""Records read as they stood at the end of a day, from the versions their history keeps.

A budget line is revised, a campaign's actual cost grows, a deal's line item is
re-priced: the row in `core` holds the latest value, and ingest appends a version to the
entity's history table whenever a tracked column changes (`history:` in a mapping). Read
*as of* a day, such a record is its row with the versioned columns replaced by those of:

- its latest version that took effect by the end of the day; or, with none by then,
- its earliest version: the record as first recorded (nothing says what it was before, and
  a revision made after the day must not show);
- with no version at all (rows written without history), the row as it is.

Opportunities are read through their own rules (:mod:`revops.metrics.engines.deal_state`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from revops.model import ENTITIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

VERSIONED = {
    "campaign": "campaign_history",
    "budget_line": "budget_line_history",
    "deal_line": "deal_line_history",
}
"""Tables read as of the day from their history table's versions (module doc)."""


def versioned_columns(entity: str) -> tuple[str, ...]:
    """The columns of `entity` a version of its history replaces.

    Examples:
        >>> versioned_columns("budget_line")
        ('amount', 'currency')
    """
    history = ENTITIES[VERSIONED[entity]]
    own = {c.name for c in ENTITIES[entity].columns}
    return tuple(
        c.name
        for c in history.columns
        if c.name in own and c.name not in (history.history_key, "valid_from")
    )


def version_at(versions: ir.Table, key: str, day: date) -> ir.Table:
    """Per record of `versions`, the one version that stands at the end of `day`: the
    latest by then, else the earliest (module doc)."""
    import ibis

    from revops.metrics.compile import moment

    after = moment(versions, "valid_from", day + timedelta(days=1))
    known = ibis.ifelse(versions.valid_from < after, 1, 0)
    marked = versions.mutate(_known=known)
    # Versions sharing a valid_from are told apart by load, the later load winning, as in
    # revops.warehouse.asof.as_of.
    tie = [ibis.desc(marked.load_id)] if "load_id" in marked.columns else []
    latest = ibis.window(
        group_by=marked[key], order_by=[ibis.desc(marked._known), ibis.desc(marked.valid_from), *tie]
    )
    first = ibis.window(group_by=marked[key], order_by=[marked.valid_from, *tie])
    ranked = marked.mutate(
        _any_known=marked._known.max().over(ibis.window(group_by=marked[key])),
        _latest=ibis.row_number().over(latest),
        _first=ibis.row_number().over(first),
    )
    chosen = ranked.filter(
        ibis.ifelse(ranked._any_known == 1, ranked._latest == 0, ranked._first == 0)
    )
    return chosen.drop("_known", "_any_known", "_latest", "_first")


def as_stood(entity: str, rows: ir.Table, versions: ir.Table, day: date) -> ir.Table:
    """`rows` of `entity` as they stood at the end of `day`, read from `versions` (its
    history table) as the module says; same columns as `rows`."""
    import ibis

    key = ENTITIES[entity].id_column
    replaced = versioned_columns(entity)
    stood = version_at(versions, key, day)
    stood = stood.select(_version_of=stood[key], **{f"_v_{c}": stood[c] for c in replaced})
    joined = rows.left_join(stood, rows[key] == stood._version_of)
    has_version = joined._version_of.notnull()
    return joined.select(
        *[
            ibis.ifelse(has_version, joined[f"_v_{c}"], joined[c]).name(c)
            if c in replaced
            else joined[c]
            for c in rows.columns
        ]
    )
