"""The `identity` tables: the crosswalk from every record to its entity, the scored pairs
that explain it, and the runs that wrote them.

| table | one row per |
|---|---|
| `identity.crosswalk` | source record: kind, table, record id, source system and id, cluster |
| `identity.pair` | scored candidate pair: match weight and probability, per-comparison detail |
| `identity.run` | resolution run of one kind: when, threshold, counts, the trained model |
| `identity.pair_stage` | scored pair of a run still under way (:class:`PairWriter`) |

A run of one kind (people, companies) replaces that kind's rows in one load, so readers
never see the crosswalk of one run beside the pairs of another. The pairs get there
without passing through Python whole: a run writes them batch by batch to
`identity.pair_stage`, and the final load moves them inside the warehouse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from revops.warehouse import LoadSpec

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.identity.splinkmodel import Resolution
    from revops.warehouse import Warehouse

NAMESPACE = "identity"
TABLES: dict[str, dict[str, str]] = {
    "crosswalk": {
        "kind": "string",
        "entity": "string",
        "record_id": "string",
        "unique_id": "string",
        "source_system": "string",
        "source_id": "string",
        "cluster_id": "string",
        "cluster_size": "int64",
        "run_id": "string",
        "load_id": "string",
    },
    "pair": {
        "kind": "string",
        "unique_id_l": "string",
        "unique_id_r": "string",
        "match_weight": "float64",
        "match_probability": "float64",
        "is_match": "boolean",
        "detail": "string",
        "run_id": "string",
        "load_id": "string",
    },
    "run": {
        "run_id": "string",
        "kind": "string",
        "resolved_at": "timestamp('UTC')",
        "threshold": "float64",
        "records": "int64",
        "pairs": "int64",
        "clusters": "int64",
        "duplicate_records": "int64",
        "model": "string",
        "load_id": "string",
    },
}
TABLES["pair_stage"] = TABLES["pair"]
"""Pairs of a run being written, batch by batch, before they replace `pair`."""


@dataclass(frozen=True)
class RunSummary:
    """What one resolution run found."""

    run_id: str
    kind: str
    threshold: float
    records: int
    pairs: int
    clusters: int
    duplicate_records: int

    def as_row(self) -> dict[str, Any]:
        """The summary as one flat row for output."""
        return {
            "kind": self.kind,
            "records": self.records,
            "entities": self.clusters,
            "records_in_duplicate_clusters": self.duplicate_records,
            "scored_pairs": self.pairs,
            "threshold": self.threshold,
            "run_id": self.run_id,
        }


class PairWriter:
    """The scored pairs of one run of `kind`, written to `identity.pair_stage` as they
    come (a batch at a time), so memory holds one batch and the links, never every pair.

    Reviewers' decisions (`decided`, see :mod:`revops.identity.review`) are applied to
    each batch: an accepted pair becomes certain, a rejected one impossible; accepted pairs
    the model never scored are added by :meth:`finish`.

    Args:
        warehouse: where the identity tables are.
        kind: `person` or `company`.
        run_id: the run's id (the staged rows carry it).
        threshold: the match probability a pair links at.
        decided: (left, right) sorted → `accept` or `reject`.
    """

    def __init__(
        self,
        warehouse: Warehouse,
        kind: str,
        run_id: str,
        threshold: float,
        decided: dict[tuple[str, str], str] | None = None,
    ) -> None:
        self.warehouse = warehouse
        self.kind = kind
        self.run_id = run_id
        self.threshold = threshold
        self.decided = decided or {}
        self.rows = 0
        self._seen: set[tuple[str, str]] = set()
        self._links: list[pa.Table] = []
        ensure_tables(warehouse)
        self._clear()

    def write(self, pairs: pa.Table) -> None:
        """Stage one batch: `unique_id_l`, `unique_id_r`, `match_weight`,
        `match_probability`, `detail`."""
        from revops.identity.review import apply_decisions

        if self.decided:
            pairs, seen = apply_decisions(pairs, self.decided, add_missing=False)
            self._seen |= seen
        probability = pairs.column("match_probability")
        is_match = pc.fill_null(pc.greater_equal(probability, self.threshold), False)
        self._links.append(
            pairs.select(
                ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
            ).filter(is_match)
        )
        staged = pa.table(
            {
                "kind": pa.array([self.kind] * pairs.num_rows, pa.string()),
                "unique_id_l": pairs.column("unique_id_l"),
                "unique_id_r": pairs.column("unique_id_r"),
                "match_weight": pairs.column("match_weight"),
                "match_probability": probability,
                "is_match": is_match,
                "detail": pairs.column("detail"),
                "run_id": pa.array([self.run_id] * pairs.num_rows, pa.string()),
            }
        )
        self.warehouse.load_many(
            [LoadSpec("pair_stage", staged, NAMESPACE, "append", distinct=True)]
        )
        self.rows += pairs.num_rows

    def finish(self) -> pa.Table:
        """Add the accepted pairs no batch held; the linked pairs (ids, probability,
        weight), for clustering."""
        from revops.identity.review import accepted_pairs

        added = accepted_pairs(self.decided, self._seen)
        if added.num_rows:
            self.write(added)
        if not self._links:
            return pa.table(
                {
                    "unique_id_l": pa.array([], pa.string()),
                    "unique_id_r": pa.array([], pa.string()),
                    "match_probability": pa.array([], pa.float64()),
                    "match_weight": pa.array([], pa.float64()),
                }
            )
        return pa.concat_tables(self._links)

    def staged(self) -> ir.Table:
        """This run's staged pairs, as a query over the warehouse."""
        stage = self.warehouse.table("pair_stage", NAMESPACE)
        return stage.filter((stage.kind == self.kind) & (stage.run_id == self.run_id))

    def _clear(self) -> None:
        """Remove the kind's staged rows (this run's, or a failed run's left behind)."""
        empty = pa.table({c: pa.array([], pa.string()) for c in ("kind", "run_id")})
        self.warehouse.load_many(
            [LoadSpec("pair_stage", empty, NAMESPACE, "replace", scope={"kind": [self.kind]})]
        )

    def close(self) -> None:
        """Drop the staged rows once they are in `identity.pair` (or the run failed)."""
        self._clear()


