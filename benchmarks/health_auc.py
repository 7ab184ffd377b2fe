"""How well health scores predict churn in the next 90 days, on demo companies (issue 28).

Usage: python benchmarks/health_auc.py --fit 1,2 --report 3,4 [--accounts 3000]
       [--root DIR] [--months 12] [--horizon 90] [--label churned|contracted]

For each seed a demo workspace `ROOT/sSEED-aACCOUNTS` is made once (`revops demo --accounts N
--years 3 --seed S --as-of 2026-11-22`) and reused. Snapshot days are the last `--months`
month ends whose 90-day outcome is known by the as-of day. At each, every company paying
that day (its golden account) gets:

- `today`: the catalog's `health_score` (the account_health engine as of the day);
- `usage`: the usage-only score (active users per seat, `usage_per_seat` of
  :mod:`revops.metrics.engines.churn_signals`);
- `learned`: the churn model (:mod:`revops.stats.churn`) fitted on the `--fit` seeds'
  snapshots (the companies of the reported seeds are never seen in fitting);
- `truth`: the generator's latent health (`truth/account_health.csv`), the ceiling.

Companies whose cancellation was already known on the day are left out: their churn is
announced, not predicted. Per reported seed it prints the AUC of each score for churn in
the following 90 days (risk = -score) and the top-decile lift (churn rate among the 10 %
riskiest / overall), then the riskiest companies of the last snapshot with their reasons.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

AS_OF = date(2026, 11, 22)


def workspace_for(root: Path, seed: int, accounts: int) -> Path:
    """The demo workspace of `seed`, made unless it is already there."""
    workspace = root / f"s{seed}-a{accounts}"
    if not (workspace / "warehouse.duckdb").exists():
        print(f"making the seed-{seed} company in {workspace} …", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "revops", "--workspace", str(workspace), "demo",
             "--accounts", str(accounts), "--years", "3", "--seed", str(seed),
             "--as-of", AS_OF.isoformat()],
            check=True,
            capture_output=True,
        )  # fmt: skip
    return workspace


def snapshots_of(workspace: Path, days: list[date], horizon: int) -> pd.DataFrame:
    """Features, labels, today's score and the latent truth of every company and day."""
    from revops import Workspace
    from revops.metrics.engines.churn_signals import snapshots
    from revops.metrics.sources import build_source
    from revops.success.risk import company_details

    ws = Workspace.open(workspace, read_only=True)
    try:
        ctx = ws.metrics.context(AS_OF)
        frame = snapshots(ctx, days, horizon)
        today = []
        for day in days:
            at = ws.metrics.context(day)
            health = build_source(at, "account_health", ws.calendar.period_of(day, "month"))
            scored = health.group_by("golden_account_id").aggregate(
                today=health.health_score.mean()
            )
            part = scored.to_pandas().rename(columns={"golden_account_id": "account_id"})
            today.append(part.assign(day=day))
        frame = frame.merge(pd.concat(today), on=["account_id", "day"], how="left")
        truth = pd.read_csv(workspace / "demo-data" / "truth" / "account_health.csv")
        truth["record"] = "salesforce:" + truth["salesforce_id"]
        golden = ctx.golden_accounts().to_pandas()
        truth = truth.merge(golden, left_on="record", right_on="account_id", how="inner")
        latent = truth.groupby("golden_account_id")["health"].mean().rename("truth")
        frame = frame.merge(latent, left_on="account_id", right_index=True, how="left")
        details = company_details(ctx, [str(i) for i in frame["account_id"].unique()])
        frame["name"] = frame["account_id"].map(lambda i: details.get(i, {}).get("name"))
        frame["csm"] = frame["account_id"].map(lambda i: details.get(i, {}).get("csm_name"))
        return frame
    finally:
        ws.close()


def lift(target: np.ndarray, risk: np.ndarray, share: float = 0.1) -> float:
    """Event rate among the `share` riskiest over the overall rate."""
    count = max(1, round(len(risk) * share))
    top = np.argsort(-risk, kind="stable")[:count]
    return float(target[top].mean() / target.mean())


def main() -> None:
    from sklearn.metrics import roc_auc_score

    from revops.metrics.engines.churn_signals import FEATURES, month_ends
    from revops.stats.churn import fit_churn_model

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fit", default="1,2")
    parser.add_argument("--report", default="3,4")
    parser.add_argument("--accounts", type=int, default=3000)
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "hbench")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--horizon", type=int, default=90)
    parser.add_argument("--label", default="churned", choices=["churned", "contracted"])
    args = parser.parse_args()
    fit_seeds = [int(s) for s in args.fit.split(",")]
    report_seeds = [int(s) for s in args.report.split(",")]
    days = month_ends(AS_OF - timedelta(days=args.horizon), args.months)
    frames = {}
    for seed in dict.fromkeys(fit_seeds + report_seeds):
        workspace = workspace_for(args.root, seed, args.accounts)
        frame = snapshots_of(workspace, days, args.horizon)
        frames[seed] = frame[~frame["has_notice"].astype(bool)]
    training = pd.concat([frames[s] for s in fit_seeds], ignore_index=True)
    model = fit_churn_model(
        training, features=list(FEATURES), trained_as_of=AS_OF, label=args.label
    )
    print(f"snapshot days {days[0]} .. {days[-1]} (month ends), horizon {args.horizon} days, "
          f"label {args.label}; fitted on seeds {fit_seeds}: {model.rows} company-days, "
          f"{model.events} events")  # fmt: skip
    print("coefficients:", {k: round(v, 2) for k, v in model.coefficients.items()})
    scores = ("today", "usage", "learned", "truth")
    header = "  ".join(f"{n + ' AUC':>12} {'lift':>5}" for n in scores)
    print(f"{'seed':>4} {'rows':>6} {'events':>6}  {header}")
    for seed in report_seeds:
        frame = frames[seed]
        target = frame[args.label].astype(bool).to_numpy()
        risks = {
            "today": -frame["today"].fillna(50.0).to_numpy(),
            "usage": -frame["usage_per_seat"].fillna(0.0).to_numpy(),
            "learned": model.predict(frame),
            "truth": -frame["truth"].fillna(0.5).to_numpy(),
        }
        cells = [
            f"{roc_auc_score(target, risk):>12.3f} {lift(target, risk):>5.2f}"
            for risk in risks.values()
        ]
        print(f"{seed:>4} {len(frame):>6} {int(target.sum()):>6}  " + "  ".join(cells))
    seed = report_seeds[0]
    last = frames[seed][frames[seed]["day"] == days[-1]].copy()
    last["risk"] = model.predict(last)
    last["arr"] = last["mrr"] * 12
    reasons = model.reasons(last)
    last["reasons"] = ["; ".join(r.text for r in rs) for rs in reasons]
    last["at_stake"] = last["risk"] * last["arr"]
    top = last.sort_values("at_stake", ascending=False).head(10)
    print(f"\ntop 10 at risk on {days[-1]} (seed {seed}), by ARR x P(churn):")
    for row in top.itertuples():
        outcome = "churned" if getattr(row, args.label) else "stayed"
        print(f"  {row.name or row.account_id:<26} CSM {row.csm or '-':<18} ARR {row.arr:>9,.0f} "
              f" P {row.risk:.2f} [{outcome}]  {row.reasons}")  # fmt: skip


if __name__ == "__main__":
    main()
