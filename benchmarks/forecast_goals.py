"""The forecast's goal table on demo companies with a market slowdown (issue 19).

Usage: python benchmarks/forecast_goals.py --fit 1,2,3 --report 4,5,6 [--root DIR]
       [--slowdown 2025-07-01:0.8] [--recovery DATE] [--accounts 2000] [--periods 10]
       [--report-periods 8] [--methods a,b] [--runs-cache DIR]

For each seed a demo workspace `ROOT/sSEED-<options>` is made once (`revops demo --accounts N
--seed S --as-of 2026-11-22 --slowdown ...`) and backtested over `--periods` quarters; the first
`periods - report-periods` are a warm-up for the calibrated ranges (each quarter's range is
calibrated on the quarters before it), and the table is over the last `--report-periods`.

The **recommended call** at week w of a quarter is, as `revops forecast` picks it, the method
with the best median accuracy at week w over the backtested quarters before it (time-correct:
never the quarter itself; the ensemble while fewer than 2 are before it). Per group of seeds
(fitting, reporting) it prints:

- WAPE (Σ|P50 - actual| / Σ actual) of the recommended call and of the weighted pipeline at
  week 6, their ratio (goal ≤ 0.5), and the recommended call's WAPE from week 9 (goal ≤ 0.10);
- bias (Σ(P50 - actual) / Σ actual) of the recommended call in each quarter that ends after
  the slowdown starts (goal within ±10 %);
- P10-P90 coverage of the recommended call, as forecast and calibrated, over all weeks and
  by fiscal quarter (goal 75-85 %), and the calibrated P25-P75's.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
from forecast_accuracy import AS_OF, backtest, workspace_for

FALLBACK = "ensemble"


def _calibrated(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs' ranges calibrated again (the cached ones may be from other code), from the
    demo's history start as the backtest does."""
    from revops.core import FiscalCalendar
    from revops.demo import DemoParams
    from revops.demo.params import history_start
    from revops.forecast.calibrate import CALIBRATED, calibrate_runs, calibration_start

    params = DemoParams(as_of=AS_OF)
    calendar = FiscalCalendar(params.fiscal_year_start_month)
    since = calibration_start(history_start(params), lambda d: calendar.period_of(d, "quarter"))
    raw = runs.drop(columns=[*CALIBRATED, "in_range_cal", "in_50"], errors="ignore")
    return calibrate_runs(raw, since)


def recommended(runs: pd.DataFrame) -> pd.DataFrame:
    """One run per seed, period and week: the method the earlier periods' backtest picks."""
    runs = runs.assign(start=runs.groupby(["seed", "period"])["as_of_date"].transform("min"))
    chosen = []
    for (seed, start, week), cell in runs.groupby(["seed", "start", "week"]):
        earlier = runs[(runs["seed"] == seed) & (runs["start"] < start) & (runs["week"] == week)]
        pick = FALLBACK
        if earlier["period"].nunique() >= 2:
            pick = str(earlier.groupby("method")["accuracy"].median().idxmax())
        row = cell[cell["method"] == pick]
        chosen.append(row if len(row) else cell[cell["method"] == FALLBACK])
    return pd.concat(chosen, ignore_index=True)


def wape(frame: pd.DataFrame) -> float:
    return float(frame["error"].abs().sum() / frame["actual"].sum())


