"""How Salesforce writes values in a bulk CSV export, and the world's frames read for it.

Datetimes are `2024-03-01T14:05:00.000+0000`, dates `2024-03-01`, booleans `true` and
`false`, numbers with a fixed count of decimals, nulls the empty string. Every formatter
works on a whole column at once.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from revops.demo.frames import FRAMES, World
from revops.demo.ids import canonical_number

# Channel (people.channel, opportunities.source) → the Lead Source picklist of a typical org.
LEAD_SOURCE = {
    "paid_search": "Paid Search",
    "paid_social": "Social Media",
    "organic": "Web",
    "events": "Trade Show",
    "outbound": "Outbound Prospecting",
    "partner": "Partner Referral",
    "referral": "Customer Referral",
}


def sf_datetime(values: pd.Series) -> pd.Series:
    """Salesforce datetimes of a column of UTC timestamps; `""` for NaT.

    Examples:
        >>> sf_datetime(pd.Series(pd.to_datetime(["2024-03-01 14:05", None]))).tolist()
        ['2024-03-01T14:05:00.000+0000', '']
    """
    stamps = as_datetime64(values, "s")
    text = pd.Series(np.datetime_as_string(stamps, unit="s"), index=values.index, dtype=object)
    return text.add(".000+0000").where(~np.isnat(stamps), "")


def sf_date(values: pd.Series) -> pd.Series:
    """Salesforce dates (`2024-03-01`) of a column of dates or timestamps; `""` for NaT."""
    days = as_datetime64(values, "D")
    text = pd.Series(np.datetime_as_string(days, unit="D"), index=values.index, dtype=object)
    return text.where(~np.isnat(days), "")


def sf_bool(values: pd.Series | npt.NDArray[np.bool_]) -> pd.Series:
    """`true` / `false` of a boolean column (missing counts as false).

    Examples:
        >>> sf_bool(pd.Series([True, False, None])).tolist()
        ['true', 'false', 'false']
    """
    flags = as_flags(pd.Series(values))
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(np.where(flags, "true", "false"), index=index, dtype=object)


def as_flags(values: pd.Series) -> npt.NDArray[np.bool_]:
    """A boolean column as a NumPy array, missing values counted as false."""
    flags: npt.NDArray[np.bool_] = values.astype("boolean").fillna(False).to_numpy(dtype=bool)
    return flags


def sf_number(values: pd.Series, decimals: int) -> pd.Series:
    """Numbers with exactly `decimals` decimals; `""` for NaN.

    Examples:
        >>> sf_number(pd.Series([1234.5, None, 7]), 2).tolist()
        ['1234.50', '', '7.00']
    """
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    text = numbers.map(f"{{:.{decimals}f}}".format)
    return text.where(numbers.notna(), "").astype(object)


def sf_text(values: pd.Series) -> pd.Series:
    """A text column with missing values as `""`."""
    return values.astype(object).where(values.notna(), "").astype(str).astype(object)


def shape(columns: dict[str, pd.Series | str], fields: list[str], size: int) -> pd.DataFrame:
    """A frame with exactly `fields` as columns, from whole columns or constants."""
    if sorted(columns) != sorted(fields):
        raise ValueError(f"columns {sorted(columns)} differ from the fields {sorted(fields)}")
    data = {
        name: (
            np.full(size, value, dtype=object)
            if isinstance(value, str)
            else value.to_numpy(dtype=object)
        )
        for name, value in columns.items()
    }
    return pd.DataFrame(data, columns=fields)


def frame_of(world: World, name: str) -> pd.DataFrame:
    """The frame `name` of `world` with every contract column, even when not produced."""
    data: pd.DataFrame = getattr(world, name)
    missing = [column for column in FRAMES[name] if column not in data]
    if missing:
        data = data.assign(**{column: pd.Series(dtype=object) for column in missing})
    return data.reset_index(drop=True)


def by_number(frame: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """`frame` sorted by the number of its canonical ids, so by their Salesforce ids."""
    order = np.argsort(canonical_number(frame[id_column]), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def infer_as_of(world: World) -> np.datetime64:
    """The latest moment recorded anywhere in the world: the 'now' of the export."""
    columns = {
        "accounts": ["created_at"],
        "people": ["created_at", "mql_at", "sql_at", "opportunity_at", "customer_at"],
        "opportunities": ["created_at", "closed_at"],
        "opportunity_history": ["valid_from"],
        "activities": ["occurred_at"],
        "touches": ["touched_at"],
    }
    found: list[np.datetime64] = []
    for frame_name, names in columns.items():
        data = frame_of(world, frame_name)
        for name in names:
            stamps = as_datetime64(data[name], "s")
            stamps = stamps[~np.isnat(stamps)]
            if stamps.size:
                found.append(stamps.max())
    return max(found) if found else np.datetime64("2000-01-01T00:00:00", "s")


def as_datetime64(values: pd.Series, unit: str) -> npt.NDArray[np.datetime64]:
    """A column of timestamps (any pandas datetime or object dtype) as `datetime64[unit]`."""
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = pd.to_datetime(values)
    return values.to_numpy(dtype=f"datetime64[{unit}]")
