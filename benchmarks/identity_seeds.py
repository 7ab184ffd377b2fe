"""Company (or person) resolution on demo companies of several seeds, under variants of the
deterministic rules the prior is counted on and of the threshold: the table the defaults are
chosen from (on fitting seeds) and reported on (other seeds).

Usage:
    python benchmarks/identity_seeds.py --seeds 1,2,3 --report 11,12,13 [--kind company]
        [--accounts 2000] [--years 2] [--rules "domain" "domain;name_key"]
        [--thresholds 0.2,0.3,0.5] [--root DIR]

Each seed's company is made once (`revops demo --accounts N --years Y --seed S --as-of
2026-11-22`, kept under ROOT) and resolved again for every variant: `--rules` gives the
deterministic rules as `;`-separated rules of `+`-joined columns (`domain;name_key`,
`email;first_key+last_name+phone`), every other setting is the workspace's. Each run is
scored with `identity evaluate` against the company's truth. Prints pair precision,
recall and F1 per seed and variant, and their mean over the fitting and the reporting
seeds.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from forecast_accuracy import workspace_for


def _rules(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(c.strip() for c in rule.split("+")) for rule in text.split(";"))


def _run(workspace: Path, kind: str, rules: str, threshold: float) -> dict[str, float]:
    from revops import Workspace

    ws = Workspace.open(workspace)
    try:
        settings = ws.config.identity
        configured = getattr(settings, kind)
        tuned = settings.model_copy(
            update={kind: configured.model_copy(update={"deterministic": _rules(rules)})}
        )
        ws.identity.settings = tuned
        began = time.perf_counter()
        ws.identity.run([kind], thresholds={kind: threshold})  # type: ignore[list-item]
        seconds = time.perf_counter() - began
        training = ws.identity.trainings.get(kind)
        [score] = [
            s for s in ws.identity.evaluate(workspace / "demo-data", kind=kind) if s.kind == kind
        ]
        return {
            "precision": score.pair_precision,
            "recall": score.pair_recall,
            "f1": score.pair_f1,
            "prior": training.prior if training else float("nan"),
            "seconds": seconds,
        }
    finally:
        ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3", help="fitting seeds")
    parser.add_argument("--report", default="11,12,13", help="reporting seeds")
    parser.add_argument("--kind", default="company", choices=["company", "person"])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--rules", nargs="+", default=["domain", "domain;name_key"])
    parser.add_argument("--thresholds", default="0.3")
    parser.add_argument("--root", default="")
    args = parser.parse_args()
    root = Path(args.root or tempfile.mkdtemp(prefix="revops-identity-seeds-"))
    groups = {
        "fit": [int(s) for s in args.seeds.split(",") if s],
        "report": [int(s) for s in args.report.split(",") if s],
    }
    thresholds = [float(t) for t in args.thresholds.split(",")]
    results: list[dict[str, float | int | str]] = []
    for group, seeds in groups.items():
        for seed in seeds:
            workspace = workspace_for(root, seed, args.accounts, args.years)
            for rules in args.rules:
                for threshold in thresholds:
                    row = _run(workspace, args.kind, rules, threshold)
                    results.append({"group": group, "seed": seed, "rules": rules,
                                    "threshold": threshold, **row})  # fmt: skip
                    print(
                        f"{group:6} seed {seed:3} rules {rules:28} threshold {threshold:<5} "
                        f"prior {row['prior']:.3g}  P {row['precision']:.4f} "
                        f"R {row['recall']:.4f} F1 {row['f1']:.4f}  {row['seconds']:.1f} s",
                        flush=True,
                    )
    print(f"\nmeans ({args.kind}, {args.accounts:,} accounts, {args.years} years):")
    for group in groups:
        for rules in args.rules:
            for threshold in thresholds:
                rows = [
                    r
                    for r in results
                    if r["group"] == group and r["rules"] == rules and r["threshold"] == threshold
                ]
                if not rows:
                    continue
                mean = {
                    k: sum(float(r[k]) for r in rows) / len(rows)
                    for k in ("precision", "recall", "f1")
                }
                print(
                    f"{group:6} rules {rules:28} threshold {threshold:<5} "
                    f"P {mean['precision']:.4f} R {mean['recall']:.4f} F1 {mean['f1']:.4f}"
                )
    print(f"(workspaces kept in {root})")


if __name__ == "__main__":
    main()
