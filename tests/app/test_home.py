"""The home page compares honestly: a running quarter to date with the same days of the
previous quarter (and of last year), rates in points, attainment coloured by attainment,
sparklines following the window, every unit as it reads."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.conftest import AS_OF, MANAGER, QUARTER, REP, Cockpit
from revops.app.views.common import formatted
from revops.metrics import Scope

ADMIN = "admin@example.com"


def _home(cockpit: Cockpit, email: str, query: str = "") -> dict[str, Any]:
    response = cockpit.client(email).get(f"/api/v1/home{query}")
    assert response.status_code == 200, response.text[:300]
    body: dict[str, Any] = response.json()
    return body


def _won(cockpit: Cockpit, scope: Scope | None, first: date, last: date) -> float:
    """Bookings by hand: won deals closed from `first` to `last`, of the scope's owners."""
    ws = cockpit.app.state.revops.workspace
    deals = ws.warehouse.table("opportunity").execute()
    deals = deals[deals["is_won"].fillna(False).astype(bool)]
    if scope is not None and scope.owners is not None:
        deals = deals[deals["owner_id"].isin(scope.owners)]
    day = deals["closed_at"].dt.date
    return float(deals[(day >= first) & (day <= last)]["amount"].sum())


@pytest.mark.parametrize("email", [ADMIN, MANAGER, REP])
def test_a_running_quarter_is_compared_with_the_same_days_of_the_last_one(
    cockpit: Cockpit, email: str
) -> None:
    # AS_OF 2026-11-22 is day 22 of FY2027-Q4 (1 November): compared with 1-22 August.
    ws = cockpit.app.state.revops.workspace
    scope = ws.metrics.scope_for(email, team=email == MANAGER) if email != ADMIN else None
    view = _home(cockpit, email)
    assert view["window"] == QUARTER
    assert view["compare_window"] == "2026-08-01..2026-08-22"
    assert view["pace"] == pytest.approx(22 / 92)
    bookings = next(c for c in view["cards"] if c["metric"] == "bookings")
    assert bookings["value"] == pytest.approx(_won(cockpit, scope, date(2026, 11, 1), AS_OF))
    assert bookings["compare_value"] == pytest.approx(
        _won(cockpit, scope, date(2026, 8, 1), date(2026, 8, 22))
    )
    year = _home(cockpit, email, "?compare=last_year")
    assert year["compare_window"] == "2025-11-01..2025-11-22"
    bookings = next(c for c in year["cards"] if c["metric"] == "bookings")
    assert bookings["compare_value"] == pytest.approx(
        _won(cockpit, scope, date(2025, 11, 1), date(2025, 11, 22))
    )


def test_a_closed_quarter_is_compared_with_the_whole_previous_quarter(cockpit: Cockpit) -> None:
    view = _home(cockpit, ADMIN, "?window=FY2027-Q3")
    assert (view["compare_window"], view["pace"]) == ("FY2027-Q2", 1.0)


def test_rates_change_in_points_and_amounts_relatively(cockpit: Cockpit) -> None:
    cards = {c["metric"]: c for c in _home(cockpit, ADMIN, "?window=FY2027-Q3")["cards"]}
    win = cards["win_rate"]
    assert win["change"] == pytest.approx(win["value"] - win["compare_value"])
    assert win["change_display"] == f"{win['change'] * 100:+.1f} pp"
    bookings = cards["bookings"]
    assert bookings["change_display"] == f"{bookings['change_ratio'] * 100:+.1f}%"
    assert bookings["change_tone"] == ("good" if bookings["change"] > 0 else "bad")


def test_attainment_is_coloured_by_attainment_against_the_pace(cockpit: Cockpit) -> None:
    view = _home(cockpit, REP)
    targeted = [c for c in view["cards"] if c["attainment"] is not None]
    assert targeted, "the rep has a quota: bookings have a target"
    for card in targeted:
        expected = "good" if card["attainment"] >= view["pace"] else "bad"
        assert card["attainment_tone"] == expected
    page = cockpit.client(REP).get("/")
    assert f'class="attainment {targeted[0]["attainment_tone"]}"' in page.text
    assert "% of target" in page.text


@pytest.mark.parametrize(
    ("window", "grain", "periods"),
    # The running quarter's point is the quarter so far, named as such.
    [(QUARTER, "quarter", ["FY2027-Q2", "FY2027-Q3", "2026-11-01..2026-11-22"]),
     ("FY2026-M06", "month", ["FY2026-M02", "FY2026-M03", "FY2026-M04", "FY2026-M05",
                              "FY2026-M06"])],
)  # fmt: skip
def test_the_sparkline_follows_the_window(
    cockpit: Cockpit, window: str, grain: str, periods: list[str]
) -> None:
    view = _home(cockpit, ADMIN, f"?window={window}")
    assert view["trend_grain"] == grain
    bookings = next(c for c in view["cards"] if c["metric"] == "bookings")
    assert [p["period"] for p in bookings["trend"]][-len(periods) :] == periods
    assert bookings["trend"][-1]["value"] == pytest.approx(bookings["value"])


def test_multiples_and_money_per_day_read_as_such(cockpit: Cockpit) -> None:
    response = cockpit.client(ADMIN).get(
        "/api/v1/metrics/explore?metric=ltv_to_cac&window=FY2027-Q3"
    )
    assert response.status_code == 200, response.text[:300]
    ws = cockpit.app.state.revops.workspace
    assert ws.metrics.catalog.metric("ltv_to_cac").unit == "multiple"
    assert ws.metrics.catalog.metric("pipeline_velocity").unit == "money_per_day"
    assert formatted(3.304, "multiple") == "3.3×"
    assert formatted(4200.0, "money_per_day") == "$4.2k/day"
    page = cockpit.client(ADMIN).get("/metrics?metric=ltv_to_cac&window=FY2027-Q3")
    table = page.text.split("<table", 1)[-1].split("</table>")[0]
    assert "×" in table
    assert "%" not in table
