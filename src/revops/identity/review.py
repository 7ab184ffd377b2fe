"""The review queue: pairs the model is unsure of, for a person to accept or reject.

`identity.review` keeps one decision per pair (the latest wins): `accept` (one entity)
or `reject` (two). The next run respects them: an accepted pair links whatever its score,
a rejected pair never links (the two records can still meet through a third record
linked to both). Accepted pairs are also labels: with at least :data:`MIN_LABELS` of
them, the next run estimates the m probabilities from them after EM.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa

from revops.errors import IdentityError
from revops.warehouse import LoadSpec

if TYPE_CHECKING:
    from revops.warehouse import Warehouse

NAMESPACE = "identity"
TABLE = "review"
COLUMNS = {
    "kind": "string",
    "unique_id_l": "string",
    "unique_id_r": "string",
    "decision": "string",
    "decided_by": "string",
    "decided_at": "timestamp('UTC')",
    "load_id": "string",
}
MIN_LABELS = 50
"""Accepted pairs needed before they replace EM's m estimates (fewer are too noisy)."""
ACCEPTED_WEIGHT = 50.0

Decision = Literal["accept", "reject"]


def ensure_review_table(warehouse: Warehouse) -> None:
    """Create `identity.review` where missing."""
    import ibis

    warehouse.init([])
    if not warehouse.has_table(TABLE, NAMESPACE):
        warehouse.create_table(TABLE, ibis.schema(COLUMNS), NAMESPACE)


def decisions(warehouse: Warehouse, kind: str) -> dict[tuple[str, str], str]:
    """(left, right) sorted → the latest decision, for `kind`."""
    if not warehouse.has_table(TABLE, NAMESPACE):
        return {}
    table = warehouse.table(TABLE, NAMESPACE)
    rows = (
        table.filter(table.kind == kind)
        .select("unique_id_l", "unique_id_r", "decision", "decided_at")
        .order_by("decided_at")
        .to_pyarrow()
        .to_pylist()
    )
    return {(r["unique_id_l"], r["unique_id_r"]): r["decision"] for r in rows}


def record_decision(
    warehouse: Warehouse,
    kind: str,
    left: str,
    right: str,
    decision: Decision,
    who: str,
    at: datetime | None = None,
) -> None:
    """Store one decision on the pair of `left` and `right` (unique ids), made `at`
    (default now)."""
    ensure_review_table(warehouse)
    a, b = sorted([left, right])
    row = pa.table(
        {
            "kind": [kind],
            "unique_id_l": [a],
            "unique_id_r": [b],
            "decision": [decision],
            "decided_by": [who],
            "decided_at": pa.array([at or datetime.now(UTC)], pa.timestamp("us", tz="UTC")),
        }
    )
    warehouse.load_many([LoadSpec(TABLE, row, NAMESPACE, "append")])


def apply_decisions(
    pairs: pa.Table, decided: dict[tuple[str, str], str], *, add_missing: bool = True
) -> tuple[pa.Table, set[tuple[str, str]]]:
    """`pairs` with the decisions applied: accepted pairs certain, rejected pairs
    impossible; with `add_missing`, the accepted pairs the model did not score are added.
    Also the decided pairs `pairs` held.

    Examples:
        >>> pairs = pa.table({"unique_id_l": ["a", "c"], "unique_id_r": ["b", "d"],
        ...     "match_weight": [5.0, 12.0], "match_probability": [0.97, 0.9998],
        ...     "detail": ["{}", "{}"]})
        >>> found, seen = apply_decisions(pairs, {("a", "b"): "accept", ("c", "d"): "reject",
        ...     ("e", "f"): "accept"})
        >>> found.column("match_probability").to_pylist(), sorted(seen)
        ([1.0, 0.0, 1.0], [('a', 'b'), ('c', 'd')])
    """
    if not decided:
        return pairs, set()
    left = pairs.column("unique_id_l").to_pylist()
    right = pairs.column("unique_id_r").to_pylist()
    probability = pairs.column("match_probability").to_pylist()
    weight = pairs.column("match_weight").to_pylist()
    seen: set[tuple[str, str]] = set()
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        key = (min(a, b), max(a, b))
        decision = decided.get(key)
        if decision is None:
            continue
        seen.add(key)
        if decision == "accept":
            probability[i], weight[i] = 1.0, ACCEPTED_WEIGHT
        else:
            probability[i], weight[i] = 0.0, -ACCEPTED_WEIGHT
    found = pairs.set_column(
        pairs.schema.get_field_index("match_probability"),
        "match_probability",
        pa.array(probability, pa.float64()),
    )
    found = found.set_column(
        found.schema.get_field_index("match_weight"), "match_weight", pa.array(weight, pa.float64())
    )
    if add_missing:
        found = pa.concat_tables([found, accepted_pairs(decided, seen).select(found.column_names)])
    return found, seen


