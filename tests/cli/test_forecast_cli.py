"""`revops forecast`: the call and the backtest from the command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from revops import Workspace
from revops.demo import DemoParams
from revops.demo.generate import generate_company
from revops.ingest.runner import ingest

from support import run_cli

PARAMS = DemoParams(accounts=150, years=2, seed=8, as_of=date(2026, 11, 22))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli-company")
    generate_company(PARAMS, out)
    root = tmp_path_factory.mktemp("cli-forecast") / "ws"
    ws = Workspace.create(root, fiscal_year_start_month=PARAMS.fiscal_year_start_month)
    report = ingest(ws, sorted(str(p) for p in out.iterdir() if p.name != "truth"))
    assert report.failed == []
    ws.close()
    return root


def test_the_call_prints_every_method_with_its_range(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "-w", str(workspace), "forecast", "--period", "FY2027-Q4",
        "--as-of", "2026-11-15", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert document["period"] == "FY2027-Q4"
    methods = {row["method"]: row for row in document["methods"]}
    assert set(methods) == {"rollup", "weighted", "stage_conversion", "ml", "timeseries",
                            "ensemble"}  # fmt: skip
    for row in methods.values():
        assert row["p10"] <= row["p50"] <= row["p90"]
        assert row["last_week_p50"] is not None
    assert document["ranked_by"] == "ensemble"
    assert document["recommended"]["method"] == "ensemble"
    assert document["recommended"]["p50"] == methods["ensemble"]["p50"]
    # This small company's last change before 15 Nov was on the 11th.
    assert "last change (2026-11-11)" in document["warning"]
    expected = [deal["expected"] for deal in document["top_deals"]]
    assert expected == sorted(expected, reverse=True)
    for deal in document["top_deals"]:
        assert deal["owner_name"]
        assert deal["owner_id"].startswith("salesforce:")
    assert any(deal["reasons"] for deal in document["top_deals"])


def test_a_call_past_the_datas_last_change_warns_on_stderr(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "-w", str(workspace), "forecast", "--period", "FY2027-Q4",
        "--as-of", "2026-12-20", "--methods", "weighted", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert "warning:" in err
    assert "after the data's last change" in err
    assert "after the data's last change" in json.loads(out)["warning"]


def test_the_call_as_a_table_names_the_sections(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys, "-w", str(workspace), "forecast", "--period", "FY2027-Q4",
        "--as-of", "2026-11-15", "--methods", "weighted,rollup",
    )  # fmt: skip
    assert code == 0
    # One call first: the recommended method's number and why, then every method.
    assert out.startswith("The call for FY2027-Q4 as of 2026-11-15: ")
    assert "Why weighted: no backtest is stored" in out
    assert out.index("The call for") < out.index("Every method: FY2027-Q4 as of 2026-11-15")
    assert "Deals that move the call (weighted" in out


def test_backtest_prints_the_summary_per_method_and_week(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "-w", str(workspace), "forecast", "backtest", "--periods", "1",
        "--methods", "weighted,rollup", "--as-of", "2026-11-22", "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].startswith("method,week,periods,median_accuracy,wape,coverage,brier")
    # FY2027-Q3 (August to October) has 92 days: 13 weekly days and its last week's.
    assert len(lines) == 1 + 2 * 14


def test_backtest_ranges_prints_coverage_by_week_quarter_and_all(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "-w", str(workspace), "forecast", "backtest", "--periods", "2",
        "--methods", "weighted", "--as-of", "2026-11-22", "--ranges", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    every = next(r for r in rows if r["by"] == "all")
    assert every["forecasts"] == 14 + 14  # FY2027-Q2 and FY2027-Q3: 92 days each
    # The later quarter is calibrated on the earlier one's weeks: 3 scores a week at most,
    # too few for 80 % (4), enough for 50 %.
    assert every["calibrated"] == 0
    assert {r["group"] for r in rows if r["by"] == "quarter"} == {"Q2", "Q3"}
    assert sorted(int(r["group"]) for r in rows if r["by"] == "week") == list(range(1, 15))
    assert 0.0 <= every["raw_80"] <= 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "FY2026-Q1", "--as-of", "2026-11-15"), "ended by 2026-11-15"),
        (("--period", "FY2027", "--as-of", "2026-11-15"), "fiscal quarter or month"),
        (("--period", "someday", "--as-of", "2026-11-15"), "someday"),
        (("--period", "FY2027-Q4", "--methods", "magic", "--as-of", "2026-11-15"), "magic"),
    ],
)
def test_bad_requests_are_one_red_line(
    workspace: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, _, err = run_cli(capsys, "-w", str(workspace), "forecast", *args)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1
