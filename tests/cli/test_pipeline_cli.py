"""`revops pipeline` from the command line, on the hand-built quarter of the pipeline tests."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from metrics.conftest import MetricWorld
from pipeline.test_stalled import stalled_world
from pipeline.test_waterfall import quarter
from revops import Workspace

from support import run_cli as run


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "ws"
    ws = Workspace.create(root)
    world = MetricWorld(ws.warehouse, root)
    quarter(world)
    stalled_world(world)
    ws.close()
    (root / "revops.yaml").write_text(
        (root / "revops.yaml").read_text().replace("min_stays: 10", "min_stays: 3")
    )
    return root


def test_show_prints_stages_kpis_and_funnel(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "-w", str(workspace), "pipeline", "show",
                         "--window", "FY2025-Q1", "--as-of", "2025-02-15")  # fmt: skip
    assert code == 0, err
    assert "Open pipeline closing in FY2025-Q1, as of 2025-02-15" in out
    assert "1,800" in out  # Qualification: A 1,200 + H 600
    assert "pipeline_coverage" in out
    assert "Created" in out
    code, out, err = run(capsys, "-w", str(workspace), "pipeline", "show", "--window",
                         "FY2025-Q1", "--as-of", "2025-02-15", "--by", "segment",
                         "-f", "json")  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert document["by"] == "segment"
    assert sum(r["amount"] for r in document["stages"]) == 4750
    assert {"stages", "kpis", "funnel", "created_vs_needed"} <= set(document)


def test_waterfall_as_csv_balances(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "-w", str(workspace), "pipeline", "waterfall", "--from",
                         "2025-01-31", "--to", "2025-03-15", "-f", "csv")  # fmt: skip
    assert code == 0, err
    rows = {r["step"]: float(r["amount"]) for r in csv.DictReader(io.StringIO(out))}
    assert rows["open_start"] == 3500
    assert rows["open_end"] == 2900
    assert rows["slipped"] == 300


def test_stalled_and_bottlenecks(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "-w", str(workspace), "pipeline", "stalled", "--as-of",
                         "2025-06-30", "-f", "json")  # fmt: skip
    assert code == 0, err
    stalled = json.loads(out)
    assert stalled["parameters"] == {"percentile": 0.9, "min_stays": 3}
    # J (5,000, idle in Prospecting since 20 March), then S4 (900, since 1 April).
    assert [r["opportunity_id"] for r in stalled["rows"]][:2] == ["J", "S4"]
    code, out, err = run(capsys, "-w", str(workspace), "pipeline", "stalled", "--as-of",
                         "2025-06-30", "-n", "1")  # fmt: skip
    assert code == 0, err
    assert "1 stalled deal(s)" in out
    assert "S4" not in out
    code, out, err = run(capsys, "-w", str(workspace), "pipeline", "bottlenecks",
                         "--window", "FY2025-Q2", "--as-of", "2025-06-30",
                         "-f", "json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["kind"] == "bottlenecks"


def test_bad_requests_are_one_red_line(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "-w", str(workspace), "pipeline", "waterfall", "--from",
                       "2025-03-15", "--to", "2025-01-31")  # fmt: skip
    assert code == 1
    assert "error:" in err
    assert "before" in err
    code, _, err = run(capsys, "-w", str(workspace), "pipeline", "show", "--by", "planet")
    assert code == 1
    assert "segment, owner, source" in err
    code, _, err = run(capsys, "-w", str(workspace), "pipeline", "show", "--window", "FY20X")
    assert code == 1
    assert "error:" in err
