"""CLI commands while another process reads the warehouse, as `revops serve` does: the
commands that only read work, those that write stop with one clear line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import DEMO, ingest_demo
from support import run_cli as run

HOLDER = """
import sys
from revops import Workspace
ws = Workspace.open(sys.argv[1], read_only=True)
ws.warehouse.table("opportunity").count().execute()
print("ready", flush=True)
sys.stdin.read()
"""
"""A second process holding the warehouse open read-only, the way the server opens it."""


@pytest.fixture(scope="module")
def served(demo_company: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("served") / "ws"
    ws = ingest_demo(demo_company, root)
    try:
        ws.quality.run(DEMO.as_of)
    finally:
        ws.close()
    return root


@contextmanager
def holding(served: Path) -> Iterator[subprocess.Popen[str]]:
    """A process holding `served` open until the block ends (or its stdin is closed)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(served)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        yield process
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(30)


@pytest.fixture(scope="module")
def holder(served: Path) -> Iterator[subprocess.Popen[str]]:
    """One holder for the module's commands: starting Python and revops takes seconds."""
    with holding(served) as process:
        yield process


AS_OF = DEMO.as_of.isoformat()
READERS = [
    ["metrics", "show", "bookings", "--window", "FY2026", "--format", "json"],
    ["metrics", "rows", "bookings", "--window", "FY2026", "--format", "json"],
    ["metrics", "explain", "win_rate"],
    ["pipeline", "show", "--as-of", AS_OF, "--format", "json"],
    ["pipeline", "stalled", "--as-of", AS_OF, "--format", "json"],
    ["forecast", "--as-of", AS_OF, "--format", "json"],
    ["quality", "report", "--format", "json"],
    ["warehouse", "status", "--format", "json"],
    ["ingest", "log", "--format", "json"],
]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]))
def test_read_commands_work_while_another_process_reads_the_warehouse(
    served: Path,
    holder: subprocess.Popen[str],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    code, out, err = run(capsys, "-w", str(served), *args)
    assert holder.poll() is None, "the holder still has the file"
    assert code == 0, err
    if "--format" in args:
        assert json.loads(out), out


def test_metric_values_read_while_served_equal_those_read_alone(
    served: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["-w", str(served), "metrics", "show", "bookings", "win_rate", "--window", "FY2026",
            "--format", "json"]  # fmt: skip
    with holding(served) as holder:
        code, shared, err = run(capsys, *args)
        assert code == 0, err
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(30)
    code, alone, err = run(capsys, *args)
    assert code == 0, err
    assert json.loads(shared) == json.loads(alone)


WRITERS = [
    ["ingest", "run", "."],
    ["quality", "run"],
    ["forecast", "backtest"],
    ["identity", "run"],
    ["warehouse", "init"],
]


@pytest.mark.parametrize("args", WRITERS, ids=lambda a: " ".join(a[:2]))
def test_write_commands_say_which_process_holds_the_warehouse(
    served: Path,
    holder: subprocess.Popen[str],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    code, _, err = run(capsys, "-w", str(served), *args)
    assert code == 1
    assert f"is in use by process {holder.pid}" in err
    assert len(err.strip().splitlines()) == 1
