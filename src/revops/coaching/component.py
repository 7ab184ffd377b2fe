"""`ws.coaching`: rep benchmarks and methodology comparisons, for every surface."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from revops.coaching.plays import Grouping, compare_plays
from revops.coaching.reps import Against, rep_benchmarks

if TYPE_CHECKING:
    from revops.coaching.result import CoachingTable
    from revops.metrics import Metrics, Scope


class Coaching:
    """Where managers can coach and which way of selling works (``ws.coaching``).

    Args:
        metrics: the workspace's metric layer, whose catalog metrics it reads.
    """

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def reps(
        self,
        window: str | None = None,
        *,
        as_of: date | None = None,
        scope: Scope | None = None,
        threshold: float = 2.0,
        fence: float = 1.5,
        min_sample: int = 3,
        outliers_only: bool = False,
        against: Against = "team",
    ) -> CoachingTable:
        """Each rep against their team in `window` (default the quarter of `as_of`); see
        :func:`revops.coaching.rep_benchmarks`."""
        return rep_benchmarks(
            self.metrics,
            window,
            as_of=as_of or _today(),
            scope=scope,
            threshold=threshold,
            fence=fence,
            min_sample=min_sample,
            outliers_only=outliers_only,
            against=against,
        )

    def plays(
        self,
        window: str | None = None,
        *,
        by: Grouping = "sales_play",
        as_of: date | None = None,
        scope: Scope | None = None,
        confidence: float = 0.95,
    ) -> CoachingTable:
        """Win rate and cycle per sales play or content type against the rest, with
        intervals; see :func:`revops.coaching.compare_plays`."""
        return compare_plays(
            self.metrics, window, by=by, as_of=as_of or _today(), scope=scope,
            confidence=confidence,
        )  # fmt: skip


def _today() -> date:
    return datetime.now(UTC).date()
