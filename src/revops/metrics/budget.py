"""The query budget: what one request may ask of the warehouse (`query_budget` in
revops.yaml). Checked before the work where it can be known before (window length,
periods × metrics) and on the result where it cannot (slices)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.errors import BudgetError

if TYPE_CHECKING:
    from revops.config import QueryBudget
    from revops.core import Period


def check_window(period: Period, budget: QueryBudget) -> None:
    """Refuse a window longer than `budget.max_window_days`.

    Raises:
        BudgetError: naming the window's length and the limit.
    """
    days = (period.end - period.start).days
    if days > budget.max_window_days:
        raise BudgetError(
            f"the window {period.label} is {days:,} days long; the query budget allows "
            f"{budget.max_window_days:,} (query_budget.max_window_days)"
        )


def check_cells(cells: int, budget: QueryBudget, what: str) -> None:
    """Refuse a request of more than `budget.max_cells` values.

    Raises:
        BudgetError: naming what was asked (`what`), its count and the limit.
    """
    if cells > budget.max_cells:
        raise BudgetError(
            f"{what} make {cells:,} values; the query budget allows {budget.max_cells:,} "
            "per request (query_budget.max_cells): ask for a shorter window, a larger "
            "grain or fewer slices"
        )
