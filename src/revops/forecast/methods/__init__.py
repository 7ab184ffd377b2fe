"""The forecast methods, by name: each a `Forecaster` fitted as of a day."""

from __future__ import annotations

from collections.abc import Callable

from revops.errors import ForecastError
from revops.forecast.methods.ensemble import Ensemble
from revops.forecast.methods.ml import DealModel
from revops.forecast.methods.rollup import Rollup
from revops.forecast.methods.stage_conversion import StageConversion
from revops.forecast.methods.timeseries import TimeSeries
from revops.forecast.methods.weighted import Weighted
from revops.forecast.protocol import Forecaster

METHODS: dict[str, Callable[[], Forecaster]] = {
    "rollup": Rollup,
    "weighted": Weighted,
    "stage_conversion": StageConversion,
    "ml": DealModel,
    "timeseries": TimeSeries,
    "ensemble": Ensemble,
}
"""Every method, in the order reports show them."""


def make_methods(names: list[str] | None = None) -> list[Forecaster]:
    """Fresh forecasters for `names` (all when None).

    Raises:
        ForecastError: an unknown method name.
    """
    chosen = names if names else list(METHODS)
    unknown = [n for n in chosen if n not in METHODS]
    if unknown:
        raise ForecastError(
            f"unknown forecast method(s) {', '.join(unknown)}; one of {', '.join(METHODS)}"
        )
    made = {n: METHODS[n]() for n in chosen if n != "ensemble"}
    if "ensemble" in chosen:
        stage, model = made.get("stage_conversion"), made.get("ml")
        members = (
            (stage, model)
            if isinstance(stage, StageConversion) and isinstance(model, DealModel)
            else None
        )
        made["ensemble"] = Ensemble(members)
    return [made[n] for n in chosen]


__all__ = ["METHODS", "make_methods"]
