"""Time and peak memory of person resolution, against exact matching on the normalised
email measured in the same run: on synthetic records (default 1M) or on the people of a
demo company's workspace.

Usage:
    python benchmarks/identity.py [--records 1000000] [--seed 1]
    python benchmarks/identity.py --workspace DIR [--truth DIR/demo-data]

Synthetic records come from a dedicated fast generator, `revops.identity.synthetic`:
people at companies, 10 % of them entered a second time with the demo's kinds of
differences (nickname, typo in the last name, capitals, a personal or other company
address, no phone). With `--workspace` the records are the leads and contacts of that
workspace's warehouse (a `revops demo` workspace, read as `revops identity run` reads
them, with its `identity` settings) and the truth is the demo company's `truth/`
(default the workspace's `demo-data/`). Each method runs in a fresh child process, so its
peak resident memory is its own; both are scored against the truth (pair precision,
recall, F1). Splink's pairs go batch by batch to a sink that keeps the linked ones only,
as `revops identity run` does (it writes the rest to the warehouse), so the pairs never
sit in memory together. The links are also scored as connected components (what
Splink's clustering makes), before `revops.identity.clustering` re-clusters them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from revops.identity.evaluate import score

method, n, seed, workspace, truth_dir = sys.argv[1:6]
n, seed = int(n), int(seed)
if workspace:
    from revops.identity.evaluate import truth_entities
    from revops.identity.records import person_source
    from revops.workspace import Workspace
    ws = Workspace.open(Path(workspace), read_only=True)
    settings = ws.config.identity
    raw = person_source(ws.warehouse).to_pyarrow()
    ws.close()
    truth = truth_entities(Path(truth_dir))["person"]
else:
    from revops.config import IdentitySettings
    from revops.identity.synthetic import synthetic_people
    settings = IdentitySettings()
    raw, truth = synthetic_people(n, seed)
began = time.perf_counter()
extra = {}
if method == "splink":
    import pyarrow as pa
    import pyarrow.compute as pc
    from revops.identity.clustering import cluster_pairs
    from revops.identity.modelspec import build_spec, kind_settings, select_sources
    from revops.identity.records import person_records
    from revops.identity.splinkmodel import resolve
    records = select_sources(person_records(raw), kind_settings(settings, "person"))
    normalised = time.perf_counter()
    threshold = settings.person_threshold
    kept, links = [0], []
    def sink(batch):
        kept[0] += batch.num_rows
        linked = pc.fill_null(pc.greater_equal(batch.column("match_probability"), threshold), False)
        links.append(batch.select(["unique_id_l", "unique_id_r", "match_probability",
                                   "match_weight"]).filter(linked))
    from revops.identity.engines import embedded_engine
    spec = build_spec("person", settings, records)
    # Splink's DuckDB held to identity.memory_limit, as `revops identity run` holds it.
    with embedded_engine(settings.memory_limit) as engine:
        result = resolve(spec, records, threshold, engine=engine, sink=sink, components=False)
    ids = records.column("unique_id").to_pylist()
    linked = pa.concat_tables(links)
    # As `revops identity run` does: clusters from the pairs, not chained through weak links.
    clustered = cluster_pairs(ids, linked, threshold)
    clusters = clustered.column("cluster_id").to_pylist()
    # Connected components at the threshold (Splink's clustering), from the same links:
    # every link merges on its own. Splink's own clustering in its engine is not run, as
    # `revops identity run` does not run it (it peaked at 2.5 times the run's memory).
    chained = cluster_pairs(ids, linked, threshold, strong=threshold, ambiguity=None)
    components = dict(zip(ids, chained.column("cluster_id").to_pylist()))
    training = result.training
    extra = {
        "records": records.num_rows,
        "candidate_pairs": training.candidate_pairs if training else None,
        "kept_pairs": kept[0],
        "linked_pairs": linked.num_rows,
        "skipped_blocks": training.skipped_blocks if training else None,
        "split_blocks": training.split_blocks if training else None,
        "steps": [[s.step, s.status, s.seconds] for s in training.steps] if training else [],
    }
else:
    components = None
    import duckdb
    con = duckdb.connect(":memory:")
    con.register("people", raw)
    rows = con.execute(
        # A record without an email is an entity of its own (not one with every other).
        "SELECT unique_id, CASE WHEN nullif(trim(email), '') IS NULL THEN unique_id "
        "ELSE min(unique_id) OVER (PARTITION BY lower(trim(email))) END FROM people"
    ).fetchall()
    normalised = began
    ids = [r[0] for r in rows]
    clusters = [r[1] for r in rows]
    extra = {"records": len(ids)}
seconds = time.perf_counter() - began
found = score("person", truth, dict(zip(ids, clusters)))
chained = score("person", truth, components) if components else None
print(json.dumps({
    "seconds": seconds,
    "normalise_seconds": normalised - began,
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "scored_records": found.records,
    "precision": found.pair_precision,
    "recall": found.pair_recall,
    "f1": found.pair_f1,
    "cluster_f1": found.cluster_f1,
    "components_precision": chained.pair_precision if chained else None,
    "components_recall": chained.pair_recall if chained else None,
    **extra,
}, default=str))
"""


