"""Coaching analytics: each rep against their team's benchmarks with outliers flagged,
and which sales plays and content win, with confidence intervals. Every value is a
catalog metric computed in the warehouse; this package compares the small results.
"""

from __future__ import annotations

from revops.coaching.component import Coaching
from revops.coaching.outliers import flag_outliers
from revops.coaching.plays import Grouping, compare_plays
from revops.coaching.reps import rep_benchmarks, rep_values
from revops.coaching.result import CoachingTable

__all__ = [
    "Coaching",
    "CoachingTable",
    "Grouping",
    "compare_plays",
    "flag_outliers",
    "rep_benchmarks",
    "rep_values",
]
