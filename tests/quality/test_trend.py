"""Every ingest run ends with a quality run tied to its loads, so the score trends by load."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from revops import Workspace
from revops.ingest.runner import ingest

from support import run_cli

AS_OF = date(2026, 6, 30)
USERS = [{"Id": "U1", "FirstName": "Ann", "LastName": "Lee", "Email": "ann@acme.com",
          "IsActive": "true", "CreatedDate": "2025-01-01T00:00:00Z"}]  # fmt: skip


def _accounts(fixed: bool) -> list[dict[str, str]]:
    """Five accounts passing every account rule but two with an industry off the picklist
    (ingest keeps it); `fixed` corrects one of them to a synonym the mapping knows."""
    industries = ["Software", "Fintech", "Healthcare", "Widgets", "Gadgets"]
    if fixed:
        industries[3] = "SaaS"
    return [
        {
            "Id": f"A{i}",
            "Name": f"Company {i}",
            "Website": f"https://company{i}.com",
            "Industry": industry,
            "NumberOfEmployees": "50",
            "BillingCountry": "US",
            "OwnerId": "U1",
            "CreatedDate": "2026-01-05T00:00:00Z",
            "LastModifiedDate": "2026-01-05T00:00:00Z",
        }
        for i, industry in enumerate(industries)
    ]


def _write(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.create(tmp_path / "ws")
    yield ws
    ws.close()


def test_two_ingests_with_a_defect_fixed_between_them_trend_by_load(
    workspace: Workspace, tmp_path: Path
) -> None:
    exports = tmp_path / "exports" / "salesforce"
    _write(exports, "User.csv", USERS)
    _write(exports, "Account.csv", _accounts(fixed=False))
    first = ingest(workspace, [str(exports)], as_of=AS_OF)
    _write(exports, "Account.csv", _accounts(fixed=True))
    second = ingest(workspace, [str(exports)], as_of=AS_OF)

    assert first.quality is not None
    assert second.quality is not None
    # 3 of 5 accounts pass every rule, then 4 of 5: the score rises by 1/5.
    assert first.quality.totals() == (5, 3)
    assert second.quality.totals() == (5, 4)
    trend = workspace.quality.report().trend
    assert [(t["records"], t["passing"], t["score"]) for t in trend] == [(5, 3, 0.6), (5, 4, 0.8)]
    assert trend[1]["score"] - trend[0]["score"] == pytest.approx(0.2)
    # Each point names the ingest run and the loads it made, as `ingest log` lists them;
    # the second run made only the accounts' (the users' file was the same: reused).
    assert {load.object: load.reused is not None for load in second.loads} == {
        "User": True,
        "Account": False,
    }
    for point, report, made in zip(trend, (first, second), (2, 1), strict=True):
        load_ids = [load.load_id for load in report.loads if load.reused is None]
        assert point["trigger"] == "ingest"
        assert point["ingest_run_id"] == report.run_id
        assert point["sources"] == "salesforce"
        assert point["loads"] == len(load_ids) == made
        assert point["load_id"] == max(load_ids)  # type: ignore[type-var]


def test_a_quality_run_of_its_own_is_a_point_without_loads(
    workspace: Workspace, tmp_path: Path
) -> None:
    exports = tmp_path / "exports" / "salesforce"
    _write(exports, "User.csv", USERS)
    _write(exports, "Account.csv", _accounts(fixed=False))
    ingest(workspace, [str(exports)], as_of=AS_OF, quality=False)
    workspace.quality.run(AS_OF)
    [point] = workspace.quality.report().trend
    assert (point["trigger"], point["loads"], point["load_id"]) == ("quality run", 0, None)
    assert point["score"] == 0.6


def test_ingest_cli_without_quality_stores_no_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ws"
    Workspace.create(root).close()
    exports = tmp_path / "exports" / "salesforce"
    _write(exports, "User.csv", USERS)
    _write(exports, "Account.csv", _accounts(fixed=False))
    code, _, err = run_cli(capsys, "-w", str(root), "ingest", "run", str(exports), "--no-quality")
    assert code == 0, err
    assert "Data quality after these loads" not in err
    # The same files: --force loads them again (else they are reused, naming no load).
    code, _, err = run_cli(capsys, "-w", str(root), "ingest", "run", str(exports), "--force")
    assert code == 0, err
    assert "Data quality after these loads" in err
    code, out, err = run_cli(capsys, "-w", str(root), "quality", "report", "--section", "trend",
                             "-f", "csv")  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    assert [(r["trigger"], r["sources"], r["loads"]) for r in rows] == [
        ("ingest", "salesforce", "2")
    ]
