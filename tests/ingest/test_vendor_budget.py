"""A GTM budget exported flat from a planning sheet (tests/fixtures/finance/budget.csv):
every row loads as a budget line, months and amounts read as spreadsheets write them, and
a row the mapping cannot read is quarantined with the row and field named."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from revops import Workspace
from revops.ingest.runner import ingest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "finance"
AS_OF = date(2025, 3, 31)


def _workspace(root: Path) -> Workspace:
    Workspace.create(root).close()
    return Workspace.open(root)


def test_every_budget_row_loads_with_its_month_amount_and_owner(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    try:
        report = ingest(ws, [FIXTURES], as_of=AS_OF)
        counts = {load.mapping: (load.rows_in, load.loaded, load.quarantined)
                  for load in report.loads}  # fmt: skip
        assert counts == {"finance.budget.budget_line": (11, 11, 0)}
        lines = ws.warehouse.table("budget_line").to_pyarrow().to_pylist()
    finally:
        ws.close()
    by_key = {(r["department"], r["category"], r["month_start_date"]): r for r in lines}
    programs = by_key[("marketing", "programs", date(2025, 1, 1))]
    assert (programs["amount"], programs["currency"]) == (Decimal("5000.00"), "USD")
    assert (programs["cost_center"], programs["owner_id"]) == (
        "MKT-100",
        "email:dana.reyes@example.com",
    )
    # "Jan 2025" and "2025-01-01" are January too; an empty currency is USD.
    assert by_key[("sales", "headcount", date(2025, 1, 1))]["amount"] == Decimal("40000.00")
    assert by_key[("sales", "tools", date(2025, 1, 1))]["currency"] == "USD"
    assert by_key[("success", "travel", date(2025, 3, 1))]["currency"] == "EUR"
    assert sum(r["amount"] for r in lines if r["department"] == "marketing") == Decimal("52000")


def test_a_row_the_mapping_cannot_read_is_quarantined_with_its_field(tmp_path: Path) -> None:
    folder = tmp_path / "files" / "finance"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "budget.csv", folder / "budget.csv")
    with (folder / "budget.csv").open("a") as out:
        out.write("Sales,Office Snacks,2025-03,250,USD,SLS-900,\n")
        out.write("Marketing,Programs,2025-13,5000,USD,MKT-100,\n")
        out.write("Marketing,Agencies,2025-03,lots,USD,MKT-300,\n")
    ws = _workspace(tmp_path / "ws")
    try:
        report = ingest(ws, [folder], as_of=AS_OF)
        (load,) = report.loads
        assert (load.rows_in, load.loaded, load.quarantined) == (14, 11, 3)
        rejected = ws.warehouse.table("rejected_row", "quarantine").to_pyarrow().to_pylist()
    finally:
        ws.close()
    # File lines 13-15 (the header is line 1).
    refused = {(r["row"], r["column"]): (r["value"], r["reason"]) for r in rejected}
    assert set(refused) == {(13, "category"), (14, "month_start_date"), (15, "amount")}
    assert refused[(13, "category")][0] == "Office Snacks"
    assert str(refused[(13, "category")][1]).startswith("not a value the mapping knows")
    assert refused[(14, "month_start_date")][0] == "2025-13"
    assert str(refused[(14, "month_start_date")][1]).startswith("not a date (expected %Y-%m or")
    assert refused[(15, "amount")][1] == "not an amount"
    assert {r["file"] for r in rejected} == {str(folder / "budget.csv")}
