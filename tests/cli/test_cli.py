import csv
import io
import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from revops import Workspace
from revops.model import ENTITIES

from conftest import POSTGRES_URL
from support import run_cli

run = run_cli


@pytest.fixture
def workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "ws"
    code, _, err = run(capsys, "init", str(root))
    assert code == 0, err
    return root


def test_help_lists_the_command_groups(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for group in ("init", "config", "model", "warehouse"):
        assert group in out


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    from revops import __version__

    code, out, _ = run(capsys, "--version")
    assert (code, out.strip()) == (0, f"revops {__version__}")


def test_init_writes_a_commented_workspace(workspace: Path) -> None:
    text = (workspace / "revops.yaml").read_text()
    assert text.startswith("# revops workspace configuration")
    assert "year_start_month: 1" in text
    assert all((workspace / d).is_dir() for d in ("metrics", "rules", "plans"))


def test_init_refuses_to_overwrite_a_workspace(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "init", str(workspace))
    assert code == 1
    assert err.strip().startswith("error:")
    assert "already a revops workspace" in err
    assert len(err.strip().splitlines()) == 1


def test_the_acceptance_walkthrough_initialises_the_warehouse_and_shows_a_model(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--workspace", str(workspace), "warehouse", "init")
    assert code == 0, err
    assert "table(s) created" in err
    assert (workspace / "warehouse.duckdb").exists()
    code, out, _ = run(capsys, "--workspace", str(workspace), "model", "show", "opportunity")
    assert code == 0
    for column in ("opportunity_id", "stage", "amount", "close_date", "source_system"):
        assert column in out


def test_warehouse_status_lists_tables_with_row_counts(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "-w", str(workspace), "warehouse", "init")
    code, out, _ = run(capsys, "-w", str(workspace), "warehouse", "status", "--format", "json")
    assert code == 0
    tables = {(t["namespace"], t["table"]): t["rows"] for t in json.loads(out)}
    assert tables[("core", "opportunity")] == 0
    assert ("history", "opportunity_history") in tables


def test_the_workspace_can_come_from_the_environment(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVOPS_WORKSPACE", str(workspace))
    code, out, _ = run(capsys, "config", "show", "--format", "json")
    assert code == 0
    assert json.loads(out)["fiscal"]["year_start_month"] == 1


def test_config_show_prints_effective_values_as_csv(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workspace / "revops.yaml"
    config.write_text(
        config.read_text().replace("reporting_currency: USD", "reporting_currency: EUR")
    )
    code, out, _ = run(capsys, "-w", str(workspace), "config", "show", "--format", "csv")
    assert code == 0
    values = dict(csv.reader(io.StringIO(out)))
    assert values["reporting_currency"] == "EUR"
    assert values["opportunity_stages[5].category"] == "won"


def test_config_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "config", "schema")
    assert code == 0
    assert "fiscal" in json.loads(out)["properties"]


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_model_lists_every_entity_in_each_format(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    code, out, _ = run(capsys, "model", "--format", fmt)
    assert code == 0
    for name in ENTITIES:
        assert name in out
    if fmt == "json":
        assert len(json.loads(out)) == len(ENTITIES)
    if fmt == "csv":
        assert len(list(csv.reader(io.StringIO(out)))) == len(ENTITIES) + 1


def test_a_broken_config_is_one_red_line_and_exit_code_one(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace / "revops.yaml").write_text("fiscal:\n  year_start_month: 13\n")
    code, out, err = run(capsys, "-w", str(workspace), "config", "show")
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"error: {workspace / 'revops.yaml'}: fiscal.year_start_month: "
        "Input should be less than or equal to 12 (got 13)"
    ]


def test_debug_shows_the_traceback(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "revops.yaml").write_text("fiscal: [\n")
    code, _, err = run(capsys, "--debug", "-w", str(workspace), "config", "show")
    assert code == 1
    assert "Traceback" in err


def test_an_unknown_entity_suggests_the_close_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "model", "show", "oportunity")
    assert code == 1
    assert "did you mean 'opportunity'" in err


def test_a_folder_without_workspace_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "-w", str(tmp_path), "warehouse", "init")
    assert code == 1
    assert f"{tmp_path} is not a revops workspace" in err


def test_a_locked_duckdb_warehouse_gets_a_clear_message(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "-w", str(workspace), "warehouse", "init")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " time.sleep(60)",
            str(workspace / "warehouse.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        code, _, err = run(capsys, "-w", str(workspace), "warehouse", "status")
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    assert f"is in use by process {holder.pid}" in err
    assert len(err.strip().splitlines()) == 1


def test_the_installed_command_starts(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "revops", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "warehouse" in done.stdout


@pytest.mark.postgres
def test_a_workspace_on_postgres_creates_its_schemas_there(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = f"w{secrets.token_hex(4)}_"
    config = workspace / "revops.yaml"
    text = config.read_text()
    text = text.replace("url: duckdb:///warehouse.duckdb", f"url: {POSTGRES_URL}")
    text = text.replace('schema_prefix: ""', f"schema_prefix: {prefix}")
    config.write_text(text)
    try:
        code, _, err = run(capsys, "-w", str(workspace), "warehouse", "init")
        assert code == 0, err
        assert f"{len(ENTITIES)} table(s) created" in err
        code, out, _ = run(capsys, "-w", str(workspace), "warehouse", "status", "-f", "json")
        assert {t["table"] for t in json.loads(out)} >= {"opportunity", "user", "order"}
        assert not (workspace / "warehouse.duckdb").exists()
    finally:
        ws = Workspace.open(workspace)
        assert ws.warehouse.schema_name("core") == f"{prefix}core"
        ws.warehouse.drop()
        ws.close()
