"""Subscription revenue KPIs: the worked example of shared/KPIS.md and its conventions."""

from __future__ import annotations

import pytest

from metrics.conftest import MetricWorld

MOVEMENTS = ["opening_mrr", "mrr_new", "mrr_expansion", "mrr_reactivation",
             "mrr_contraction", "mrr_churn", "closing_mrr"]  # fmt: skip


def _line(account: str, mrr: float, start: str, end: str | None = None, **more: object) -> dict:
    return {"account_id": account, "mrr": mrr, "start_date": start, "end_date": end,
            "currency": "USD", **more}  # fmt: skip


def _worked_example(world: MetricWorld) -> None:
    """KPIS.md: Gold $500/year x 4, then Silver $30/month x 2, cancel Silver, cancel Gold,
    then Gold $50/month x 3."""
    world.add(
        "subscription_line",
        # 1. 4 x Gold yearly, billed $2,000 on 2024-01-01: 2000 / 12 = 166.67 a month.
        _line("c1", 166.67, "2024-01-01", "2024-12-31", canceled_at="2024-06-15"),
        # 2. 2 x Silver monthly from 2024-02-10; 3. cancelled on 2024-03-20, paid to 04-09.
        _line("c1", 60, "2024-02-10", "2024-04-09", canceled_at="2024-03-20"),
        # 5. 3 x Gold monthly from 2025-03-05.
        _line("c1", 150, "2025-03-05"),
    )


def _months(world: MetricWorld, window: str) -> dict[str, dict[str, float]]:
    frame = world.compute(MOVEMENTS, window, grain="month").frame
    table = frame.pivot_table(index="period", columns="metric", values="value")
    return {str(period): row.to_dict() for period, row in table.iterrows()}


@pytest.mark.spark_scenario  # 24 months of 7 metrics: Spark plans them in minutes
def test_the_worked_example_month_by_month(world: MetricWorld) -> None:
    _worked_example(world)
    year = _months(world, "FY2024")
    assert year["FY2024-M01"]["mrr_new"] == pytest.approx(166.67)
    assert year["FY2024-M02"]["mrr_expansion"] == pytest.approx(60)
    # Silver was paid to 2024-04-09: it stops counting in April.
    assert year["FY2024-M04"]["mrr_contraction"] == pytest.approx(60)
    # Gold was cancelled in June but paid for the year: churn when the year ends.
    assert year["FY2024-M12"]["mrr_churn"] == 0
    nxt = _months(world, "FY2025")
    assert nxt["FY2025-M01"]["mrr_churn"] == pytest.approx(166.67)
    assert nxt["FY2025-M03"]["mrr_reactivation"] == pytest.approx(150)
    assert nxt["FY2025-M03"]["mrr_new"] == 0
    for months in (year, nxt):
        for period, row in months.items():
            moved = (row["mrr_new"] + row["mrr_expansion"] + row["mrr_reactivation"]
                     - row["mrr_contraction"] - row["mrr_churn"])  # fmt: skip
            assert row["opening_mrr"] + moved == pytest.approx(row["closing_mrr"]), period


@pytest.mark.spark_scenario
def test_churn_dated_at_cancellation_moves_the_losses(world: MetricWorld) -> None:
    _worked_example(world)
    world.settings["churn_dated_at"] = "cancellation"
    year = _months(world, "FY2024")
    assert year["FY2024-M03"]["mrr_contraction"] == pytest.approx(60)  # cancelled 03-20
    assert year["FY2024-M06"]["mrr_churn"] == pytest.approx(166.67)  # cancelled 06-15


@pytest.mark.spark_scenario
def test_a_window_balances_and_arr_is_twelve_times_mrr(world: MetricWorld) -> None:
    _worked_example(world)
    result = world.compute(["opening_mrr", "net_new_mrr", "closing_mrr", "mrr", "arr"], "FY2025")
    assert result.value("opening_mrr") == pytest.approx(166.67)
    assert result.value("net_new_mrr") == pytest.approx(150 - 166.67)
    assert result.value("closing_mrr") == pytest.approx(150)
    assert result.value("mrr") == pytest.approx(150)
    assert result.value("arr") == pytest.approx(1800)
    # January 2025: the only customer churns - every rate is still defined, NRR at 0.
    gone = world.compute(["nrr", "grr", "logo_churn_rate", "revenue_churn_rate"], "FY2025-M01")
    assert [gone.value(n) for n in ("nrr", "grr", "logo_churn_rate", "revenue_churn_rate")] == [
        0,
        0,
        1,
        pytest.approx(1),
    ]


