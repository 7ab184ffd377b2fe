"""What duplicates of people and of companies share: where the copies go, and how they
are logged as clusters.

Placement: each copy is inserted at a random place *after* its original (a duplicate is
entered later), and every original row keeps its relative order. That hides the copies as
well as shuffling the whole frame would, without scrambling the untouched rows, so an
export sorted by the caller stays sorted except for the copies and a diff of the untouched
data stays empty. The result has a fresh RangeIndex.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from revops.demo.defects.log import Defect, DefectLog
from revops.demo.defects.selection import IntArray, column_text, put


def copy_rows(
    df: pd.DataFrame, rows: IntArray, id_column: str, new_ids: Callable[[int], Sequence[str]]
) -> pd.DataFrame:
    """The rows of `df` at `rows`, with a fresh RangeIndex and new ids from `new_ids`."""
    copies = df.iloc[rows].reset_index(drop=True)
    put(copies, id_column, np.arange(len(rows)), list(new_ids(len(rows))))
    return copies


def place_copies(
    df: pd.DataFrame, copies: pd.DataFrame, rows: IntArray, rng: np.random.Generator
) -> pd.DataFrame:
    """`df` with `copies[i]` inserted at a random position after row `rows[i]`.

    Examples:
        >>> df = pd.DataFrame({"id": ["a", "b", "c"]})
        >>> copies = pd.DataFrame({"id": ["a2"]})
        >>> out = place_copies(df, copies, np.array([0]), np.random.default_rng(0))
        >>> ids = out["id"].tolist()
        >>> ids.index("a2") > ids.index("a"), [i for i in ids if i != "a2"]
        (True, ['a', 'b', 'c'])
    """
    n = len(df)
    # Insert before row `after` (n = at the end): a uniform slot in (rows[i], n].
    after = rows + 1 + (rng.random(len(rows)) * (n - rows)).astype(np.intp)
    keys = np.concatenate([np.arange(n, dtype=float), after - 0.5])
    order = np.argsort(keys, kind="stable")
    both = pd.concat([df.reset_index(drop=True), copies], ignore_index=True)
    return both.iloc[order].reset_index(drop=True)


def log_copies(
    log: DefectLog,
    *,
    df: pd.DataFrame,
    rows: IntArray,
    copies: pd.DataFrame,
    id_column: str,
    fields: Sequence[str],
    defect: Defect,
    system: str,
    object: str,
) -> None:
    """Log each copy: one row mapping the original's id to the copy's (`field` is the id
    column), one row per field whose value differs from the original, and the cluster."""
    clusters = log.new_clusters(len(rows))
    original_ids = column_text(df, id_column, rows).to_numpy(dtype="O")
    copy_ids = column_text(copies, id_column, np.arange(len(rows))).to_numpy(dtype="O")
    log.record(
        system=system,
        object=object,
        defect=defect,
        field=id_column,
        record_ids=copy_ids,
        original=original_ids,
        injected=copy_ids,
        cluster_ids=clusters,
    )
    cluster_array = np.asarray(clusters, dtype="O")
    for field in fields:
        before = column_text(df, field, rows).to_numpy(dtype="O")
        after = column_text(copies, field, np.arange(len(rows))).to_numpy(dtype="O")
        changed = before != after
        log.record(
            system=system,
            object=object,
            defect=defect,
            field=field,
            record_ids=copy_ids[changed],
            original=before[changed],
            injected=after[changed],
            cluster_ids=cluster_array[changed],
        )
    log.record_clusters(
        system=system,
        object=object,
        cluster_ids=clusters,
        original_ids=original_ids,
        copy_ids=copy_ids,
    )
