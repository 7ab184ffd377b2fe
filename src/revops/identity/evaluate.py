"""How well identity resolution recovers a demo company's true entities.

The demo generator writes who is who in `truth/`: duplicate clusters inside each system,
the HubSpot–Salesforce crosswalk of people, and the canonical ids its Salesforce and
Zendesk ids are derived from. This module maps those to warehouse records (by source
id) and scores a crosswalk against them, pair by pair and cluster by cluster.

Only records the truth covers are scored: Salesforce leads and contacts and HubSpot
contacts for people (Zendesk requesters are not in the truth), Salesforce accounts and
Zendesk organisations for companies (Stripe customer ids are random, so the truth cannot
say which account a customer is).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from revops.errors import IdentityError

# (system, object) of truth/duplicate_clusters.csv → the unique_id prefix of its records.
_OBJECT_PREFIX = {
    ("salesforce", "Lead"): "lead:salesforce:",
    ("salesforce", "Contact"): "contact:salesforce:",
    ("hubspot", "contacts"): "contact:hubspot:",
    ("salesforce", "Account"): "account:salesforce:",
}


@dataclass(frozen=True)
class Score:
    """Precision, recall and F1 of one entity kind, over pairs and over clusters.

    A predicted pair is right when both records are one true entity. A predicted cluster
    (of two or more records) is right when it is exactly a true entity's records.
    """

    kind: str
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    true_clusters: int
    predicted_clusters: int
    correct_clusters: int

    @property
    def pair_precision(self) -> float:
        return _ratio(self.correct_pairs, self.predicted_pairs)

    @property
    def pair_recall(self) -> float:
        return _ratio(self.correct_pairs, self.true_pairs)

    @property
    def pair_f1(self) -> float:
        return _f1(self.pair_precision, self.pair_recall)

    @property
    def cluster_precision(self) -> float:
        return _ratio(self.correct_clusters, self.predicted_clusters)

    @property
    def cluster_recall(self) -> float:
        return _ratio(self.correct_clusters, self.true_clusters)

    @property
    def cluster_f1(self) -> float:
        return _f1(self.cluster_precision, self.cluster_recall)

    def as_row(self) -> dict[str, object]:
        """The score as one flat row for output."""
        return {
            "entity": self.kind,
            "records": self.records,
            "true_pairs": self.true_pairs,
            "predicted_pairs": self.predicted_pairs,
            "pair_precision": round(self.pair_precision, 4),
            "pair_recall": round(self.pair_recall, 4),
            "pair_f1": round(self.pair_f1, 4),
            "true_clusters": self.true_clusters,
            "predicted_clusters": self.predicted_clusters,
            "cluster_precision": round(self.cluster_precision, 4),
            "cluster_recall": round(self.cluster_recall, 4),
            "cluster_f1": round(self.cluster_f1, 4),
        }


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score(kind: str, truth: Mapping[str, str], predicted: Mapping[str, str]) -> Score:
    """Score `predicted` (record → cluster) against `truth` (record → true entity).

    Only records in both are scored.

    Examples:
        >>> truth = {"a": "1", "b": "1", "c": "2", "d": "3"}
        >>> found = {"a": "x", "b": "x", "c": "y", "d": "y"}
        >>> s = score("person", truth, found)
        >>> s.correct_pairs, s.predicted_pairs, s.true_pairs, s.correct_clusters
        (1, 2, 1, 1)
        >>> round(s.pair_f1, 3), s.cluster_precision
        (0.667, 0.5)
    """
    common = [r for r in truth if r in predicted]
    true_sizes = Counter(truth[r] for r in common)
    found_sizes = Counter(predicted[r] for r in common)
    both = Counter((predicted[r], truth[r]) for r in common)
    correct_clusters = sum(
        1
        for (found, true), n in both.items()
        if n >= 2 and found_sizes[found] == n and true_sizes[true] == n
    )
    return Score(
        kind=kind,
        records=len(common),
        true_pairs=_pairs(true_sizes.values()),
        predicted_pairs=_pairs(found_sizes.values()),
        correct_pairs=_pairs(both.values()),
        true_clusters=sum(1 for n in true_sizes.values() if n >= 2),
        predicted_clusters=sum(1 for n in found_sizes.values() if n >= 2),
        correct_clusters=correct_clusters,
    )


def _pairs(sizes: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def truth_entities(company: Path) -> dict[str, dict[str, str]]:
    """Record `unique_id` → true entity, for `person` and `company`, from a demo company's
    `truth/` folder (`company` is the folder `revops demo generate --out` wrote).

    Raises:
        IdentityError: the folder has no `truth/` files of a demo company.
    """
    import pandas as pd

    from revops.demo.exports.zendesk import ORGANIZATION_BASE
    from revops.demo.ids import canonical_number, salesforce_ids

    folder = company / "truth"
    needed = [
        "duplicate_clusters.csv",
        "hubspot_salesforce_crosswalk.csv",
        "lead_quality.csv",
        "account_health.csv",
    ]
    missing = [name for name in needed if not (folder / name).is_file()]
    if missing:
        raise IdentityError(
            f"{folder}: not a demo company's truth folder (missing {', '.join(missing)})"
        )
    people = pd.read_csv(folder / "lead_quality.csv", dtype=str)["person_id"]
    person: dict[str, str] = {}
    for prefix, code in (("lead:salesforce:", "00Q"), ("contact:salesforce:", "003")):
        ids = salesforce_ids(people, code)
        person.update(zip(prefix + ids, people, strict=True))
    crosswalk = pd.read_csv(folder / "hubspot_salesforce_crosswalk.csv", dtype=str)
    hubspot = "contact:hubspot:" + crosswalk["hubspot_id"]
    person.update(zip(hubspot, crosswalk["person_id"], strict=True))

    accounts = pd.read_csv(folder / "account_health.csv", dtype=str)
    company_of: dict[str, str] = dict(
        zip("account:salesforce:" + accounts["salesforce_id"], accounts["account_id"], strict=True)
    )
    org_ids = (ORGANIZATION_BASE + canonical_number(accounts["account_id"])).astype(str)
    company_of.update(zip("account:zendesk:" + org_ids, accounts["account_id"], strict=True))

    clusters = pd.read_csv(folder / "duplicate_clusters.csv", dtype=str)
    for (system, obj), rows in clusters.groupby(["system", "object"]):
        object_prefix = _OBJECT_PREFIX.get((str(system), str(obj)))
        if object_prefix is None:
            continue
        target = company_of if object_prefix.startswith("account:") else person
        originals = rows[rows["is_original"] == "True"].set_index("cluster_id")["record_id"]
        for cluster_id, record_id in zip(rows["cluster_id"], rows["record_id"], strict=True):
            original = object_prefix + originals[cluster_id]
            target[object_prefix + record_id] = target.get(original, original)
    return {"person": person, "company": company_of}


def truth_file(path: Path, records: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Record `unique_id` → true entity from a CSV of true pairs or clusters.

    A file with columns `id_l`, `id_r` lists pairs of one entity; one with `id`,
    `cluster_id` gives each record its entity. Ids are unique ids, record ids or source
    ids of `records` (crosswalk rows of one kind). Every record of `records` is scored:
    one the file does not name is an entity of its own.

    Raises:
        IdentityError: not such a file, or an id that names no record.

    Examples:
        >>> import tempfile
        >>> rows = [{"unique_id": f"contact:x:{i}", "record_id": f"x:{i}",
        ...     "source_id": str(i)} for i in "abc"]
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = Path(folder) / "pairs.csv"
        ...     _ = path.write_text("id_l,id_r\\na,b\\n")
        ...     found = truth_file(path, rows)
        >>> found["contact:x:a"] == found["contact:x:b"] != found["contact:x:c"]
        True
    """
    import csv

    names: dict[str, str] = {}
    entity: dict[str, str] = {}
    for row in records:
        entity[row["unique_id"]] = row["unique_id"]
        for key in ("source_id", "record_id", "unique_id"):
            names[str(row[key])] = row["unique_id"]
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or ())
        rows = list(reader)

    def record(value: str, line: int) -> str:
        found = names.get(value.strip())
        if found is None:
            raise IdentityError(f"{path}, row {line}: no resolved record {value!r}")
        return found

    if {"id_l", "id_r"} <= columns:
        parent = dict(entity)

        def root(u: str) -> str:
            while parent[u] != u:
                parent[u] = parent[parent[u]]
                u = parent[u]
            return u

        for line, row in enumerate(rows, start=2):
            a, b = root(record(row["id_l"], line)), root(record(row["id_r"], line))
            if a != b:
                parent[max(a, b)] = min(a, b)
        return {u: root(u) for u in entity}
    if {"id", "cluster_id"} <= columns:
        for line, row in enumerate(rows, start=2):
            entity[record(row["id"], line)] = "truth:" + row["cluster_id"]
        return entity
    raise IdentityError(
        f"{path}: a truth file has columns id_l,id_r (pairs) or id,cluster_id (clusters)"
    )
