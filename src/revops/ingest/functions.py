"""SQL functions a mapping's `expr` may call, besides DuckDB's own (DuckDB macros,
created in every ingest engine). docs/ingest.md lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

MACROS = {
    # Months one bill covers: `n` (default 1) intervals of day, week, month or year.
    "interval_months(unit, n)": (
        "CASE lower(trim(unit)) WHEN 'month' THEN 1.0 WHEN 'year' THEN 12.0 "
        "WHEN 'week' THEN 12.0 / 52 WHEN 'day' THEN 12.0 / 365 END "
        "* coalesce(TRY_CAST(n AS DOUBLE), 1)"
    ),
    # A bill of `cents` per unit for `quantity` units (default 1) as a monthly amount,
    # unrounded: 4 x 50000 cents a year = 166.666...
    "monthly_amount(cents, quantity, unit, n)": (
        "TRY_CAST(cents AS DOUBLE) * coalesce(TRY_CAST(quantity AS DOUBLE), 1) / 100 "
        "/ interval_months(unit, n)"
    ),
    # A field of a Stripe subscription's coupon: from its `discount` (`legacy`, the
    # flattened `discount.coupon.<field>`), else from the first of its expanded
    # `discounts` (JSON text), whose coupon is `coupon` or `source.coupon`.
    "stripe_coupon(legacy, discounts, field)": (
        "coalesce(legacy, json_extract_string(discounts, '$[0].coupon.' || field), "
        "json_extract_string(discounts, '$[0].source.coupon.' || field))"
    ),
    # Unix seconds of an instant written as Unix seconds or ISO 8601 text.
    "unix_seconds(x)": ("coalesce(TRY_CAST(x AS DOUBLE), epoch(TRY_CAST(x AS TIMESTAMPTZ)))"),
    # When a Stripe subscription stops (Unix seconds): it ended, or is set to end at
    # cancel_at, or at the period's end when it cancels at period end; null: it runs on.
    "stripe_end(ended_at, cancel_at, at_period_end, period_end)": (
        "coalesce(ended_at, cancel_at, CASE WHEN lower(at_period_end) = 'true' THEN period_end END)"
    ),
}


def create_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Create :data:`MACROS` in `con`."""
    for signature, body in MACROS.items():
        con.execute(f"CREATE OR REPLACE MACRO {signature} AS {body}")
