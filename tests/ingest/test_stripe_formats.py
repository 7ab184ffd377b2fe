"""Stripe exports in the API's own shapes and in the Sigma / Data Pipeline table shapes,
through the shipped mappings, to MRR movements exact to the cent, month by month.

The fixtures (tests/fixtures/stripe/) are written by hand in the shapes of Stripe's
public OpenAPI fixtures: list envelopes, nested `items.data` and `lines.data`, Unix
seconds, cents and lower-case currencies.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from revops import Workspace
from revops.ingest.report import IngestReport
from revops.ingest.runner import ingest

from support import run_cli

FIXTURES = Path(__file__).parents[1] / "fixtures" / "stripe"
MOVEMENTS = ["opening_mrr", "mrr_new", "mrr_expansion", "mrr_reactivation",
             "mrr_contraction", "mrr_churn", "closing_mrr"]  # fmt: skip
AS_OF = date(2025, 12, 31)
EURO_RATE = {"fx_rate_id": "fx:eur", "source_system": "test", "source_id": "eur",
             "currency": "EUR", "valid_from": date(2024, 1, 1), "rate": Decimal("1.085"),
             "reporting_currency": "USD", "load_id": "test"}  # fmt: skip


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    root = tmp_path / "ws"
    Workspace.create(root)
    ws = Workspace.open(root)
    yield ws
    ws.close()


def load(ws: Workspace, scenario: str, *, without: tuple[str, ...] = ()) -> IngestReport:
    """Ingest the scenario's files (less those named in `without`); every row loads."""
    folder = ws.root.parent / "exports" / scenario
    shutil.copytree(FIXTURES / scenario, folder)
    for name in without:
        (folder / "stripe" / name).unlink()
    report = ingest(ws, [folder], quality=False)
    assert not report.failed, report.failed
    assert [load.quarantined for load in report.loads] == [0] * len(report.loads)
    return report


def months(ws: Workspace, window: str = "FY2024") -> dict[str, dict[str, float]]:
    """Every month's movements, in dollars; months without any are left out."""
    frame = ws.metrics.compute(MOVEMENTS, window, grain="month", as_of=AS_OF).frame
    table = frame.pivot_table(index="period", columns="metric", values="value")
    rows = {str(p): {k: round(v, 2) for k, v in row.items()} for p, row in table.iterrows()}
    return {p: r for p, r in rows.items() if any(r[m] for m in MOVEMENTS[1:-1])}


