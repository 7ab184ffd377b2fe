"""The pure domain of revops: fiscal periods and money, with no warehouse in sight.

Nothing here imports from the rest of revops except :mod:`revops.errors`, so every other
layer can use it.
"""

from revops.core.calendar import FiscalCalendar
from revops.core.money import FxRates, Money
from revops.core.period import Period, PeriodKind

__all__ = ["FiscalCalendar", "FxRates", "Money", "Period", "PeriodKind"]
