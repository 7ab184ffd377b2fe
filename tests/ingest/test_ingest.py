"""Ingest end to end on a small generated company: counts that add up, a quarantine that
holds exactly the injected invalid rows, idempotent re-runs, history from snapshots,
released rows, on DuckDB and PostgreSQL."""

from __future__ import annotations

import csv
import secrets
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from revops import Workspace
from revops.demo import DemoParams
from revops.demo.generate import generate_company
from revops.ingest.report import IngestReport
from revops.ingest.runner import ingest
from revops.warehouse import Warehouse

from conftest import POSTGRES_URL

PARAMS = DemoParams(accounts=300, years=2, seed=11, as_of=date(2026, 11, 22))
INVALID = {"invalid_email", "invalid_phone"}
BACKENDS = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("company")
    generate_company(PARAMS, out)
    return out


@pytest.fixture(params=BACKENDS)
def workspace(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    root = tmp_path / "ws"
    Workspace.create(root)
    if request.param == "postgres":
        config = root / "revops.yaml"
        text = config.read_text()
        text = text.replace("url: duckdb:///warehouse.duckdb", f"url: {POSTGRES_URL}")
        text = text.replace('schema_prefix: ""', f"schema_prefix: i{secrets.token_hex(4)}_")
        config.write_text(text)
    ws = Workspace.open(root)
    yield ws
    if request.param == "postgres":
        ws.warehouse.drop()
    ws.close()


def copy_system(company: Path, system: str, into: Path) -> Path:
    target = into / system
    shutil.copytree(company / system, target)
    return target


def injected_invalid(company: Path, system: str) -> set[tuple[str, str]]:
    """(object, record id) of every record with an injected invalid value."""
    with (company / "truth" / "defects.csv").open(encoding="utf-8") as file:
        return {
            (row["object"], row["record_id"])
            for row in csv.DictReader(file)
            if row["system"] == system and row["defect"] in INVALID
        }


def quarantined(warehouse: Warehouse) -> set[tuple[str, str]]:
    rejected = warehouse.table("rejected_row", "quarantine")
    return {
        (row["object"], row["source_id"])
        for row in rejected.select("object", "source_id").to_pyarrow().to_pylist()
    }


def assert_counts_add_up(report: IngestReport) -> None:
    assert report.loads
    assert not report.failed
    for load in report.loads:
        assert load.rows_in == load.loaded + load.quarantined + load.duplicates + load.skipped, load


def test_salesforce_loads_and_quarantines_exactly_the_invalid_rows(
    company: Path, workspace: Workspace, tmp_path: Path
) -> None:
    folder = copy_system(company, "salesforce", tmp_path / "exports")
    report = ingest(workspace, [folder])
    assert_counts_add_up(report)
    assert quarantined(workspace.warehouse) == injected_invalid(company, "salesforce")
    loaded = {load.object: load for load in report.loads}
    with (folder / "Account.csv").open(encoding="utf-8") as file:
        accounts = sum(1 for _ in csv.DictReader(file))
    assert loaded["Account"].inserted == accounts
    rows = workspace.warehouse.table("account").count().execute()
    assert rows == accounts
    # Deals whose account was deleted load, each with a warning.
    with (company / "truth" / "defects.csv").open(encoding="utf-8") as file:
        orphans = {
            row["record_id"]
            for row in csv.DictReader(file)
            if row["defect"] == "orphan_reference" and row["object"] == "Opportunity"
        }
    orphans -= {record for _, record in injected_invalid(company, "salesforce")}
    assert orphans
    warnings = workspace.warehouse.table("reference_warning", "quarantine")
    warned = warnings.filter(warnings.entity == "opportunity", warnings.column == "account_id")
    assert set(warned.source_id.to_pyarrow().to_pylist()) == orphans
    assert report.reference_warnings >= len(orphans)


def test_the_same_files_twice_change_nothing(
    company: Path, workspace: Workspace, tmp_path: Path
) -> None:
    folder = copy_system(company, "salesforce", tmp_path / "exports")
    first = ingest(workspace, [folder])
    history_before = workspace.warehouse.table("opportunity_history", "history").count().execute()
    # Loaded again for real (--force), and reused (the default): the same counts.
    for again in (ingest(workspace, [folder], force=True), ingest(workspace, [folder])):
        assert_counts_add_up(again)
        for load, before in zip(again.loads, first.loads, strict=True):
            assert (load.inserted, load.updated, load.history_rows, load.released) == (0, 0, 0, 0)
            assert (load.rows_in, load.loaded) == (before.rows_in, before.loaded)
            assert load.quarantined == before.quarantined
    history_after = workspace.warehouse.table("opportunity_history", "history").count().execute()
    assert history_after == history_before


def test_a_mapping_whose_files_did_not_change_is_not_loaded_again(
    company: Path, workspace: Workspace, tmp_path: Path
) -> None:
    folder = copy_system(company, "salesforce", tmp_path / "exports")
    first = ingest(workspace, [folder])
    assert not any(load.reused for load in first.loads)
    log = workspace.warehouse.table("ingest_log", "raw")
    logged = log.count().execute()
    accounts = workspace.warehouse.table("account")
    account_rows = accounts.count().execute()

    # One export changes (a new account); every other mapping's files are as they were.
    path = folder / "Account.csv"
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        fields, rows = reader.fieldnames, list(reader)
    assert fields is not None
    rows.append({**rows[0], "Id": "0018d00000Zz9ZZAAZ", "Name": "Newly Added Inc"})
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fields, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    second = ingest(workspace, [folder])
    assert_counts_add_up(second)
    account = next(load for load in second.loads if load.object == "Account")
    assert (account.reused, account.inserted) == (None, 1)
    others = [load for load in second.loads if load.object != "Account"]
    assert others
    assert all(load.reused for load in others)
    by_mapping = {load.mapping: load for load in first.loads}
    for load in others:
        assert load.reused == by_mapping[load.mapping].load_id
        assert load.message.startswith(f"files unchanged since load {load.reused}")
    assert second.quality is not None  # the account load is scored
    assert log.count().execute() == logged + len(second.loads)
    assert accounts.count().execute() == account_rows + 1

    # What the files' digest cannot see: rows deleted by hand come back only with force.
    table = workspace.warehouse.qualified("account", "core")
    workspace.warehouse.execute(f"DELETE FROM {table} WHERE name = 'Newly Added Inc'")
    third = ingest(workspace, [folder])
    assert all(load.reused for load in third.loads)
    assert third.quality is not None  # each ingest ends with a quality run all the same
    assert accounts.count().execute() == account_rows
    forced = ingest(workspace, [folder], force=True)
    assert not any(load.reused for load in forced.loads)
    assert accounts.count().execute() == account_rows + 1


def test_stage_changes_in_a_new_export_become_exactly_those_history_rows(
    company: Path, workspace: Workspace, tmp_path: Path
) -> None:
    folder = copy_system(company, "salesforce", tmp_path / "exports")
    ingest(workspace, [folder])
    history = workspace.warehouse.table("opportunity_history", "history")
    before = history.count().execute()

    path = folder / "Opportunity.csv"
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        fields, rows = reader.fieldnames, list(reader)
    assert fields is not None
    open_rows = [r for r in rows if r["IsClosed"] == "false" and r["Amount"]]
    moved = open_rows[: max(1, len(rows) // 20)]
    for row in moved:
        row["StageName"] = "Negotiation" if row["StageName"] != "Negotiation" else "Proposal"
        row["ForecastCategoryName"] = "Commit" if row["StageName"] == "Negotiation" else "Best Case"
        row["LastModifiedDate"] = "2026-11-22T12:00:00.000+0000"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fields, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)

    report = ingest(workspace, [folder])
    opportunity = next(load for load in report.loads if load.object == "Opportunity")
    assert opportunity.updated == len(moved)
    assert opportunity.history_rows == len(moved)
    added = history.filter(history.source_id.startswith("snapshot:")).to_pyarrow().to_pylist()
    latest = [row for row in added if row["valid_from"].isoformat().startswith("2026-11-22T12")]
    assert {row["opportunity_id"] for row in latest} == {f"salesforce:{r['Id']}" for r in moved}
    assert {row["stage"] for row in latest} <= {"Negotiation", "Proposal"}
    assert history.count().execute() == before + len(moved)


def test_a_fixed_file_releases_its_quarantined_rows(
    company: Path, workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "exports" / "salesforce"
    folder.mkdir(parents=True)
    path = folder / "Opportunity.csv"
    with (company / "salesforce" / "Opportunity.csv").open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        fields, rows = reader.fieldnames, list(reader)
    assert fields is not None
    original = [row["StageName"] for row in rows]
    for row in rows[:5]:
        row["StageName"] = "Stalled"  # a stage the workspace does not have

    def write() -> None:
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=fields, lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)

    write()
    first = ingest(workspace, [folder])
    refused = first.loads[0].quarantined
    assert refused >= 5
    for row, stage in zip(rows, original, strict=True):
        row["StageName"] = stage
    write()
    second = ingest(workspace, [folder])
    load = second.loads[0]
    assert (load.quarantined, load.released, load.inserted) == (0, refused, refused)
    assert workspace.warehouse.table("rejected_row", "quarantine").count().execute() == 0
