"""Bad input never crashes and never loses a row: good rows load, each bad one is
reported with its file, row, field and reason."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from revops import Workspace
from revops.ingest.runner import ingest

HEADER = (
    "Id,AccountId,Name,Type,StageName,Amount,Probability,CloseDate,ForecastCategoryName,"
    "IsClosed,IsWon,OwnerId,CreatedDate,LastModifiedDate"
)


def deal(
    id_: str,
    *,
    stage: str = "Prospecting",
    amount: str = "1000.00",
    close: str = "2026-12-31",
    name: str = "Acme - New Business",
) -> str:
    return (
        f"{id_},001A,{name},New Business,{stage},{amount},10,{close},Pipeline,false,false,"
        "005A,2026-01-05T10:00:00.000+0000,2026-01-06T10:00:00.000+0000"
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.create(tmp_path / "ws")
    yield ws
    ws.close()


def rejected(ws: Workspace) -> list[dict[str, object]]:
    table = ws.warehouse.table("rejected_row", "quarantine")
    return list(table.order_by(["file", "row", "column"]).to_pyarrow().to_pylist())


def test_a_file_with_every_kind_of_bad_row_loads_the_good_ones(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "salesforce"
    folder.mkdir()
    lines = [
        HEADER,
        deal("006A"),  # line 2: good
        deal("006B", amount="lots"),  # 3: not an amount
        deal("006C", close="2026-13-45"),  # 4: not a date
        deal(""),  # 5: no id
        deal("006D", stage="Maybe Later"),  # 6: a stage the workspace does not have
        deal("006E", name='"Acme, ""the"" company\nsecond line"'),  # 7-8: quoted newline, good
        "006F,001A,too,few,fields",  # 9: wrong number of fields
        deal("006G"),  # 10: good
    ]
    (folder / "Opportunity.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest(workspace, [folder])
    [load] = report.loads
    assert (load.rows_in, load.loaded, load.quarantined) == (8, 3, 5)
    loaded = workspace.warehouse.table("opportunity").order_by("source_id").to_pyarrow()
    assert loaded.column("source_id").to_pylist() == ["006A", "006E", "006G"]
    assert loaded.column("name").to_pylist()[1] == 'Acme, "the" company\nsecond line'
    refused = {(r["row"], r["column"]): r["reason"] for r in rejected(workspace)}
    assert refused[(3, "amount")] == "not an amount"
    assert refused[(4, "close_date")] == "not a date"
    assert refused[(5, "source_id")] == "required but empty"
    assert str(refused[(6, "stage")]).startswith("not one of Prospecting")
    assert "fields" in str(refused[(9, None)])
    assert {row for row, _ in refused} == {3, 4, 5, 6, 9}
    record = next(r for r in rejected(workspace) if r["row"] == 3)
    assert record["value"] == "lots"
    assert record["field"] == "Amount"
    assert record["file"] == str(folder / "Opportunity.csv")
    assert '"Id":"006B"' in str(record["record"])


def test_empty_header_only_and_mis_encoded_files_do_not_stop_the_others(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "salesforce"
    folder.mkdir()
    (folder / "Account.csv").write_bytes(b"")
    (folder / "Contact.csv").write_text("Id,AccountId,FirstName,LastName,Email\n")
    # A Windows export: cp1252, semicolons.
    user = (
        "Id;FirstName;LastName;Email;Title;IsActive\n005A;Zoë;Müller;zoe@acme.com;VP Sales;true\n"
    )
    (folder / "User.csv").write_bytes(user.encode("cp1252"))
    report = ingest(workspace, [folder])
    # The empty file is refused (nothing in it to load); the header-only export is a
    # valid export of no rows.
    assert [(n.file, n.message) for n in report.refused] == [
        (str(folder / "Account.csv"), "file is empty")
    ]
    by_object = {load.object: load for load in report.loads}
    assert by_object["Account"].status == "failed"
    assert by_object["Contact"].status == "loaded"
    assert by_object["Contact"].rows_in == 0
    assert by_object["User"].loaded == 1
    users = workspace.warehouse.table("user").to_pyarrow().to_pylist()
    assert users[0]["name"] == "Zoë Müller"
    assert users[0]["role"] == "executive"


def test_a_column_missing_from_the_file_is_reported_and_required_ones_refuse_rows(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "salesforce"
    folder.mkdir()
    header = HEADER.replace(",StageName", "")
    row = deal("006A").replace(",Prospecting", "")
    (folder / "Opportunity.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    report = ingest(workspace, [folder])
    [load] = report.loads
    assert "StageName" in load.message
    assert (load.rows_in, load.loaded, load.quarantined) == (1, 0, 1)
    assert rejected(workspace)[0]["reason"] == "required but empty"


def test_a_broken_expression_in_a_workspace_mapping_fails_that_load_only(
    workspace: Workspace, tmp_path: Path
) -> None:
    (workspace.root / "mappings").mkdir(exist_ok=True)
    (workspace.root / "mappings" / "teams.yaml").write_text(
        "source: salesforce\nobject: UserRole\nentity: team\nkey: Id\n"
        "columns:\n  name: {expr: 'upper(\"Name\" +)'}\n",
        encoding="utf-8",
    )
    folder = tmp_path / "salesforce"
    folder.mkdir()
    (folder / "UserRole.csv").write_text("Id,Name\n00E1,Sales\n", encoding="utf-8")
    (folder / "User.csv").write_text("Id,FirstName,LastName\n005A,Ann,Lee\n", encoding="utf-8")
    report = ingest(workspace, [folder])
    [failed] = report.failed
    assert failed.object == "UserRole"
    assert "teams.yaml" in failed.message
    assert [load.loaded for load in report.loads if load.status == "loaded"] == [1]


def test_a_load_past_the_memory_limit_fails_naming_the_setting_and_the_others_load(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    Workspace.create(root).close()
    config = root / "revops.yaml"
    config.write_text(config.read_text() + "\ningest:\n  memory_limit: 4MB\n  part_mb: 1\n")
    folder = tmp_path / "salesforce"
    folder.mkdir()
    deals = [deal(f"006{i:015d}", name=f"Deal {i} " + "x" * 200) for i in range(20_000)]
    (folder / "Opportunity.csv").write_text("\n".join([HEADER, *deals]) + "\n")
    (folder / "UserRole.csv").write_text("Id,Name\n00E1,Sales\n", encoding="utf-8")
    ws = Workspace.open(root)
    try:
        # The closing quality run needs more than 4 MB of the warehouse: it runs again
        # with the warehouse's own limit, and the ingest ends with its score.
        report = ingest(ws, [folder])
        assert report.quality is not None
        assert report.quality_problem is None or "memory" not in report.quality_problem
        [failed] = report.failed
        assert failed.object == "Opportunity"
        assert "ran out of memory" in failed.message
        assert "ingest.memory_limit" in failed.message
        assert [load.object for load in report.loads if load.status == "loaded"] == ["UserRole"]
        assert ws.warehouse.table("team").count().execute() == 1
    finally:
        ws.close()
