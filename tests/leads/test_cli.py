"""`revops leads`: score, queue, evaluate, qualify, accept and rules from the command line."""

from __future__ import annotations

import csv
import io
import json

import pytest

from leads.conftest import Company, write_rules
from leads.test_model import history

from support import run_cli


@pytest.fixture
def scored(company: Company) -> Company:
    history(company)
    return company


def test_score_queue_evaluate_and_qualify(
    scored: Company, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(scored.ws.root)
    scored.ws.close()
    code, out, err = run_cli(capsys, "-w", root, "leads", "score", "--as-of", "2026-06-01")
    assert code == 0, err
    assert "open leads as of 2026-06-01" in out
    assert "lr-20260601-" in out
    code, out, _ = run_cli(capsys, "-w", root, "leads", "queue", "--limit", "3", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert len(rows) == 3
    assert rows[0]["name"].startswith(("Ana", "Bo"))
    assert " +" in rows[0]["reasons"] or " -" in rows[0]["reasons"]
    code, out, err = run_cli(
        capsys, "-w", root, "leads", "evaluate", "--as-of", "2026-06-01", "--snapshots", "3",
        "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert document["auc"]["model_score"] is not None
    assert document["cutoff"] < "2026-06-01"
    code, out, err = run_cli(capsys, "-w", root, "leads", "qualify", "--plan", "-f", "csv")
    assert code == 0, err
    assert "would enter" in out
    code, _, err = run_cli(capsys, "-w", root, "leads", "qualify")
    assert code == 2
    assert "exactly one of --plan and --apply" in err


def test_accept_keeps_the_history(scored: Company, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(scored.ws.root)
    scored.ws.close()
    assert run_cli(capsys, "-w", root, "leads", "accept", "l-001")[0] == 0
    code, out, _ = run_cli(
        capsys, "-w", root, "leads", "accept", "l-001", "--reject", "no budget", "--as",
        "bo@acme.com", "-f", "csv",
    )  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["decision"], r["reason"], r["decided_by"]) for r in rows] == [
        ("rejected", "no budget", "bo@acme.com"),
        ("accepted", "", "revops"),
    ]
    code, _, err = run_cli(capsys, "-w", root, "leads", "accept", "nobody")
    assert code == 1
    assert "no lead 'nobody'" in err


def test_rules_schema_and_a_bad_file(company: Company, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(company.ws.root)
    code, out, _ = run_cli(capsys, "leads", "rules", "--schema")
    assert code == 0
    assert "half_life_days" in json.loads(out)["properties"]
    write_rules(company.ws.root, "fit: [{name: x, field: industry, in: [a], points: lots}]")
    company.ws.close()
    code, _, err = run_cli(capsys, "-w", root, "leads", "rules")
    assert code == 1
    assert "leads.yaml: fit[x].points" in err
