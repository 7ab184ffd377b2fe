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


def _dated(folder: Path, revised_at: str, programs_march: str) -> Path:
    """The fixture with a `Revised At` column, March's marketing programs at `programs_march`."""
    folder.mkdir(parents=True)
    with (FIXTURES / "budget.csv").open(encoding="utf-8") as original:
        header, *rows = original.read().splitlines()
    march = 'Marketing,Programs,2025-03,"$6,000.00"'
    rows = [row.replace(march, march.replace("6,000.00", programs_march)) for row in rows]
    lines = [f"{header},Revised At", *[f"{row},{revised_at}" for row in rows]]
    (folder / "budget.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_a_revised_budget_keeps_the_revision_that_stood_on_each_day(tmp_path: Path) -> None:
    # The budget approved on 2024-12-15, then revised on 2025-02-20: March's marketing
    # programs from 6,000 to 7,500, the other lines unchanged.
    first = _dated(tmp_path / "v1" / "finance", "2024-12-15T09:00:00Z", "6,000.00")
    second = _dated(tmp_path / "v2" / "finance", "2025-02-20T09:30:00Z", "7,500.00")
    ws = _workspace(tmp_path / "ws")
    try:
        ingest(ws, [first], as_of=AS_OF)
        ingest(ws, [second], as_of=AS_OF)
        versions = ws.warehouse.table("budget_line_history", "history").to_pyarrow().to_pylist()
        rows = ws.warehouse.table("budget_line").count().execute()

        def marketing_march(day: date) -> float | None:
            result = ws.metrics.compute(
                ["budget_amount"], "FY2025-M03", as_of=day, by=["department"]
            )
            return result.value("budget_amount", department="marketing")

        values = [marketing_march(date(2024, 12, 14)), marketing_march(date(2025, 2, 19)),
                  marketing_march(date(2025, 2, 20))]  # fmt: skip
    finally:
        ws.close()
    # The rows hold the latest revision; history one version per line, and a second for
    # the line that changed.
    assert rows == 11
    assert len(versions) == 12
    (revision,) = [v for v in versions if v["amount"] == Decimal("7500.00")]
    assert revision["valid_from"].isoformat() == "2025-02-20T09:30:00+00:00"
    # Before approval: no budget; then programs 6,000 + headcount 12,000; then 7,500 + 12,000.
    assert values == [None, 18_000, 19_500]
