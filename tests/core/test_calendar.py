"""The fiscal calendar: hand-computed cases, then properties for every start month."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from itertools import pairwise
from typing import Literal, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revops.core import FiscalCalendar, Period, PeriodKind
from revops.errors import CalendarError

FISCAL_KINDS: tuple[Literal["month", "quarter", "year"], ...] = ("month", "quarter", "year")

calendars = st.builds(
    FiscalCalendar,
    start_month=st.integers(min_value=1, max_value=12),
    naming=st.sampled_from(["end", "start"]),
)
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
kinds = st.sampled_from(FISCAL_KINDS)


# Hand-computed cases


def test_a_january_calendar_names_fiscal_years_by_calendar_year_either_way() -> None:
    for naming in ("end", "start"):
        cal = FiscalCalendar(1, naming)
        assert cal.fiscal_year_of(date(2024, 1, 1)) == 2024
        assert cal.fiscal_year_of(date(2024, 12, 31)) == 2024
        assert cal.year(2024) == Period("year", date(2024, 1, 1), date(2025, 1, 1), 2024)


def test_an_april_year_turns_over_between_march_31_and_april_1() -> None:
    cal = FiscalCalendar(start_month=4)
    assert cal.fiscal_year_of(date(2024, 3, 31)) == 2024
    assert cal.fiscal_quarter_of(date(2024, 3, 31)) == 4
    assert cal.period_of(date(2024, 3, 31), "quarter").label == "FY2024-Q4"
    assert cal.fiscal_year_of(date(2024, 4, 1)) == 2025
    assert cal.fiscal_quarter_of(date(2024, 4, 1)) == 1
    assert cal.period_of(date(2024, 4, 1), "quarter").label == "FY2025-Q1"


def test_a_february_year_is_named_by_the_year_it_ends_in_by_default() -> None:
    fy = FiscalCalendar(start_month=2).year(2025)
    assert (fy.start, fy.end) == (date(2024, 2, 1), date(2025, 2, 1))


def test_a_february_year_is_named_by_the_year_it_starts_in_when_asked() -> None:
    cal = FiscalCalendar(start_month=2, naming="start")
    assert cal.fiscal_year_of(date(2024, 2, 1)) == 2024
    assert cal.fiscal_year_of(date(2025, 1, 31)) == 2024
    assert cal.year(2024).start == date(2024, 2, 1)
    assert cal.quarter(2024, 4) == Period("quarter", date(2024, 11, 1), date(2025, 2, 1), 2024, 4)


def test_the_first_february_quarter_runs_to_may_1_exclusive() -> None:
    q1 = FiscalCalendar(start_month=2).quarter(2025, 1)
    assert (q1.start, q1.end, q1.days) == (date(2024, 2, 1), date(2024, 5, 1), 90)
    assert q1.contains(date(2024, 4, 30))
    assert not q1.contains(date(2024, 5, 1))


def test_the_seventh_fiscal_month_is_labelled_m07() -> None:
    cal = FiscalCalendar(start_month=2)
    august = cal.period_of(date(2024, 8, 20), "month")
    assert august.label == "FY2025-M07"
    assert (august.start, august.end) == (date(2024, 8, 1), date(2024, 9, 1))


def test_a_leap_year_february_has_29_days_and_its_year_366() -> None:
    cal = FiscalCalendar(start_month=3)
    february = cal.period_of(date(2024, 2, 29), "month")
    assert (february.label, february.days) == ("FY2024-M12", 29)
    assert cal.year(2024).days == 366
    assert cal.year(2025).days == 365
    assert FiscalCalendar().period_of(date(2100, 2, 28), "month").days == 28


def test_a_year_shifts_across_the_naming_boundary() -> None:
    cal = FiscalCalendar(start_month=7)
    assert cal.year(2025).next() == cal.year(2026)
    assert cal.month(2025, 12).next() == cal.month(2026, 1)
    assert cal.quarter(2025, 1).shift(-5) == cal.quarter(2023, 4)


def test_a_custom_period_shifts_by_its_own_length() -> None:
    span = FiscalCalendar().custom(date(2024, 1, 1), date(2024, 1, 10))
    assert span.days == 10
    assert span.next() == FiscalCalendar().custom(date(2024, 1, 11), date(2024, 1, 20))
    assert span.shift(-2).label == "2023-12-12..2023-12-21"


def test_a_one_day_custom_period_is_allowed() -> None:
    day = FiscalCalendar().custom(date(2024, 2, 29), date(2024, 2, 29))
    assert (day.days, day.label) == (1, "2024-02-29..2024-02-29")


def test_labels_parse_back_to_their_periods() -> None:
    cal = FiscalCalendar(start_month=2)
    assert cal.parse("FY2025") == cal.year(2025)
    assert cal.parse("FY2025-Q3") == cal.quarter(2025, 3)
    assert cal.parse("FY2025-M07") == cal.month(2025, 7)
    assert cal.parse(" fy2025-q3 ") == cal.quarter(2025, 3)
    custom = cal.parse("2024-01-01..2024-03-31")
    assert (custom.kind, custom.start, custom.end) == ("custom", date(2024, 1, 1), date(2024, 4, 1))


@pytest.mark.parametrize(
    "label",
    [
        "",
        "2025",
        "FY",
        "FY2025-Q5",
        "FY2025-Q0",
        "FY2025-M13",
        "FY2025-W01",
        "Q3 FY2025",
        "2024-02-30..2024-03-31",
        "2024-03-31..2024-01-01",
        "2024-01-01..",
        "garbage",
    ],
)
def test_a_label_that_names_no_period_is_refused(label: str) -> None:
    with pytest.raises(CalendarError, match=r"period label|must be|cannot end"):
        FiscalCalendar().parse(label)


def test_a_garbage_label_error_shows_the_forms_that_work() -> None:
    with pytest.raises(CalendarError, match=r"expected FY2025, FY2025-Q3, FY2025-M07 or"):
        FiscalCalendar().parse("last quarter")


@pytest.mark.parametrize("month", [0, 13, -1, True, "4", 4.0])
def test_an_impossible_start_month_is_refused(month: object) -> None:
    with pytest.raises(CalendarError, match=r"start month must be 1\.\.12"):
        FiscalCalendar(month)  # type: ignore[arg-type]


def test_an_unknown_naming_is_refused() -> None:
    with pytest.raises(CalendarError, match="naming"):
        FiscalCalendar(1, "middle")  # type: ignore[arg-type]


def test_quarter_and_month_numbers_outside_the_year_are_refused() -> None:
    cal = FiscalCalendar()
    with pytest.raises(CalendarError, match=r"quarter must be 1..4"):
        cal.quarter(2024, 5)
    with pytest.raises(CalendarError, match=r"month must be 1..12"):
        cal.month(2024, 0)


def test_a_date_has_no_custom_period() -> None:
    with pytest.raises(CalendarError, match="custom"):
        FiscalCalendar().period_of(date(2024, 1, 1), "custom")


def test_a_custom_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(CalendarError, match="before it starts"):
        FiscalCalendar().custom(date(2024, 1, 2), date(2024, 1, 1))


def test_a_period_cannot_be_empty_or_hold_datetimes() -> None:
    with pytest.raises(CalendarError, match="end after it starts"):
        Period("custom", date(2024, 1, 1), date(2024, 1, 1))
    with pytest.raises(CalendarError, match="must be a date"):
        Period("custom", datetime(2024, 1, 1), date(2024, 1, 2))


def test_an_aware_datetime_is_placed_by_its_utc_date() -> None:
    cal = FiscalCalendar(start_month=4)
    new_york = timezone(timedelta(hours=-4))
    evening = datetime(2024, 3, 31, 21, 0, tzinfo=new_york)  # 01:00 UTC on April 1
    assert cal.fiscal_year_of(evening) == 2025
    assert cal.period_of(evening, "quarter").label == "FY2025-Q1"
    assert cal.fiscal_year_of(datetime(2024, 3, 31, 21, 0)) == 2024


def test_periods_between_includes_partly_covered_periods_and_excludes_the_end() -> None:
    cal = FiscalCalendar(start_month=4)
    labels = [p.label for p in cal.periods_between(date(2024, 3, 15), date(2024, 7, 1), "quarter")]
    assert labels == ["FY2024-Q4", "FY2025-Q1"]
    assert cal.periods_between(date(2024, 1, 1), date(2024, 1, 1), "month") == []
    with pytest.raises(CalendarError, match="before it starts"):
        cal.periods_between(date(2024, 2, 1), date(2024, 1, 1), "month")


def test_periods_sort_by_start_and_print_as_their_label() -> None:
    cal = FiscalCalendar(start_month=10)
    q2, q1, year = cal.quarter(2025, 2), cal.quarter(2025, 1), cal.year(2025)
    assert sorted([q2, year, q1]) == [q1, year, q2]
    assert q1 < q2
    assert q2 >= q1
    assert str(q2) == "FY2025-Q2"
    assert f"{year}" == "FY2025"


def test_period_kind_names_the_four_kinds() -> None:
    assert set(get_args(PeriodKind)) == {"month", "quarter", "year", "custom"}


# Properties, for any start month and naming


@given(calendars, dates, kinds)
def test_every_date_lies_in_exactly_one_period_of_each_kind(
    cal: FiscalCalendar, d: date, kind: Literal["month", "quarter", "year"]
) -> None:
    period = cal.period_of(d, kind)
    assert period.contains(d)
    assert not period.previous().contains(d)
    assert not period.next().contains(d)
    assert period.kind == kind


@given(calendars, dates)
def test_the_period_of_a_date_agrees_with_its_fiscal_year_and_quarter(
    cal: FiscalCalendar, d: date
) -> None:
    year, quarter, month = (cal.period_of(d, kind) for kind in FISCAL_KINDS[::-1])
    assert year.fiscal_year == quarter.fiscal_year == month.fiscal_year == cal.fiscal_year_of(d)
    assert quarter.index == cal.fiscal_quarter_of(d)
    assert month.index is not None
    assert (month.index - 1) // 3 + 1 == quarter.index
    assert year.start <= quarter.start <= month.start <= d < month.end <= quarter.end <= year.end


@given(calendars, dates)
def test_a_fiscal_year_starts_on_the_first_of_the_start_month(cal: FiscalCalendar, d: date) -> None:
    year = cal.period_of(d, "year")
    assert (year.start.month, year.start.day) == (cal.start_month, 1)
    assert year.end == date(year.start.year + 1, cal.start_month, 1)
    named_by_start = FiscalCalendar(cal.start_month, "start").fiscal_year_of(d)
    named_by_end = FiscalCalendar(cal.start_month, "end").fiscal_year_of(d)
    assert named_by_start == year.start.year
    assert named_by_end - named_by_start == (0 if cal.start_month == 1 else 1)


@given(calendars, st.integers(min_value=1990, max_value=2100))
def test_quarters_and_months_tile_their_fiscal_year(cal: FiscalCalendar, fiscal_year: int) -> None:
    year = cal.year(fiscal_year)
    for parts in (
        [cal.quarter(fiscal_year, q) for q in range(1, 5)],
        [cal.month(fiscal_year, m) for m in range(1, 13)],
    ):
        assert parts[0].start == year.start
        assert parts[-1].end == year.end
        assert all(a.end == b.start for a, b in pairwise(parts))
        assert sum(p.days for p in parts) == year.days
        assert parts == sorted(parts)


@given(calendars, dates, kinds, st.integers(min_value=-200, max_value=200))
def test_shifting_there_and_back_returns_the_same_period(
    cal: FiscalCalendar, d: date, kind: Literal["month", "quarter", "year"], n: int
) -> None:
    period = cal.period_of(d, kind)
    assert period.shift(n).shift(-n) == period
    assert period.shift(0) == period
    assert period.shift(n) == cal.parse(period.shift(n).label)


@given(calendars, dates, st.integers(min_value=0, max_value=400), st.integers(-50, 50))
def test_shifting_a_custom_period_there_and_back_returns_it(
    cal: FiscalCalendar, d: date, length: int, n: int
) -> None:
    span = cal.custom(d, d + timedelta(days=length))
    assert span.shift(n).shift(-n) == span
    assert span.shift(n).days == span.days


@given(calendars, dates, kinds)
def test_the_next_period_starts_where_this_one_ends(
    cal: FiscalCalendar, d: date, kind: Literal["month", "quarter", "year"]
) -> None:
    period = cal.period_of(d, kind)
    assert period.next().start == period.end
    assert period.previous().end == period.start
    assert period.next() == cal.period_of(period.end, kind)
    assert period < period.next()


@given(calendars, dates, kinds)
def test_a_fiscal_label_parses_back_to_its_period(
    cal: FiscalCalendar, d: date, kind: Literal["month", "quarter", "year"]
) -> None:
    period = cal.period_of(d, kind)
    assert cal.parse(period.label) == period
    assert cal.parse(str(period)) == period


@given(calendars, dates, st.integers(min_value=0, max_value=1000))
def test_a_custom_label_parses_back_to_its_period(
    cal: FiscalCalendar, d: date, length: int
) -> None:
    span = cal.custom(d, d + timedelta(days=length))
    assert cal.parse(span.label) == span
    assert span.days == length + 1


@given(calendars, dates, st.integers(min_value=1, max_value=2000), kinds)
def test_periods_between_cover_the_range_contiguously(
    cal: FiscalCalendar, start: date, length: int, kind: Literal["month", "quarter", "year"]
) -> None:
    end = start + timedelta(days=length)
    periods = cal.periods_between(start, end, kind)
    assert periods[0].contains(start)
    assert periods[-1].contains(end - timedelta(days=1))
    assert all(a.end == b.start for a, b in pairwise(periods))
    assert all(p.start < end and start < p.end for p in periods)
    assert all(p.kind == kind for p in periods)
