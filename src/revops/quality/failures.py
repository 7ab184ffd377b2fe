"""The records behind a failing rule: what the report counts, one row per record, named,
with its owner, cut to a row scope and paged — the list someone works through to fix them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from revops.errors import QualityError
from revops.model import ENTITIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.metrics import Scope
    from revops.quality.compile import Evaluated
    from revops.quality.rules import Rule
    from revops.warehouse import Warehouse

COLUMNS = ("record_id", "name", "owner_id", "owner_name")


@dataclass(frozen=True)
class FailurePage:
    """One page of the records failing `rule`, and how many fail in all."""

    entity: str
    rule: Rule
    rows: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


def rule_index(evaluated: Evaluated, name: str) -> int:
    """The position of rule `name` among the evaluated rules (its ``fails_<i>`` column).

    Raises:
        QualityError: no such rule checks the entity, naming those that do.
    """
    for index, rule in enumerate(evaluated.rules):
        if rule.name == name:
            return index
    known = ", ".join(r.name for r in evaluated.rules)
    raise QualityError(f"no rule {name!r} checks {evaluated.entity}; its rules: {known}")


def _name(entity: str, table: ir.Table) -> ir.StringValue:
    """How a person reads a record of `entity`: its name, a person's full name or e-mail,
    else its id."""
    import ibis

    columns = set(table.columns)
    id_column = ENTITIES[entity].id_column
    if "name" in columns:
        return ibis.coalesce(table["name"], table[id_column].cast("string"))
    if {"first_name", "last_name"} <= columns:
        full = ibis.coalesce(table.first_name, ibis.literal("")).concat(
            ibis.literal(" "), ibis.coalesce(table.last_name, ibis.literal(""))
        )
        full = full.strip().nullif("")
        fallback = table.email if "email" in columns else table[id_column]
        return ibis.coalesce(full, fallback.cast("string"), table[id_column].cast("string"))
    return table[id_column].cast("string")


def failing_records(
    warehouse: Warehouse,
    evaluated: Evaluated,
    rule: str,
    *,
    scope: Scope | None = None,
    owner: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> FailurePage:
    """The records of `evaluated` failing rule `rule`, by owner name then name.

    Args:
        warehouse: where the records and users are.
        evaluated: the entity's rules evaluated as of a day.
        rule: the rule's name.
        scope: only records a user of this scope owns (default every record).
        owner: only this owner's records (a user id).
        limit: rows of the page.
        offset: rows skipped before it.
    """
    index = rule_index(evaluated, rule)
    spec = ENTITIES[evaluated.entity]
    table = evaluated.table
    failing = table.filter(table[f"fails_{index}"]).select("record_id", "owner_id")
    if scope is not None and scope.owners is not None:
        if not scope.owners:
            return FailurePage(evaluated.entity, evaluated.rules[index], [], 0, limit, offset)
        failing = failing.filter(failing.owner_id.isin(sorted(scope.owners)))
    if owner is not None:
        failing = failing.filter(failing.owner_id == owner)
    records = warehouse.table(spec.name, spec.namespace)
    names = records.select(_record=records[spec.id_column], name=_name(spec.name, records))
    users = warehouse.table("user", "core")
    users = users.select(_user=users.user_id, owner_name=users.name)
    named = failing.left_join(names, failing.record_id == names._record).drop("_record")
    named = named.left_join(users, named.owner_id == users._user).drop("_user")
    total = int(named.count().execute())
    order = [named.owner_name.asc(nulls_first=False), named.name, named.record_id]
    page = named.order_by(order).limit(limit, offset=offset).select(*COLUMNS)
    rows = [dict(r) for r in page.to_pyarrow().to_pylist()]
    return FailurePage(evaluated.entity, evaluated.rules[index], rows, total, limit, offset)
