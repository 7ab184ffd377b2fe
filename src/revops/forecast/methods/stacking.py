"""Stacking: combine member probabilities with weights learned out of time, per weeks left.

The ensemble's members are each fitted on past snapshots, so their chances on those same
snapshots are too good to learn weights from. Instead each recent completed period is
scored by the members as they were fitted at that period's start (knowing only the periods
before it), and a logistic regression per bucket of days left in the period learns how
much to trust each member, and how far to move the chances of deals whose close date is in
the period (quarter-end pushes make those late deals slip more than the members expect).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

LEFT_EDGES = (10.0, 24.0, 52.0)
"""Days left in the period that split the buckets: the last week, the two before, the
rest of the second half, the first half (for a quarter's weekly as-of days)."""
MIN_ROWS = 100
"""A bucket with fewer out-of-time snapshots (or with one outcome only) is not learned:
its deals get the members' mean."""
EDGE = 1e-4
"""Chances are clipped this far from 0 and 1 before taking log-odds."""


@dataclass(frozen=True)
class Stack:
    """One fitted logistic regression per bucket of days left (None: use the mean)."""

    models: dict[int, Any] = field(default_factory=dict)


def buckets(days_left: np.ndarray) -> np.ndarray:
    """The bucket of each number of days left (0 = the last days of the period).

    Examples:
        >>> import numpy as np
        >>> buckets(np.array([7.0, 14.0, 35.0, 84.0])).tolist()
        [0, 1, 2, 3]
    """
    import numpy as np

    found: np.ndarray = np.searchsorted(LEFT_EDGES, np.asarray(days_left, dtype=float))
    return found


def inputs(chances: np.ndarray, in_period: np.ndarray, days_left: np.ndarray) -> np.ndarray:
    """The regression's inputs: each member's log-odds, the close-date-in-period flag, and
    weeks left with its product with the flag (within a bucket, deals dated in the period
    close at a rate that falls as its end nears)."""
    import numpy as np

    clipped = np.clip(np.asarray(chances, dtype=float), EDGE, 1 - EDGE)
    logits = np.log(clipped / (1 - clipped))
    flag = np.asarray(in_period, dtype=float)
    weeks = np.asarray(days_left, dtype=float) / 7.0
    return np.column_stack([logits, flag, weeks, flag * weeks])


def fit_stack(
    chances: np.ndarray, in_period: np.ndarray, days_left: np.ndarray, won: np.ndarray
) -> Stack:
    """Learn one combination per bucket of days left from out-of-time scored snapshots.

    Args:
        chances: one row per snapshot, one column per member: the member's chance, from a
            fit that did not see the snapshot's period.
        in_period: whether the deal's close date was before its period's end (0/1).
        days_left: days from the snapshot's day to its period's end.
        won: whether the deal was won before its period ended.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = inputs(chances, in_period, days_left)
    y = np.asarray(won, dtype=int)
    bucket = buckets(days_left)
    models: dict[int, Any] = {}
    for b in range(len(LEFT_EDGES) + 1):
        rows = bucket == b
        if rows.sum() < MIN_ROWS or len(np.unique(y[rows])) < 2:
            models[b] = None
            continue
        # A tight tolerance: the default stops lbfgs a few steps in, short of the optimum.
        regression = LogisticRegression(C=1.0, tol=1e-8, max_iter=1_000)
        models[b] = regression.fit(x[rows], y[rows])
    return Stack(models)


def apply_stack(
    stack: Stack, chances: np.ndarray, in_period: np.ndarray, days_left: np.ndarray
) -> np.ndarray:
    """Each deal's combined chance: its bucket's regression, or the members' mean."""
    import numpy as np

    chances = np.asarray(chances, dtype=float)
    out: np.ndarray = chances.mean(axis=1) if chances.size else np.zeros(len(chances))
    if not len(chances):
        return out
    x = inputs(chances, in_period, days_left)
    bucket = buckets(days_left)
    for b, model in stack.models.items():
        rows = bucket == b
        if model is not None and rows.any():
            out[rows] = model.predict_proba(x[rows])[:, 1]
    return out
