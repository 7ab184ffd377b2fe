"""Rules compiled to Ibis: one query per entity, a pair of boolean columns per rule.

:func:`evaluate` turns the rules of one entity into a table with one row per record:
for rule *i*, ``applies_i`` (the record is in the rule's scope) and ``fails_i`` (it is,
and breaks the rule), then ``checks`` (rules applicable), ``failures`` and
``passes_all``. Checks that need other rows (references, touches, uniqueness) are joins
and windows in the same query; nothing is evaluated in Python.

Time: evaluated *as of* a day, a table holds only the records created by the end of
that day, references find only records created by then, ages count back from it, and
touches dated after it or logged after it do not count. Opportunities are read as their
history stood at the end of the day (:func:`revops.metrics.deals_as_of`: stage, amount,
close date, owner, won and closed then); other records keep no history, so their field
values are their current ones.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from typing import TYPE_CHECKING, Any

from revops.config import RevOpsConfig
from revops.metrics import deals_as_of
from revops.metrics.compile import moment
from revops.metrics.expression import compile_filter
from revops.metrics.sources import EMAIL_PREFIX, PEOPLE
from revops.model import ENTITIES
from revops.quality.rules import (
    Age,
    Compare,
    Condition,
    OneOf,
    Pattern,
    Recent,
    Reference,
    Required,
    Rule,
    Unique,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.warehouse import Warehouse

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True)
class Evaluated:
    """The per-record table of one entity and the rules its columns stand for.

    Attributes:
        entity: the entity evaluated.
        rules: the rules; rule ``rules[i]`` is columns ``applies_i`` and ``fails_i``.
        table: one row per record: ``record_id``, ``owner_id``, the rule columns,
            ``checks``, ``failures``, ``passes_all``.
    """

    entity: str
    rules: tuple[Rule, ...]
    table: ir.Table


def records(warehouse: Warehouse, entity: str, as_of: date) -> ir.Table:
    """The records of `entity` that existed at the end of `as_of` (undated ones too)."""
    spec = ENTITIES[entity]
    table = warehouse.table(entity, spec.namespace)
    end = moment(table, "created_at", as_of + timedelta(days=1))
    return table.filter(table.created_at.isnull() | (table.created_at < end))


def records_as_of(warehouse: Warehouse, config: RevOpsConfig, entity: str, as_of: date) -> ir.Table:
    """:func:`records`, each as it stood at the end of `as_of` where history says so:
    opportunities read from the opportunity history versions saved by then."""
    table = records(warehouse, entity, as_of)
    history = ENTITIES["opportunity_history"]
    if entity != "opportunity" or not warehouse.has_table(history.name, history.namespace):
        return table
    versions = records(warehouse, history.name, as_of)
    return deals_as_of(table, versions, config.opportunity_stages, as_of)


def evaluate(
    warehouse: Warehouse,
    config: RevOpsConfig,
    entity: str,
    rules: Sequence[Rule],
    as_of: date,
) -> Evaluated:
    """The rules of `entity` evaluated on every record, as one Ibis expression."""
    import ibis

    table = records_as_of(warehouse, config, entity, as_of)
    compiler = _Compiler(warehouse, config, entity, as_of)
    table = compiler.prepare(table, rules)
    columns: dict[str, Any] = {
        "record_id": table[ENTITIES[entity].id_column],
        "owner_id": table.owner_id if "owner_id" in table.columns else ibis.null("string"),
    }
    for index, rule in enumerate(rules):
        applies = compiler.scope(table, rule)
        ok = compiler.check(table, rule, index)
        columns[f"applies_{index}"] = applies
        columns[f"fails_{index}"] = applies & ~ok
    out = table.select(**columns)
    if rules:
        checks = reduce(operator.add, [as_count(out[f"applies_{i}"]) for i in range(len(rules))])
        failed = reduce(operator.add, [as_count(out[f"fails_{i}"]) for i in range(len(rules))])
    else:
        checks = failed = ibis.literal(0, type="int64")
    out = out.mutate(checks=checks, failures=failed)
    return Evaluated(entity, tuple(rules), out.mutate(passes_all=out.failures == 0))


class _Compiler:
    """Turns rules into Ibis booleans over one entity's table."""

    def __init__(
        self, warehouse: Warehouse, config: RevOpsConfig, entity: str, as_of: date
    ) -> None:
        self.warehouse = warehouse
        self.config = config
        self.entity = entity
        self.as_of = as_of

    def prepare(self, table: ir.Table, rules: Sequence[Rule]) -> ir.Table:
        """`table` with the helper columns of the checks that need other rows."""
        import ibis

        for index, rule in enumerate(rules):
            check = rule.check
            if isinstance(check, Reference):
                table = self._join_reference(table, check, index)
            elif isinstance(check, Recent):
                table = self._join_touches(table, check, index)
            elif isinstance(check, Unique):
                keys = {
                    f"_key_{index}_{j}": _normalised(table[column], check.normalise)
                    for j, column in enumerate(check.columns)
                }
                table = table.mutate(**keys)
                window = ibis.window(group_by=[table[k] for k in keys])
                table = table.mutate(
                    **{f"_same_{index}": table[next(iter(keys))].count().over(window)}
                )
        return table

    def _join_reference(self, table: ir.Table, check: Reference, index: int) -> ir.Table:
        import ibis

        spec = ENTITIES[check.entity]
        # A record created after the day did not exist yet to be referred to.
        target = records(self.warehouse, check.entity, self.as_of)
        name = f"_ref_{index}"
        keys = target.select(**{name: target[spec.id_column]})
        if check.entity in PEOPLE:
            mailed = target.filter(target.email.notnull())
            aliases = mailed.select(**{name: ibis.literal(EMAIL_PREFIX) + mailed.email.lower()})
            keys = keys.union(aliases)
        keys = keys.distinct()
        joined = table.left_join(keys, table[check.column] == keys[name])
        # A plain projection: later column lookups on a join expression cost ibis far more.
        return joined.select(*table.columns, name)

    def _join_touches(self, table: ir.Table, check: Recent, index: int) -> ir.Table:
        # A touch logged after the day (whatever date it carries) was not known yet.
        touches = records(self.warehouse, check.entity, self.as_of)
        key = check.key or f"{self.entity}_id"
        end = moment(touches, check.time, self.as_of + timedelta(days=1))
        known = touches.filter(touches[key].notnull() & (touches[check.time] < end))
        latest = known.group_by(known[key].name(f"_touched_{index}")).aggregate(
            **{f"_last_{index}": known[check.time].max()}
        )
        id_column = ENTITIES[self.entity].id_column
        joined = table.left_join(latest, table[id_column] == latest[f"_touched_{index}"])
        return joined.select(*table.columns, f"_last_{index}")

    def scope(self, table: ir.Table, rule: Rule) -> ir.BooleanValue:
        """Whether each record is one the rule applies to."""
        import ibis

        conditions: list[Any] = [ibis.literal(True)]
        if rule.when is not None:
            conditions.append(compile_filter(rule.when, table).fill_null(False))
        if rule.stage_after is not None:
            names = [s.name for s in self.config.opportunity_stages]
            position = [n.casefold() for n in names].index(rule.stage_after.casefold())
            conditions.append(table.stage.isin(names[position + 1 :]).fill_null(False))
        if rule.stage_category is not None:
            chosen = [
                s.name for s in self.config.opportunity_stages if s.category in rule.stage_category
            ]
            conditions.append(table.stage.isin(chosen).fill_null(False))
        return reduce(operator.and_, conditions)

    def check(self, table: ir.Table, rule: Rule, index: int) -> ir.BooleanValue:
        """Whether each record satisfies the rule's check (true when out of scope)."""
        import ibis

        check = rule.check
        if isinstance(check, Required):
            return reduce(operator.and_, [_filled(table[c]) for c in check.columns])
        if isinstance(check, Pattern):
            value = table[check.column].cast("string")
            return value.isnull() | value.re_search(check.regex).fill_null(False)
        if isinstance(check, OneOf):
            value = table[check.column]
            return value.isnull() | value.isin(list(self._allowed(check)))
        if isinstance(check, Compare):
            left, right = _comparable(table[check.left], table[check.right])
            held = _OPERATORS[check.op](left, right)
            return (left.isnull() | right.isnull() | held).fill_null(True)
        if isinstance(check, Condition):
            return compile_filter(check.condition, table).fill_null(True)
        if isinstance(check, Reference):
            return table[check.column].isnull() | table[f"_ref_{index}"].notnull()
        if isinstance(check, Age):
            since = moment(table, check.column, self.as_of - timedelta(days=check.max_days))
            return table[check.column].isnull() | (table[check.column] >= since)
        if isinstance(check, Recent):
            since = moment(table, "created_at", self.as_of - timedelta(days=check.max_days))
            touched = table[f"_last_{index}"]
            created = table.created_at
            return ((created >= since).fill_null(False)) | (touched >= since).fill_null(False)
        assert isinstance(check, Unique)
        keys = [table[f"_key_{index}_{j}"] for j in range(len(check.columns))]
        incomplete = reduce(operator.or_, [k.isnull() for k in keys])
        return incomplete | (table[f"_same_{index}"] <= ibis.literal(1))

    def _allowed(self, check: OneOf) -> tuple[str, ...]:
        if check.codes is None:
            return check.values
        if check.codes == "opportunity_stages":
            return tuple(s.name for s in self.config.opportunity_stages)
        if check.codes == "lifecycle_stages":
            return tuple(s.name for s in self.config.lifecycle_stages)
        import pycountry

        if check.codes == "iso_country":
            return tuple(sorted(c.alpha_2 for c in pycountry.countries))
        return tuple(sorted(c.alpha_3 for c in pycountry.currencies))


def as_count(flag: ir.BooleanValue) -> ir.IntegerValue:
    """1 for true, 0 otherwise: PostgreSQL cannot cast a boolean to a bigint."""
    return flag.ifelse(1, 0).cast("int64")


def _filled(value: ir.Value) -> ir.BooleanValue:
    if value.type().is_string():
        return value.notnull() & (value.strip() != "").fill_null(False)
    return value.notnull()


def _normalised(value: ir.Value, normalise: bool) -> ir.Value:
    if normalise and value.type().is_string():
        cleaned = value.strip().lower()
        return cleaned.nullif("")
    return value


def _comparable(left: ir.Value, right: ir.Value) -> tuple[Any, Any]:
    """Both sides as dates when one of them is a date and the other a timestamp."""
    if left.type().is_date() and right.type().is_timestamp():
        return left, right.date()
    if left.type().is_timestamp() and right.type().is_date():
        return left.date(), right
    return left, right
