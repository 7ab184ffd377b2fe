"""Values as people read them, shared by the cockpit and the meeting pack."""

from __future__ import annotations

__all__ = ["formatted"]


def formatted(value: float | None, unit: str) -> str:
    """A value as a person reads it: ``$1.2M``, ``42%``, ``3.5 days``.

    Examples:
        >>> formatted(1234567, "money"), formatted(0.4215, "ratio"), formatted(None, "count")
        ('$1.23M', '42.1%', '-')
        >>> formatted(-2120, "money"), formatted(-81, "money")
        ('-$2.12k', '-$81')
        >>> formatted(3.304, "multiple"), formatted(4200, "money_per_day"), formatted(12, "ratio")
        ('3.3×', '$4.2k/day', '1200.0%')
    """
    if value is None:
        return "-"
    if unit == "money_per_day":
        return formatted(value, "money") + "/day"
    if unit == "multiple":
        return f"{value:.1f}×"
    if unit == "money":
        sign = "-" if value < 0 else ""
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                return f"{sign}${abs(value) / size:.3g}{suffix}"
        return f"{sign}${abs(value):,.0f}"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit in ("days", "hours", "months"):
        return f"{value:,.1f} {unit}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.2f}"
