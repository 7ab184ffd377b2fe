"""`revops ingest run` exits non-zero when a file is refused (unless --keep-going) or when
nothing could be read, and lists every refused file with why."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import run_cli as run

GOOD_USER = "Id,FirstName,LastName,Email\n005A,Ann,Lee,ann@acme.com\n"


@pytest.fixture
def workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "ws"
    code, _, err = run(capsys, "init", str(root))
    assert code == 0, err
    return root


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    folder = tmp_path / "salesforce"
    folder.mkdir()
    (folder / "User.csv").write_text(GOOD_USER)
    (folder / "Account.csv").write_bytes(b"")
    (folder / "Widget.csv").write_text("Id,Name\nW1,Gear\n")
    return folder


def test_refused_files_are_listed_and_the_exit_code_is_one(
    workspace: Path, exports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "-w", str(workspace), "ingest", "run", str(exports),
                         "--no-quality", "-f", "json")  # fmt: skip
    assert code == 1
    assert '"status": "loaded"' in out  # User
    assert "2 file(s) not loaded:" in err
    assert f"{exports / 'Account.csv'}: file is empty" in err
    assert f"{exports / 'Widget.csv'}: no salesforce mapping reads Widget" in err
    code, out, _ = run(capsys, "-w", str(workspace), "ingest", "log", "-f", "csv")
    assert code == 0
    statuses = {line.split(",")[2]: line.split(",")[3] for line in out.splitlines()[1:]}
    assert statuses == {"salesforce.User.user": "loaded", "salesforce.Account.account": "failed"}


def test_keep_going_exits_zero_when_something_loaded(
    workspace: Path, exports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "-w", str(workspace), "ingest", "run", str(exports),
                       "--no-quality", "--keep-going")  # fmt: skip
    assert code == 0
    assert "2 file(s) not loaded:" in err


def test_a_file_no_mapping_reads_loads_nothing_and_exits_one_even_with_keep_going(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text("Deal,Value\nBig one,100\n")
    code, _, err = run(capsys, "-w", str(workspace), "ingest", "run", str(deals),
                       "--source", "salesforce", "--keep-going")  # fmt: skip
    assert code == 1
    assert f"{deals}: no salesforce mapping reads deals" in err
    assert err.strip().splitlines()[-1] == "error: nothing loaded"


def test_a_folder_with_no_known_file_is_one_red_line(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "readme.md").write_text("hello\n")
    code, out, err = run(capsys, "-w", str(workspace), "ingest", "run", str(folder))
    assert code == 1
    assert out == ""
    [line] = err.strip().splitlines()
    assert line.startswith(f"error: no file to ingest in {folder}: revops reads .csv")
