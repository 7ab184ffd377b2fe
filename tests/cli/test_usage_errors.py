"""Usage mistakes are one red line and exit code 2, never a traceback.

Typer 0.29 raises the exceptions of its own bundled click (`typer._click`), which an
`except click.ClickException` does not catch: these run the real entry point.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import run_cli

MISTAKES = {
    "unknown option value": (("ingest", "run", "--format", "bogus", "x.csv"), "'bogus'"),
    "extra argument": (("ingest", "log", "extra"), "unexpected extra argument"),
    "missing path": (("ingest", "run"), "Missing argument 'paths'"),
    "path that does not exist": (
        ("ingest", "mapping", "new", "/no/such/file.csv", "-s", "crm", "-e", "account"),
        "does not exist",
    ),
    "unknown option": (("ingest", "run", "--formt", "json", "x.csv"), "No such option: --formt"),
    "unknown command": (("ingest", "eat"), "No such command"),
    "not a number": (("ingest", "quarantine", "--limit", "many"), "valid integer"),
    "missing option": (("ingest", "mapping", "new", __file__), "Missing option"),
    "unknown grouping": (("coaching", "plays", "--by", "region"), "'region'"),
    "unknown comparison": (("coaching", "reps", "--against", "world"), "'world'"),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_a_usage_mistake_is_one_red_line_and_exit_code_two(
    mistake: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, words = MISTAKES[mistake]
    code, out, err = run_cli(capsys, "-w", str(tmp_path), *args)
    assert code == 2
    assert out == ""
    [line] = err.strip().splitlines()
    assert line.startswith("error: ")
    assert words in line
    assert "--help" in line


def test_the_installed_command_reports_a_bad_choice_without_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "revops", "ingest", "run", "--format", "yaml", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: Invalid value for '--format' / '-f': 'yaml' is not one of 'table', 'json', "
        "'csv'. (`revops ingest run --help` lists the options)"
    ]


def test_a_group_without_a_command_prints_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "ingest")
    assert code == 0
    assert "Commands" in out
    assert "Traceback" not in err
