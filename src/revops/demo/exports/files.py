"""Writing export files the same way every time, so the same company gives the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def write_csv(rows: pd.DataFrame, out_dir: Path, relative: str) -> int:
    """Write `rows` to `out_dir/relative` as UTF-8 CSV with a header; returns the row count."""
    path = out_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(path, index=False, lineterminator="\n")
    return len(rows)


def write_jsonl(records: list[dict[str, object]], out_dir: Path, relative: str) -> int:
    """Write `records` as JSON Lines (one compact object a line); returns the count."""
    path = out_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as file:
        for record in records:
            file.write(json.dumps(record, separators=(",", ":")) + "\n")
    return len(records)
