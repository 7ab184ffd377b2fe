"""Business time as a warehouse expression: minutes of working hours between two instants.

Working hours are `start`..`end` (UTC), Monday to Friday. With F(t) the working minutes
from a fixed Monday to t, the working minutes between a and b are F(b) - F(a): one
expression per row, on every backend, no calendar table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.routing.rules import BusinessHours

if TYPE_CHECKING:
    import ibis.expr.types as ir

# 1970-01-01 was a Thursday: three days later counted from the Monday before it.
_MONDAY_SHIFT = 3 * 86_400


def working_minutes_since_epoch(at: ir.TimestampValue, hours: BusinessHours) -> ir.FloatingValue:
    """F(at): working minutes from Monday 1969-12-29 00:00 UTC to `at`."""
    import ibis

    seconds = at.epoch_seconds().cast("float64") + _MONDAY_SHIFT
    day = (seconds / 86_400).floor()
    week = (day / 7).floor()
    weekday = day - week * 7
    minute = (seconds - day * 86_400) / 60
    per_day = (hours.end - hours.start) * 60
    into_day = (minute - hours.start * 60).clip(lower=0, upper=per_day)
    today = ibis.ifelse(weekday < 5, into_day, 0)
    full_days = ibis.least(weekday, 5)
    return (week * 5 * per_day + full_days * per_day + today).cast("float64")


def working_minutes(
    start: ir.TimestampValue, end: ir.TimestampValue, hours: BusinessHours
) -> ir.FloatingValue:
    """Working minutes from `start` to `end`."""
    return working_minutes_since_epoch(end, hours) - working_minutes_since_epoch(start, hours)
