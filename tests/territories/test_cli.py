"""`revops plan territories` from the command line: --plan keeps the pending plan (and
writes the XLSX), --apply stores exactly it, refuses when nothing is pending, revert."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from .conftest import Company
from .test_pending import _company
from support import run_cli


def cli(capsys: pytest.CaptureFixture[str], company: Company, *args: str) -> tuple[int, str, str]:
    company.ws.close()
    return run_cli(capsys, "-w", str(company.root), "plan", "territories", *args)


def test_plan_then_apply_exactly_it_then_revert(
    company: Company, capsys: pytest.CaptureFixture[str]
) -> None:
    _company(company)
    code, _, err = cli(capsys, company, "--apply")
    assert code == 1
    assert "no pending territory plan" in err
    book = company.root / "plan.xlsx"
    code, out, err = cli(capsys, company, "--as-of", "2026-06-30", "-f", "json", "--rows",
                         "comparison", "--xlsx", str(book))  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    assert [r["assignment"] for r in rows] == ["current", "greedy", "optimiser"]
    assert all("expected_bookings" in r and "bookings_change" in r for r in rows)
    sheet = list(load_workbook(book)["assignment"].values)
    assert sheet[0][:4] == ("account", "account_id", "current_owner", "current_owner_id")
    assert {r[0] for r in sheet[1:]} == {"Acme a1", "Acme a2", "Acme a3"}
    pending = json.loads((company.root / "plans" / "pending" / "territories.json").read_text())
    code, _, err = cli(capsys, company, "--apply", "--note", "reviewed")
    assert code == 0, err
    assert "Applied version 1" in err
    code, out, _ = cli(capsys, company, "at", "2026-06-30", "-f", "json")
    assert {r["account_id"]: r["rep_id"] for r in json.loads(out)} == {
        a["account_id"]: a["rep_id"] for a in pending["assignment"]
    }
    code, _, err = cli(capsys, company, "revert")
    assert code == 0, err
    assert "no territory version is in effect now" in err
