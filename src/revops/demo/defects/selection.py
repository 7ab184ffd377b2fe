"""Choosing which rows get a defect, and writing new values into a column without loops."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

IntArray = np.ndarray[Any, np.dtype[np.intp]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


def count_for(rate: float, total: int) -> int:
    """How many of `total` records a defect at `rate` touches: `round(rate × total)`.

    Examples:
        >>> count_for(0.04, 5_000), count_for(0.0, 10)
        (200, 0)
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"a defect rate is a share between 0 and 1, not {rate}")
    return round(rate * total)


def pick(rng: np.random.Generator, eligible: BoolArray, rate: float) -> IntArray:
    """Positions (sorted) of `round(rate × len(eligible))` rows drawn without replacement
    among the eligible ones; all of them when fewer are eligible.

    Examples:
        >>> rows = pick(np.random.default_rng(0), np.ones(1_000, dtype=bool), 0.05)
        >>> len(rows), bool((np.diff(rows) > 0).all())
        (50, True)
    """
    candidates = np.flatnonzero(eligible)
    k = min(count_for(rate, len(eligible)), len(candidates))
    return np.sort(rng.choice(candidates, size=k, replace=False)).astype(np.intp)


def is_text(series: pd.Series[Any]) -> bool:
    """Whether a column holds text (object or pandas string dtype)."""
    return series.dtype == "O" or isinstance(series.dtype, pd.StringDtype)


def is_blank(series: pd.Series[Any]) -> BoolArray:
    """Missing or whitespace-only values, as a CSV export leaves an empty field."""
    missing = series.isna().to_numpy(dtype=bool)
    if not is_text(series):
        return missing
    stripped = series.astype("string").str.strip()
    return missing | (stripped == "").fillna(True).to_numpy(dtype=bool)


def column_text(frame: pd.DataFrame, column: str, positions: IntArray) -> pd.Series[str]:
    """The values of `column` at `positions` as strings (missing → ""), index 0..k-1."""
    values = frame[column].iloc[positions].reset_index(drop=True)
    return values.astype("O").where(values.notna(), "").astype(str)


def put(frame: pd.DataFrame, column: str, positions: IntArray, values: Any) -> None:
    """Write `values` at `positions` of a text column of `frame` (which it owns), keeping
    a pandas string dtype if the column has one."""
    current = frame[column]
    array = current.to_numpy(dtype="O", copy=True)
    array[positions] = np.asarray(values, dtype="O")
    if isinstance(current.dtype, pd.StringDtype):
        frame[column] = pd.array(array, dtype=current.dtype)
    else:
        frame[column] = array


def blank(frame: pd.DataFrame, column: str, mask: BoolArray) -> None:
    """Empty `column` of `frame` (which it owns) where `mask` holds: "" in text columns,
    missing in others. Integer and boolean columns become their nullable pandas types,
    so the values left keep printing as integers (not `47.0`) in the export."""
    series = frame[column]
    if not mask.any():
        return
    if is_text(series):
        put(frame, column, np.flatnonzero(mask), np.full(int(mask.sum()), "", dtype="O"))
        return
    if pd.api.types.is_bool_dtype(series.dtype):
        series = series.astype("boolean")
    elif pd.api.types.is_integer_dtype(series.dtype):
        series = series.astype("Int64")
    frame[column] = series.mask(pd.Series(mask, index=series.index))
