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


def export(folder: Path, leads: int = 240) -> Path:
    """A Lead.csv of `leads` people over a year: VPs convert within two weeks."""
    start = datetime(2025, 9, 1, 9, tzinfo=UTC)
    path = folder / "Lead.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        for i in range(leads):
            created = start + timedelta(days=i * 1.5)
            vp = i % 4 == 0
            converted = created + timedelta(days=9) if vp or i % 11 == 0 else None
            stamp = created.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
            mail = "gmail.com" if i % 5 == 0 else f"firm{i % 7}.example"
            writer.writerow([
                f"00Q5e00000{i:05d}", f"Ann{i}", "Müller" if i % 3 else "O'Brien",
                f"Firm {i % 7} GmbH", f"ann{i}@{mail}", TITLES[i % 4],
                "Closed - Converted" if converted else "Open - Not Contacted",
                SOURCES[i % 4], "0055e000001AbCd", "true" if converted else "false",
                converted.date().isoformat() if converted else "", stamp, stamp,
                COUNTRIES[i % 4], "Software", "Hot", "250",
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
