"""`revops comp` on the tiny company (see conftest): the figures computed there, through
the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from comp.conftest import PLAN, write_plan

from support import Company, run_cli


@pytest.fixture
def root(company: Company) -> str:
    company.ws.close()
    return str(company.ws.root)


def test_statement_run_close_and_adjustments(root: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "-w", root, "comp", "statement", "Ana Diaz", "--period",
                             "FY2027-Q1", "--as-of", "2027-03-31", "-f", "csv")  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["deal_id"], r["deal_name"], r["rate"], r["base"], r["amount"]) for r in rows] == [
        ("big", "Acme Rollout", "0.1", "60000.00", "6000.00"),
        ("grown", "Acme Analytics", "0.1", "40000.00", "4000.00"),
    ]
    code, out, _ = run_cli(capsys, "-w", root, "comp", "run", "--period", "FY2027-Q1",
                           "--as-of", "2027-03-31")  # fmt: skip
    assert code == 0
    assert "3 statements · total 12,000.00" in out
    code, out, err = run_cli(capsys, "-w", root, "comp", "close", "--period", "FY2027-Q1",
                             "--as-of", "2027-03-31", "-f", "json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == [
        {"plan": "ae", "period": "FY2027-Q1", "participants": 3, "total": "12000.00"}
    ]
    code, out, err = run_cli(capsys, "-w", root, "comp", "statement", "ana@acme.test",
                             "--period", "FY2027-Q2", "--as-of", "2027-06-30",
                             "-f", "json")  # fmt: skip
    (statement,) = json.loads(out)
    assert [(i["kind"], i["deal_id"], i["amount"]) for i in statement["items"]] == [
        ("adjustment", "grown", "2000.00"),
        ("adjustment", "late", "2000.00"),
    ]
    code, _, err = run_cli(capsys, "-w", root, "comp", "close", "--period", "FY2027-Q1",
                           "--as-of", "2027-03-31")  # fmt: skip
    assert code == 1
    assert "closed already" in err


def test_whatif_plan_diff_and_disputes(root: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "-w", root, "comp", "whatif", "ana", "--amount", "150000",
                             "--close-date", "2027-05-10", "--as-of", "2027-06-30")  # fmt: skip
    assert code == 0, err
    assert "would pay 20000.00" in out
    candidate = write_plan(Path(root), "../next.yaml", PLAN.replace("0.20", "0.25"))
    code, out, err = run_cli(capsys, "-w", root, "comp", "plan-diff", str(candidate), "--period",
                             "FY2027-Q2", "--as-of", "2027-06-30", "-f", "csv")  # fmt: skip
    assert code == 0, err
    ana = next(r for r in csv.DictReader(io.StringIO(out)) if r["participant_id"] == "ana")
    assert (ana["current"], ana["candidate"], ana["difference"]) == ("0.00", "0.00", "0.00")
    code, out, err = run_cli(capsys, "-w", root, "comp", "plan-diff", str(candidate), "--period",
                             "FY2027-Q1", "--as-of", "2027-06-30", "-f", "csv")  # fmt: skip
    ana = next(r for r in csv.DictReader(io.StringIO(out)) if r["participant_id"] == "ana")
    assert (ana["current"], ana["candidate"], ana["difference"]) == (
        "14000.00",
        "15000.00",
        "1000.00",
    )
    code, out, err = run_cli(capsys, "-w", root, "comp", "dispute", "bo", "--period", "FY2027-Q1",
                             "--line", "1", "--note", "my SE helped",
                             "--as-of", "2027-03-31")  # fmt: skip
    assert code == 0, err
    dispute_id = out.split()[1]
    code, out, err = run_cli(capsys, "-w", root, "comp", "resolve", dispute_id, "--status",
                             "accepted", "--resolution", "split next quarter")  # fmt: skip
    assert code == 0, err
    code, out, _ = run_cli(capsys, "-w", root, "comp", "disputes", "--history", "-f", "csv")
    assert [r["status"] for r in csv.DictReader(io.StringIO(out))] == ["accepted", "open"]


def test_schema_and_one_line_errors(root: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "comp", "schema")
    assert code == 0
    assert "rates" in json.loads(out)["properties"]
    write_plan(Path(root), "ae.yaml", PLAN.replace("period: quarter", "period: week"))
    code, _, err = run_cli(capsys, "-w", root, "comp", "plans")
    assert code == 1
    assert "plans/comp/ae.yaml: period:" in err


def test_plan_apply_versions_and_revert(root: str, capsys: pytest.CaptureFixture[str]) -> None:
    candidate = write_plan(Path(root), "../next.yaml", PLAN.replace("0.10", "0.12"))
    code, out, err = run_cli(capsys, "-w", root, "comp", "plan-apply", str(candidate),
                             "--from", "2027-01-01")  # fmt: skip
    assert code == 0, err
    assert "plans/comp/versions/ae/2027-01-01.yaml" in out
    code, out, err = run_cli(capsys, "-w", root, "comp", "statement", "ana", "--period",
                             "FY2027-Q1", "--as-of", "2027-03-31", "-f", "json")  # fmt: skip
    assert json.loads(out)[0]["total"] == "12000.00"
    code, out, _ = run_cli(capsys, "-w", root, "comp", "versions", "-f", "csv")
    assert [r["effective"] for r in csv.DictReader(io.StringIO(out))] == ["base", "2027-01-01"]
    code, _, err = run_cli(capsys, "-w", root, "comp", "plan-apply", str(candidate),
                           "--from", "2027-01-15")  # fmt: skip
    assert code == 1
    assert "starts on the first day of a quarter" in err
    code, out, err = run_cli(capsys, "-w", root, "comp", "plan-revert", "ae", "--from",
                             "2027-01-01")  # fmt: skip
    assert code == 0, err
    code, out, err = run_cli(capsys, "-w", root, "comp", "statement", "ana", "--period",
                             "FY2027-Q1", "--as-of", "2027-03-31", "-f", "json")  # fmt: skip
    assert json.loads(out)[0]["total"] == "10000.00"
