"""The metric layer itself: workspace definitions, windows, slices, comparisons, drill-down."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from metrics.conftest import MetricWorld
from revops.errors import ConfigError, MetricError
from revops.metrics import load_catalog
from revops.workspace import Workspace

from support import run_cli

WON = {"stage": "Closed Won", "is_closed": True, "is_won": True, "currency": "USD"}


def _wins(world: MetricWorld) -> None:
    world.add("account", {"account_id": "a1", "name": "A", "segment": "smb"})
    world.add("account", {"account_id": "a2", "name": "B", "segment": "enterprise"})
    world.add(
        "opportunity",
        {**WON, "account_id": "a1", "amount": 100, "closed_at": "2025-01-15"},
        {**WON, "account_id": "a2", "amount": 200, "closed_at": "2025-02-15"},
        {**WON, "account_id": "a2", "amount": 400, "closed_at": "2025-04-15"},
        {**WON, "account_id": "a1", "amount": 50, "closed_at": "2024-04-20"},
    )


CUSTOM = """\
version: 1
metrics:
  - name: enterprise_bookings
    label: Enterprise bookings
    description: Amount won from enterprise accounts.
    team: sales
    signal: lagging
    unit: money
    source: deal
    agg: sum
    column: amount
    time: closed_at
    filter: is_won and amount > 150
  - name: big_deal_share
    label: Share of bookings in deals over 150
    description: enterprise_bookings / bookings.
    team: sales
    signal: lagging
    unit: ratio
    kind: formula
    formula: enterprise_bookings / bookings
