"""Writing export files the same way every time, so the same company gives the same bytes."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# Rows formatted and written at a time: small enough that a slice's text is a few hundred
# MiB at most, large enough that writing it slice by slice costs no time.
SLICE_ROWS = 200_000


@dataclass(frozen=True)
class LazyRows:
    """An export's rows, formatted a slice at a time: `format(slice(i, j))` gives rows
    `i` to `j - 1` (with a fresh index) of a file of `count` rows.

    The largest exports (millions of rows of text) are written this way, so their text
    never sits in memory all at once; what stays is whatever compact arrays `format`
    reads from. `format` gives text and numbers, never datetimes: pandas writes a
    datetime column in a format it picks from all the values it writes at once.
    """

    count: int
    format: Callable[[slice], pd.DataFrame]

    def frame(self) -> pd.DataFrame:
        """Every row at once."""
        return self.format(slice(0, self.count))

    def slices(self, size: int = SLICE_ROWS) -> list[slice]:
        """Consecutive slices of at most `size` rows covering every row; one empty slice
        for no rows, so the header still gets written."""
        starts = range(0, max(self.count, 1), size)
        return [slice(start, min(start + size, self.count)) for start in starts]


def to_frame(rows: pd.DataFrame | LazyRows) -> pd.DataFrame:
    """Every row of `rows` at once, as a frame."""
    return rows if isinstance(rows, pd.DataFrame) else rows.frame()


def write_csv(rows: pd.DataFrame | LazyRows, out_dir: Path, relative: str) -> int:
    """Write `rows` to `out_dir/relative` as UTF-8 CSV with a header; returns the row count.

    Lazy rows are written a slice at a time; each slice's text is freed before the next
    is formatted. The bytes are those of writing every row at once.
    """
    path = out_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(rows, pd.DataFrame):
        rows.to_csv(path, index=False, lineterminator="\n")
        return len(rows)
    with path.open("w", encoding="utf-8", newline="") as file:
        for number, part in enumerate(rows.slices()):
            rows.format(part).to_csv(file, header=number == 0, index=False, lineterminator="\n")
    return rows.count


def write_jsonl(records: list[dict[str, object]], out_dir: Path, relative: str) -> int:
    """Write `records` as JSON Lines (one compact object a line); returns the count."""
    path = out_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as file:
        for record in records:
            file.write(json.dumps(record, separators=(",", ":")) + "\n")
    return len(records)