def goal_table(
    call: pd.DataFrame, runs: pd.DataFrame, slowdown: date | None, name: str = "recommended"
) -> str:
    """The goal table of a group of seeds: `call` the recommended runs, `runs` all."""
    weighted = runs[runs["method"] == "weighted"]
    lines = [f"seeds {sorted(runs['seed'].unique())}, {runs['period'].nunique()} quarters each"]
    w6, b6 = wape(call[call["week"] == 6]), wape(weighted[weighted["week"] == 6])
    late = call[call["week"] >= 9]
    lines.append(
        f"WAPE at week 6: {name} {w6:.3f}, weighted pipeline {b6:.3f}, ratio {w6 / b6:.2f} "
        f"(goal ≤ 0.50); {name} from week 9: {wape(late):.3f} (goal ≤ 0.10; weighted "
        f"{wape(weighted[weighted['week'] >= 9]):.3f})"
    )
    picks = call["method"].value_counts().to_dict()
    lines.append(f"methods of the {name} call (runs): {picks}")
    ends = call.groupby("period")["as_of_date"].max()
    after = [p for p, end in ends.items() if slowdown is None or end >= slowdown]
    bias = (
        call[call["period"].isin(after)]
        .groupby("period")
        .apply(lambda g: g["error"].sum() / g["actual"].sum(), include_groups=False)
    )
    lines.append(f"{name} bias (Σ error / Σ actual) by quarter from the slowdown (goal ±10 %):")
    lines.append("| quarter | bias | within |\n|---|---|---|")
    lines += [f"| {p} | {b:+.3f} | {'yes' if abs(b) <= 0.10 else 'no'} |" for p, b in bias.items()]
    quarter = call["period"].str.extract(r"-(Q\d)$")[0]
    lines.append(f"coverage of the {name} call (goal P10-P90 0.75-0.85):")
    lines.append("| group | forecasts | P10-P90 raw | P10-P90 calibrated | P25-P75 calibrated |")
    lines.append("|---|---|---|---|---|")
    groups = [("all", call)] + [(q, call[quarter == q]) for q in sorted(quarter.dropna().unique())]
    for name, cell in groups:
        lines.append(
            f"| {name} | {len(cell)} | {cell['in_range'].astype(float).mean():.3f} | "
            f"{cell['in_range_cal'].astype(float).mean():.3f} | {cell['in_50'].mean():.3f} |"
        )
    by_week = call.groupby("week").agg(
        raw=("in_range", "mean"), cal=("in_range_cal", "mean"), mid=("in_50", "mean")
    )
    lines.append("by week: " + ", ".join(
        f"{w}: {r.raw:.2f}/{r.cal:.2f}/{r.mid:.2f}" for w, r in by_week.iterrows()
    ) + "  (raw 80 / calibrated 80 / calibrated 50)")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", default="1,2,3")
    parser.add_argument("--report", default="4,5,6")
    parser.add_argument("--root", type=Path)
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--slowdown", default="2025-07-01:0.8")
    parser.add_argument("--recovery")
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--report-periods", type=int, default=8)
    parser.add_argument("--methods")
    parser.add_argument("--runs-cache", type=Path, help="keep each seed's runs as CSV here")
    args = parser.parse_args()
    root = args.root or Path(tempfile.mkdtemp(prefix="revops-goals-"))
    regime = ["--slowdown", args.slowdown] if args.slowdown else []
    regime += ["--recovery", args.recovery] if args.recovery else []
    slowdown = date.fromisoformat(args.slowdown.split(":")[0]) if args.slowdown else None
    methods = args.methods.split(",") if args.methods else None
    for title, seeds in (("fitting", args.fit), ("reporting", args.report)):
        frames = []
        for seed in (int(s) for s in seeds.split(",") if s):
            cached = args.runs_cache / f"s{seed}.csv" if args.runs_cache else None
            if cached is not None and cached.exists():
                runs = pd.read_csv(cached, parse_dates=["as_of_date"])
                runs["as_of_date"] = runs["as_of_date"].dt.date
            else:
                workspace = workspace_for(root, seed, args.accounts, options=regime)
                runs = backtest(workspace, args.periods, methods)
                if cached is not None:
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    runs.to_csv(cached, index=False)
            frames.append(_calibrated(runs).assign(seed=seed))
        if not frames:
            continue
        runs = pd.concat(frames, ignore_index=True)
        starts = runs.groupby("period")["as_of_date"].min().sort_values()
        kept = list(starts.index[-args.report_periods :])
        print(f"\n## {title} seeds\n")
        # The warm-up quarters still choose the method (and calibrated the later ones).
        call = recommended(runs)
        reported = runs[runs["period"].isin(kept)]
        print(goal_table(call[call["period"].isin(kept)], reported, slowdown))
        print("\n### the ensemble alone, at every week\n")
        ensemble = reported[reported["method"] == "ensemble"]
        print(goal_table(ensemble, reported, slowdown, "ensemble"))


if __name__ == "__main__":
    main()