"""


def test_a_workspace_metric_is_in_the_catalog_and_computes(duckdb_world: MetricWorld) -> None:
    _wins(duckdb_world)
    (duckdb_world.root / "metrics").mkdir()
    (duckdb_world.root / "metrics" / "mine.yaml").write_text(CUSTOM)
    metrics = duckdb_world.metrics()
    assert "enterprise_bookings" in [m.name for m in metrics.definitions()]
    result = duckdb_world.compute(["enterprise_bookings", "big_deal_share"], "FY2025")
    assert result.value("enterprise_bookings") == 600  # 200 + 400
    assert result.value("big_deal_share") == pytest.approx(600 / 700)


def test_a_workspace_metric_shows_in_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = Workspace.create(tmp_path / "ws")
    (ws.root / "metrics" / "mine.yaml").write_text(CUSTOM)
    ws.init_warehouse()
    ws.close()
    code, out, _ = run_cli(capsys, "-w", str(ws.root), "metrics", "list", "-f", "csv")
    assert code == 0
    assert "enterprise_bookings,Enterprise bookings,sales" in out
    code, out, err = run_cli(
        capsys, "-w", str(ws.root), "metrics", "show", "enterprise_bookings",
        "--window", "FY2025", "-f", "json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert '"value": 0.0' in out


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("metrics: [{name: x}]", "metrics[x].label", "required key is missing"),
        ("metrics: [{name: Bad, label: b}]", "metrics[Bad].name", "should match pattern"),
        ("metrics: :", None, "not valid YAML at line 1"),
        ("- a\n- b", None, "must be a mapping"),
        ("dimensions: []\nextra: 1", "extra", "unknown key"),
    ],
)
def test_a_broken_definition_file_names_file_and_key(
    tmp_path: Path, text: str, key: str | None, problem: str
) -> None:
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "bad.yaml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_catalog(tmp_path)
    assert caught.value.file.name == "bad.yaml"
    assert caught.value.key == key
    assert problem in caught.value.problem


_BASE = "label: L\n    description: D\n    team: sales\n    signal: lagging\n    unit: count\n"


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ("source: nowhere\n    agg: count\n    time: x", "source", "no entity or engine"),
        ("source: deal\n    agg: sum\n    column: nope\n    time: closed_at", "column",
         "deal has no column 'nope'"),
        ("source: deal\n    agg: count", "time", "needs the column"),
        ("source: deal\n    agg: count\n    time: closed_at\n    filter: 'is_won ==='",
         "filter", "not valid syntax"),
        ("source: deal\n    agg: count\n    time: closed_at\n    filter: open('x')",
         "filter", "not Call"),
        ("source: deal\n    agg: count\n    time: closed_at\n    filter: colour == 'red'",
         "filter", "no column colour"),
        ("kind: ratio\n    numerator: bookings\n    denominator: bookingz",
         "numerator/denominator", "did you mean bookings"),
        ("kind: formula\n    formula: bookings ** 2", "formula", "not Pow"),
        ("kind: formula\n    formula: x + 1", "formula", "cycle: x → x"),
        ("source: deal\n    agg: count\n    time: closed_at\n    dimensions: [colour]",
         "dimensions", "no dimension 'colour'"),
        ("source: gtm_cost\n    agg: count\n    time: month_start_date\n    dimensions: [segment]",
         "dimensions", "cannot be sliced by segment"),
    ],
)  # fmt: skip
def test_a_definition_that_cannot_compute_names_file_and_field(
    tmp_path: Path, body: str, field: str, problem: str
) -> None:
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "bad.yaml").write_text(
        f"metrics:\n  - name: x\n    {_BASE}    {body}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_catalog(tmp_path)
    assert caught.value.key == f"metrics[x].{field}"
    assert problem in caught.value.problem


def test_a_group_must_name_known_metrics(tmp_path: Path) -> None:
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "g.yaml").write_text(
        "groups: [{name: g, label: G, description: D, metrics: [bookings, nothing]}]"
    )
    with pytest.raises(ConfigError, match=r"groups\[g\]\.metrics: no metric 'nothing'"):
        load_catalog(tmp_path)


def test_a_time_series_adds_up_to_the_window(world: MetricWorld) -> None:
    _wins(world)
    series = world.compute(["bookings"], "FY2025", grain="quarter")
    values = dict(zip(series.frame["period"], series.frame["value"], strict=True))
    assert values == {"FY2025-Q1": 300, "FY2025-Q2": 400, "FY2025-Q3": 0, "FY2025-Q4": 0}
    assert world.value("bookings", "FY2025") == sum(values.values())


def test_comparisons_with_the_previous_period_and_last_year(duckdb_world: MetricWorld) -> None:
    _wins(duckdb_world)
    previous = duckdb_world.compute(["bookings"], "FY2025-Q2", compare="previous").records()[0]
    assert (previous["compare_period"], previous["compare_value"]) == ("FY2025-Q1", 300)
    assert previous["change"] == 100
    assert previous["change_ratio"] == pytest.approx(1 / 3)
    year_ago = duckdb_world.compute(["bookings"], "FY2025-Q2", compare="last_year").records()[0]
    assert (year_ago["compare_period"], year_ago["compare_value"]) == ("FY2024-Q2", 50)


def test_a_period_in_progress_is_compared_to_date(duckdb_world: MetricWorld) -> None:
    _wins(duckdb_world)
    # 20 days into FY2025-Q2: the first 20 days of Q1 (the 15 January deal, not the 200 of
    # 15 February), and 1-20 April 2024 (the deal of the 20th counts on its own day).
    kwargs = {"as_of": date(2025, 4, 20)}
    previous = duckdb_world.compute(["bookings"], "FY2025-Q2", compare="previous", **kwargs)
    row = previous.records()[0]
    assert (row["value"], row["compare_period"], row["compare_value"]) == (
        400, "2025-01-01..2025-01-20", 100,
    )  # fmt: skip
    year = duckdb_world.compute(["bookings"], "FY2025-Q2", compare="last_year", **kwargs)
    assert year.records()[0]["compare_value"] == 50
    day_before = {"as_of": date(2025, 4, 19)}
    year = duckdb_world.compute(["bookings"], "FY2025-Q2", compare="last_year", **day_before)
    assert year.records()[0]["compare_period"] == "2024-04-01..2024-04-19"
    assert year.records()[0]["compare_value"] == 0


def test_a_custom_window_with_a_grain_clips_its_edges(duckdb_world: MetricWorld) -> None:
    _wins(duckdb_world)
    series = duckdb_world.compute(["bookings"], "2025-01-10..2025-02-20", grain="month")
    assert list(series.frame["period"]) == ["2025-01-10..2025-01-31", "2025-02-01..2025-02-20"]
    assert list(series.frame["value"]) == [100, 200]


def test_the_rows_behind_a_value_are_the_rows_it_counts(world: MetricWorld) -> None:
    _wins(world)
    result = world.compute(["average_deal_size"], "FY2025", by=["segment"])
    row = next(i for i, r in enumerate(result.records()) if r["segment"] == "enterprise")
    assert result.frame["value"].iloc[row] == 300  # (200 + 400) / 2
    parts = world.metrics().rows(result.drill(row), as_of=None)
    assert set(parts) == {"bookings", "won_deals"}
    amounts = sorted(float(a) for a in parts["bookings"].execute()["amount"])
    assert amounts == [200, 400]


def test_a_slice_without_a_value_is_kept_apart(duckdb_world: MetricWorld) -> None:
    _wins(duckdb_world)
    duckdb_world.add("opportunity", {**WON, "amount": 7, "closed_at": "2025-03-01"})
    result = duckdb_world.compute(["bookings"], "FY2025", by=["segment"])
    assert result.value("bookings", segment=None) == 7
    assert result.value("bookings", segment="smb") == 100


def test_targets_give_attainment(duckdb_world: MetricWorld) -> None:
    duckdb_world.add("user", {"user_id": "u1", "name": "Ann", "role": "AE"})
    duckdb_world.add(
        "opportunity", {**WON, "owner_id": "u1", "amount": 150, "closed_at": "2025-02-01"}
    )
    duckdb_world.add(
        "quota",
        {"user_id": "u1", "period_start_date": "2025-01-01", "period_end_date": "2025-03-31",
         "amount": 200, "currency": "USD"},
    )  # fmt: skip
    record = duckdb_world.compute(["bookings"], "FY2025-Q1", by=["owner"]).records()[0]
    assert (record["owner"], record["target"], record["attainment"]) == ("u1", 200, 0.75)


def test_amounts_in_another_currency_are_converted_at_their_date(world: MetricWorld) -> None:
    world.add("fx_rate", {"currency": "EUR", "valid_from": "2024-01-01", "rate": "1.10"})
    world.add("fx_rate", {"currency": "EUR", "valid_from": "2025-02-01", "rate": "1.20"})
    eur = {**WON, "currency": "EUR"}
    world.add(
        "opportunity",
        {**eur, "amount": 100, "close_date": "2025-01-15", "closed_at": "2025-01-15"},
        {**eur, "amount": 100, "close_date": "2025-02-15", "closed_at": "2025-02-15"},
        {**WON, "amount": 1, "close_date": "2025-02-15", "closed_at": "2025-02-15"},
    )
    result = world.compute(["bookings"], "FY2025-Q1")
    assert result.value("bookings") == pytest.approx(110 + 120 + 1)
    assert result.warnings == []


def test_an_amount_without_a_rate_is_left_out_with_a_warning(duckdb_world: MetricWorld) -> None:
    duckdb_world.add(
        "opportunity",
        {**WON, "currency": "GBP", "amount": 100, "close_date": "2025-01-15",
         "closed_at": "2025-01-15"},
        {**WON, "amount": 5, "close_date": "2025-01-15", "closed_at": "2025-01-15"},
    )  # fmt: skip
    result = duckdb_world.compute(["bookings"], "FY2025")
    assert result.value("bookings") == 5
    assert result.warnings == [
        "1 opportunity row(s) are in a currency with no FX rate to USD on their close_date; "
        "their amounts count as missing"
    ]


def test_unknown_names_get_a_suggestion(duckdb_world: MetricWorld) -> None:
    with pytest.raises(MetricError, match="no metric 'bookngs'; did you mean bookings"):
        duckdb_world.compute(["bookngs"], "FY2025")
    with pytest.raises(MetricError, match="cannot be sliced by channel; it takes segment"):
        duckdb_world.compute(["bookings"], "FY2025", by=["channel"])
    with pytest.raises(MetricError, match="cannot read period label 'Q3'"):
        duckdb_world.compute(["bookings"], "Q3")


def test_a_window_is_cut_at_the_as_of_day(duckdb_world: MetricWorld) -> None:
    _wins(duckdb_world)
    # Wins on 15 January and 15 February 2025 are known on 1 March; the April one is not.
    early = duckdb_world.compute(["bookings"], "FY2025", as_of=date(2025, 3, 1))
    assert early.value("bookings") == 300
    assert duckdb_world.value("bookings", "FY2025") == 700
