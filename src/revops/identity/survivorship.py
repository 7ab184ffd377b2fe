"""Survivorship: which record of a duplicate cluster survives, and which value of each
field the merged record keeps.

The surviving record is the one entered first (the original; copies come later), then
the smallest id. Each field then takes its value by one rule:

| rule | value kept |
|---|---|
| `survivor` | the survivor's, unless empty, then the most recent non-empty |
| `most_recent` | the most recently updated record's non-empty value |
| `most_complete` | the longest non-empty value (Robert over Bob) |
| `source_priority` | the first non-empty value by system: CRM, marketing, billing, support |

Golden records (:mod:`revops.identity.golden`) choose across systems by
:data:`GOLDEN_RULES`: `crm` (a CRM record's non-empty value first, then the most recent)
or `most_recent` (the most recently updated record's non-empty value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

Rule = Literal["survivor", "most_recent", "most_complete", "source_priority"]
SOURCE_PRIORITY = ("salesforce", "hubspot", "stripe", "zendesk")
CRM_SYSTEMS = ("salesforce", "hubspot")
"""Systems whose records are the CRM's: they win the fields sales owns."""

GoldenRule = Literal["crm", "most_recent"]
GOLDEN_RULES: Mapping[str, Mapping[str, GoldenRule]] = {
    "account": {
        "name": "crm",
        "segment": "crm",
        "region": "crm",
        "territory_id": "crm",
        "owner_id": "crm",
        "csm_id": "crm",
    },
    "person": {"owner_id": "crm", "lifecycle_stage": "crm"},
}
"""Fields of golden records whose rule is `crm`; every other field is `most_recent`."""

# Fields whose rule is not `survivor`, per table. Ids and lineage always stay the survivor's.
FIELD_RULES: Mapping[str, Mapping[str, Rule]] = {
    "account": {
        "domain": "most_complete",
        "industry": "most_recent",
        "employees": "most_recent",
        "annual_revenue": "most_recent",
        "country": "source_priority",
        "owner_id": "most_recent",
        "csm_id": "most_recent",
    },
    "contact": {
        "first_name": "most_complete",
        "phone": "most_recent",
        "title": "most_recent",
        "lifecycle_stage": "most_recent",
        "account_id": "most_recent",
        "owner_id": "most_recent",
    },
    "lead": {
        "first_name": "most_complete",
        "phone": "most_recent",
        "title": "most_recent",
        "status": "most_recent",
        "score": "most_recent",
        "owner_id": "most_recent",
    },
}
KEPT = ("source_system", "source_id", "created_at", "load_id")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FieldWinner:
    """The value a merged record keeps for one field, where from, and by which rule."""

    field: str
    value: Any
    record_id: str
    rule: Rule


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def survivor(rows: Sequence[Mapping[str, Any]], id_column: str) -> Mapping[str, Any]:
    """The record that survives: created first, then the smallest id.

    Examples:
        >>> survivor([{"id": "b", "created_at": None}, {"id": "a", "created_at": None}], "id")
        {'id': 'a', 'created_at': None}
    """
    return min(
        rows,
        key=lambda r: (r.get("created_at") is None, r.get("created_at") or _EPOCH, r[id_column]),
    )


def field_winners(
    table: str, rows: Sequence[Mapping[str, Any]], id_column: str
) -> tuple[Mapping[str, Any], list[FieldWinner]]:
    """The survivor of `rows` and, for every field that changes, the winning value.

    Returns:
        The survivor row and the fields whose winning value differs from the survivor's.

    Examples:
        >>> rows = [
        ...     {"contact_id": "c1", "first_name": "Bob", "phone": None, "created_at": 1,
        ...      "updated_at": 1},
        ...     {"contact_id": "c2", "first_name": "Robert", "phone": "+1415", "created_at": 2,
        ...      "updated_at": 2},
        ... ]
        >>> kept, winners = field_winners("contact", rows, "contact_id")
        >>> kept["contact_id"], [(w.field, w.value, w.rule) for w in winners]
        ('c1', [('first_name', 'Robert', 'most_complete'), ('phone', '+1415', 'most_recent')])
    """
    kept = survivor(rows, id_column)
    rules = FIELD_RULES.get(table, {})
    by_recency = sorted(
        rows,
        key=lambda r: (r.get("updated_at") is not None, r.get("updated_at") or 0),
        reverse=True,
    )
    winners = []
    for field in kept:
        if field == id_column or field in KEPT or field == "updated_at":
            continue
        rule: Rule = rules.get(field, "survivor")
        chosen = _choose(rule, field, kept, rows, by_recency)
        if chosen is not None and chosen[field] != kept[field]:
            winners.append(FieldWinner(field, chosen[field], chosen[id_column], rule))
    return kept, winners


def _choose(
    rule: Rule,
    field: str,
    kept: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    by_recency: Sequence[Mapping[str, Any]],
) -> Mapping[str, Any] | None:
    filled = [r for r in by_recency if not _empty(r[field])]
    if not filled:
        return None
    if rule == "survivor":
        return kept if not _empty(kept[field]) else filled[0]
    if rule == "most_recent":
        return filled[0]
    if rule == "most_complete":
        return max(filled, key=lambda r: len(str(r[field])))
    order = {system: i for i, system in enumerate(SOURCE_PRIORITY)}
    return min(filled, key=lambda r: order.get(r.get("source_system") or "", len(order)))
