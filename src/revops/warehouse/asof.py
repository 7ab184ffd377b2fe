"""As-of reads of history tables: the version of each record valid at a moment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir


def as_of(history: ir.Table, at: datetime, key: str, *, valid_from: str = "valid_from") -> ir.Table:
    """Rows of `history` valid at `at`: per `key`, the last version with `valid_from <= at`.

    A record whose first version starts after `at` did not exist yet and is absent.
    Versions with the same `valid_from` are told apart by `load_id` (the later load wins)
    when the table has one, so the answer never depends on the backend's row order.

    Args:
        history: a table with one row per version of a record.
        at: the moment; naive datetimes are taken as UTC.
        key: the column identifying the record (e.g. `opportunity_id`).
        valid_from: the column holding when each version became valid.
    """
    moment = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    column_type = history.schema()[valid_from]
    # Spark has no zoned timestamps: its values are UTC wall-clock times.
    value = moment if column_type.timezone else moment.replace(tzinfo=None)
    eligible = history.filter(history[valid_from] <= ibis.literal(value, type=column_type))
    order = [ibis.desc(eligible[valid_from])]
    if "load_id" in history.columns:
        order.append(ibis.desc(eligible["load_id"]))
    window = ibis.window(group_by=eligible[key], order_by=order)
    ranked = eligible.mutate(_version_rank=ibis.row_number().over(window))
    return ranked.filter(ranked["_version_rank"] == 0).drop("_version_rank")


def with_validity(
    history: ir.Table, key: str, *, valid_from: str = "valid_from", valid_to: str = "valid_to"
) -> ir.Table:
    """`history` with a `valid_to` column: when the next version of the record began.

    The current version has a null `valid_to`.
    """
    window = ibis.window(group_by=history[key], order_by=history[valid_from])
    return history.mutate(**{valid_to: history[valid_from].lead().over(window)})
