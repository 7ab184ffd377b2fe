"""Invariants of the catalog on a small demo company, and the backends agreeing on it."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from revops import Workspace
from revops.metrics import MetricResult
from revops.metrics.definition import Metric

from conftest import DEMO, POSTGRES_URL, ingest_demo
from support import run_cli

AS_OF = DEMO.as_of
YEAR = "FY2027"
NOT_IN_THE_DEMO = {
    "first_response_hours": "the Zendesk export has no first response time",
    "tech_adoption_rate_intended": "the stack inventory states no intended users",
    # tests/stats and tests/success check the BG/NBD and Gamma-Gamma values.
    "clv_bgnbd": "the demo company sells subscriptions only: no buyer without a contract",
    # Identity runs are not part of ingest; tests/identity checks the KPI after one.
    "duplicate_rate": "no identity run: the crosswalk is empty",
    # The desk's ratings are made in revops (`revops desk request rate`), not ingested;
    # tests/desk checks them.
    **dict.fromkeys(("desk_csat", "desk_satisfied_share"), "no desk request rated yet"),
    # No backtest is stored; tests/metrics/test_forecast_metrics.py checks them after one.
    **dict.fromkeys(
        ("forecast_accuracy", "forecast_wape", "revenue_predictability", "forecast_bias"),
        "no forecast backtest stored",
    ),
}


def _ingested(company: Path, root: Path, warehouse_url: str | None = None) -> Workspace:
    ws = ingest_demo(company, root, warehouse_url)
    ws.quality.run(AS_OF)
    return ws


@pytest.fixture(scope="module")
def demo(demo_company: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = _ingested(demo_company, tmp_path_factory.mktemp("duckdb") / "ws")
    yield ws
    ws.close()


def _by_month(demo: Workspace, metrics: list[str]) -> MetricResult:
    return demo.metrics.compute(metrics, YEAR, grain="month", as_of=AS_OF)


def test_bookings_by_type_sum_to_bookings(demo: Workspace) -> None:
    parts = ["bookings_new", "bookings_expansion", "bookings_renewal", "bookings_untyped"]
    result = demo.metrics.compute(["bookings", *parts], YEAR, by=["segment"], as_of=AS_OF)
    frame = result.frame.pivot_table(
        index="segment", columns="metric", values="value", dropna=False
    )
    assert frame["bookings"].sum() > 0
    for segment, row in frame.iterrows():
        assert row[parts].sum() == pytest.approx(row["bookings"]), segment


def test_opening_mrr_and_movements_make_closing_mrr_every_month(demo: Workspace) -> None:
    group = demo.metrics.catalog.groups["mrr_movements"].metrics
    result = _by_month(demo, list(group))
    table = result.frame.pivot_table(index="period", columns="metric", values="value")
    assert len(table) == 10  # February to November 2026, the as-of month
    assert table["closing_mrr"].iloc[-1] > 0
    moved = (table["mrr_new"] + table["mrr_expansion"] + table["mrr_reactivation"]
             - table["mrr_contraction"] - table["mrr_churn"])  # fmt: skip
    for period, row in table.iterrows():
        assert row["opening_mrr"] + moved[period] == pytest.approx(row["closing_mrr"]), period
    # Each month opens where the one before closed.
    assert list(table["opening_mrr"].iloc[1:]) == pytest.approx(list(table["closing_mrr"][:-1]))


def test_arr_is_twelve_times_mrr_and_retention_stays_in_bounds(demo: Workspace) -> None:
    names = ["mrr", "arr", "closing_mrr", "nrr", "grr", "logo_churn_rate"]
    # ARR is 12 x MRR before MRR's rounding to the cent: at most 12 x half a cent a line.
    lines = demo.warehouse.table("subscription_line").count().execute()
    for window in ("FY2027-Q1", "FY2027-Q2", "FY2027-Q3", YEAR):
        result = demo.metrics.compute(names, window, by=["segment"], as_of=AS_OF)
        for record in result.records():
            if record["metric"] == "arr":
                mrr = result.value("mrr", segment=record["segment"])
                assert record["value"] == pytest.approx(12 * (mrr or 0), abs=0.06 * lines), record
        whole = demo.metrics.compute(names, window, as_of=AS_OF)
        nrr, grr = whole.value("nrr"), whole.value("grr")
        assert nrr is not None, window
        assert grr is not None, window
        assert 0 <= grr <= 1, window
        assert nrr >= grr, window
        assert whole.value("mrr") == pytest.approx(whole.value("closing_mrr"))


def test_attribution_credits_sum_to_the_credited_pipeline(demo: Workspace) -> None:
    models = ["first_touch", "last_touch", "linear", "w_shaped"]
    names = ["influenced_pipeline", *[f"attributed_pipeline_{m}" for m in models]]
    whole = demo.metrics.compute(names, YEAR, as_of=AS_OF)
    influenced = whole.value("influenced_pipeline")
    assert influenced is not None
    assert influenced > 0
    by_channel = demo.metrics.compute(names[1:], YEAR, by=["channel"], as_of=AS_OF).frame
    for model in models:
        metric = f"attributed_pipeline_{model}"
        assert whole.value(metric) == pytest.approx(influenced), model
        assert by_channel[by_channel.metric == metric].value.sum() == pytest.approx(influenced)


def test_the_mrr_movements_of_the_cli_balance(
    demo: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "-w", str(demo.root), "metrics", "show", "mrr_movements", "--window", YEAR,
        "--grain", "month", "--as-of", AS_OF.isoformat(), "-f", "csv",
    )  # fmt: skip
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["metric"] for r in rows} == set(demo.metrics.catalog.groups["mrr_movements"].metrics)
    assert len(rows) == 7 * 10


def test_every_metric_of_the_catalog_computes_on_the_demo(demo: Workspace) -> None:
    catalog = demo.metrics.catalog
    result = demo.metrics.compute([m.name for m in catalog], YEAR, as_of=AS_OF)
    values = {r["metric"]: r["value"] for r in result.records()}
    assert set(values) == set(catalog.metrics)
    undefined = {name for name, value in values.items() if value is None}
    # A KPI with no value on a whole year of the demo company computes nothing useful,
    # unless the demo's tools do not export what it needs.
    assert undefined == set(NOT_IN_THE_DEMO)
    assert all(math.isfinite(v) for v in values.values() if v is not None)


@pytest.mark.postgres
def test_postgres_gives_the_numbers_duckdb_gives(
    demo: Workspace, demo_company: Path, tmp_path: Path
) -> None:
    other = _ingested(demo_company, tmp_path / "pg", POSTGRES_URL)
    try:
        catalog = demo.metrics.catalog
        sliced = [m.name for m in catalog if "segment" in catalog.allowed_dimensions(m.name)]
        whole = [m.name for m in catalog if m.name not in sliced]
        for names, by in ((sliced, ["segment"]), (whole, [])):
            ours = demo.metrics.compute(names, YEAR, by=by, as_of=AS_OF).records()
            theirs = other.metrics.compute(names, YEAR, by=by, as_of=AS_OF).records()
            assert len(ours) == len(theirs)
            for mine, its in zip(ours, theirs, strict=True):
                assert (mine["metric"], mine.get("segment")) == (its["metric"], its.get("segment"))
                if mine["value"] is None or its["value"] is None:
                    assert mine["value"] == its["value"], mine
                else:
                    assert mine["value"] == pytest.approx(its["value"], rel=1e-9, abs=1e-9), mine
    finally:
        other.warehouse.drop()
        other.close()


def test_every_metric_of_the_catalog_compiles_as_the_compiler_would_at_other_dates(
    demo: Workspace,
) -> None:
    """Every aggregate of the catalog in windows and as-of days of one shape: the SQL the
    cache writes from its template is the compiler's (the first ask is compiled)."""
    from datetime import date

    from revops.metrics.compile import aggregate_query

    metrics = demo.metrics
    groups: dict[str, list[Metric]] = {}
    for metric in metrics.catalog:
        if metric.kind == "aggregate":
            assert metric.source is not None
            groups.setdefault(metric.source, []).append(metric)
    asks = [
        ("FY2027-Q1", date(2026, 11, 22)), ("FY2027-Q2", date(2026, 11, 15)),
        ("FY2026-Q4", date(2026, 6, 30)),
    ]  # fmt: skip
    hits = 0
    for number, (window, as_of) in enumerate(asks):
        ctx = metrics.context(as_of)
        period = metrics.window(window)
        for members in groups.values():
            expr = aggregate_query(ctx, metrics.catalog, members, period, ())
            before = ctx.warehouse.compiled.hits
            sql = ctx.warehouse.con.compile(expr)
            hits += ctx.warehouse.compiled.hits - before
            if number:
                fresh = type(ctx.warehouse.con).compile(ctx.warehouse.con, expr)
                assert sql == fresh, (members[0].source, window)
    assert hits >= len(groups)