def run(
    method: str, records: int, seed: int, workspace: str = "", truth: str = ""
) -> dict[str, float]:
    """Seconds, peak MiB and pair scores of `method` on `records` synthetic people, or on
    the people of `workspace` scored against `truth`."""
    began = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", CHILD, method, str(records), str(seed), workspace, truth],
        capture_output=True,
        text=True,
    )
    if child.returncode != 0:
        sys.exit(f"{method} failed (exit {child.returncode}):\n{child.stderr[-4000:]}")
    # The result is the last line that is a JSON object (a library may print after it).
    lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
    if not lines:
        sys.exit(f"{method} printed no result:\n{child.stdout[-4000:]}")
    result: dict[str, float] = json.loads(lines[-1])
    result["wall_seconds"] = time.perf_counter() - began
    print(f"{method}: {json.dumps(result, default=str)}", file=sys.stderr, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000, help="synthetic records")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workspace", default="", help="a demo workspace: resolve its people")
    parser.add_argument(
        "--truth", default="", help="the demo company (default WORKSPACE/demo-data)"
    )
    parser.add_argument("--json", action="store_true", help="also print both results as JSON")
    args = parser.parse_args()
    truth = args.truth or (f"{args.workspace.rstrip('/')}/demo-data" if args.workspace else "")
    baseline = run("exact_email", args.records, args.seed, args.workspace, truth)
    splink = run("splink", args.records, args.seed, args.workspace, truth)
    if args.workspace:
        print(f"people of {args.workspace}: {splink['records']:,} records, "
              f"{splink['scored_records']:,} in the truth")  # fmt: skip
    else:
        print(f"{args.records:,} synthetic person records (seed {args.seed})")
    print(
        f"{'method':>12} {'seconds':>8} {'peak MiB':>9} {'precision':>9} {'recall':>7} {'F1':>6} "
        f"{'cluster F1':>10}"
    )
    for name, r in (("exact email", baseline), ("splink", splink)):
        print(
            f"{name:>12} {r['seconds']:>8.1f} {r['peak_mib']:>9.0f} {r['precision']:>9.4f} "
            f"{r['recall']:>7.4f} {r['f1']:>6.4f} {r['cluster_f1']:>10.4f}"
        )
    print(
        f"splink's connected components, before clustering from pairs: precision "
        f"{splink['components_precision']:.4f}, recall {splink['components_recall']:.4f}"
    )
    print(
        f"pairs: {splink['candidate_pairs']:,} candidate (blocked, capped; summed over rules), "
        f"{splink['kept_pairs']:,} kept, {splink['linked_pairs']:,} linked; keys over the "
        f"block-size cap split (keys, records): {splink['split_blocks']}"
    )
    print("training: " + "; ".join(f"{s[0]} {s[1]} {s[2]:.1f} s" for s in splink["steps"]))
    print(
        f"splink / exact email: time x{splink['seconds'] / baseline['seconds']:.1f}, "
        f"peak memory x{splink['peak_mib'] / baseline['peak_mib']:.1f} "
        f"(normalising took {splink['normalise_seconds']:.1f} s of splink's time; "
        f"wall {splink['wall_seconds']:.1f} s with generating or reading the records)"
    )
    if args.json:
        print(json.dumps({"exact_email": baseline, "splink": splink}, default=str))


if __name__ == "__main__":
    main()