def ensure_tables(warehouse: Warehouse) -> None:
    """Create the `identity` namespace and its tables where missing."""
    import ibis

    warehouse.init([])
    for name, columns in TABLES.items():
        if not warehouse.has_table(name, NAMESPACE):
            warehouse.create_table(name, ibis.schema(columns), NAMESPACE)


def write_run(
    warehouse: Warehouse,
    kind: str,
    records: pa.Table,
    resolution: Resolution,
    threshold: float,
    run_id: str,
    staged: PairWriter | None = None,
) -> RunSummary:
    """Replace `kind`'s crosswalk, pairs and run with this resolution's, in one load.

    Args:
        warehouse: where the identity tables are.
        kind: `person` or `company`.
        records: the resolved records: `unique_id`, `entity`, `record_id`,
            `source_system`, `source_id`.
        resolution: what Splink found.
        threshold: the match probability clusters were cut at.
        run_id: id of this run.
        staged: where the run's pairs were written, when they were (then
            `resolution.pairs` is not read): they move into `identity.pair` inside the
            warehouse.
    """
    ensure_tables(warehouse)
    clusters = dict(
        zip(
            resolution.clusters.column("unique_id").to_pylist(),
            resolution.clusters.column("cluster_id").to_pylist(),
            strict=True,
        )
    )
    ids = records.column("unique_id").to_pylist()
    cluster_ids = [f"{kind}:{clusters.get(u, u)}" for u in ids]
    sizes: dict[str, int] = {}
    for cluster in cluster_ids:
        sizes[cluster] = sizes.get(cluster, 0) + 1
    crosswalk = pa.table(
        {
            "kind": [kind] * len(ids),
            "entity": records.column("entity"),
            "record_id": records.column("record_id"),
            "unique_id": records.column("unique_id"),
            "source_system": records.column("source_system"),
            "source_id": records.column("source_id"),
            "cluster_id": cluster_ids,
            "cluster_size": pa.array([sizes[c] for c in cluster_ids], pa.int64()),
            "run_id": [run_id] * len(ids),
        }
    )
    pair_table: pa.Table | ir.Table
    if staged is not None:
        pair_table, pair_count = staged.staged(), staged.rows
    else:
        pairs = resolution.pairs
        pair_count = pairs.num_rows
        pair_table = pa.table(
            {
                "kind": [kind] * pairs.num_rows,
                "unique_id_l": pairs.column("unique_id_l"),
                "unique_id_r": pairs.column("unique_id_r"),
                "match_weight": pairs.column("match_weight"),
                "match_probability": pairs.column("match_probability"),
                "is_match": pc.greater_equal(pairs.column("match_probability"), threshold),
                "detail": pairs.column("detail"),
                "run_id": [run_id] * pairs.num_rows,
            }
        )
    summary = RunSummary(
        run_id=run_id,
        kind=kind,
        threshold=threshold,
        records=len(ids),
        pairs=pair_count,
        clusters=len(sizes),
        duplicate_records=sum(n for n in sizes.values() if n > 1),
    )
    run = pa.table(
        {
            "run_id": [run_id],
            "kind": [kind],
            "resolved_at": pa.array([datetime.now(UTC)], pa.timestamp("us", tz="UTC")),
            "threshold": [threshold],
            "records": [summary.records],
            "pairs": [summary.pairs],
            "clusters": [summary.clusters],
            "duplicate_records": [summary.duplicate_records],
            "model": [json.dumps(resolution.model, default=str)],
        }
    )
    scope = {"kind": [kind]}
    warehouse.load_many(
        [
            LoadSpec("crosswalk", crosswalk, NAMESPACE, "replace", scope=scope, distinct=True),
            LoadSpec("pair", pair_table, NAMESPACE, "replace", scope=scope, distinct=True),
            LoadSpec("run", run, NAMESPACE, "replace", scope=scope, distinct=True),
        ]
    )
    return summary


def crosswalk_table(warehouse: Warehouse) -> ir.Table:
    """`identity.crosswalk`, or an error telling the user to run resolution first."""
    from revops.errors import IdentityError

    if not warehouse.has_table("crosswalk", NAMESPACE):
        raise IdentityError("no identity crosswalk yet; run `revops identity run` first")
    return warehouse.table("crosswalk", NAMESPACE)
