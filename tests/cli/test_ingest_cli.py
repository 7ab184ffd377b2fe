"""`revops ingest` from the command line, on the real Salesforce sample and small files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from revops import Workspace

from support import run_cli as run
from support import salesforce_sample

LWC = salesforce_sample()


@pytest.fixture
def workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "ws"
    code, _, err = run(capsys, "init", str(root))
    assert code == 0, err
    return root


def test_the_salesforce_sample_ingests_without_hand_editing(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The sample's deals carry StageName alone: inspect proposes Salesforce's standard
    # sales process for them, closed ones won and lost by their names.
    code, _, err = run(capsys, "-w", str(workspace), "ingest", "inspect", str(LWC), "--apply")
    assert code == 0, err
    code, out, err = run(
        capsys,
        "-w",
        str(workspace),
        "ingest",
        "run",
        str(LWC),
        "--source",
        "salesforce",
        "-f",
        "json",
    )
    assert code == 0, err
    loads = {(row["object"], row["entity"]): row for row in json.loads(out)}
    records = {
        name: len(json.loads((LWC / f"{file}.json").read_text())["records"])
        for name, file in (
            ("Account", "Accounts"),
            ("Contact", "Contacts"),
            ("Opportunity", "Opportunities"),
        )
    }
    assert loads[("salesforce/Account", "account")]["loaded"] == records["Account"]
    assert loads[("salesforce/Contact", "contact")]["loaded"] == records["Contact"]
    assert loads[("salesforce/Opportunity", "opportunity")]["loaded"] == records["Opportunity"]
    assert sum(row["quarantined"] for row in loads.values()) == 0
    with (LWC / "Accounts-Contacts.csv").open(encoding="utf-8-sig") as file:
        report = list(csv.DictReader(file))
    contacts = loads[("salesforce/report_accounts_contacts", "contact")]
    assert contacts["loaded"] == sum(1 for r in report if r["Contact: Email"])
    assert "rows in =" in err

    ws = Workspace.open(workspace)
    try:
        deals = ws.warehouse.table("opportunity").to_pyarrow().to_pylist()
    finally:
        ws.close()
    assert {d["stage"] for d in deals} == {
        "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
        "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
        "Negotiation/Review", "Closed Won", "Closed Lost",
    }  # fmt: skip
    # Without IsClosed / IsWon the stage's category closes and wins the deals.
    assert sum(bool(d["is_won"]) for d in deals) == 2
    assert sum(bool(d["is_closed"]) for d in deals) == 3
    linked = {d["account_id"] for d in deals}
    assert linked <= {f"salesforce:AccountRef{i}" for i in range(1, records["Account"] + 1)}


def test_log_trace_and_quarantine_show_where_rows_came_from(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "salesforce"
    folder.mkdir()
    (folder / "Contact.csv").write_text(
        "Id,FirstName,LastName,Email\n003A,Ann,Lee,ann@acme.com\n003B,Bo,Ma,not-an-email\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "-w", str(workspace), "ingest", "run", str(folder))
    assert code == 0, err
    assert "2 rows in = 1 loaded + 1 quarantined" in err

    code, out, _ = run(capsys, "-w", str(workspace), "ingest", "log", "-f", "json")
    [entry] = json.loads(out)
    assert (entry["mapping"], entry["rows_in"], entry["quarantined"]) == (
        "salesforce.Contact.contact",
        2,
        1,
    )

    code, out, _ = run(
        capsys, "-w", str(workspace), "ingest", "trace", "contact", "003A", "-f", "json"
    )
    trace = json.loads(out)
    assert trace["row"]["contact_id"] == "salesforce:003A"
    assert trace["load"]["load_id"] == trace["row"]["load_id"] == entry["load_id"]
    assert str(folder / "Contact.csv") in trace["load"]["files"]

    exported = tmp_path / "bad.csv"
    code, _, err = run(
        capsys, "-w", str(workspace), "ingest", "quarantine", "--export", str(exported)
    )
    assert code == 0, err
    with exported.open(encoding="utf-8") as file:
        [bad] = list(csv.DictReader(file))
    assert (bad["row"], bad["field"], bad["value"]) == ("3", "Email", "not-an-email")
    assert bad["reason"] == "not a valid email address"

    code, _, err = run(capsys, "-w", str(workspace), "ingest", "trace", "contact", "003Z")
    assert code == 1
    assert "no contact with id or source id '003Z'" in err


def test_a_scaffolded_mapping_checks_against_its_file(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "deals.csv"
    data.write_text(
        "Deal ID,Deal Name,Stage,Amount,Close Date,Created\n"
        "D1,Acme,Prospecting,100,2026-01-31,2026-01-02\n"
        "D2,Beta,Sleeping,abc,2026-02-30,2026-01-03\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "deals.yaml"
    code, _, err = run(
        capsys, "ingest", "mapping", "new", str(data), "-s", "pipedrive", "-e", "opportunity",
        "-o", str(mapping),
    )  # fmt: skip
    assert code == 0, err
    text = mapping.read_text()
    assert "key: Deal ID" in text
    assert "stage: Stage" in text
    assert "close_date: Close Date" in text
    code, out, err = run(
        capsys, "-w", str(workspace), "ingest", "mapping", "check", str(mapping), str(data),
        "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    assert "2 rows in, 1 would load, 1 would be quarantined" in err
    reasons = {row["field"]: row["reason"] for row in json.loads(out)}
    assert reasons["Amount"] == "not an amount"
    assert reasons["Close Date"] == "not a date"
    assert reasons["Stage"].startswith("not one of")


def test_a_scaffolded_mapping_reads_us_dates_cents_lower_case_currencies_and_refs(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Shaped as a Stripe invoice export: amounts in cents beside "usd", a customer id;
    # dates as a US spreadsheet writes them, one with a day past 12.
    data = tmp_path / "charges.csv"
    data.write_text(
        "id,customer_id,amount_due,currency,status,due_date,created\n"
        "in_1,cus_A,2000,usd,paid,3/14/2024,3/1/2024 09:30\n"
        "in_2,cus_B,19999,eur,open,12/1/2024,11/20/2024 17:05\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "charges.yaml"
    code, _, err = run(
        capsys, "ingest", "mapping", "new", str(data), "-s", "billing", "-e", "invoice",
        "-o", str(mapping),
    )  # fmt: skip
    assert code == 0, err
    text = mapping.read_text()
    assert "account_id: {field: customer_id, ref: account}" in text
    assert "currency: {field: currency, transforms: [upper]}" in text
    assert 'due_date: {field: due_date, format: "%m/%d/%Y"}' in text
    assert 'created_at: {field: created, format: "%m/%d/%Y %H:%M"}' in text
    assert "amount: {field: amount_due, parse: cents}" in text
    # The guesses hold: every row loads, amounts in dollars, currencies upper case.
    folder = tmp_path / "billing"
    folder.mkdir()
    data.rename(folder / data.name)
    (workspace / "mappings").mkdir(exist_ok=True)
    mapping.rename(workspace / "mappings" / mapping.name)
    code, _, err = run(capsys, "-w", str(workspace), "ingest", "run", str(folder),
                       "--no-quality")  # fmt: skip
    assert code == 0, err
    ws = Workspace.open(workspace)
    try:
        invoices = ws.warehouse.table("invoice").order_by("source_id").to_pyarrow().to_pylist()
    finally:
        ws.close()
    assert [(str(i["amount"]), i["currency"], str(i["due_date"])) for i in invoices] == [
        ("20.00", "USD", "2024-03-14"),
        ("199.99", "EUR", "2024-12-01"),
    ]
    assert [str(i["created_at"]) for i in invoices] == [
        "2024-03-01 09:30:00+00:00",
        "2024-11-20 17:05:00+00:00",
    ]
    assert invoices[0]["account_id"] == "billing:cus_A"