def test_mrr_and_a_rep_scopes_queries_keep_one_shape_from_day_to_day(demo: Workspace) -> None:
    """MRR's month spine and a scope's owner list are tables made in memory: made anew per
    query, each query would be a new shape and compiled again (docs/warehouse.md)."""
    from datetime import date

    from revops.metrics.compile import aggregate_query

    metrics = demo.metrics
    members = [m for m in metrics.catalog if m.kind == "aggregate" and m.source == "mrr_movement"]
    assert members
    owner = next(u for u in metrics.crm_users() if u[2])
    rep = metrics.scope_for(str(owner[2]), team=False)
    assert rep is not None
    assert rep.restricted
    asks = [("FY2027-Q1", date(2026, 11, 22)), ("FY2027-Q2", date(2026, 11, 15)),
            ("FY2026-Q4", date(2026, 6, 30))]  # fmt: skip
    for scope in (None, rep):
        answered = []
        for window, as_of in asks:
            ctx = metrics.context(as_of, scope)
            expr = aggregate_query(ctx, metrics.catalog, members, metrics.window(window), ())
            before = ctx.warehouse.compiled.hits
            ctx.warehouse.con.compile(expr)
            answered.append(ctx.warehouse.compiled.hits > before)
        # The first ask is compiled, the second makes the template, the third is filled in.
        assert answered[-1], scope
