"""Scoring a lead file shaped like a real Salesforce Data Loader export the demo did not
write: 15-character ids, CRLF line ends, country names, picklist labels, free-mail
addresses, standard columns the mapping does not read (Rating, Industry)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from leads.conftest import QUICK_RULES, write_rules
from revops import Workspace
from revops.ingest.runner import ingest

HEADER = [
    "Id", "FirstName", "LastName", "Company", "Email", "Title", "Status", "LeadSource",
    "OwnerId", "IsConverted", "ConvertedDate", "CreatedDate", "LastModifiedDate", "Country",
    "Industry", "Rating", "NumberOfEmployees",
]  # fmt: skip
TITLES = ("Vice President, Sales", "Sales Rep", "Office Manager", "Intern")
SOURCES = ("Trade Show", "Web", "Partner Referral", "Purchased List")
COUNTRIES = ("Germany", "United States", "France", "")


def export(folder: Path, leads: int = 240, pardot: bool = False) -> Path:
    """A Lead.csv of `leads` people over a year: VPs convert within two weeks; with
    `pardot`, Account Engagement's score column (`pi__score__c`: the lead's number times
    three, every fifth empty)."""
    start = datetime(2025, 9, 1, 9, tzinfo=UTC)
    path = folder / "Lead.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*HEADER, "pi__score__c"] if pardot else HEADER)
        for i in range(leads):
            created = start + timedelta(days=i * 1.5)
            vp = i % 4 == 0
            converted = created + timedelta(days=9) if vp or i % 11 == 0 else None
            stamp = created.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
            mail = "gmail.com" if i % 5 == 0 else f"firm{i % 7}.example"
            score = [str(3 * i) if i % 5 else ""] if pardot else []
            writer.writerow([
                f"00Q5e00000{i:05d}", f"Ann{i}", "Müller" if i % 3 else "O'Brien",
                f"Firm {i % 7} GmbH", f"ann{i}@{mail}", TITLES[i % 4],
                "Closed - Converted" if converted else "Open - Not Contacted",
                SOURCES[i % 4], "0055e000001AbCd", "true" if converted else "false",
                converted.date().isoformat() if converted else "", stamp, stamp,
                COUNTRIES[i % 4], "Software", "Hot", "250", *score,
            ])  # fmt: skip
    return path


def test_a_real_shaped_salesforce_lead_export_is_scored(tmp_path: Path) -> None:
    files = tmp_path / "exports" / "salesforce"
    files.mkdir(parents=True)
    export(files)
    ws = Workspace.create(tmp_path / "ws")
    try:
        report = ingest(ws, [str(files / "Lead.csv")])
        assert report.failed == []
        # An org without Account Engagement has no score column: nothing to say about it.
        assert "pi__score__c" not in report.loads[0].message
        assert "Phone" in report.loads[0].message  # a standard field this export lacks
        write_rules(ws.root, QUICK_RULES)
        frame, model = ws.leads.backtest(datetime(2026, 9, 1, tzinfo=UTC), snapshots=6)
    finally:
        ws.close()
    assert len(frame) > 0
    assert model.positives > 0
    by_title = frame.groupby("title")["model_score"].mean()
    assert by_title["Vice President, Sales"] > by_title["Intern"]
    assert set(frame["seniority"].dropna()) <= {"vp", "manager"}
    assert (frame.loc[frame["title"] == "Vice President, Sales", "seniority"] == "vp").all()
    assert {"free_mail", "business"} <= set(frame["email_type"])
    assert {"DE", "US", "FR"} <= set(frame["country"].dropna())
    assert set(frame["source"]) <= {"events", "organic", "partner", "outbound"}


def test_account_engagements_score_loads_as_the_imported_score(tmp_path: Path) -> None:
    files = tmp_path / "exports" / "salesforce"
    files.mkdir(parents=True)
    export(files, leads=40, pardot=True)
    ws = Workspace.create(tmp_path / "ws")
    try:
        report = ingest(ws, [str(files / "Lead.csv")])
        assert report.failed == []
        lead = ws.warehouse.table("lead")
        rows = lead.select("source_id", "score").to_pandas().set_index("source_id")["score"]
    finally:
        ws.close()
    assert len(rows) == 40
    by_number = {int(key[10:15]): value for key, value in rows.items()}
    assert sorted(by_number) == list(range(40))
    for i, value in by_number.items():
        assert (None if value != value else value) == (None if i % 5 == 0 else 3.0 * i), i
