"""`revops quality`: rules, runs, the report (table, JSON, CSV, HTML) and one record's check."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from revops import Workspace

from support import run_cli

AS_OF = "2026-06-30"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    ws = Workspace.create(root)
    ws.init_warehouse()
    lineage = {"source_system": "crm", "load_id": "l1",
               "created_at": datetime(2026, 1, 5, tzinfo=UTC)}  # fmt: skip
    ws.warehouse.load("user", [{"user_id": "u1", "source_id": "u1", "name": "Ann Lee",
                                "team_id": "t1", **lineage}])  # fmt: skip
    ws.warehouse.load("team", [{"team_id": "t1", "source_id": "t1", "name": "East", **lineage}])
    contacts = [
        {"contact_id": "c1", "source_id": "c1", "email": "ann@acme.com", "owner_id": "u1",
         "first_name": "A", "last_name": "B"},
        {"contact_id": "c2", "source_id": "c2", "email": "bob@acme", "owner_id": "u1",
         "first_name": "C", "last_name": "D"},
    ]  # fmt: skip
    ws.warehouse.load("contact", [{**row, **lineage} for row in contacts])
    ws.close()
    return root


def test_rules_lists_the_rules_and_prints_the_schema(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "-w", str(workspace), "quality", "rules", "-e", "contact",
                           "-f", "json")  # fmt: skip
    assert code == 0
    rules = json.loads(out)
    assert {r["entity"] for r in rules} == {"contact"}
    assert {"contact_email_valid", "contact_account_exists"} <= {r["name"] for r in rules}
    assert all(r["fix"] for r in rules)
    code, out, _ = run_cli(capsys, "quality", "rules", "--schema")
    assert code == 0
    assert "rules" in json.loads(out)["properties"]


def test_run_report_and_check(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = ("-w", str(workspace))
    code, out, err = run_cli(capsys, *ws, "quality", "run", "--as-of", AS_OF, "-f", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    contact = next(r for r in rows if r["entity"] == "contact")
    assert (contact["records"], contact["passing"]) == ("2", "1")
    assert "stored as run" in err

    html = workspace / "report.html"
    code, out, err = run_cli(capsys, *ws, "quality", "report", "-f", "json", "--html", str(html))
    assert code == 0, err
    report = json.loads(out)
    offender = report["offenders"][0]
    assert (offender["owner_name"], offender["rule_name"]) == ("Ann Lee", "contact_email_valid")
    page = html.read_text(encoding="utf-8")
    assert "Ann Lee" in page
    assert "contact_email_valid" in page
    assert "<script" not in page
    assert "http" not in page

    code, out, _ = run_cli(capsys, *ws, "quality", "report", "--section", "owners", "-f", "csv")
    assert code == 0
    assert next(csv.DictReader(io.StringIO(out)))["score"] == "0.5"

    code, out, _ = run_cli(capsys, *ws, "quality", "check", "contact", "c2", "--as-of", AS_OF,
                           "-f", "json")  # fmt: skip
    assert code == 0
    assert [r["rule"] for r in json.loads(out)] == ["contact_email_valid"]

    code, out, err = run_cli(capsys, *ws, "metrics", "show", "data_quality_score", "--window",
                             "2026-06-01..2026-06-30", "--by", "owner", "--as-of", AS_OF,
                             "-f", "json")  # fmt: skip
    assert code == 0, err
    assert [(r["owner"], r["value"]) for r in json.loads(out)] == [("u1", 0.5)]


def test_mistakes_are_one_red_line(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = ("-w", str(workspace))
    code, _, err = run_cli(capsys, *ws, "quality", "report")
    assert code == 1
    assert "no quality run stored yet" in err
    code, _, err = run_cli(capsys, *ws, "quality", "check", "order", "x")
    assert code == 1
    assert "no quality rule checks 'order'" in err
    (workspace / "rules" / "bad.yaml").write_text("rules:\n  - name: Bad Name\n")
    code, _, err = run_cli(capsys, *ws, "quality", "rules")
    assert code == 1
    assert "bad.yaml: rules[Bad Name].name" in err
