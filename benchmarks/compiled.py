"""Metric queries with compiled SQL reused by shape, against compiling every query.

Usage: python benchmarks/compiled.py --workspace DIR [--days 4] [--as-of 2026-11-22]

On a demo workspace (`revops demo`), in one process: the explorer calls a person makes
(each of bookings, pipeline created, win rate and ARR for the as-of day's quarter, the one
before and the fiscal year; as one value, by month and by segment: 36 calls) as of `--days`
days a week apart, first with every query compiled (the cache holding nothing: the
baseline), then with the cache of :mod:`revops.warehouse.compiled`. Printed per phase:
seconds per as-of day, p50 and p95 of a call, queries compiled and filled in from a
template; then whether both phases gave the same values, and the ratio of their times.
"""

from __future__ import annotations

import argparse
import itertools
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

METRICS = ("bookings", "pipeline_created", "win_rate", "arr")
SHAPES: tuple[dict[str, Any], ...] = ({}, {"grain": "month"}, {"by": ["segment"]})


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def calls(ws: Any, as_of: date) -> list[tuple[str, str, dict[str, Any]]]:
    """The 36 explorer calls as of `as_of`."""
    quarter = ws.metrics.window(None, as_of)
    windows = [quarter.label, quarter.shift(-1).label, quarter.label.split("-")[0]]
    return [(m, w, s) for m, w, s in itertools.product(METRICS, windows, SHAPES)]


def phase(ws: Any, days: list[date], size: int) -> tuple[list[float], list[float], list[Any]]:
    """Run every call of every day with a cache of `size` shapes; the seconds per day and
    per call, and the values."""
    cache = ws.warehouse.compiled
    cache.clear()
    cache.size = size
    per_day, per_call, values = [], [], []
    for day in days:
        began = time.perf_counter()
        for metric, window, shape in calls(ws, day):
            start = time.perf_counter()
            result = ws.metrics.compute([metric], window, as_of=day, **shape)
            per_call.append(time.perf_counter() - start)
            values.append(result.frame["value"].round(6).tolist())
        per_day.append(time.perf_counter() - began)
    return per_day, per_call, values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 22))
    args = parser.parse_args()

    from revops import Workspace

    ws = Workspace.open(args.workspace)
    days = [args.as_of - timedelta(days=7 * k) for k in range(args.days)]
    ws.metrics.compute(["bookings"], None, as_of=days[0])  # imports, catalog, connection
    results = {}
    for name, size in (("every query compiled (baseline)", 0), ("compiled SQL reused", 1000)):
        cache = ws.warehouse.compiled
        compiles, hits = cache.compiles, cache.hits
        per_day, per_call, values = phase(ws, days, size)
        results[name] = (sum(per_day), values)
        p50, p95 = percentile(per_call, 0.5), percentile(per_call, 0.95)
        print(f"{name:34} days {' '.join(f'{s:6.2f}s' for s in per_day)}  "
              f"call p50 {1000 * p50:6.0f} ms  p95 {1000 * p95:6.0f} ms  "
              f"compiled {cache.compiles - compiles:4}  "
              f"filled in {cache.hits - hits:4}")  # fmt: skip
    (base, base_values), (fast, fast_values) = results.values()
    print(f"same values in both phases: {'yes' if base_values == fast_values else 'NO'}")
    print(f"time: {fast:.1f} s against {base:.1f} s ({fast / base:.2f} of the baseline)")


if __name__ == "__main__":
    main()
