"""Comparisons, blocking and mode from configuration: link-only never links two records
of one source; a configured field the records lack is one clear error; a blocking key
shared by too many records is skipped and reported."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from revops.config import IdentityKindSettings, IdentitySettings, RevOpsConfig
from revops.errors import IdentityError
from revops.identity.clustering import cluster_pairs
from revops.identity.modelspec import build_spec
from revops.identity.records import person_records
from revops.identity.splinkmodel import resolve

CONTACTS = Path(__file__).parents[1] / "fixtures" / "febrl" / "febrl1"


def _febrl_people() -> tuple[pa.Table, dict[str, str]]:
    """FEBRL 1's people: originals in `crm`, their copies alternately in `web` and `crm`
    (so `crm` holds duplicates of its own); the truth by unique id."""
    with (CONTACTS / "truth.csv").open(newline="") as handle:
        entity = {r["id"]: r["cluster_id"] for r in csv.DictReader(handle)}
    with (CONTACTS / "salesforce" / "Contact.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    seen: dict[str, int] = {}
    raw: dict[str, list[Any]] = {k: [] for k in _COLUMNS}
    truth = {}
    for row in rows:
        person = entity[row["Id"]]
        copy = seen.get(person, 0)
        seen[person] = copy + 1
        system = "crm" if copy == 0 or int(person) % 2 else "web"
        street = row["MailingStreet"].split("\n")
        unique_id = f"contact:{system}:{row['Id']}"
        values = {
            "unique_id": unique_id,
            "entity": "contact",
            "record_id": f"{system}:{row['Id']}",
            "source_system": system,
            "source_id": row["Id"],
            "first_name": row["FirstName"] or None,
            "last_name": row["LastName"] or None,
            "address_line1": street[0] or None,
            "address_line2": street[1] if len(street) > 1 else None,
            "city": row["MailingCity"] or None,
            "postcode": row["MailingPostalCode"] or None,
            "state": row["MailingState"] or None,
            "birth_date": row["Birthdate"] or None,
        }
        for key in _COLUMNS:
            raw[key].append(values.get(key))
        truth[unique_id] = person
    return person_records(pa.table(raw, schema=pa.schema([(k, pa.string()) for k in raw]))), truth


_COLUMNS = [
    "unique_id",
    "entity",
    "record_id",
    "source_system",
    "source_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "company_domain",
    "address_line1",
    "address_line2",
    "city",
    "postcode",
    "state",
    "country",
    "birth_date",
]


def test_link_only_never_links_two_records_of_one_source() -> None:
    records, truth = _febrl_people()
    settings = IdentitySettings(
        person=IdentityKindSettings(mode="link_only", sources=("crm", "web"))
    )
    result = resolve(build_spec("person", settings, records), records, 0.999)
    system = dict(
        zip(
            records.column("unique_id").to_pylist(),
            records.column("source_system").to_pylist(),
            strict=True,
        )
    )
    pairs = result.pairs.to_pylist()
    assert pairs
    assert all(system[p["unique_id_l"]] != system[p["unique_id_r"]] for p in pairs)
    linked = [p for p in pairs if p["match_probability"] >= 0.999]
    cross = {tuple(sorted(p)) for p in _pairs_of(truth) if system[p[0]] != system[p[1]]}
    found = {tuple(sorted((p["unique_id_l"], p["unique_id_r"]))) for p in linked}
    assert len(found & cross) >= 0.9 * len(cross)
    assert len(found - cross) <= 0.02 * len(found)


def _pairs_of(truth: dict[str, str]) -> list[tuple[str, str]]:
    members: dict[str, list[str]] = {}
    for unique_id, person in truth.items():
        members.setdefault(person, []).append(unique_id)
    return [(m[0], m[1]) for m in members.values() if len(m) == 2]


def test_a_dedupe_of_the_same_records_links_within_a_source() -> None:
    records, truth = _febrl_people()
    result = resolve(build_spec("person", IdentitySettings(), records), records, 0.999)
    ids = records.column("unique_id").to_pylist()
    clusters = cluster_pairs(ids, result.pairs, 0.999).column("cluster_id").to_pylist()
    cluster = dict(zip(ids, clusters, strict=True))
    within = [p for p in _pairs_of(truth) if p[0].split(":")[1] == p[1].split(":")[1]]
    assert sum(cluster[a] == cluster[b] for a, b in within) >= 0.9 * len(within)


def test_link_only_needs_two_sources() -> None:
    with pytest.raises(ValueError, match="link_only needs at least two"):
        RevOpsConfig.model_validate({"identity": {"person": {"mode": "link_only"}}})


def test_a_configured_field_the_records_lack_is_named() -> None:
    records, _ = _febrl_people()
    settings = IdentitySettings.model_validate(
        {"person": {"comparisons": [{"field": "date_of_birth", "date": True}]}}
    )
    with pytest.raises(
        IdentityError, match=r"identity.person.comparisons: no column 'date_of_birth'"
    ):
        build_spec("person", settings, records)


def test_a_blocking_key_shared_by_too_many_records_is_split() -> None:
    records, _ = _febrl_people()
    settings = IdentitySettings.model_validate(
        {"person": {"blocking": [["state"], ["first_key", "last_name"]]}, "max_block_size": 300}
    )
    result = resolve(build_spec("person", settings, records), records, 0.999)
    assert result.training is not None
    split = result.training.split_blocks
    # NSW holds about a third of FEBRL's people: its records are compared in chunks of
    # 300 neighbours, not all with all.
    assert set(split) == {"state"}
    keys, held = split["state"]
    assert keys >= 1
    assert held > 300
    assert result.training.candidate_pairs <= records.num_rows * 2 * 299


def test_the_documented_configuration_is_valid() -> None:
    import yaml

    text = (Path(__file__).parents[2] / "docs" / "identity.md").read_text("utf-8")
    start = text.index("```yaml\nidentity:\n  person:\n") + len("```yaml\n")
    config = RevOpsConfig.model_validate(yaml.safe_load(text[start : text.index("```", start)]))
    person = config.identity.person
    assert (person.mode, person.sources) == ("link_only", ("salesforce", "hubspot"))
    assert person.comparisons is not None
    assert [c.field for c in person.comparisons][:3] == ["email", "first_name", "last_name"]