def _churn_arithmetic(world: MetricWorld) -> None:
    """Opening MRR 100 over three customers: churn 10, contraction 10, expansion 10; and a
    customer new in the window."""
    world.add(
        "subscription_line",
        _line("a", 10, "2023-01-01", "2024-02-15"),  # churns 10
        _line("b", 40, "2023-01-01", "2024-02-15"),
        _line("b", 30, "2024-02-16"),  # contracts 10
        _line("c", 50, "2023-01-01"),
        _line("c", 10, "2024-03-01"),  # expands 10
        _line("d", 100, "2024-02-01"),  # new in the window
    )


def test_churn_rates_and_quick_ratio(world: MetricWorld) -> None:
    _churn_arithmetic(world)
    result = world.compute(
        ["opening_mrr", "gross_mrr_churn_rate", "net_mrr_churn_rate", "quick_ratio"],
        "FY2024-Q1",
    )
    assert result.value("opening_mrr") == 100
    assert result.value("gross_mrr_churn_rate") == pytest.approx(0.20)
    assert result.value("net_mrr_churn_rate") == pytest.approx(0.10)
    assert result.value("quick_ratio") == pytest.approx((100 + 10) / (10 + 10))


def test_nrr_excludes_customers_acquired_in_the_window(world: MetricWorld) -> None:
    _churn_arithmetic(world)
    result = world.compute(
        ["nrr", "grr", "logo_churn_rate", "customers", "new_customers"], "FY2024-Q1"
    )
    assert result.value("nrr") == pytest.approx((0 + 30 + 60) / 100)
    assert result.value("grr") == pytest.approx((0 + 30 + 50) / 100)
    assert 0 <= result.value("grr") <= result.value("nrr")
    assert result.value("grr") <= 1
    assert result.value("logo_churn_rate") == pytest.approx(1 / 3)
    assert result.value("customers") == 3  # b, c, d
    assert result.value("new_customers") == 1


@pytest.mark.spark_scenario
def test_a_short_gap_is_a_continuation_within_the_grace_days(world: MetricWorld) -> None:
    world.add(
        "subscription_line",
        _line("g", 100, "2024-01-01", "2024-03-25"),
        _line("g", 100, "2024-04-05"),
    )
    strict = _months(world, "FY2024-Q2")  # the April return
    march = _months(world, "FY2024-Q1")["FY2024-M03"]
    assert (march["mrr_churn"], strict["FY2024-M04"]["mrr_reactivation"]) == (100, 100)
    world.settings["reactivation_grace_days"] = 15
    march = _months(world, "FY2024-Q1")["FY2024-M03"]
    april = _months(world, "FY2024-Q2")["FY2024-M04"]
    assert (march["mrr_churn"], april["mrr_reactivation"]) == (0, 0)
    assert march["closing_mrr"] == 100


def test_clv_is_arpa_times_margin_over_monthly_churn(world: MetricWorld) -> None:
    _churn_arithmetic(world)
    result = world.compute(["arpa", "revenue_churn_rate", "clv"], "FY2024-Q1")
    arpa = (30 + 60 + 100) / 3
    monthly_churn = (10 + 10) / 100 / 3
    assert result.value("arpa") == pytest.approx(arpa)
    assert result.value("revenue_churn_rate") == pytest.approx(monthly_churn)
    assert result.value("clv") == pytest.approx(arpa * 0.8 / monthly_churn)


