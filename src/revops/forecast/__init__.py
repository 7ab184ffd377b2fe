"""Revenue forecasting: methods fitted as of a day, ranges, the call and the backtest.

`ws.forecast` is the component surfaces use (see :class:`Forecasting`); see
docs/forecast.md for the methods and how they are measured.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from revops.forecast.protocol import Forecast, Forecaster

if TYPE_CHECKING:
    import pandas as pd

    from revops.core import PeriodKind
    from revops.forecast.backtest import BacktestResult
    from revops.forecast.call import ForecastCall
    from revops.forecast.deal import DealChance
    from revops.metrics import Metrics, Scope
    from revops.warehouse import Warehouse

__all__ = ["Forecast", "Forecaster", "Forecasting"]


class Forecasting:
    """The forecast component of a workspace.

    Args:
        metrics: the metric layer (bookings, the calendar, the warehouse's sources).
        warehouse: returns the warehouse, to store backtest results.
    """

    def __init__(self, metrics: Metrics, warehouse: Callable[[], Warehouse]) -> None:
        self.metrics = metrics
        self._warehouse = warehouse

    def methods(self) -> list[str]:
        """The names of the forecast methods."""
        from revops.forecast.methods import METHODS

        return list(METHODS)

    def call(
        self,
        period: str | None = None,
        *,
        as_of: date | None = None,
        methods: Sequence[str] | None = None,
        scope: Scope | None = None,
    ) -> ForecastCall:
        """The forecast call for `period` (default the quarter holding the as-of day).

        With a `scope`, every method is fitted on and forecasts the rows of that scope only
        (a rep's own deals and bookings), so its numbers and deals name nothing outside it.

        Raises:
            ForecastError: a period that cannot be forecast, an unknown method, no history.
            MetricError: an unreadable period label.
        """
        from revops.forecast.call import forecast_call

        day = as_of or date.today()
        window = self.metrics.window(period, day)
        from revops.forecast.store import stored_runs

        summary, why = self._summary_for(window.kind, scope)
        runs = stored_runs(self._warehouse()) if summary is not None else None
        return forecast_call(
            self.metrics,
            window,
            day,
            methods,
            scope=scope,
            summary=summary,
            why_none=why,
            runs=runs,
        )

    def _summary_for(self, kind: str, scope: Scope | None) -> tuple[pd.DataFrame | None, str]:
        """The stored backtest summary to choose the recommended method by, or why none."""
        from revops.forecast.store import stored_kind

        if scope is not None and scope.restricted:
            return None, "the stored backtest measures the whole company, not these rows"
        summary = self.stored_backtest()
        if summary is None or summary.empty:
            return None, "no backtest is stored (run `revops forecast backtest`)"
        measured = stored_kind(self._warehouse())
        if measured != kind:
            return None, f"the stored backtest is of {measured}s, not {kind}s"
        return summary, ""

    def deal(
        self,
        opportunity_id: str,
        close_date: date | None,
        *,
        as_of: date | None = None,
        scope: Scope | None = None,
    ) -> DealChance | None:
        """The open deal's win probability in its forecast period and the reasons for it
        (:mod:`revops.forecast.deal`); None when the forecast cannot say."""
        from revops.forecast.deal import deal_chance

        return deal_chance(
            self.metrics, opportunity_id, close_date, as_of or date.today(), scope=scope
        )

    def backtest(
        self,
        *,
        periods: int = 8,
        methods: Sequence[str] | None = None,
        as_of: date | None = None,
        kind: PeriodKind = "quarter",
        store: bool = True,
    ) -> BacktestResult:
        """Backtest the methods weekly over the last `periods` completed periods.

        Args:
            periods: how many completed periods.
            methods: method names (default all).
            as_of: the last day of data (default today).
            kind: ``quarter`` or ``month``.
            store: replace the stored backtest (tables `core.forecast_backtest*`).
        """
        from revops.forecast.backtest import run_backtest
        from revops.forecast.store import save_backtest

        result = run_backtest(
            self.metrics,
            last_day=as_of or date.today(),
            periods=periods,
            methods=methods,
            kind=kind,
        )
        if store:
            save_backtest(self._warehouse(), result)
        return result

    def stored_backtest(self) -> pd.DataFrame | None:
        """The summary of the last stored backtest, or None."""
        from revops.forecast.store import stored_summary

        return stored_summary(self._warehouse())
