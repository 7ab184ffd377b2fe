"""Names beside ids: what a person reads next to `salesforce:0058d…` in a slice or a row.

The id columns and what they point to come from the canonical model (each column's
`ref`): `owner_id` names a user, `team_id` a team, `campaign_id` a campaign. An account
is named by its golden account (:mod:`revops.identity.golden`) when identity resolution
has run, so a billing customer reads as the company's CRM name; else by its own name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from revops.metrics.sources import current_golden
from revops.model import ENTITIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.metrics.definition import Dimension
    from revops.metrics.sources import SourceContext

LABEL_SUFFIX = "_label"


@cache
def ref_targets() -> Mapping[str, str]:
    """Id column name → the entity it names, for every column the model marks as a
    reference to one entity with a `name`, where every table agrees on it.

    Examples:
        >>> ref_targets()["owner_id"], ref_targets()["team_id"], ref_targets()["campaign_id"]
        ('user', 'team', 'campaign')
    """
    found: dict[str, set[str]] = {}
    for entity in ENTITIES.values():
        for column in entity.columns:
            if len(column.ref) == 1:
                found.setdefault(column.name, set()).add(column.ref[0])
        found.setdefault(entity.id_column, set()).add(entity.name)
    named = {e.name for e in ENTITIES.values() if any(c.name == "name" for c in e.columns)}
    return {
        column: next(iter(targets))
        for column, targets in found.items()
        if len(targets) == 1 and next(iter(targets)) in named
    }


def dimension_target(dimension: Dimension) -> str | None:
    """The entity whose name labels the values of `dimension`, or None (plain values)."""
    if dimension.entity is not None:
        entity = ENTITIES.get(dimension.entity)
        if entity is None:
            return None
        if dimension.column == entity.id_column:
            return entity.name if dimension.column in ref_targets() else None
        column = next((c for c in entity.columns if c.name == dimension.column), None)
        if column is None or len(column.ref) != 1:
            return None
        return ref_targets().get(dimension.column)
    return ref_targets().get(dimension.column)


def names(ctx: SourceContext, entity: str) -> ir.Table:
    """`_label_key` → `_label`: the name of every `entity` record (an account without a
    name of its own, a billing customer, takes its golden account's). A lookup of labels
    only, so not scoped: a record's own name, never another record's, so a label shows
    nothing of a record outside the scope."""
    import ibis

    table = ctx.raw(entity, scoped=False)
    keyed = table.select(_label_key=table[f"{entity}_id"], _own_name=table.name)
    golden = current_golden(ctx.reader, "account") if entity == "account" else None
    if golden is not None:
        links = ctx.golden_accounts()
        golden = golden.select(_golden_id=golden.golden_account_id, _golden_name=golden.name)
        joined = keyed.left_join(links, keyed._label_key == links.account_id)
        joined = joined.left_join(golden, joined.golden_account_id == golden._golden_id)
        return joined.select(
            "_label_key", _label=ibis.coalesce(joined._own_name, joined._golden_name)
        )
    return keyed.select("_label_key", _label=keyed._own_name)


def lookup(ctx: SourceContext, entity: str, ids: Iterable[Any]) -> dict[Any, str]:
    """The names of the `entity` records `ids` (a slice's values: a bounded list)."""
    wanted = sorted({i for i in ids if isinstance(i, str)})
    if not wanted:
        return {}
    table = names(ctx, entity)
    rows = table.filter(table._label_key.isin(wanted)).to_pyarrow().to_pylist()
    return {r["_label_key"]: r["_label"] for r in rows if r["_label"] is not None}


def with_row_labels(ctx: SourceContext, table: ir.Table) -> ir.Table:
    """`table` with `<column>_label` beside every id column that names a record with a
    name (owner, team, campaign, account, ...), in the warehouse (a join per column)."""
    targets = ref_targets()
    for column in list(table.columns):
        target = targets.get(column)
        label = f"{column.removesuffix('_id')}{LABEL_SUFFIX}"
        if target is None or label in table.columns or not ctx.warehouse.has_table(target):
            continue
        lookup_table = names(ctx, target).view()
        joined = table.left_join(lookup_table, table[column] == lookup_table._label_key)
        position = joined.columns.index(column) + 1
        labelled = joined.rename({label: "_label"}).drop("_label_key")
        ordered = [*labelled.columns[:position]]
        rest = [c for c in labelled.columns if c not in ordered and c != label]
        table = labelled.select(*ordered, label, *rest)
    return table