# Not on Spark: 5 minutes there, and its grace-day path on Spark is the short-gap test's.
@pytest.mark.parametrize(
    "world", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_grace_days_bridge_only_an_account_at_zero(world: MetricWorld) -> None:
    world.add(
        "subscription_line",
        # h cancels its yearly line on 03-20 and is back 12 days later with a bigger plan.
        _line("h", 100, "2024-01-01", "2024-12-31", canceled_at="2024-03-20"),
        _line("h", 120, "2024-04-01"),
        # k swaps a plan with a gap while another line keeps paying: no gap of the account.
        _line("k", 50, "2024-01-01"),
        _line("k", 100, "2024-01-01", "2024-03-25"),
        _line("k", 100, "2024-04-05"),
    )
    world.settings.update(churn_dated_at="cancellation", reactivation_grace_days=15)
    year = _months(world, "FY2024")
    march, april = year["FY2024-M03"], year["FY2024-M04"]
    assert (march["mrr_churn"], march["mrr_contraction"]) == (0, 100)  # k only
    assert (april["mrr_reactivation"], april["mrr_expansion"]) == (0, 20 + 100)
    world.settings["reactivation_grace_days"] = 5  # h's 12 days are too long
    year = _months(world, "FY2024")
    assert year["FY2024-M03"]["mrr_churn"] == 100
    assert year["FY2024-M04"]["mrr_reactivation"] == 120


@pytest.mark.spark_scenario
def test_accounts_slice_by_segment_and_owner(world: MetricWorld) -> None:
    world.add(
        "account",
        {"account_id": "a", "name": "A", "segment": "smb", "owner_id": "u1"},
        {"account_id": "b", "name": "B", "segment": "enterprise", "owner_id": "u2"},
    )
    world.add("user", {"user_id": "u1", "name": "U1"}, {"user_id": "u2", "name": "U2"})
    world.add(
        "subscription_line",
        _line("a", 10, "2023-01-01", "2024-02-15"),
        _line("b", 40, "2023-01-01"),
        _line("b", 30, "2024-03-01"),
    )
    names = ["mrr", "mrr_churn", "mrr_expansion", "nrr"]
    for by, first, second in (("segment", "smb", "enterprise"), ("owner", "u1", "u2")):
        result = world.compute(names, "FY2024-Q1", by=[by])
        assert result.value("mrr", **{by: first}) == 0
        assert result.value("mrr_churn", **{by: first}) == 10
        assert result.value("mrr", **{by: second}) == 70
        assert result.value("mrr_expansion", **{by: second}) == 30
        assert result.value("nrr", **{by: second}) == pytest.approx(70 / 40)


@pytest.mark.spark_scenario
def test_recognised_revenue_grows_year_over_year(world: MetricWorld) -> None:
    _worked_example(world)
    result = world.compute(["recognised_revenue"], "FY2025", compare="last_year")
    # 2024: Gold 12 x 166.67, Silver at the ends of February and March; 2025: Gold Mar-Dec.
    last_year, this_year = 12 * 166.67 + 2 * 60, 10 * 150
    row = result.frame.iloc[0]
    assert (row["value"], row["compare_value"]) == pytest.approx((this_year, last_year))


def test_arr_is_twelve_times_the_unrounded_mrr(world: MetricWorld) -> None:
    # KPIS.md's Gold plan: 4 x $500 a year is $2,000 a year, 166.67 a month once rounded.
    gold = {"unit_price": 500, "quantity": 4, "billing_interval": "year"}
    world.add(
        "subscription_line",
        _line("c1", 166.67, "2024-01-01", "2024-12-31", **gold),
        # $50 a quarter is 16.67 a month rounded, $200 a year.
        _line("c2", 16.67, "2024-01-01", unit_price=50, quantity=1, billing_interval="quarter"),
        # A discount the price does not show: the line's MRR is all we know, x 12.
        _line("c3", 40, "2024-01-01", unit_price=50, quantity=1, billing_interval="month"),
        # No price at all: 12 x MRR.
        _line("c4", 10.5, "2024-01-01"),
    )
    result = world.compute(["mrr", "arr"], "FY2024-M06")
    assert result.value("mrr") == pytest.approx(166.67 + 16.67 + 40 + 10.5)
    # Not 12 x 233.84 = 2,806.08: the two rounded MRRs are 2,000 and 200 a year.
    assert result.value("arr") == pytest.approx(2000 + 200 + 480 + 126, abs=1e-6)
