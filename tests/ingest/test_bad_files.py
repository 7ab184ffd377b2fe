"""A file that cannot be read, or is not what a mapping reads, is refused as a whole:
listed with why, never logged as `loaded`, and the other files of the run still load."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from revops import Workspace
from revops.ingest.readers import ReadError
from revops.ingest.runner import ingest

GOOD_USER = "Id,FirstName,LastName,Email\n005A,Ann,Lee,ann@acme.com\n"


def _junk_xlsx(path: Path) -> None:
    # A zip, as a workbook is, holding no workbook.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    path.write_bytes(buffer.getvalue())


BAD_FILES: dict[str, tuple[str, Callable[[Path], object], str]] = {
    "empty": ("Account.csv", lambda p: p.write_bytes(b""), "file is empty"),
    "binary": (
        "Account.csv",
        lambda p: p.write_bytes(bytes(range(256)) * 8),
        "not a text file",
    ),
    "junk JSON": ("Account.json", lambda p: p.write_text('{"records": [1, 2'), "not valid JSON"),
    "JSON of another shape": (
        "Account.json",
        lambda p: p.write_text('{"totalSize": 3, "done": true}'),
        "not a Salesforce sObject tree",
    ),
    "junk XLSX": ("Account.xlsx", lambda p: p.write_text("plain text"), "not an xlsx workbook"),
    "zip that is no workbook": ("Account.xlsx", _junk_xlsx, "not an xlsx workbook"),
    "junk Parquet": ("Account.parquet", lambda p: p.write_bytes(b"PAR1junk"), "not a Parquet"),
    "CSV of another object": (
        "Account.csv",
        lambda p: p.write_text("colour,size\nred,3\n"),
        "not a salesforce Account file: none of the fields salesforce.Account.account reads",
    ),
    "unknown object": (
        "Widget.csv",
        lambda p: p.write_text("Id,Name\nW1,Gear\n"),
        "no salesforce mapping reads Widget",
    ),
}


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.create(tmp_path / "ws")
    yield ws
    ws.close()


def log_statuses(ws: Workspace) -> dict[str, str]:
    log = ws.warehouse.table("ingest_log", "raw").to_pyarrow().to_pylist()
    return {row["mapping"]: row["status"] for row in log}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_is_refused_and_the_others_load(
    kind: str, workspace: Workspace, tmp_path: Path
) -> None:
    name, write, reason = BAD_FILES[kind]
    folder = tmp_path / "salesforce"
    folder.mkdir()
    write(folder / name)
    (folder / "User.csv").write_text(GOOD_USER)
    report = ingest(workspace, [folder], quality=False)
    [refused] = report.refused
    assert refused.file == str(folder / name)
    assert reason in refused.message
    assert not report.ok
    by_object = {load.object: load for load in report.loads}
    assert by_object["User"].status == "loaded"
    assert by_object["User"].loaded == 1
    statuses = log_statuses(workspace)
    assert statuses["salesforce.User.user"] == "loaded"
    if name.startswith("Account"):
        assert by_object["Account"].status == "failed"
        assert statuses["salesforce.Account.account"] == "failed"
    assert workspace.warehouse.table("account").count().execute() == 0


def test_a_bad_file_beside_a_good_one_of_the_same_object_does_not_stop_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "salesforce"
    (folder / "2024").mkdir(parents=True)
    (folder / "2025").mkdir()
    (folder / "2024" / "User.csv").write_text(GOOD_USER)
    (folder / "2025" / "User.csv").write_bytes(b"\x00\x01\x02" * 100)
    report = ingest(workspace, [folder], quality=False)
    [load] = report.loads
    assert (load.status, load.loaded, load.files) == ("loaded", 1, (str(folder / "2024/User.csv"),))
    assert [n.file for n in report.refused] == [str(folder / "2025" / "User.csv")]


def test_a_header_the_mapping_reads_twice_refuses_the_file_naming_both_columns(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "salesforce"
    folder.mkdir()
    # Which Email is the user's would be a guess: the first is not silently kept.
    (folder / "User.csv").write_text(
        "Id,FirstName,LastName,Email,Email\n005A,Ann,Lee,ann@acme.com,old@acme.com\n"
    )
    report = ingest(workspace, [folder], quality=False)
    [refused] = report.refused
    assert refused.file == str(folder / "User.csv")
    assert "header 'Email' appears in columns 4 and 5" in refused.message
    assert "guess" in refused.message
    assert workspace.warehouse.table("user").count().execute() == 0


def test_a_header_repeated_that_the_mapping_does_not_read_is_a_warning(
    workspace: Workspace, tmp_path: Path
) -> None:
    import openpyxl

    folder = tmp_path / "salesforce"
    folder.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Id", "Nickname", "FirstName", "LastName", "Nickname"])
    sheet.append(["005A", "Annie", "Ann", "Lee", "A."])
    book.save(folder / "User.xlsx")
    report = ingest(workspace, [folder], quality=False)
    assert report.ok
    [load] = report.loads
    assert load.loaded == 1
    [warning] = [n for n in report.notes if "Nickname" in n.message]
    assert warning.level == "warning"
    assert "columns 2 and 5" in warning.message
    assert "Nickname, Nickname_2" in warning.message


def test_a_folder_with_no_file_to_read_says_so(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "salesforce"
    folder.mkdir()
    (folder / "notes.md").write_text("# not an export\n")
    with pytest.raises(ReadError, match=r"no file to ingest in .*salesforce"):
        ingest(workspace, [folder], quality=False)


def test_a_truth_folder_is_left_out_unless_asked_for(workspace: Workspace, tmp_path: Path) -> None:
    company = tmp_path / "company"
    (company / "salesforce").mkdir(parents=True)
    (company / "truth" / "salesforce").mkdir(parents=True)
    (company / "salesforce" / "User.csv").write_text(GOOD_USER)
    (company / "truth" / "salesforce" / "UserRole.csv").write_text("Id,Name\n00E1,Sales\n")
    report = ingest(workspace, [company], quality=False)
    assert report.ok
    assert [load.object for load in report.loads] == ["User"]
    report = ingest(workspace, [company], quality=False, include=["truth"])
    assert sorted(load.object for load in report.loads) == ["User", "UserRole"]
    with pytest.raises(ReadError, match="truth/ is left out unless --include truth"):
        ingest(workspace, [_only_truth(tmp_path)], quality=False)


def _only_truth(tmp_path: Path) -> Path:
    root = tmp_path / "only"
    (root / "truth").mkdir(parents=True)
    (root / "truth" / "clusters.csv").write_text("a,b\n1,2\n")
    return root


OPPORTUNITY = "Id,AccountId,Name,Type,StageName,Amount,CloseDate,IsClosed,IsWon,CreatedDate\n"


def opportunity(id_: str, name: str, type_: str, amount: str) -> str:
    return f"{id_},001A,{name},{type_},Prospecting,{amount},2026-12-31,false,false,2026-01-05\n"


def test_suspicious_values_load_flagged_with_file_row_and_field(
    workspace: Workspace, tmp_path: Path
) -> None:
    folder = tmp_path / "salesforce"
    folder.mkdir()
    (folder / "Opportunity.csv").write_text(
        OPPORTUNITY
        + opportunity("006A", "Acme\x07 renewal", "New Business", "1000")  # line 2: BEL
        + opportunity("006B", "Beta", "New Business", "-250")  # 3: negative, not a credit
        + opportunity("006C", "Gamma", "Downgrade", "-90")  # 4: a credit: fine
        + opportunity("006D", "Delta\tTwo\x1b[0m", "New Business", "10"),  # 5: tab fine, ESC not
        encoding="utf-8",
    )
    report = ingest(workspace, [folder], quality=True, as_of=None)
    [load] = report.loads
    assert (load.loaded, load.quarantined, load.flagged) == (4, 0, 3)
    flagged = workspace.warehouse.table("flagged_value", "quarantine").to_pyarrow().to_pylist()
    found = sorted((r["file"], r["row"], r["field"], r["reason"]) for r in flagged)
    file = str(folder / "Opportunity.csv")
    assert found == [
        (file, 2, "Name", "control character in the text (U+0007)"),
        (file, 3, "Amount", "negative amount on a deal that is not a credit (its type is not "
         "a credit one)"),
        (file, 5, "Name", "control character in the text (U+001B)"),
    ]  # fmt: skip
    # The quality rules score the same records in the warehouse, load after load.
    assert report.quality is not None
    failing = {
        (outcome.rule.name, source_id)
        for source_id in ("006A", "006B", "006C", "006D")
        for outcome in workspace.quality.check("opportunity", f"salesforce:{source_id}")
        if outcome.applies and not outcome.passed
        and outcome.rule.name.endswith(("control_characters", "not_negative"))
    }  # fmt: skip
    assert failing == {
        ("opportunity_name_no_control_characters", "006A"),
        ("opportunity_amount_not_negative", "006B"),
        ("opportunity_name_no_control_characters", "006D"),
    }


def test_re_ingesting_a_fixed_file_clears_its_flags(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "salesforce"
    folder.mkdir()
    file = folder / "Opportunity.csv"
    file.write_text(OPPORTUNITY + opportunity("006B", "Beta", "New Business", "-250"))
    ingest(workspace, [folder], quality=False)
    file.write_text(OPPORTUNITY + opportunity("006B", "Beta", "New Business", "250"))
    [load] = ingest(workspace, [folder], quality=False).loads
    assert load.flagged == 0
    assert workspace.warehouse.table("flagged_value", "quarantine").count().execute() == 0


def test_the_ingest_flags_and_the_quality_rules_exempt_the_same_credits() -> None:
    import ibis

    from revops.config import RevOpsConfig
    from revops.ingest.suspicious import CREDITS
    from revops.metrics.expression import compile_filter
    from revops.quality.loader import load_rules

    rules = load_rules(None, RevOpsConfig())
    for entity, (column, values) in CREDITS.items():
        rule = rules.rule(f"{entity}_amount_not_negative")
        assert rule.when is not None
        rows = ibis.memtable({column: [*values, "new", None]})
        applies = rows.select(a=compile_filter(rule.when, rows)).to_pyarrow()
        assert applies.column("a").to_pylist() == [False] * len(values) + [True, True]


def test_an_id_twice_collapses_when_the_rows_match_and_is_refused_when_they_differ(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A file whose ids all differ skips the collapse of copies; one with repeats gets it."""
    folder = tmp_path / "salesforce"
    folder.mkdir()
    file = folder / "Opportunity.csv"
    file.write_text(
        OPPORTUNITY
        + opportunity("006A", "Acme", "New Business", "100")
        + opportunity("006A", "Acme", "New Business", "100")  # an exact copy: collapses
        + opportunity("006B", "Beta", "New Business", "200")
        + opportunity("006B", "Beta", "New Business", "250")  # same id, other amount
        + opportunity("006C", "Gamma", "New Business", "300"),
        encoding="utf-8",
    )
    [load] = ingest(workspace, [folder], quality=False).loads
    assert (load.rows_in, load.loaded, load.duplicates, load.quarantined) == (5, 2, 1, 2)
    refused = workspace.warehouse.table("rejected_row", "quarantine").to_pyarrow().to_pylist()
    assert sorted((r["row"], r["reason"]) for r in refused if r["column"] == "source_id") == [
        (4, "id appears 2 times with different values"),
        (5, "id appears 2 times with different values"),
    ]
    file.write_text(
        OPPORTUNITY
        + opportunity("006A", "Acme", "New Business", "100")
        + opportunity("006C", "Gamma", "New Business", "300"),
        encoding="utf-8",
    )
    [load] = ingest(workspace, [folder], quality=False).loads
    assert (load.rows_in, load.loaded, load.duplicates, load.quarantined) == (2, 2, 0, 0)
