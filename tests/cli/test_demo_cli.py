"""`revops demo`: the demo company generated and ingested through the user's path."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from revops import Workspace

from support import run_cli

INVALID = {"invalid_email", "invalid_phone"}


def file_rows(path: Path) -> int:
    if path.suffix == ".jsonl":
        return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    with path.open(encoding="utf-8", newline="") as file:
        return sum(1 for _ in csv.DictReader(file))


def test_demo_ingests_every_file_and_quarantines_exactly_the_invalid_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "demo"
    args = ("-w", str(root), "demo", "--accounts", "300", "--years", "2", "--seed", "5")
    code, out, err = run_cli(capsys, *args, "--as-of", "2026-11-22", "-f", "json")
    assert code == 0, err
    data = root / "demo-data"
    documents = [json.loads(part) for part in out.replace("]\n[", "]\n\n[").split("\n\n")]
    loads, tables = documents[0], documents[1]
    assert all(load["status"] == "loaded" for load in loads)

    # Every data file's rows are accounted for by the loads that read it. A file feeding
    # two entities is counted by each; lifecycle events count the dates they unpivot.
    counted: dict[str, int] = {}
    for load in loads:
        assert load["rows_in"] == (
            load["loaded"] + load["quarantined"] + load["duplicates"] + load["skipped"]
        )
        if load["entity"] not in ("lifecycle_event", "partner"):
            counted[load["object"]] = load["rows_in"]
    lookups = {"stripe/prices", "stripe/subscriptions"}
    for path in sorted(data.glob("*/*.*")):
        system = path.parent.name
        if system == "truth":
            continue
        name = f"{system}/{path.stem}"
        if name in lookups:
            continue
        assert counted[name] == file_rows(path), name

    ws = Workspace.open(root)
    try:
        # The example activation plan, its targets on metrics of the catalog, owned by
        # the company's CRM users.
        assert [i.name for i in ws.plan.initiatives] == ["Faster lead follow-up", "Clean CRM data"]
        rejected = ws.warehouse.table("rejected_row", "quarantine")
        refused = {
            (r["source_system"], r["object"], r["source_id"])
            for r in rejected.select("source_system", "object", "source_id")
            .to_pyarrow()
            .to_pylist()
        }
    finally:
        ws.close()
    with (data / "truth" / "defects.csv").open(encoding="utf-8") as file:
        injected = {
            (row["system"], row["object"], row["record_id"])
            for row in csv.DictReader(file)
            if row["defect"] in INVALID
        }
    assert refused == injected
    by_table = {t["table"]: t["rows"] for t in tables}
    assert by_table["opportunity"] > 0
    assert by_table["account"] > 0

    # A second run re-ingests the same files: nothing changes.
    code, out, err = run_cli(capsys, *args, "--as-of", "2026-11-22", "-f", "json")
    assert code == 0, err
    again = json.loads(out.replace("]\n[", "]\n\n[").split("\n\n")[0])
    assert sum(load["new"] + load["updated"] + load["history"] for load in again) == 0
