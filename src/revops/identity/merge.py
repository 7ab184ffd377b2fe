"""Merges of duplicate records: plan, apply, undo, and the merge log.

A *merge* folds the records of one table and system that identity resolution put in one
cluster (true duplicates, not the same person seen by two systems) into the surviving
record (:mod:`revops.identity.survivorship`), and re-points every row that referenced
the others: every column the canonical model marks as a reference to the merged table
(:mod:`revops.identity.references`), lifecycle events, campaign touches and web sessions
included. `plan` proposes merges without
changing anything; `apply` executes a plan in one warehouse load (one transaction on
DuckDB and PostgreSQL) and records every merge in `identity.merge` with the
before-image of every row it changed in `identity.merge_image`; `undo` puts those
before-images back, so the tables are exactly as they were.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from revops.errors import IdentityError
from revops.identity.crosswalk import NAMESPACE, crosswalk_table
from revops.identity.references import MERGED_TABLES as MERGED_TABLES
from revops.identity.references import referencing
from revops.identity.survivorship import field_winners
from revops.model import ENTITIES
from revops.warehouse import LoadSpec

if TYPE_CHECKING:
    from revops.warehouse import Warehouse

LOG_TABLES: dict[str, dict[str, str]] = {
    "merge": {
        "merge_id": "string",
        "entity": "string",
        "survivor_id": "string",
        "merged_ids": "string",
        "fields": "string",
        "status": "string",
        "applied_at": "timestamp('UTC')",
        "undone_at": "timestamp('UTC')",
        "load_id": "string",
    },
    "merge_image": {
        "merge_id": "string",
        "table_name": "string",
        "row_ids": "string",
        "image": "string",
        "load_id": "string",
    },
}


@dataclass(frozen=True)
class Proposal:
    """One proposed merge: the survivor, the records folded into it, the field winners."""

    merge_id: str
    entity: str
    survivor_id: str
    merged_ids: list[str]
    fields: list[dict[str, Any]] = field(default_factory=list)

    def as_row(self) -> dict[str, Any]:
        """The proposal as one flat row for output."""
        changes = "; ".join(f"{f['field']}={f['value']!r} ({f['rule']})" for f in self.fields)
        return {
            "merge_id": self.merge_id,
            "entity": self.entity,
            "survivor_id": self.survivor_id,
            "merged_ids": ", ".join(self.merged_ids),
            "field_winners": changes,
        }


@dataclass(frozen=True)
class MergePlan:
    """Proposed merges, as `revops identity plan` writes them for review."""

    proposals: list[Proposal]

    def to_json(self) -> str:
        return json.dumps({"proposals": [asdict(p) for p in self.proposals]}, indent=2, default=str)

    @classmethod
    def from_json(cls, text: str, source: str = "plan") -> MergePlan:
        """Read a plan; a file that is not one raises IdentityError naming it."""
        try:
            data = json.loads(text)
            return cls([Proposal(**p) for p in data["proposals"]])
        except (ValueError, KeyError, TypeError) as exc:
            raise IdentityError(f"{source}: not a merge plan ({exc})") from None


def plan_merges(warehouse: Warehouse, entities: Sequence[str] = MERGED_TABLES) -> MergePlan:
    """Propose a merge for each cluster with several records of one table and system."""
    import ibis

    crosswalk = crosswalk_table(warehouse)
    chosen = crosswalk.filter(crosswalk.entity.isin(list(entities)))
    keys = [chosen.cluster_id, chosen.entity, chosen.source_system]
    counted = chosen.mutate(n=chosen.count().over(ibis.window(group_by=keys)))
    # Only the records of duplicate clusters come back: a bounded list.
    duplicates = (
        counted.filter(counted.n > 1)
        .select("cluster_id", "entity", "source_system", "record_id")
        .to_pyarrow()
        .to_pylist()
    )
    groups: dict[tuple[str, str, str], list[str]] = {}
    for row in duplicates:
        key = (row["entity"], row["cluster_id"], row["source_system"])
        groups.setdefault(key, []).append(row["record_id"])
    proposals = []
    for entity in entities:
        members = [sorted(ids) for (e, _, _), ids in sorted(groups.items()) if e == entity]
        if not members:
            continue
        id_column = f"{entity}_id"
        table = warehouse.table(entity)
        wanted = [i for ids in members for i in ids]
        rows = {
            r[id_column]: r
            for r in table.filter(table[id_column].isin(wanted)).to_pyarrow().to_pylist()
        }
        for ids in members:
            found = [rows[i] for i in ids if i in rows]
            if len(found) < 2:
                continue
            kept, winners = field_winners(entity, found, id_column)
            survivor_id = kept[id_column]
            proposals.append(
                Proposal(
                    merge_id="m-" + hashlib.sha1("|".join(ids).encode()).hexdigest()[:12],
                    entity=entity,
                    survivor_id=survivor_id,
                    merged_ids=[i for i in ids if i != survivor_id],
                    fields=[
                        {"field": w.field, "value": w.value, "from": w.record_id, "rule": w.rule}
                        for w in winners
                    ],
                )
            )
    return MergePlan(sorted(proposals, key=lambda p: (p.entity, p.merge_id)))


def _ensure_log(warehouse: Warehouse) -> None:
    import ibis

    warehouse.init([])
    for name, columns in LOG_TABLES.items():
        if not warehouse.has_table(name, NAMESPACE):
            warehouse.create_table(name, ibis.schema(columns), NAMESPACE)


def _encode(rows: pa.Table) -> str:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, rows.schema) as writer:
        writer.write_table(rows)
    return base64.b64encode(sink.getvalue()).decode("ascii")


def _decode(text: str) -> pa.Table:
    return pa.ipc.open_stream(io.BytesIO(base64.b64decode(text))).read_all()


class _Staging:
    """The rows an apply changes, per table, with the before-image each merge saw."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self.rows: dict[str, dict[str, dict[str, Any]]] = {}
        self.removed: dict[str, set[str]] = {}
        self.schemas: dict[str, pa.Schema] = {}

    def preload(self, table: str, column: str, values: Sequence[str]) -> None:
        """Stage the rows of `table` whose `column` is in `values` (one query for a whole
        plan: the rows its merges touch, a bounded set)."""
        id_column = f"{table}_id"
        expr = self.warehouse.table(table, ENTITIES[table].namespace)
        fetched = expr.filter(expr[column].isin(sorted(set(values)))).to_pyarrow()
        self.schemas.setdefault(table, fetched.schema)
        staged = self.rows.setdefault(table, {})
        for row in fetched.to_pylist():
            staged.setdefault(row[id_column], row)

    def fetch(self, table: str, column: str, values: Sequence[str]) -> list[dict[str, Any]]:
        """Staged rows of `table` whose `column` is in `values`, as staged so far."""
        id_column = f"{table}_id"
        wanted, gone = set(values), self.removed.get(table, set())
        staged = self.rows.get(table, {})
        return [r for r in staged.values() if r[column] in wanted and r[id_column] not in gone]

    def image(self, table: str, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
        return pa.Table.from_pylist([dict(r) for r in rows], schema=self.schemas[table])


def apply_plan(warehouse: Warehouse, plan: MergePlan) -> list[str]:
    """Execute `plan` in one load; the merge ids applied.

    Raises:
        IdentityError: a merge of the plan is already applied, or its records are gone
            (the plan is stale: plan again).
    """
    _ensure_log(warehouse)
    log = warehouse.table("merge", NAMESPACE)
    ids = [p.merge_id for p in plan.proposals]
    applied = log.filter(log.merge_id.isin(ids) & (log.status == "applied")).merge_id.to_pyarrow()
    if len(applied):
        raise IdentityError(f"merge {applied[0]} is already applied; plan again")
    staging = _Staging(warehouse)
    images: list[dict[str, Any]] = []
    merges: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    # The referencing columns per merged table, looked up once (a catalog query each).
    present = {e: _present(warehouse, e) for e in {p.entity for p in plan.proposals}}
    for entity in sorted(present):
        chosen = [p for p in plan.proposals if p.entity == entity]
        merged = [i for p in chosen for i in p.merged_ids]
        staging.preload(
            entity, f"{entity}_id", [i for p in chosen for i in (p.survivor_id, *p.merged_ids)]
        )
        for table, column in present[entity]:
            staging.preload(table, column, merged)
    for proposal in plan.proposals:
        entity, id_column = proposal.entity, f"{proposal.entity}_id"
        members = staging.fetch(entity, id_column, [proposal.survivor_id, *proposal.merged_ids])
        if len(members) != 1 + len(proposal.merged_ids):
            raise IdentityError(
                f"merge {proposal.merge_id}: some of its {entity} records are gone; plan again"
            )
        touched: dict[str, dict[str, dict[str, Any]]] = {
            entity: {m[id_column]: dict(m) for m in members}
        }
        for table, column in present[entity]:
            for row in staging.fetch(table, column, proposal.merged_ids):
                touched.setdefault(table, {}).setdefault(row[f"{table}_id"], dict(row))
        for table, by_id in touched.items():
            rows = list(by_id.values())
            images.append(
                {
                    "merge_id": proposal.merge_id,
                    "table_name": table,
                    "row_ids": json.dumps([r[f"{table}_id"] for r in rows]),
                    "image": _encode(staging.image(table, rows)),
                }
            )
        survivor = staging.rows[entity][proposal.survivor_id]
        for change in proposal.fields:
            survivor[change["field"]] = _typed(staging.schemas[entity], change)
        staging.removed.setdefault(entity, set()).update(proposal.merged_ids)
        for table, column in present[entity]:
            for row in staging.rows.get(table, {}).values():
                if row[column] in proposal.merged_ids:
                    row[column] = proposal.survivor_id
        merges.append(
            {
                "merge_id": proposal.merge_id,
                "entity": entity,
                "survivor_id": proposal.survivor_id,
                "merged_ids": json.dumps(proposal.merged_ids),
                "fields": json.dumps(proposal.fields, default=str),
                "status": "applied",
                "applied_at": now,
            }
        )
    specs = []
    for table, staged in staging.rows.items():
        gone = staging.removed.get(table, set())
        remaining = [r for key, r in staged.items() if key not in gone]
        specs.append(
            LoadSpec(
                table,
                staging.image(table, remaining),
                ENTITIES[table].namespace,
                mode="replace",
                scope={f"{table}_id": sorted(staged)},
                distinct=True,
            )
        )
    specs += [
        LoadSpec("merge", _log_rows("merge", merges), NAMESPACE, "append", distinct=True),
        LoadSpec(
            "merge_image", _log_rows("merge_image", images), NAMESPACE, "append", distinct=True
        ),
    ]
    if plan.proposals:
        warehouse.load_many(specs)
    return ids


def _present(warehouse: Warehouse, entity: str) -> list[tuple[str, str]]:
    """The model's references to `entity` whose table the warehouse has."""
    return [
        (table, column)
        for table, column in referencing(entity)
        if warehouse.has_table(table, ENTITIES[table].namespace)
    ]


def _typed(schema: pa.Schema, change: Mapping[str, Any]) -> Any:
    """A winning value read back from a JSON plan, in its column's type."""
    value = change["value"]
    if value is None:
        return None
    column = schema.field(change["field"]).type
    return pa.array([value]).cast(column)[0].as_py() if not isinstance(value, bool) else value


def _log_rows(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    import ibis

    schema = ibis.schema(LOG_TABLES[table]).to_pyarrow()
    return pa.Table.from_pylist(rows, schema=schema)


def undo_merge(warehouse: Warehouse, merge_id: str) -> dict[str, Any]:
    """Restore every row merge `merge_id` changed to its before-image, in one load.

    Raises:
        IdentityError: no such merge, it is already undone, or a later merge changed
            the same rows (undo that one first).
    """
    _ensure_log(warehouse)
    log = warehouse.table("merge", NAMESPACE)
    found = log.filter(log.merge_id == merge_id).to_pyarrow().to_pylist()
    if not found:
        raise IdentityError(f"no merge {merge_id!r}; `revops identity merges` lists them")
    merge = found[-1]
    if merge["status"] != "applied":
        raise IdentityError(f"merge {merge_id} is already undone")
    image_table = warehouse.table("merge_image", NAMESPACE)
    images = image_table.filter(image_table.merge_id == merge_id).to_pyarrow().to_pylist()
    _refuse_if_changed_later(warehouse, merge, images)
    specs = []
    for image in images:
        table = image["table_name"]
        rows = _decode(image["image"])
        specs.append(
            LoadSpec(
                table,
                rows,
                ENTITIES[table].namespace,
                mode="replace",
                scope={f"{table}_id": json.loads(image["row_ids"])},
                distinct=True,
                restore=True,
            )
        )
    undone = {**merge, "status": "undone", "undone_at": datetime.now(UTC)}
    undone.pop("load_id", None)
    specs.append(
        LoadSpec(
            "merge",
            _log_rows("merge", [undone]),
            NAMESPACE,
            "replace",
            scope={"merge_id": [merge_id]},
            distinct=True,
        )
    )
    warehouse.load_many(specs)
    return undone


def _refuse_if_changed_later(
    warehouse: Warehouse, merge: Mapping[str, Any], images: Sequence[Mapping[str, Any]]
) -> None:
    """Undo restores before-images: a later applied merge of the same rows would be lost."""
    mine = {(i["table_name"], r) for i in images for r in json.loads(i["row_ids"])}
    log = warehouse.table("merge", NAMESPACE)
    later = (
        log.filter((log.status == "applied") & (log.merge_id != merge["merge_id"]))
        .filter(log.applied_at >= merge["applied_at"])
        .merge_id.to_pyarrow()
        .to_pylist()
    )
    if not later:
        return
    image_table = warehouse.table("merge_image", NAMESPACE)
    others = image_table.filter(image_table.merge_id.isin(later)).to_pyarrow().to_pylist()
    for other in others:
        rows = {(other["table_name"], r) for r in json.loads(other["row_ids"])}
        if rows & mine and other["load_id"] > merge["load_id"]:
            raise IdentityError(
                f"merge {other['merge_id']} changed rows of {merge['merge_id']} later; "
                "undo it first"
            )


def list_merges(warehouse: Warehouse) -> list[dict[str, Any]]:
    """The merge log, newest first."""
    _ensure_log(warehouse)
    log = warehouse.table("merge", NAMESPACE)
    rows = log.order_by(log.applied_at.desc(), log.merge_id).to_pyarrow().to_pylist()
    return [
        {
            "merge_id": r["merge_id"],
            "entity": r["entity"],
            "survivor_id": r["survivor_id"],
            "merged_ids": ", ".join(json.loads(r["merged_ids"])),
            "status": r["status"],
            "applied_at": r["applied_at"],
            "undone_at": r["undone_at"],
        }
        for r in rows
    ]
