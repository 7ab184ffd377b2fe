"""Values as JSON takes them, for every surface that renders warehouse rows."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """`value` as JSON takes it: numbers, strings, ISO dates, None for missing."""
    import pandas as pd

    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp) and value.tzinfo is None and value == value.normalize():
        # Backends hand date columns to pandas as midnight timestamps: they are days.
        return value.date().isoformat()
    if hasattr(value, "item"):
        return plain(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