def accepted_pairs(decided: dict[tuple[str, str], str], seen: set[tuple[str, str]]) -> pa.Table:
    """The accepted pairs not in `seen`, as certain pairs the model never scored."""
    added = sorted(k for k, d in decided.items() if d == "accept" and k not in seen)
    reviewed = json.dumps({"review": {"level": "accepted by a person", "weight": 0.0}})
    return pa.table(
        {
            "unique_id_l": pa.array([a for a, _ in added], pa.string()),
            "unique_id_r": pa.array([b for _, b in added], pa.string()),
            "match_weight": pa.array([ACCEPTED_WEIGHT] * len(added), pa.float64()),
            "match_probability": pa.array([1.0] * len(added), pa.float64()),
            "detail": pa.array([reviewed] * len(added), pa.string()),
        }
    )


def labels(decided: dict[tuple[str, str], str]) -> pa.Table | None:
    """The accepted pairs as Splink pairwise labels, when there are enough of them."""
    accepted = [k for k, d in decided.items() if d == "accept"]
    if len(accepted) < MIN_LABELS:
        return None
    return pa.table(
        {
            "unique_id_l": [a for a, _ in accepted],
            "unique_id_r": [b for _, b in accepted],
            "clerical_match_score": [1.0] * len(accepted),
        }
    )


def review_queue(
    warehouse: Warehouse,
    kind: str,
    band: tuple[float, float],
    threshold: float,
    limit: int,
    skip: set[tuple[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """The undecided pairs of `kind` scored in [low, high), those closest to `threshold`
    (in match weight) first, with both records named and every comparison's level.

    `skip` holds more decided pairs (left, right sorted): those waiting elsewhere to be
    stored, such as the cockpit's (see `revops identity run`)."""
    import math

    from revops.identity.crosswalk import NAMESPACE as IDENTITY

    if not warehouse.has_table("pair", IDENTITY):
        raise IdentityError("no scored pairs yet; run `revops identity run` first")
    pair = warehouse.table("pair", IDENTITY)
    low, high = band
    found = pair.filter(
        (pair.kind == kind) & (pair.match_probability >= low) & (pair.match_probability < high)
    )
    decided: dict[tuple[str, str], str] | set[tuple[str, str]] = decisions(warehouse, kind)
    decided = set(decided) | (skip or set())
    cut = math.log2(threshold / (1 - threshold))
    ordered = found.order_by((found.match_weight - cut).abs().asc())
    rows = ordered.limit(limit + len(decided)).to_pyarrow().to_pylist()
    queue = []
    for row in rows:
        key = tuple(sorted([row["unique_id_l"], row["unique_id_r"]]))
        if key in decided:
            continue
        detail = json.loads(row["detail"])
        queue.append(
            {
                "left": row["unique_id_l"],
                "right": row["unique_id_r"],
                "left_name": _name(detail, "left"),
                "right_name": _name(detail, "right"),
                "match_probability": round(float(row["match_probability"]), 4),
                "match_weight": round(float(row["match_weight"]), 3),
                "is_match": bool(row["is_match"]),
                "agrees_on": ", ".join(
                    sorted(n for n, c in detail.items() if (c.get("weight") or 0) > 0)
                ),
                "comparisons": [
                    {
                        "comparison": name,
                        "level": str(detail[name].get("level", "")),
                        "weight": detail[name].get("weight"),
                        "left": detail[name].get("left"),
                        "right": detail[name].get("right"),
                    }
                    for name in sorted(detail)
                ],
            }
        )
        if len(queue) >= limit:
            break
    return queue


def _name(detail: dict[str, Any], side: str) -> str:
    """How a person reads a record of a pair: its name and the values that identify it."""
    parts = [
        str(detail[c][side])
        for c in ("first_name", "last_name", "name")
        if c in detail and detail[c].get(side)
    ]
    extra = [
        str(detail[c][side])
        for c in ("email", "domain", "birth_date", "postcode")
        if c in detail and detail[c].get(side)
    ]
    name = " ".join(parts) or "?"
    return f"{name} ({', '.join(extra)})" if extra else name


def describe_records(warehouse: Warehouse, kind: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The records `ids` (unique ids) as they are in the warehouse: table, source system
    and id, name, e-mail and company (a person's) or domain (a company's)."""
    from revops.identity.records import company_source, person_source

    if not ids:
        return {}
    source = person_source(warehouse) if kind == "person" else company_source(warehouse)
    rows = source.filter(source.unique_id.isin(ids)).to_pyarrow().to_pylist()
    found = {}
    for row in rows:
        if kind == "person":
            name = " ".join(str(row[c]) for c in ("first_name", "last_name") if row.get(c))
            email, company = row.get("email"), row.get("company") or row.get("company_domain")
        else:
            name, email, company = str(row.get("name") or ""), None, row.get("domain")
        found[str(row["unique_id"])] = {
            "unique_id": str(row["unique_id"]),
            "entity": str(row["entity"]),
            "record_id": str(row["record_id"]),
            "source_system": str(row["source_system"]),
            "source_id": str(row["source_id"]),
            "name": name,
            "email": email,
            "company": company,
        }
    return found
