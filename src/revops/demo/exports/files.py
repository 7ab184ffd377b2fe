"""Writing export files the same way every time, so the same company gives the same bytes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def write_csv(rows: pd.DataFrame, out_dir: Path, relative: str) -> int:
    """Write `rows` to `out_dir/relative` as UTF-8 CSV with a header; returns the row count."""
    path = out_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(path, index=False, lineterminator="\n")
    return len(rows)
