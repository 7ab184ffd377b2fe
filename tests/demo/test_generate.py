"""The whole demo company: every tool's folder, the truth beside it, the same bytes for the
same seed, and defect rates as configured."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from revops.cli.app import main
from revops.demo import DemoParams
from revops.demo.generate import generate_company

PARAMS = DemoParams(accounts=300, years=2, seed=11, as_of=date(2026, 11, 22))
FOLDERS = (
    "salesforce", "hubspot", "stripe", "zendesk", "product", "web", "finance", "stack",
    "enablement", "partners", "planning", "revops", "truth",
)  # fmt: skip


def digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("company")
    generate_company(PARAMS, out)
    return out


def test_every_tool_has_its_folder_and_the_report_counts_the_rows(
    company: Path, tmp_path: Path
) -> None:
    assert sorted(p.name for p in company.iterdir()) == sorted(FOLDERS)
    report = generate_company(PARAMS, tmp_path)
    accounts = pd.read_csv(tmp_path / "salesforce" / "Account.csv", dtype=str)
    assert report.files["salesforce/Account.csv"] == len(accounts)
    assert len(accounts) >= PARAMS.accounts


def test_the_same_seed_gives_the_same_bytes_and_another_seed_another_company(
    company: Path, tmp_path: Path
) -> None:
    generate_company(PARAMS, tmp_path / "again")
    assert digest(tmp_path / "again") == digest(company)
    generate_company(PARAMS.model_copy(update={"seed": 12}), tmp_path / "other")
    other = digest(tmp_path / "other")
    assert other.keys() == digest(company).keys()
    changed = [name for name, value in other.items() if value != digest(company)[name]]
    assert len(changed) > len(other) // 2


def test_truth_records_the_parameters_and_every_defect(company: Path) -> None:
    params = json.loads((company / "truth" / "params.json").read_text())
    assert params["seed"] == PARAMS.seed
    defects = pd.read_csv(company / "truth" / "defects.csv", dtype=str, keep_default_na=False)
    assert set(defects["defect"]) >= {
        "duplicate_person", "duplicate_account", "invalid_email", "invalid_phone",
        "inconsistent_country", "inconsistent_industry", "orphan_reference", "missing_email",
        "missing_amount",
    }  # fmt: skip
    contacts = pd.read_csv(company / "salesforce" / "Contact.csv", dtype=str, keep_default_na=False)
    logged = defects[(defects["object"] == "Contact") & (defects["defect"] == "invalid_email")]
    for record, injected in logged[["record_id", "injected"]].itertuples(index=False):
        assert contacts.loc[contacts["Id"] == record, "Email"].tolist() == [injected]


def test_duplicate_rates_match_the_configured_rate(company: Path) -> None:
    clusters = pd.read_csv(company / "truth" / "duplicate_clusters.csv", dtype=str)
    for obj, rate in (
        ("Account", PARAMS.defects.duplicate_account),
        ("Lead", PARAMS.defects.duplicate_person),
    ):
        rows = pd.read_csv(company / "salesforce" / f"{obj}.csv", dtype=str)
        copies = clusters[(clusters["object"] == obj) & (clusters["is_original"] == "False")]
        originals = len(rows) - len(copies)
        assert len(copies) == round(rate * originals)


def test_the_cli_generates_a_company(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["demo", "generate", "--out", str(tmp_path), "--accounts", "120", "--years", "1"]
    with pytest.raises(SystemExit) as done:
        main([*args, "--seed", "3", "--as-of", "2026-11-22", "--format", "json"])
    assert done.value.code == 0
    files = {row["file"]: row["rows"] for row in json.loads(capsys.readouterr().out)}
    assert files["salesforce/Opportunity.csv"] > 0
    assert (tmp_path / "truth" / "params.json").exists()
