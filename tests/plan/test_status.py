"""The plan's status on the tiny company matches the values and verdicts computed on paper
(see conftest), on DuckDB and PostgreSQL; nothing after the as-of day changes it."""

from __future__ import annotations

from datetime import date

import pytest

from plan.conftest import AS_OF, add_later, build
from revops.plan import PlanStatus
from revops.plan.status import MonthPoint, classify, slope_of

from support import Company

DAY = date.fromisoformat(AS_OF)


def _months(found: PlanStatus, metric: str) -> list[tuple[str, float | None, str]]:
    target = next(t for t in found.targets if t.metric == metric)
    return [(m.month, m.measured, m.result) for m in target.months]


def test_status_matches_the_hand_computed_months_and_verdicts(planned: Company) -> None:
    found = planned.ws.plan.status(DAY)
    verdicts = {
        t.metric: (t.status, t.trend, t.slope, t.next_month, t.next_target, t.projected)
        for t in found.targets
    }
    assert verdicts == {
        "bookings": ("on_track", "improving", 50.0, "2026-04", 250.0, 350.0),
        "sales_cycle_days": ("at_risk", "improving", -5.0, "2026-04", 4.0, 5.0),
        "win_rate": ("missed", "worsening", -0.25, "2026-04", 0.7, 0.25),
    }
    assert _months(found, "bookings") == [
        ("2025-10", 0.0, "baseline"), ("2025-11", 0.0, "baseline"),
        ("2025-12", 100.0, "baseline"), ("2026-01", 200.0, "met"),
        ("2026-02", 100.0, "missed"), ("2026-03", 300.0, "met"),
        ("2026-04", 50.0, "running"), ("2026-05", None, "upcoming"),
        ("2026-06", None, "upcoming"),
    ]  # fmt: skip
    cycle = _months(found, "sales_cycle_days")
    assert [m[1] for m in cycle[:7]] == [None, None, 20.0, 20.0, 40.0, 10.0, 10.0]
    win = _months(found, "win_rate")
    assert win[3:6] == [("2026-02", 1.0, "met"), ("2026-03", 0.5, "missed"),
                        ("2026-04", 1.0, "running")]  # fmt: skip
    owners = {t.initiative: t.owner_display for t in found.targets}
    assert owners == {"Grow bookings": "Mia Lund (mia@acme.test)", "Win more": "Ana Diaz (ana)"}
    assert found.counts() == {"on_track": 1, "at_risk": 1, "missed": 1}


def test_a_change_after_the_as_of_day_leaves_the_status_as_it_was(empty: Company) -> None:
    build(empty, later=False)
    before = empty.ws.plan.status(DAY)
    add_later(empty)  # a 1,000 win and a loss, both closed after 15 April
    after = empty.ws.plan.status(DAY)
    assert after == before
    later = empty.ws.metrics.compute("bookings", "FY2026-M04", as_of=date(2026, 4, 30))
    assert later.value("bookings") == 1050.0  # the later win counts once the day is past


def test_the_months_before_the_as_of_day_are_measured_only(empty: Company) -> None:
    build(empty)
    found = empty.ws.plan.status(date(2025, 9, 30))
    assert {t.status for t in found.targets} == {"no_data"}
    assert all(m.measured is None for t in found.targets for m in t.months)


def _points(
    values: list[float | None], targets: list[float | None], complete: int
) -> list[MonthPoint]:
    return [
        MonthPoint(f"2026-{i + 1:02d}", t, v, complete=i < complete, started=i <= complete)
        for i, (v, t) in enumerate(zip(values, targets, strict=True))
    ]


@pytest.mark.parametrize(
    ("values", "targets", "complete", "status"),
    [
        # met in the last complete month, projected to meet the next: on track
        ([5.0, 4.0, 3.0, None], [None, 5.0, 4.0, 2.5], 3, "on_track"),
        # met, but the trend (-1/month) reaches 2.0 where 1.0 is asked: at risk
        ([5.0, 4.0, 3.0, None], [None, 5.0, 4.0, 1.0], 3, "at_risk"),
        # the last complete month's target was not met: missed
        ([5.0, 4.0, 3.5, None], [None, 5.0, 3.0, 5.0], 3, "missed"),
        # every target month past and the last met: met
        ([5.0, 4.0, 3.0], [None, 5.0, 4.0], 3, "met"),
        # a complete target month without a value: at risk
        ([5.0, 4.0, None, None], [None, 5.0, 4.0, 3.0], 3, "at_risk"),
        # nothing measured yet
        ([None, None], [5.0, 4.0], 0, "no_data"),
    ],
)
def test_the_classification_rule(
    values: list[float | None], targets: list[float | None], complete: int, status: str
) -> None:
    assert classify("at_most", _points(values, targets, complete), 1).status == status


def test_the_trend_is_the_least_squares_slope_of_the_last_three_complete_months() -> None:
    points = _points([9.0, 1.0, 2.0, 6.0, None], [None, None, None, 1.0, 1.0], 4)
    verdict = classify("at_least", points, 3)
    assert verdict.slope == slope_of([(1, 1.0), (2, 2.0), (3, 6.0)]) == 2.5
    assert verdict.trend == "improving"
    assert verdict.projected == 8.5
