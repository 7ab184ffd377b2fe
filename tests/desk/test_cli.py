"""`revops desk` and `revops audit` from the command line on the tiny company."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from desk.conftest import JIRA, write
from leads.conftest import Company

from support import run_cli


def test_intake_queue_and_moves(
    desk_company: Company, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(desk_company.ws.root)
    desk_company.ws.close()
    code, out, err = run_cli(capsys, "-w", root, "desk", "request", "import",
                             str(write(tmp_path / "jira.csv", JIRA)), "-f", "json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)[0]["added"] == 3
    code, out, err = run_cli(capsys, "-w", root, "desk", "request", "add", "Win rate by rep",
                             "-r", "cy@acme.io", "--type", "report", "--reach", "40",
                             "--effort", "2", "--urgency", "high", "--by", "bo")  # fmt: skip
    assert code == 0, err
    assert "DESK-1" in out
    code, out, _ = run_cli(capsys, "-w", root, "desk", "request", "list", "--as-of",
                           "2026-06-10", "-f", "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["request_id"] == "DESK-1"  # (40 × 0.5 × 0.65 + 2 × 5) / 2
    assert {r["requester"] for r in rows} == {"Ana Silva", "Cy Chen"}
    code, _, err = run_cli(capsys, "-w", root, "desk", "request", "move", "DESK-1", "done")
    assert code == 1
    assert "it may move to triaged, in_progress, declined, not done" in err
    code, _, err = run_cli(capsys, "-w", root, "desk", "request", "add", "X", "-r", "cy@acme.io",
                           "--urgency", "whenever")  # fmt: skip
    assert code == 1
    assert "--stated_urgency" in err or "urgency" in err


def test_the_stack_audit_writes_csv_and_html(
    desk_company: Company, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(desk_company.ws.root)
    desk_company.ws.close()
    html, table = tmp_path / "stack.html", tmp_path / "stack.csv"
    code, out, err = run_cli(capsys, "-w", root, "audit", "stack", "--as-of", "2026-06-30",
                             "--html", str(html), "--csv", str(table))  # fmt: skip
    assert code == 0, err
    assert "call_recording" in out
    rows = {r["name"]: r for r in csv.DictReader(table.open(encoding="utf-8"))}
    assert rows["Gong"]["unused_seat_cost"] == "9600.00"
    assert "Chorus" in html.read_text(encoding="utf-8")
    code, out, err = run_cli(capsys, "-w", root, "audit", "journey", "--as-of", "2026-06-30",
                             "-f", "json")  # fmt: skip
    assert code == 0, err
    assert {s["stage"] for s in json.loads(out)["stages"]} >= {"mql", "sql"}
