"""The record of every defect the generator injects: the ground truth of `truth/`.

Each change is one row of `truth/defects.csv`; duplicates also form clusters (the
original and its copies share a `cluster_id`) written to `truth/duplicate_clusters.csv`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd

from revops.demo.defects.addresses import PersonalAddresses

Defect = Literal[
    "duplicate_person",
    "duplicate_account",
    "missing_required",
    "missing_amount",
    "missing_email",
    "invalid_email",
    "invalid_phone",
    "inconsistent_country",
    "inconsistent_industry",
    "orphan_reference",
]

DEFECT_COLUMNS = [
    "system",
    "object",
    "record_id",
    "defect",
    "field",
    "original",
    "injected",
    "cluster_id",
]
CLUSTER_COLUMNS = ["cluster_id", "system", "object", "record_id", "is_original"]
# Anything with one value per record: a list, a NumPy array or a pandas Series.
Values: TypeAlias = "Sequence[Any] | np.ndarray[Any, Any] | pd.Series[Any]"


def as_text(values: Values) -> np.ndarray[Any, Any]:
    """Values as the strings a CSV export shows: missing values become empty strings."""
    series = pd.Series(np.asarray(values, dtype="O"), dtype="O")
    return series.where(series.notna(), "").astype(str).to_numpy(dtype="O")


class DefectLog:
    """Collects injected defects, column-wise so that logging costs no per-row Python.

    Examples:
        >>> log = DefectLog()
        >>> log.record(system="salesforce", object="Contact", defect="invalid_email",
        ...            field="Email", record_ids=["003A"], original=["a@b.com"],
        ...            injected=["a@@b.com"])
        >>> log.to_frame()[["record_id", "defect", "original", "injected"]]
          record_id         defect original  injected
        0      003A  invalid_email  a@b.com  a@@b.com
        >>> log.new_clusters(2)
        ['dup-000001', 'dup-000002']
    """

    def __init__(self) -> None:
        self._defects: list[dict[str, np.ndarray[Any, Any]]] = []
        self._members: list[dict[str, np.ndarray[Any, Any]]] = []
        self._clusters = 0
        # Personal mailboxes written so far, so that no two people share one.
        self.addresses = PersonalAddresses()

    def __len__(self) -> int:
        return sum(len(chunk["record_id"]) for chunk in self._defects)

    def new_clusters(self, n: int) -> list[str]:
        """`n` fresh cluster ids, numbered in the order they are asked for."""
        start = self._clusters + 1
        self._clusters += n
        return [f"dup-{i:06d}" for i in range(start, start + n)]

    def record(
        self,
        *,
        system: str,
        object: str,
        defect: Defect,
        field: str,
        record_ids: Values,
        original: Values,
        injected: Values,
        cluster_ids: Values | None = None,
    ) -> None:
        """Log one change per record: `field` of `record_ids` went from `original` to
        `injected` (all aligned; values are stored as the text an export shows)."""
        ids = as_text(record_ids)
        n = len(ids)
        if n == 0:
            return
        clusters = np.full(n, "", dtype="O") if cluster_ids is None else as_text(cluster_ids)
        self._defects.append(
            {
                "system": np.full(n, system, dtype="O"),
                "object": np.full(n, object, dtype="O"),
                "record_id": ids,
                "defect": np.full(n, defect, dtype="O"),
                "field": np.full(n, field, dtype="O"),
                "original": as_text(original),
                "injected": as_text(injected),
                "cluster_id": clusters,
            }
        )

    def record_clusters(
        self,
        *,
        system: str,
        object: str,
        cluster_ids: Sequence[str],
        original_ids: Values,
        copy_ids: Values,
    ) -> None:
        """Log that each original and its copy (aligned) form the cluster `cluster_ids`."""
        n = len(cluster_ids)
        if n == 0:
            return
        self._members.append(
            {
                "cluster_id": np.concatenate([as_text(cluster_ids), as_text(cluster_ids)]),
                "system": np.full(2 * n, system, dtype="O"),
                "object": np.full(2 * n, object, dtype="O"),
                "record_id": np.concatenate([as_text(original_ids), as_text(copy_ids)]),
                "is_original": np.repeat([True, False], n),
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """Every logged change, in the order logged (columns `DEFECT_COLUMNS`)."""
        return _concat(self._defects, DEFECT_COLUMNS)

    def clusters(self) -> pd.DataFrame:
        """Every duplicate cluster member, sorted by cluster, original first."""
        frame = _concat(self._members, CLUSTER_COLUMNS)
        frame["is_original"] = frame["is_original"].astype(bool)
        return frame.sort_values(
            ["cluster_id", "is_original"], ascending=[True, False], kind="stable"
        ).reset_index(drop=True)


def _concat(chunks: list[dict[str, np.ndarray[Any, Any]]], columns: list[str]) -> pd.DataFrame:
    if not chunks:
        return pd.DataFrame({column: pd.Series(dtype="O") for column in columns})
    return pd.DataFrame(
        {column: np.concatenate([chunk[column] for chunk in chunks]) for column in columns}
    )