def test_the_worked_example_from_api_files_through_the_cli(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    """KPIS.md's worked example: subscriptions, their events, invoices and customers."""
    load(workspace, "worked_example")
    table: dict[str, dict[str, Decimal]] = {}
    for window in ("FY2024", "FY2025"):
        code, out, err = run_cli(
            capsys, "-w", str(workspace.root), "metrics", "show", "mrr_movements",
            "--window", window, "--grain", "month", "--as-of", AS_OF.isoformat(), "-f", "csv",
        )  # fmt: skip
        assert (code, err) == (0, "")
        for row in csv.DictReader(io.StringIO(out)):
            table.setdefault(row["period"], {})[row["metric"]] = Decimal(row["value"])
    moved = {
        period: {m: v for m, v in values.items() if m not in ("opening_mrr", "closing_mrr") and v}
        for period, values in table.items()
    }
    assert {p: m for p, m in moved.items() if m} == {
        "FY2024-M01": {"mrr_new": Decimal("166.67")},  # 4 x Gold, $2,000 a year
        "FY2024-M02": {"mrr_expansion": Decimal("60")},  # + 2 x Silver monthly
        "FY2024-M04": {"mrr_contraction": Decimal("60")},  # Silver paid to 10 April
        "FY2025-M01": {"mrr_churn": Decimal("166.67")},  # Gold's paid year ends 1 Jan 09:00
        "FY2025-M03": {"mrr_reactivation": Decimal("150")},  # 3 x Gold monthly
    }
    for period, values in table.items():
        gains = values["mrr_new"] + values["mrr_expansion"] + values["mrr_reactivation"]
        losses = values["mrr_contraction"] + values["mrr_churn"]
        assert values["opening_mrr"] + gains - losses == values["closing_mrr"], period


def test_the_worked_example_needs_no_events_when_nothing_changed_inside_a_subscription(
    workspace: Workspace,
) -> None:
    load(workspace, "worked_example", without=("events.jsonl",))
    moves = {
        period: {m: v for m, v in row.items() if v and m not in ("opening_mrr", "closing_mrr")}
        for period, row in (months(workspace, "FY2024") | months(workspace, "FY2025")).items()
    }
    assert moves == {
        "FY2024-M01": {"mrr_new": 166.67},
        "FY2024-M02": {"mrr_expansion": 60},
        "FY2024-M04": {"mrr_contraction": 60},
        "FY2025-M01": {"mrr_churn": 166.67},
        "FY2025-M03": {"mrr_reactivation": 150},
    }


def test_seat_changes_and_upgrades_land_when_the_events_say(workspace: Workspace) -> None:
    """2 seats of Silver, 5 seats from 20 Feb, Gold from 3 Apr: the current state alone
    (5 x Gold) would say $250 new in January."""
    load(workspace, "upgrades")
    assert months(workspace) == {
        "FY2024-M01": pytest.approx(_row(0, new=60, close=60)),
        "FY2024-M02": pytest.approx(_row(60, expansion=90, close=150)),
        "FY2024-M04": pytest.approx(_row(150, expansion=100, close=250)),
    }


def test_the_state_before_the_earliest_exported_change_comes_from_its_previous_attributes(
    workspace: Workspace,
) -> None:
    """The same history with the `created` event aged out of Stripe's 30 days: the
    20 Feb event's previous items (2 x Silver) stand in for the current 5 x Gold."""
    load(workspace, "upgrades_last_30_days")
    assert months(workspace) == {
        "FY2024-M01": pytest.approx(_row(0, new=60, close=60)),
        "FY2024-M02": pytest.approx(_row(60, expansion=90, close=150)),
        "FY2024-M04": pytest.approx(_row(150, expansion=100, close=250)),
    }


def test_proration_credits_are_billing_not_mrr(workspace: Workspace) -> None:
    report = load(workspace, "upgrades")
    assert {load.object: load.loaded for load in report.loads}["invoice"] == 4
    invoices = workspace.warehouse.table("invoice").to_pyarrow().to_pylist()
    amounts = {row["invoice_number"]: row["amount"] for row in invoices}
    # -47.68 + 119.20 + 150.00 and -59.03 + 98.38 + 250.00: prorations are in the bills...
    assert amounts["PBBIRCH-0003"] == Decimal("221.52")
    assert amounts["PBBIRCH-0004"] == Decimal("289.35")
    # ... and MRR moves by the change of price x quantity only.
    march_april = months(workspace)
    assert march_april["FY2024-M04"]["mrr_expansion"] == 100
    assert "FY2024-M03" not in march_april


def test_changes_at_the_same_instant_are_one_movement(workspace: Workspace) -> None:
    """Silver x 2 ends at 2024-05-01T00:00:00Z, Gold x 2 starts then: April closes on
    Silver, May on Gold - an expansion of 40, neither churn nor new."""
    load(workspace, "same_instant")
    assert months(workspace) == {
        "FY2024-M01": pytest.approx(_row(0, new=60, close=60)),
        "FY2024-M05": pytest.approx(_row(60, expansion=40, close=100)),
    }


def test_two_events_of_one_subscription_in_the_same_second_count_once(
    workspace: Workspace,
) -> None:
    """2 seats of Silver, then 4 from 5 March 12:00:00, said by two events of that second."""
    load(workspace, "same_second")
    assert months(workspace) == {
        "FY2024-M01": pytest.approx(_row(0, new=60, close=60)),
        "FY2024-M03": pytest.approx(_row(60, expansion=60, close=120)),
    }


def test_cancel_at_period_end_churns_when_the_paid_period_ends(workspace: Workspace) -> None:
    load(workspace, "cancel_at_period_end")
    assert months(workspace) == {
        "FY2024-M01": pytest.approx(_row(0, new=50, close=50)),
        "FY2024-M07": pytest.approx(_row(50, churn=50, close=0)),  # period ends 15 July
    }
    config = workspace.root / "revops.yaml"
    settings = yaml.safe_load(config.read_text())
    settings.setdefault("metrics", {})["churn_dated_at"] = "cancellation"
    config.write_text(yaml.safe_dump(settings))
    again = Workspace.open(workspace.root)  # asked to cancel on 20 June
    try:
        assert months(again)["FY2024-M06"] == pytest.approx(_row(50, churn=50, close=0))
    finally:
        again.close()


def test_a_return_after_months_at_zero_is_reactivation(workspace: Workspace) -> None:
    load(workspace, "reactivation")
    assert months(workspace) == {
        "FY2024-M01": pytest.approx(_row(0, new=30, close=30)),
        "FY2024-M03": pytest.approx(_row(30, churn=30, close=0)),
        "FY2024-M08": pytest.approx(_row(0, reactivation=30, close=30)),
    }


def test_a_quarterly_plan_is_a_third_of_its_price_a_month(workspace: Workspace) -> None:
    load(workspace, "quarterly")
    assert months(workspace) == {"FY2024-M02": pytest.approx(_row(0, new=70, close=70))}


def test_a_repeating_coupon_discounts_three_months_then_expires(workspace: Workspace) -> None:
    """Grove: 2 x Gold at 25 % off from 10 Jan to 10 Apr; Hazel: 2 x Silver with a coupon
    for its first bill only, which is not recurring revenue."""
    load(workspace, "coupon")
    assert months(workspace) == {
        "FY2024-M01": pytest.approx(_row(0, new=75 + 60, close=135)),
        "FY2024-M04": pytest.approx(_row(135, expansion=25, close=160)),
    }


def test_a_subscription_ending_mid_day_on_the_last_day_churns_that_month(
    workspace: Workspace,
) -> None:
    load(workspace, "last_day")  # ended 2024-03-31T10:00:00Z
    assert months(workspace)["FY2024-M03"] == pytest.approx(_row(30, churn=30, close=0))


def test_lower_case_currencies_and_cents_load_to_the_cent(workspace: Workspace) -> None:
    load(workspace, "cents")
    [line] = workspace.warehouse.table("subscription_line").to_pyarrow().to_pylist()
    assert (line["currency"], line["unit_price"], line["quantity"]) == ("USD", Decimal("9.99"), 3)
    assert line["mrr"] == Decimal("29.97")
    assert months(workspace)["FY2024-M03"]["mrr_new"] == 29.97


def test_euros_convert_at_the_workspace_rates(workspace: Workspace) -> None:
    load(workspace, "euro")
    workspace.warehouse.load(
        "fx_rate",
        [EURO_RATE],
        mode="append",
    )
    assert months(workspace)["FY2024-M02"] == pytest.approx(_row(0, new=108.5, close=108.5))


def test_sigma_tables_read_interval_count_and_cancel_at_period_end(workspace: Workspace) -> None:
    """Kauri: $210 a quarter from 1 Feb; Larch: 2 x Gold monthly, set to cancel at the
    period's end, 2024-06-20T09:00Z."""
    load(workspace, "sigma")
    assert months(workspace) == {
        "FY2024-M01": pytest.approx(_row(0, new=100, close=100)),
        "FY2024-M02": pytest.approx(_row(100, new=70, close=170)),
        "FY2024-M06": pytest.approx(_row(170, churn=100, close=70)),
    }


def test_sigma_coupons_discount_mrr_until_the_discount_ends(workspace: Workspace) -> None:
    """The Sigma shape of the coupon scenario: Grove 2 x Gold at 25 % off from 10 Jan to
    the discount's end, 10 Apr; Hazel 2 x Silver with a coupon for its first bill only;
    Ivy Gold and Silver from 5 Feb with $10 off every month (amount_off, forever)."""
    report = load(workspace, "sigma_coupon")
    counts = {x.object: (x.rows_in, x.loaded, x.quarantined) for x in report.loads}
    assert counts["subscription_items"] == (4, 4, 0)
    lines = workspace.warehouse.table("subscription_line").to_pyarrow().to_pylist()
    discounts = {line["source_id"]: line["discount_mrr"] for line in lines}
    assert discounts == {
        "si_PgGrove": Decimal("25.00"),
        "si_PgHazel": None,
        "si_PgIvyGold": Decimal("10.00"),
        "si_PgIvySilver": Decimal("0.00"),
    }
    assert months(workspace) == {
        "FY2024-M01": pytest.approx(_row(0, new=75 + 60, close=135)),
        "FY2024-M02": pytest.approx(_row(135, new=80 - 10, close=205)),
        "FY2024-M04": pytest.approx(_row(205, expansion=25, close=230)),
    }


def test_sigma_tables_without_coupons_load_at_list_price(workspace: Workspace) -> None:
    load(workspace, "sigma_coupon", without=("coupons.csv",))
    assert months(workspace)["FY2024-M02"]["closing_mrr"] == 100 + 60 + 80


def _row(opening: float, close: float, **moves: float) -> dict[str, float]:
    names = {"new": "mrr_new", "expansion": "mrr_expansion", "reactivation": "mrr_reactivation",
             "contraction": "mrr_contraction", "churn": "mrr_churn"}  # fmt: skip
    row = dict.fromkeys(names.values(), 0.0)
    row.update({names[k]: v for k, v in moves.items()})
    return {"opening_mrr": opening, **row, "closing_mrr": close}


def test_schedule_phases_move_mrr_when_each_phase_begins(workspace: Workspace) -> None:
    """Maple (schedule active, ends with cancel): 2 x Silver from 15 Jan 2024, 3 x Silver
    from 15 Apr, 2 x Gold yearly ($500) from 15 Jul to 15 Jul 2025; Birch (not started at
    the export, releases): Gold from 1 Jun, 2 x Gold from 1 Sep; a released schedule of
    9 x Silver governs nothing."""
    report = load(workspace, "schedule")
    counts = {x.object: (x.rows_in, x.loaded, x.quarantined, x.skipped) for x in report.loads}
    assert counts["subscription_schedule.phases.items"] == (6, 5, 0, 1)
    assert months(workspace) == {
        "FY2024-M01": pytest.approx(_row(0, new=60, close=60)),
        "FY2024-M04": pytest.approx(_row(60, expansion=30, close=90)),
        "FY2024-M06": pytest.approx(_row(90, new=50, close=140)),
        "FY2024-M07": pytest.approx(_row(140, contraction=6.67, close=133.33)),
        "FY2024-M09": pytest.approx(_row(133.33, expansion=50, close=183.33)),
    }
    assert months(workspace, "FY2025") == {
        "FY2025-M07": pytest.approx(_row(183.33, churn=83.33, close=100)),
    }
