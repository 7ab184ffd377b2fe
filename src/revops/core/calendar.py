"""The fiscal calendar: which fiscal year, quarter and month a date belongs to.

A fiscal year starts on the first day of ``start_month`` and runs twelve calendar months.
It is named by the calendar year in which it ends (``naming="end"``, the default: with
``start_month=2``, February 2024 to January 2025 is FY2025) or in which it starts
(``naming="start"``: the same year is FY2024). With ``start_month=1`` the fiscal year is the
calendar year under either naming.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from revops.core.period import MONTHS_IN, PER_YEAR, Period, PeriodKind, add_months, to_date
from revops.errors import CalendarError

__all__ = ["FiscalCalendar", "Period", "PeriodKind", "to_date"]

_FISCAL = re.compile(r"FY(?P<year>\d{1,4})(?:-(?P<unit>[QM])(?P<index>\d{1,2}))?", re.IGNORECASE)
_CUSTOM = re.compile(r"(?P<start>\d{4}-\d{2}-\d{2})\.\.(?P<last>\d{4}-\d{2}-\d{2})")
_LABEL_FORMS = "FY2025, FY2025-Q3, FY2025-M07 or 2024-01-01..2024-03-31"


@dataclass(frozen=True)
class FiscalCalendar:
    """A fiscal calendar: the month its years start in, and how its years are named.

    Args:
        start_month: the calendar month (1..12) in which a fiscal year starts.
        naming: name a fiscal year by the calendar year in which it ``end``s or ``start``s.

    Raises:
        CalendarError: `start_month` is not 1..12, or `naming` is neither end nor start.

    Examples:
        >>> cal = FiscalCalendar(start_month=4)
        >>> cal.fiscal_year_of(date(2024, 3, 31)), cal.fiscal_quarter_of(date(2024, 3, 31))
        (2024, 4)
        >>> cal.period_of(date(2024, 4, 1), "quarter").label
        'FY2025-Q1'
        >>> FiscalCalendar(start_month=4, naming="start").fiscal_year_of(date(2024, 4, 1))
        2024
    """

    start_month: int = 1
    naming: Literal["end", "start"] = "end"

    def __post_init__(self) -> None:
        month = self.start_month
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise CalendarError(f"fiscal year start month must be 1..12, got {month!r}")
        if self.naming not in ("end", "start"):
            raise CalendarError(f"fiscal year naming must be 'end' or 'start', got {self.naming!r}")

    @property
    def _name_offset(self) -> int:
        """Fiscal year name minus the calendar year in which the fiscal year starts."""
        return 1 if self.naming == "end" and self.start_month != 1 else 0

    def _year_start(self, fiscal_year: int) -> date:
        year = fiscal_year - self._name_offset
        if not date.min.year <= year <= date.max.year:
            raise CalendarError(f"fiscal year {fiscal_year} is outside the supported years")
        return date(year, self.start_month, 1)

    def fiscal_year_of(self, d: date | datetime) -> int:
        """The fiscal year that `d` falls in.

        Examples:
            >>> FiscalCalendar(start_month=2).fiscal_year_of(date(2024, 2, 1))
            2025
            >>> FiscalCalendar(start_month=2).fiscal_year_of(date(2024, 1, 31))
            2024
        """
        d = to_date(d)
        started = d.year if d.month >= self.start_month else d.year - 1
        return started + self._name_offset

    def _month_index(self, d: date) -> int:
        """The number (1..12) of the fiscal month of `d` within its fiscal year."""
        return (d.month - self.start_month) % 12 + 1

    def fiscal_quarter_of(self, d: date | datetime) -> int:
        """The fiscal quarter (1..4) that `d` falls in.

        Examples:
            >>> FiscalCalendar(start_month=4).fiscal_quarter_of(date(2024, 4, 1))
            1
            >>> FiscalCalendar().fiscal_quarter_of(date(2024, 8, 15))
            3
        """
        return (self._month_index(to_date(d)) - 1) // 3 + 1

    def period_of(self, d: date | datetime, kind: PeriodKind) -> Period:
        """The fiscal month, quarter or year that `d` falls in.

        Raises:
            CalendarError: `kind` is ``custom`` (a date has no custom period) or unknown.

        Examples:
            >>> cal = FiscalCalendar(start_month=2)
            >>> cal.period_of(date(2024, 8, 20), "month").label
            'FY2025-M07'
            >>> cal.period_of(date(2024, 8, 20), "year").start
            datetime.date(2024, 2, 1)
        """
        d = to_date(d)
        fiscal_year = self.fiscal_year_of(d)
        if kind == "year":
            return self.year(fiscal_year)
        if kind == "quarter":
            return self.quarter(fiscal_year, self.fiscal_quarter_of(d))
        if kind == "month":
            return self.month(fiscal_year, self._month_index(d))
        raise CalendarError(f"no {kind!r} period of a date; use month, quarter or year")

    def year(self, fiscal_year: int) -> Period:
        """The fiscal year named `fiscal_year`.

        Examples:
            >>> fy = FiscalCalendar(start_month=2).year(2025)
            >>> fy.start, fy.end
            (datetime.date(2024, 2, 1), datetime.date(2025, 2, 1))
        """
        start = self._year_start(fiscal_year)
        return Period("year", start, add_months(start, 12), fiscal_year)

    def quarter(self, fiscal_year: int, q: int) -> Period:
        """Quarter `q` (1..4) of the fiscal year named `fiscal_year`.

        Examples:
            >>> q1 = FiscalCalendar(start_month=2).quarter(2025, 1)
            >>> q1.start, q1.end
            (datetime.date(2024, 2, 1), datetime.date(2024, 5, 1))
        """
        return self._part("quarter", fiscal_year, q)

    def month(self, fiscal_year: int, m: int) -> Period:
        """Month `m` (1..12) of the fiscal year named `fiscal_year`; 1 is its first month.

        Examples:
            >>> FiscalCalendar(start_month=4).month(2025, 12).start
            datetime.date(2025, 3, 1)
        """
        return self._part("month", fiscal_year, m)

    def _part(self, kind: Literal["month", "quarter"], fiscal_year: int, index: int) -> Period:
        count = PER_YEAR[kind]
        if isinstance(index, bool) or not isinstance(index, int) or not 1 <= index <= count:
            raise CalendarError(f"a fiscal {kind} must be 1..{count}, got {index!r}")
        size = MONTHS_IN[kind]
        start = add_months(self._year_start(fiscal_year), (index - 1) * size)
        return Period(kind, start, add_months(start, size), fiscal_year, index)

    def custom(self, start: date | datetime, end_inclusive: date | datetime) -> Period:
        """A custom period from `start` to `end_inclusive`, both days included.

        Raises:
            CalendarError: `end_inclusive` is before `start`.

        Examples:
            >>> p = FiscalCalendar().custom(date(2024, 1, 1), date(2024, 3, 31))
            >>> p.label, p.end, p.days
            ('2024-01-01..2024-03-31', datetime.date(2024, 4, 1), 91)
        """
        first, last = to_date(start), to_date(end_inclusive)
        if last < first:
            raise CalendarError(f"a custom period cannot end ({last}) before it starts ({first})")
        if last == date.max:
            raise CalendarError("a custom period must end before 9999-12-31")
        return Period("custom", first, last + timedelta(days=1))

    def periods_between(
        self, start: date | datetime, end: date | datetime, kind: PeriodKind
    ) -> list[Period]:
        """Every period of `kind` that overlaps ``[start, end)``, in order.

        The first period may start before `start` and the last end after `end`.

        Raises:
            CalendarError: `end` is before `start`, or `kind` is ``custom``.

        Examples:
            >>> cal = FiscalCalendar(start_month=4)
            >>> quarters = cal.periods_between(date(2024, 3, 15), date(2024, 7, 1), "quarter")
            >>> [p.label for p in quarters]
            ['FY2024-Q4', 'FY2025-Q1']
        """
        first, stop = to_date(start), to_date(end)
        if stop < first:
            raise CalendarError(f"the range ends ({stop}) before it starts ({first})")
        periods: list[Period] = []
        if stop == first:
            return periods
        period = self.period_of(first, kind)
        while period.start < stop:
            periods.append(period)
            period = period.next()
        return periods

    def parse(self, label: str) -> Period:
        """The period a label names: the inverse of :attr:`Period.label`.

        Args:
            label: ``FY2025``, ``FY2025-Q3``, ``FY2025-M07`` (the 7th month of FY2025) or
                ``2024-01-01..2024-03-31`` (a custom period, both days included).

        Raises:
            CalendarError: the label has none of these forms or names an impossible period.

        Examples:
            >>> cal = FiscalCalendar(start_month=2)
            >>> cal.parse("FY2025-Q1").start
            datetime.date(2024, 2, 1)
            >>> cal.parse("2024-01-01..2024-03-31").days
            91
        """
        text = label.strip() if isinstance(label, str) else ""
        fiscal = _FISCAL.fullmatch(text)
        if fiscal:
            year = int(fiscal["year"])
            if fiscal["unit"] is None:
                return self.year(year)
            index = int(fiscal["index"])
            if fiscal["unit"].upper() == "Q":
                return self.quarter(year, index)
            return self.month(year, index)
        custom = _CUSTOM.fullmatch(text)
        if custom:
            try:
                first = date.fromisoformat(custom["start"])
                last = date.fromisoformat(custom["last"])
            except ValueError as exc:
                raise CalendarError(f"period label {label!r} holds an impossible date") from exc
            return self.custom(first, last)
        raise CalendarError(f"cannot read period label {label!r}; expected {_LABEL_FORMS}")
