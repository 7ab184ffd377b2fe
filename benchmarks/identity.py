"""Time and peak memory of person resolution at 1M records, against exact matching on the
normalised email measured in the same run.

Usage: python benchmarks/identity.py [--records 1000000] [--seed 1]

The records come from a dedicated fast generator, `revops.identity.synthetic` (the whole
200k-account demo company, which holds about as many people, takes minutes to generate):
people at companies, 10 % of them entered a second time with the demo's kinds of
differences (nickname, typo in the last name, capitals, a personal or other company
address, no phone). Each method runs in a fresh child process, so its peak resident
memory is its own; both are scored against the generator's truth (pair precision,
recall, F1). Splink's clusters are also scored as connected components, before
`revops.identity.clustering` re-clusters the pairs, to show what that changes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHILD = r"""
import json, resource, sys, time
from revops.identity.synthetic import synthetic_people
from revops.identity.evaluate import score

method, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
raw, truth = synthetic_people(n, seed)
began = time.perf_counter()
if method == "splink":
    from revops.config import IdentitySettings
    from revops.identity.modelspec import build_spec
    from revops.identity.records import person_records
    from revops.identity.splinkmodel import resolve
    records = person_records(raw)
    normalised = time.perf_counter()
    from revops.identity.clustering import cluster_pairs
    result = resolve(build_spec("person", IdentitySettings(), records), records, 0.999)
    ids = records.column("unique_id").to_pylist()
    # As `revops identity run` does: clusters from the pairs, not chained through weak links.
    clustered = cluster_pairs(ids, result.pairs, 0.999)
    clusters = clustered.column("cluster_id").to_pylist()
    components = dict(zip(result.clusters.column("unique_id").to_pylist(),
                          result.clusters.column("cluster_id").to_pylist()))
else:
    components = None
    import duckdb
    con = duckdb.connect(":memory:")
    con.register("people", raw)
    rows = con.execute(
        "SELECT unique_id, coalesce(min(unique_id) OVER (PARTITION BY lower(trim(email))), "
        "unique_id) FROM people"
    ).fetchall()
    normalised = began
    ids = [r[0] for r in rows]
    clusters = [r[1] for r in rows]
seconds = time.perf_counter() - began
found = score("person", truth, dict(zip(ids, clusters)))
chained = score("person", truth, components) if components else None
print(json.dumps({
    "seconds": seconds,
    "normalise_seconds": normalised - began,
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "precision": found.pair_precision,
    "recall": found.pair_recall,
    "f1": found.pair_f1,
    "components_precision": chained.pair_precision if chained else None,
    "components_recall": chained.pair_recall if chained else None,
}))
"""


def run(method: str, records: int, seed: int) -> dict[str, float]:
    """Seconds, peak MiB and pair scores of `method` on `records` synthetic people."""
    began = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, method, str(records), str(seed)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(child.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - began
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    baseline = run("exact_email", args.records, args.seed)
    splink = run("splink", args.records, args.seed)
    print(f"{args.records:,} person records (seed {args.seed})")
    print(f"{'method':>12} {'seconds':>8} {'peak MiB':>9} {'precision':>9} {'recall':>7} {'F1':>6}")
    for name, r in (("exact email", baseline), ("splink", splink)):
        print(
            f"{name:>12} {r['seconds']:>8.1f} {r['peak_mib']:>9.0f} {r['precision']:>9.4f} "
            f"{r['recall']:>7.4f} {r['f1']:>6.4f}"
        )
    print(
        f"splink's connected components, before clustering from pairs: precision "
        f"{splink['components_precision']:.4f}, recall {splink['components_recall']:.4f}"
    )
    print(
        f"splink / exact email: time x{splink['seconds'] / baseline['seconds']:.1f}, "
        f"peak memory x{splink['peak_mib'] / baseline['peak_mib']:.1f} "
        f"(normalising took {splink['normalise_seconds']:.1f} s of splink's time)"
    )


if __name__ == "__main__":
    main()
