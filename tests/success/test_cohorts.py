"""Cohort survivors and retention curves counted in the warehouse, by hand, on DuckDB and
PostgreSQL. As of 2026-06-30, monthly cohorts:

- `a1` smb, MRR 100 from 2026-01-10, open: cohort January, paid at 5 month ends.
- `a2` smb, MRR 80 from 2026-01-20 to 2026-03-31: paid at the ends of Jan, Feb, Mar;
  survived 2 (February and March).
- `a3` smb, MRR 60 from 2026-01-05 to 2026-01-20: left inside its start month: 0.
- `a4` enterprise, MRR 300 2026-02-01 to 2026-02-28, back from 2026-05-01: its first
  stretch ends 1 March (survived 0); it pays again at the ends of May and June.
- `a5` enterprise, MRR 150 2026-02-15 to 2026-04-30 and 200 from 2026-04-01 (overlapping,
  no lapse): survived 4, MRR 200 on the day.
- `a6` smb, MRR 40 from 2026-06-10: June's cohort, no period end after its start yet.
- `a7` starts 2026-07-05: after the day, not seen.
- `a8` no segment, MRR 50 from 2025-12-01 to 2026-08-31 (ends after the day: running).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from revops.errors import SuccessError
from revops.metrics.engines.cohorts import NO_SEGMENT, read_cohorts, retention_curves
from success.conftest import line

from conftest import POSTGRES_URL
from support import Company, company_on

DAY = date(2026, 6, 30)


def build(company: Company) -> None:
    segments = {"a1": "smb", "a2": "smb", "a3": "smb", "a4": "enterprise", "a5": "enterprise",
                "a6": "smb", "a7": "smb", "a8": None}  # fmt: skip
    company.add(
        "account",
        *({"account_id": a, "name": a.upper(), "segment": s} for a, s in segments.items()),
    )
    company.add(
        "subscription_line",
        line("a1", 1, 100, "2026-01-10"),
        line("a2", 1, 80, "2026-01-20", end="2026-03-31"),
        line("a3", 1, 60, "2026-01-05", end="2026-01-20"),
        line("a4", 1, 300, "2026-02-01", end="2026-02-28"),
        line("a4", 1, 300, "2026-05-01"),
        line("a5", 1, 150, "2026-02-15", end="2026-04-30"),
        line("a5", 1, 200, "2026-04-01"),
        line("a6", 1, 40, "2026-06-10"),
        line("a7", 1, 70, "2026-07-05"),
        line("a8", 1, 50, "2025-12-01", end="2026-08-31"),
    )


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def cohorts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    with company_on(tmp_path / "cohorts", request.param, POSTGRES_URL) as made:
        build(made)
        yield made


def test_survivors_count_the_period_ends_paid_without_a_lapse(cohorts: Company) -> None:
    ctx = cohorts.ws.metrics.context(DAY)

    found = {(c.segment, c.start): c for c in read_cohorts(ctx, DAY)}

    assert set(found) == {
        ("smb", date(2026, 1, 1)), ("enterprise", date(2026, 2, 1)),
        ("smb", date(2026, 6, 1)), (NO_SEGMENT, date(2025, 12, 1)),
    }  # fmt: skip
    assert found["smb", date(2026, 1, 1)].survivors == [3, 2, 2, 1, 1, 1]
    assert found["enterprise", date(2026, 2, 1)].survivors == [2, 1, 1, 1, 1]
    assert found["smb", date(2026, 6, 1)].survivors == [1]
    assert found[NO_SEGMENT, date(2025, 12, 1)].survivors == [1] * 7
    # Still on their first stretch, by renewals made: a1 (5, 100), a5 (4, 200).
    assert found["smb", date(2026, 1, 1)].renewals == {5: (1, 100.0)}
    assert found["enterprise", date(2026, 2, 1)].renewals == {4: (1, 200.0)}


def test_all_segments_together_and_by_quarter(cohorts: Company) -> None:
    ctx = cohorts.ws.metrics.context(DAY)

    months = {c.start: c.survivors for c in read_cohorts(ctx, DAY, by_segment=False)}
    quarters = {c.start: c.survivors for c in read_cohorts(ctx, DAY, "quarter", by_segment=False)}

    assert months[date(2026, 1, 1)] == [3, 2, 2, 1, 1, 1]
    # Q4 2025: a8, paid at the ends of Q4, Q1 and Q2. Q1 2026: a1..a5 (a3 and a4 survive
    # 0; a2 lost in Q2: 0; a1, a5 running: 1). Q2: a6, its quarter ended on the day.
    assert quarters == {
        date(2025, 10, 1): [1, 1, 1], date(2026, 1, 1): [5, 2], date(2026, 4, 1): [1]
    }  # fmt: skip


def test_retention_curves_count_customers_and_mrr_at_each_period_end(cohorts: Company) -> None:
    ctx = cohorts.ws.metrics.context(DAY)

    rows = retention_curves(ctx, DAY).to_pyarrow().to_pylist()

    found = {(r["cohort"], r["period"]): (r["customers"], r["mrr"]) for r in rows}
    december, january, february, june = 2025 * 12 + 11, 2026 * 12, 2026 * 12 + 1, 2026 * 12 + 5
    assert {p: found[december, p] for p in range(7)} == dict.fromkeys(range(7), (1, 50.0))
    assert [found[january, p] for p in range(6)] == [(2, 180.0)] * 3 + [(1, 100.0)] * 3
    # a4 comes back in May: counted again; a5's two lines overlap in April.
    assert [found[february, p] for p in range(5)] == [
        (2, 450.0),
        (1, 150.0),
        (1, 350.0),
        (2, 500.0),
        (2, 500.0),
    ]
    assert found[june, 0] == (1, 40.0)
    assert len(found) == 7 + 6 + 5 + 1


def test_a_day_before_a_lapse_does_not_see_it(cohorts: Company) -> None:
    # On 2026-02-28 a4 still pays (its line runs to the end of the day) and a2 runs on.
    ctx = cohorts.ws.metrics.context(date(2026, 2, 28))

    found = {(c.segment, c.start): c for c in read_cohorts(ctx, date(2026, 2, 28))}

    assert found["smb", date(2026, 1, 1)].survivors == [3, 2]
    assert found["enterprise", date(2026, 2, 1)].survivors == [2]
    assert found["enterprise", date(2026, 2, 1)].active == 2


def test_an_unknown_period_is_refused(cohorts: Company) -> None:
    ctx = cohorts.ws.metrics.context(DAY)
    with pytest.raises(SuccessError, match="unknown cohort period 'week'"):
        read_cohorts(ctx, DAY, "week")  # type: ignore[arg-type]
