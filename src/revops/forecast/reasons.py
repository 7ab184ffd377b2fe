"""Why a deal has its win probability: each feature's contribution, from the method itself.

A deal's reasons are the method's own answer to "what if this one thing were typical": for
each feature group (its stage, its close date, its activity, its owner's record, ...), the
deal's probability is recomputed with that group set to the typical open deal's value (the
median of the training snapshots, or the most common stage or category), and the change
is the group's contribution in probability points. The method's `period_chances` gives
both numbers, so the reasons of the model, of stage conversion and of the ensemble are
their own (occlusion), and cost one call on the deals times the groups.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from revops.core import Period
    from revops.forecast.data import ForecastData
    from revops.forecast.methods.base import DealMethod

TOP_REASONS = 3
GROUPS: dict[str, tuple[str, ...]] = {
    "stage": ("stage", "stage_order"),
    "close date": ("close_date",),
    "amount": ("amount",),
    "forecast category": ("forecast_category",),
    "CRM probability": ("probability",),
    "age": ("days_open",),
    "days in stage": ("days_in_stage",),
    "pushes": ("pushes",),
    "activity": ("days_since_activity", "recent_activities", "activities"),
    "owner's record": ("owner_won", "owner_closed"),
    "segment": ("segment", "segment_won", "segment_closed"),
    "type": ("type",),
    "lead source": ("lead_source",),
}
"""Snapshot columns that move together: a stage and its order, a record's wins and closes."""


def typical(training: pd.DataFrame, as_of: date) -> dict[str, object]:
    """The typical deal's value of every column of :data:`GROUPS`, from labelled snapshots.

    Numbers: the median; categories: the most common value; the stage with its order; the
    close date as far after `as_of` as the median snapshot's was after its day.
    """
    import pandas as pd

    values: dict[str, object] = {}
    if training.empty:
        return values
    for columns in GROUPS.values():
        for column in columns:
            if column not in training.columns or column == "close_date":
                continue
            found = training[column].dropna()
            if found.empty:
                values[column] = None
            elif pd.api.types.is_numeric_dtype(found) and column != "stage_order":
                values[column] = float(found.median())
            elif column == "stage_order":
                continue
            else:
                values[column] = found.mode().iloc[0]
    stage = values.get("stage")
    if stage is not None and "stage_order" in training.columns:
        orders = training.loc[training["stage"] == stage, "stage_order"]
        values["stage_order"] = int(orders.iloc[0]) if len(orders) else None
    ahead = (
        pd.to_datetime(training["close_date"]) - pd.to_datetime(training["as_of_date"])
    ).dt.days.dropna()
    if len(ahead):
        values["close_date"] = as_of + timedelta(days=int(ahead.median()))
    # A feature with no typical value (none in the history) is not varied.
    return {k: v for k, v in values.items() if v is not None}


def deal_reasons(
    method: DealMethod,
    data: ForecastData,
    as_of: date,
    period: Period,
    deals: pd.DataFrame,
    top: int = TOP_REASONS,
) -> list[list[dict[str, object]]]:
    """The top `top` reasons of each of `deals` (rows of the method's open deals as of
    `as_of`): `feature`, `value` (the deal's, as text) and `effect` (probability points the
    feature adds against the typical deal's value; negative when it holds the deal back).

    Empty lists when the method has no features to vary (a top-down method, no history).
    """
    import numpy as np
    import pandas as pd

    from revops.forecast.methods.base import with_period_features

    if deals.empty:
        return []
    reference = typical(data.training(as_of), as_of)
    ids = deals["opportunity_id"].tolist()
    base = data.open_at(as_of)
    base = base[base["opportunity_id"].isin(ids)].set_index("opportunity_id").loc[ids]
    base = base.reset_index()
    groups = [
        (name, list(columns))
        for name, columns in GROUPS.items()
        if all(c in reference and c in base.columns for c in columns)
    ]
    frames = [base]
    for _, columns in groups:
        changed = base.copy()
        for column in columns:
            changed[column] = reference[column]  # type: ignore[call-overload]
        frames.append(changed)
    stacked = pd.concat(frames, ignore_index=True)
    stacked = with_period_features(stacked, period.end)
    chances = np.asarray(method.period_chances(stacked, period), dtype=float)
    count = len(base)
    now = chances[:count]
    out: list[list[dict[str, object]]] = []
    for row in range(count):
        found = []
        for k, (name, columns) in enumerate(groups, start=1):
            effect = float(now[row] - chances[k * count + row])
            if abs(effect) >= 0.005:
                found.append({"feature": name, "value": _shown(name, base.iloc[row], columns),
                              "effect": round(effect, 3)})  # fmt: skip
        found.sort(key=lambda r: -abs(float(str(r["effect"]))))
        out.append(found[:top])
    return out


def reasons_text(reasons: list[dict[str, object]]) -> str:
    """One line: ``stage Negotiation +12 pts; no activity -8 pts``."""
    return "; ".join(
        f"{r['feature']} {r['value']} {float(str(r['effect'])) * 100:+.0f} pts" for r in reasons
    )


def _shown(name: str, row: pd.Series, columns: list[str]) -> str:
    """The deal's own value of a feature group, as a person reads it."""
    import math

    def known(value: object) -> bool:
        return value is not None and not (isinstance(value, float) and math.isnan(value))

    first = row[columns[0]]
    if name == "activity":
        since = row.get("days_since_activity")
        if not known(since):
            return "(none logged)"
        return f"(last {float(str(since)):.0f} days ago, {int(row.get('activities') or 0)} in all)"
    if name == "owner's record":
        return f"(won {int(row['owner_won'])} of {int(row['owner_closed'])} closed)"
    if name in ("age", "days in stage"):
        return f"{float(str(first)):.0f} days" if known(first) else "(unknown)"
    if name == "pushes":
        return f"{int(float(str(first)))}×" if known(first) else "(unknown)"
    if name == "CRM probability":
        return f"{float(str(first)):.0f}%" if known(first) else "(none)"
    if name == "amount":
        return f"{float(str(first)):,.0f}" if known(first) else "(none)"
    if name == "close date":
        return str(first)[:10] if known(first) else "(none)"
    return str(first) if known(first) else "(none)"
