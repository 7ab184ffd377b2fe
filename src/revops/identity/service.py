"""`ws.identity`: resolve people and companies, explain a pair, match leads to accounts,
score against a demo company's truth."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa

from revops.errors import IdentityError
from revops.identity.crosswalk import (
    NAMESPACE,
    TABLES,
    PairWriter,
    RunSummary,
    crosswalk_table,
    ensure_tables,
    write_run,
)

if TYPE_CHECKING:
    from revops.config import IdentitySettings
    from revops.identity.evaluate import Score
    from revops.identity.merge import MergePlan
    from revops.identity.references import Dangling
    from revops.identity.splinkmodel import ModelSpec, Resolution, Training
    from revops.warehouse import Warehouse

Kind = Literal["person", "company"]
_OUT_OF_MEMORY = (
    "identity resolution of {kind} records ran out of memory: raise identity.memory_limit, "
    "or lower identity.predict_chunk_records, identity.max_block_size or "
    "identity.max_pairs_per_record in revops.yaml"
)
KINDS: tuple[Kind, ...] = ("person", "company")


@dataclass(frozen=True)
class Explanation:
    """Why two records are, or are not, one entity.

    Attributes:
        left, right: the records' unique ids.
        kind: `person` or `company`.
        same_entity: whether the crosswalk puts them in one cluster.
        match_weight, match_probability: the pair's score, `None` when no blocking rule
            brought the two together (then they were never compared).
        comparisons: one row per comparison: level, weight, both values.
    """

    left: str
    right: str
    kind: str
    same_entity: bool
    match_weight: float | None
    match_probability: float | None
    threshold: float
    comparisons: list[dict[str, Any]]


@contextmanager
def _memory_bound(kind: str) -> Iterator[None]:
    """Running out of memory (Python's, or a DuckDB's `memory_limit`: the engine's or the
    warehouse's) becomes one line naming the settings that bound it."""
    try:
        yield
    except MemoryError:
        raise IdentityError(_OUT_OF_MEMORY.format(kind=kind)) from None
    except Exception as exc:
        if "out of memory" in str(exc).lower() or type(exc).__name__ == "OutOfMemoryException":
            raise IdentityError(_OUT_OF_MEMORY.format(kind=kind)) from None
        raise


class Identity:
    """Identity resolution of a workspace's warehouse.

    Args:
        settings: the workspace's `identity` settings (thresholds).
        warehouse: called for the warehouse on first use.
    """

    def __init__(self, settings: IdentitySettings, warehouse: Callable[[], Warehouse]) -> None:
        self.settings = settings
        self._warehouse = warehouse
        self.trainings: dict[str, Training] = {}
        """How each kind was trained in the last :meth:`run`."""

    @property
    def warehouse(self) -> Warehouse:
        return self._warehouse()

    def threshold(self, kind: str) -> float:
        """The configured match probability threshold of `kind`."""
        if kind == "person":
            return self.settings.person_threshold
        return self.settings.company_threshold

    def run(
        self,
        kinds: Sequence[Kind] = KINDS,
        *,
        thresholds: dict[str, float] | None = None,
        seed: int = 42,
    ) -> list[RunSummary]:
        """Resolve each kind and replace its crosswalk and pairs in the warehouse.

        Args:
            kinds: `person`, `company` or both.
            thresholds: match probability per kind, instead of the configured ones.
            seed: seed of Splink's random sampling, for repeatable runs.
        """
        from revops.identity.clustering import cluster_pairs
        from revops.identity.modelspec import build_spec, kind_settings, select_sources
        from revops.identity.records import (
            company_records,
            company_source,
            person_records,
            person_source,
        )
        from revops.identity.review import decisions, labels
        from revops.warehouse.batch import new_load_id

        summaries = []
        self.trainings = {}
        for kind in kinds:
            if kind not in KINDS:
                raise IdentityError(f"unknown entity kind {kind!r}; one of person, company")
            threshold = (thresholds or {}).get(kind, self.threshold(kind))
            # A bounded modelling frame: the few matched columns of every record, which
            # Splink needs in its own engine to compare pairs.
            if kind == "person":
                records = person_records(person_source(self.warehouse).to_pyarrow())
            else:
                records = company_records(company_source(self.warehouse).to_pyarrow())
            compared = select_sources(records, kind_settings(self.settings, kind))
            if compared.num_rows < 2:
                raise IdentityError(f"not enough {kind} records to resolve ({compared.num_rows})")
            spec = build_spec(kind, self.settings, compared)
            decided = decisions(self.warehouse, kind)
            run_id = new_load_id()
            staged = PairWriter(self.warehouse, kind, run_id, threshold, decided)
            try:
                with (
                    _memory_bound(kind),
                    self.warehouse.memory_held(self.settings.memory_limit),
                ):
                    resolution = self._resolve(
                        spec, compared, threshold, seed, labels(decided), staged.write
                    )
                    # Reviewers' decisions overrule the model (applied to each batch as it
                    # was written); then, as Splink's connected components chain through
                    # weak links, the linked pairs are clustered again.
                    links = staged.finish()
                    ids = records.column("unique_id").to_pylist()
                    resolution = replace(resolution, clusters=cluster_pairs(ids, links, threshold))
                    summary = write_run(
                        self.warehouse, kind, records, resolution, threshold, run_id, staged
                    )
            finally:
                staged.close()
            if resolution.training is not None:
                self.trainings[kind] = resolution.training
            summaries.append(summary)
        self.golden()
        return summaries

    def golden(self) -> dict[str, int]:
        """Rebuild the golden account and person of every cluster
        (:mod:`revops.identity.golden`); rows per table."""
        from revops.identity.golden import write_golden

        return write_golden(self.warehouse)

    def _resolve(
        self,
        spec: ModelSpec,
        records: pa.Table,
        threshold: float,
        seed: int,
        labels: pa.Table | None,
        sink: Callable[[pa.Table], None],
    ) -> Resolution:
        """Run Splink for one kind, each batch of scored pairs to `sink`."""
        from revops.identity.engines import splink_engine
        from revops.identity.splinkmodel import resolve

        with splink_engine(
            self.warehouse, self.settings.engine, self.settings.memory_limit
        ) as engine:
            # The clusters are made from the pairs afterwards (`cluster_pairs`), not
            # Splink's connected components.
            return resolve(
                spec,
                records,
                threshold,
                seed=seed,
                engine=engine,
                labels=labels,
                sink=sink,
                components=False,
            )

    def review(
        self,
        kind: str = "person",
        limit: int = 20,
        *,
        skip: set[tuple[str, str]] | None = None,
        records: bool = False,
    ) -> list[dict[str, Any]]:
        """Undecided pairs of `kind` scored within `review_band`, nearest the threshold
        first (see :mod:`revops.identity.review`); `skip`: more decided pairs (unique ids,
        sorted); with `records`, each pair's two records as the warehouse holds them
        (`left_record`, `right_record`: table, source, name, e-mail, company)."""
        from revops.identity.review import describe_records, review_queue

        if kind not in KINDS:
            raise IdentityError(f"unknown entity kind {kind!r}; one of person, company")
        queue = review_queue(
            self.warehouse, kind, self.settings.review_band, self.threshold(kind), limit, skip
        )
        if records:
            ids = sorted({r[side] for r in queue for side in ("left", "right")})
            found = describe_records(self.warehouse, kind, ids)
            for row in queue:
                row["left_record"] = found.get(row["left"])
                row["right_record"] = found.get(row["right"])
        return queue

    def decide(
        self, a: str, b: str, decision: str, who: str = "cli", at: datetime | None = None
    ) -> dict[str, Any]:
        """Store a reviewer's `accept` or `reject` of the pair of records `a` and `b`
        (made `at`, default now); the next :meth:`run` respects it."""
        from revops.identity.review import record_decision

        if decision not in ("accept", "reject"):
            raise IdentityError(f"a decision is accept or reject, not {decision!r}")
        left, right = self.record(a), self.record(b)
        if left["kind"] != right["kind"]:
            raise IdentityError(
                f"{left['unique_id']} is a {left['kind']} and {right['unique_id']} a "
                f"{right['kind']}: only records of one kind are one entity"
            )
        if left["unique_id"] == right["unique_id"]:
            raise IdentityError(f"{a!r} and {b!r} are the same record")
        record_decision(
            self.warehouse,
            left["kind"],
            left["unique_id"],
            right["unique_id"],
            "accept" if decision == "accept" else "reject",
            who,
            at,
        )
        return {"kind": left["kind"], "left": left["unique_id"], "right": right["unique_id"]}

    def crosswalk(self) -> pa.Table:
        """Every resolved record with its cluster."""
        return crosswalk_table(self.warehouse).to_pyarrow()

    def record(self, name: str) -> dict[str, Any]:
        """The crosswalk row of a record named by unique id, canonical id or source id.

        Raises:
            IdentityError: no record, or several, go by that name.
        """
        table = crosswalk_table(self.warehouse)
        found = (
            table.filter(
                (table.unique_id == name) | (table.record_id == name) | (table.source_id == name)
            )
            .limit(3)
            .to_pyarrow()
            .to_pylist()
        )
        if not found:
            raise IdentityError(f"no resolved record {name!r} (give a record id or source id)")
        if len(found) > 1:
            options = ", ".join(r["unique_id"] for r in found)
            raise IdentityError(f"{name!r} names several records ({options}); give one of them")
        return dict(found[0])

    def explain(self, a: str, b: str) -> Explanation:
        """The pair of `a` and `b`: score, per-comparison levels and weights, verdict.

        Raises:
            IdentityError: unknown records, or records of different kinds.
        """
        left, right = self.record(a), self.record(b)
        if left["kind"] != right["kind"]:
            raise IdentityError(
                f"{left['unique_id']} is a {left['kind']} and {right['unique_id']} a "
                f"{right['kind']}: only records of one kind are compared"
            )
        pair = self.warehouse.table("pair", NAMESPACE)
        ids = sorted([left["unique_id"], right["unique_id"]])
        rows = (
            pair.filter(
                ((pair.unique_id_l == ids[0]) & (pair.unique_id_r == ids[1]))
                | ((pair.unique_id_l == ids[1]) & (pair.unique_id_r == ids[0]))
            )
            .to_pyarrow()
            .to_pylist()
        )
        run = self.warehouse.table("run", NAMESPACE)
        threshold_rows = run.filter(run.kind == left["kind"]).to_pyarrow().to_pylist()
        threshold = (
            float(threshold_rows[0]["threshold"]) if threshold_rows else self.threshold("person")
        )
        comparisons: list[dict[str, Any]] = []
        weight = probability = None
        if rows:
            weight = float(rows[0]["match_weight"])
            probability = float(rows[0]["match_probability"])
            detail = json.loads(rows[0]["detail"])
            comparisons = [{"comparison": name, **detail[name]} for name in sorted(detail)]
        return Explanation(
            left=left["unique_id"],
            right=right["unique_id"],
            kind=left["kind"],
            same_entity=left["cluster_id"] == right["cluster_id"],
            match_weight=weight,
            match_probability=probability,
            threshold=threshold,
            comparisons=comparisons,
        )

    def match_leads(self, *, write: bool = True) -> pa.Table:
        """Each lead's best account (see :mod:`revops.identity.accounts`), written to
        `identity.lead_account` when `write`."""
        import ibis

        from revops.identity.accounts import LEAD_ACCOUNT_COLUMNS, match_leads
        from revops.warehouse import LoadSpec
        from revops.warehouse.batch import new_load_id

        matches = match_leads(self.warehouse, self.settings.lead_account_min_score)
        if write:
            ensure_tables(self.warehouse)
            if not self.warehouse.has_table("lead_account", NAMESPACE):
                self.warehouse.create_table(
                    "lead_account", ibis.schema(LEAD_ACCOUNT_COLUMNS), NAMESPACE
                )
            run_id = new_load_id()
            batch = matches.append_column(
                "run_id", pa.array([run_id] * matches.num_rows, pa.string())
            )
            self.warehouse.load_many(
                [LoadSpec("lead_account", batch, NAMESPACE, "replace", distinct=True)],
                load_id=run_id,
            )
        return matches

    def plan(self, entities: Sequence[str] | None = None) -> MergePlan:
        """Proposed merges of duplicate records (see :mod:`revops.identity.merge`);
        nothing changes until :meth:`apply`."""
        from revops.identity.merge import MERGED_TABLES, plan_merges

        chosen = list(entities or MERGED_TABLES)
        unknown = [e for e in chosen if e not in MERGED_TABLES]
        if unknown:
            raise IdentityError(
                f"cannot merge {unknown[0]!r} records; one of account, contact, lead"
            )
        return plan_merges(self.warehouse, chosen)

    def apply(self, plan: MergePlan) -> list[str]:
        """Execute a merge plan in one load, logging every merge; the merge ids."""
        from revops.identity.merge import apply_plan

        applied = apply_plan(self.warehouse, plan)
        if applied:
            self.golden()
        return applied

    def check(self) -> list[Dangling]:
        """Every column that references a merged table, with its rows that still point
        at a record a merge removed (all zeros when merges re-pointed everything)."""
        from revops.identity.references import dangling_references

        return dangling_references(self.warehouse)

    def undo(self, merge_id: str) -> dict[str, Any]:
        """Reverse merge `merge_id` exactly: every row it changed gets its before-image."""
        from revops.identity.merge import undo_merge

        undone = undo_merge(self.warehouse, merge_id)
        self.golden()
        return undone

    def merges(self) -> list[dict[str, Any]]:
        """The merge log, newest first."""
        from revops.identity.merge import list_merges

        return list_merges(self.warehouse)

    def evaluate(self, truth: Path | str, *, kind: str = "person") -> list[Score]:
        """Precision, recall and F1 of the current crosswalk against the truth: a demo
        company's `truth/` (the folder `revops demo generate --out` wrote), or a CSV of
        true pairs or clusters of `kind` (see :func:`revops.identity.evaluate.truth_file`).
        """
        from revops.identity.evaluate import score, truth_entities, truth_file

        path = Path(truth)
        truths = None if path.is_file() else truth_entities(path)
        table = crosswalk_table(self.warehouse)
        if truths is None:
            found = table.filter(table.kind == kind)
            rows = found.select("unique_id", "record_id", "source_id", "cluster_id")
            crosswalk = rows.to_pyarrow().to_pylist()
            if not crosswalk:
                raise IdentityError(f"no {kind} records resolved; run `revops identity run`")
            predicted = {r["unique_id"]: r["cluster_id"] for r in crosswalk}
            return [score(kind, truth_file(path, crosswalk), predicted)]
        rows = table.select("kind", "unique_id", "cluster_id").to_pyarrow().to_pylist()
        scores = []
        for name in KINDS:
            predicted = {r["unique_id"]: r["cluster_id"] for r in rows if r["kind"] == name}
            if predicted:
                scores.append(score(name, truths[name], predicted))
        if not scores:
            raise IdentityError("the crosswalk is empty; run `revops identity run` first")
        return scores


__all__ = ["KINDS", "TABLES", "Explanation", "Identity", "Kind"]
