"""Records read as they stood at the end of a day, from the versions their history keeps.

A budget line is revised, a campaign's actual cost grows, a deal's line item is
re-priced: the row in `core` holds the latest value, and ingest appends a version to the
entity's history table whenever a tracked column changes (`history:` in a mapping). Read
*as of* a day, such a record is its row with the versioned columns replaced by those of:

- its latest version that took effect by the end of the day;
- with versions but none by then, nothing: its value was recorded later, so it was not
  known on the day and those columns are null (a budget line a later revision added has no
  amount; a cost first recorded later counts none);
- with no version at all (rows written without history), the row as stored.

So nothing recorded or revised after the day changes a number read as of it.

Opportunities are read through their own rules (:mod:`revops.metrics.engines.deal_state`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from revops.model import ENTITIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

VERSIONED = {
    "campaign": ("campaign_history", ("budget", "actual_cost", "currency")),
    "budget_line": ("budget_line_history", ("amount", "currency")),
    "deal_line": (
        "deal_line_history",
        ("product_id", "quantity", "list_price", "unit_price", "discount_percent", "amount",
         "currency"),
    ),
}  # fmt: skip
"""Tables read as of the day from their history table's versions (module doc): the
history table, and the columns a version replaces (a deal line's version also carries its
opportunity, for the row scope, which never changes)."""


def as_stood(entity: str, rows: ir.Table, versions: ir.Table, day: date) -> ir.Table:
    """`rows` of `entity` as they stood at the end of `day`, read from `versions` (its
    history table) as the module says; same columns as `rows`."""
    import ibis

    from revops.metrics.engines.history import end_of
    from revops.warehouse.asof import as_of

    key = ENTITIES[entity].id_column
    replaced = VERSIONED[entity][1]
    stood = as_of(versions, end_of(day), key)
    stood = stood.select(_stood=stood[key], **{f"_v_{c}": stood[c] for c in replaced})
    recorded = versions.select(_recorded=versions[key]).distinct()
    joined = rows.left_join(stood, rows[key] == stood._stood).left_join(
        recorded, rows[key] == recorded._recorded
    )
    # Recorded, and a version stands by then: the version's; recorded only later: null.
    return joined.select(
        *[
            ibis.ifelse(joined._recorded.isnull(), joined[c], joined[f"_v_{c}"]).name(c)
            if c in replaced
            else joined[c]
            for c in rows.columns
        ]
    )
