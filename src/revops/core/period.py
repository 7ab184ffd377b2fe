"""Periods: a fiscal month, quarter or year, or a custom span of days.

A period is a half-open span of dates, ``start`` inclusive and ``end`` exclusive, so that
consecutive periods meet without overlapping and ``end - start`` is the number of days.
Periods are made by a :class:`~revops.core.calendar.FiscalCalendar`; they carry their fiscal
year and index, so that they can move to their neighbours without the calendar.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from revops.errors import CalendarError

PeriodKind = Literal["month", "quarter", "year", "custom"]

# How many calendar months one period of each fiscal kind spans.
MONTHS_IN: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
# How many periods of each fiscal kind make a fiscal year.
PER_YEAR: dict[str, int] = {"month": 12, "quarter": 4, "year": 1}


def to_date(d: date | datetime) -> date:
    """The calendar date of `d`; an aware datetime is converted to UTC first.

    Args:
        d: a date, or a naive (taken as UTC) or timezone-aware datetime.

    Returns:
        The date, as a plain :class:`datetime.date`.

    Raises:
        CalendarError: `d` is neither a date nor a datetime.

    Examples:
        >>> from datetime import date, datetime, timedelta, timezone
        >>> to_date(date(2024, 3, 31))
        datetime.date(2024, 3, 31)
        >>> to_date(datetime(2024, 3, 31, 22, 0, tzinfo=timezone(timedelta(hours=-5))))
        datetime.date(2024, 4, 1)
    """
    if isinstance(d, datetime):
        if d.tzinfo is not None and d.utcoffset() is not None:
            d = d.astimezone(UTC)
        return d.date()
    if isinstance(d, date):
        return d
    raise CalendarError(f"expected a date or datetime, got {type(d).__name__} {d!r}")


def add_months(d: date, months: int) -> date:
    """The first day of the month `months` after the month of `d` (`d` is a first day)."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    if not date.min.year <= year <= date.max.year:
        raise CalendarError(f"a period {months:+d} months from {d} is outside years 1..9999")
    return date(year, month0 + 1, 1)


@functools.total_ordering
@dataclass(frozen=True)
class Period:
    """A span of dates: a fiscal month, quarter or year, or a custom span.

    Attributes:
        kind: ``month``, ``quarter``, ``year`` or ``custom``.
        start: the first day of the period.
        end: the day after the last day of the period (exclusive).
        fiscal_year: the fiscal year of a month, quarter or year; ``None`` for a custom span.
        index: the number of a month (1..12) or quarter (1..4) within its fiscal year;
            ``None`` for a year or a custom span.

    Periods sort by start, then end (then kind, fiscal year and index, to break ties).

    Examples:
        >>> from revops.core import FiscalCalendar
        >>> q3 = FiscalCalendar(start_month=2).quarter(2025, 3)
        >>> q3.label, q3.start, q3.end, q3.days
        ('FY2025-Q3', datetime.date(2024, 8, 1), datetime.date(2024, 11, 1), 92)
        >>> str(q3.next()), str(q3.shift(-3))
        ('FY2025-Q4', 'FY2024-Q4')
    """

    kind: PeriodKind
    start: date
    end: date
    fiscal_year: int | None = None
    index: int | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, datetime) or not isinstance(value, date):
                raise CalendarError(f"period {name} must be a date, got {value!r}")
        if self.end <= self.start:
            raise CalendarError(
                f"a period must end after it starts: start {self.start}, end {self.end}"
            )
        if self.kind == "custom":
            if self.fiscal_year is not None or self.index is not None:
                raise CalendarError("a custom period has no fiscal year or index")
            return
        if self.kind not in MONTHS_IN:
            raise CalendarError(f"unknown period kind {self.kind!r}")
        if self.fiscal_year is None:
            raise CalendarError(f"a fiscal {self.kind} needs its fiscal year")
        if self.kind == "year":
            if self.index is not None:
                raise CalendarError("a fiscal year has no index")
        elif self.index is None or not 1 <= self.index <= PER_YEAR[self.kind]:
            raise CalendarError(
                f"a fiscal {self.kind} index must be 1..{PER_YEAR[self.kind]}, got {self.index}"
            )

    @property
    def label(self) -> str:
        """``FY2025``, ``FY2025-Q3``, ``FY2025-M07`` or ``2024-01-01..2024-03-31``.

        A custom label names its last day, inclusive, as people write date ranges.
        """
        if self.kind == "year":
            return f"FY{self.fiscal_year}"
        if self.kind == "quarter":
            return f"FY{self.fiscal_year}-Q{self.index}"
        if self.kind == "month":
            return f"FY{self.fiscal_year}-M{self.index:02d}"
        return f"{self.start.isoformat()}..{self.last_day.isoformat()}"

    @property
    def last_day(self) -> date:
        """The last day of the period (inclusive)."""
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        """The number of days in the period."""
        return (self.end - self.start).days

    def contains(self, d: date | datetime) -> bool:
        """Whether `d` falls in the period (an aware datetime is taken in UTC).

        Examples:
            >>> from revops.core import FiscalCalendar
            >>> fy = FiscalCalendar(start_month=4).year(2025)
            >>> fy.contains(date(2024, 4, 1)), fy.contains(date(2025, 4, 1))
            (True, False)
        """
        return self.start <= to_date(d) < self.end

    def shift(self, n: int) -> Period:
        """The period `n` periods of the same kind later (earlier if `n` is negative).

        A custom period moves by its own length in days.

        Raises:
            CalendarError: the shifted period would fall outside years 1..9999.

        Examples:
            >>> from revops.core import FiscalCalendar
            >>> m = FiscalCalendar(start_month=4).month(2025, 12)
            >>> m.start, m.shift(1).label, m.shift(1).start
            (datetime.date(2025, 3, 1), 'FY2026-M01', datetime.date(2025, 4, 1))
        """
        if self.kind == "custom":
            try:
                step = timedelta(days=n * self.days)
                return Period("custom", self.start + step, self.end + step)
            except OverflowError as exc:
                raise CalendarError(f"{self.label} shifted by {n} is out of range") from exc
        assert self.fiscal_year is not None  # checked in __post_init__
        per_year = PER_YEAR[self.kind]
        fiscal_year, index0 = divmod(
            self.fiscal_year * per_year + (self.index or 1) - 1 + n, per_year
        )
        months = n * MONTHS_IN[self.kind]
        return Period(
            self.kind,
            add_months(self.start, months),
            add_months(self.end, months),
            fiscal_year,
            None if self.kind == "year" else index0 + 1,
        )

    def next(self) -> Period:
        """The period of the same kind that starts where this one ends."""
        return self.shift(1)

    def previous(self) -> Period:
        """The period of the same kind that ends where this one starts."""
        return self.shift(-1)

    def _sort_key(self) -> tuple[date, date, str, int, int]:
        return (self.start, self.end, self.kind, self.fiscal_year or 0, self.index or 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    def __str__(self) -> str:
        return self.label
