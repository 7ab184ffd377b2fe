"""What the forecast methods learn from: deal snapshots, won deals, and what was known when.

:class:`ForecastData` is built once (one snapshot query for every as-of day of interest,
one query for the won deals) and then serves every fit: each accessor takes the as-of day
and returns only what was known at its end, so a backtest fits many days from one pull.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, cast

from revops.errors import ForecastError
from revops.forecast.regime import RegimeCheck
from revops.forecast.snapshot import end_of_day, snapshot_frame

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from revops.core import FiscalCalendar, Period, PeriodKind
    from revops.metrics import Metrics, Scope, SourceContext

RUN_RATE_PERIODS = 8
"""How many completed periods the not-yet-created pipeline is learned from."""
CYCLE_HORIZON = 182
"""Days of sales cycle the drift check compares (see :meth:`ForecastData.regime`)."""
SHOCK_MIN_PERIODS = 4
"""Fewer completed periods than this give no estimate of the shared shock (it is 0)."""


def won_frame(ctx: SourceContext, last_day: date) -> pd.DataFrame:
    """Every version of opportunity history in a won stage up to `last_day`, with the
    deal's `created_at`: the bounded frame (about one row per won deal) bookings and the
    run-rate model read as of each day."""
    import pandas as pd

    from revops.metrics.engines.history import won_versions

    versions = won_versions(ctx, last_day)
    deals = ctx.table("opportunity").select(deal_id="opportunity_id", created_at="created_at")
    joined = versions.join(deals, versions.opportunity_id == deals.deal_id)
    frame: pd.DataFrame = joined.select(
        "opportunity_id",
        "created_at",
        "valid_from",
        "valid_to",
        closed_at=joined.close_date,
        amount=joined.amount.cast("float64"),
    ).to_pandas()
    for name in ("created_at", "closed_at", "valid_from", "valid_to"):
        frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


def period_days(calendar: FiscalCalendar, period: Period) -> list[date]:
    """The weekly training days of `period`: its first day, then every seventh day in it."""
    # Every seventh day before the last: on the last day only booked deals remain.
    return [period.start + timedelta(days=7 * k) for k in range((period.days + 5) // 7)]


def backtest_days(calendar: FiscalCalendar, period: Period) -> list[date]:
    """The as-of days a backtest measures `period` at: one in every week of it, the last
    week included.

    The weekly days of :func:`period_days`, plus, when the last of them leaves a whole week
    or more of the period after it (a 92-day quarter: day 84 of 0-91), the eve of its last
    day, so a call made in the period's final week is measured too (week 14 of such a
    quarter). On the last day itself only booked deals remain.
    """
    days = period_days(calendar, period)
    eve = period.end - timedelta(days=2)
    if (eve - days[-1]).days >= 6:
        days.append(eve)
    return days


def _extra_day(period: Period, day: date) -> bool:
    """Whether `day` is the final-week day :func:`backtest_days` adds to `period`."""
    return day == period.end - timedelta(days=2) and (day - period.start).days % 7 != 0


def week_of(calendar: FiscalCalendar, period: Period, day: date) -> int:
    """The week of `period` a call as of `day` is in, numbered as the backtest's weeks:
    how many of its as-of days (:func:`backtest_days`) are on or before `day` (at least 1)."""
    return max(1, sum(1 for d in backtest_days(calendar, period) if d <= day))


def stale_warning(last_change: date | None, as_of: date) -> str | None:
    """The warning for an as-of day after the data's last recorded change, else None."""
    if last_change is None or as_of <= last_change:
        return None
    return (
        f"as of {as_of} is after the data's last change ({last_change}): nothing of the "
        f"{(as_of - last_change).days} day(s) since is known, so deals look as they stood "
        "then (ingest newer data or pass --as-of)"
    )


@dataclass
class ForecastData:
    """Deal snapshots and won deals, with accessors that keep to what a day knew.

    Attributes:
        calendar: the fiscal calendar.
        kind: the period kind forecast (``quarter`` or ``month``).
        snapshots: one row per deal open at the end of each as-of day (see
            :mod:`revops.forecast.snapshot`).
        won: one row per version of a deal's history in a won stage (see
            :func:`won_frame`): `opportunity_id`, `amount` (reporting currency),
            `created_at`, `closed_at` (the version's close date), `valid_from`,
            `valid_to`; read as of a day through :meth:`won_by`.
        first_day: the first day of the deal history: the first deal's creation, or the
            CRM's first recorded change when that is later (a go-live migration: what came
            before it has no history, so its periods teach nothing).
        last_day: the last day of data.
        last_change: the day of the CRM's last recorded change (opportunity history) by
            `last_day`, or None without history: a forecast as of a later day sees nothing
            of the days after it.
        shared: the whole company's data when this is one scope's (a rep's): the period's
            shared shock and season are the company's, which a handful of deals cannot
            estimate.
    """

    calendar: FiscalCalendar
    kind: PeriodKind
    snapshots: pd.DataFrame
    won: pd.DataFrame
    first_day: date
    last_day: date
    last_change: date | None = None
    shared: ForecastData | None = None
    _cache: dict[object, object] = field(default_factory=dict, repr=False)

    @classmethod
    def load(
        cls,
        metrics: Metrics,
        days: Sequence[date],
        *,
        kind: PeriodKind = "quarter",
        last_day: date,
        scope: Scope | None = None,
    ) -> ForecastData:
        """Pull the snapshots at `days` plus every weekly day of the periods before them.

        The weekly days of past periods are the training snapshots; `days` are the days
        forecasts will be made at. Only the rows of `scope` are read (default every row).

        Raises:
            ForecastError: the warehouse holds no opportunities.
        """
        import pandas as pd

        ctx = metrics.context(last_day, scope)
        deals = ctx.table("opportunity")
        first = deals.created_at.min().execute()
        if first is None or pd.isna(first):
            raise ForecastError("the warehouse holds no opportunities to forecast from")
        first_day = pd.Timestamp(first).date()
        # The CRM's own first and last change, company-wide (two dates, no rows).
        history = ctx.raw("opportunity_history", scoped=False)
        bounds = history.aggregate(
            go_live=history.valid_from.min(), last=history.valid_from.max()
        ).to_pandas()
        go_live, last = bounds["go_live"].iloc[0], bounds["last"].iloc[0]
        if go_live is not None and not pd.isna(go_live):
            first_day = max(first_day, pd.Timestamp(go_live).date())
        last_change = None if last is None or pd.isna(last) else pd.Timestamp(last).date()
        calendar = metrics.calendar
        grid: set[date] = set(days)
        periods = calendar.periods_between(first_day, max(days) + timedelta(days=1), kind)
        for period in periods:
            grid.update(d for d in period_days(calendar, period) if d <= max(days))
        snapshots = snapshot_frame(ctx, sorted(grid))
        frame = won_frame(ctx, last_day)
        shared = None
        if scope is not None and scope.restricted:
            shared = cls.load(metrics, days, kind=kind, last_day=last_day)
        return cls(calendar, kind, snapshots, frame, first_day, last_day, last_change, shared)

    def period_of(self, day: date) -> Period:
        """The period of the forecast kind holding `day`."""
        return self.calendar.period_of(day, self.kind)

    def training(self, as_of: date) -> pd.DataFrame:
        """Snapshots whose outcome was known at the end of `as_of`, labelled.

        A snapshot at day D0 counts once its period ended by `as_of`; its label `won` says
        whether the deal was won after D0 and before its period's end.
        """
        key = ("training", self._known_end(as_of))
        if key not in self._cache:
            import pandas as pd

            frame = self.snapshots
            ends = {d: self.period_of(d).end for d in frame["as_of_date"].unique()}
            # Not the backtest's extra day in a period's final week (see `backtest_days`):
            # pulled only for the periods backtested, it would weight them over the others.
            trains = frame["as_of_date"].map({d: not _extra_day(self.period_of(d), d)
                                              for d in ends}).astype(bool)  # fmt: skip
            period_end = frame["as_of_date"].map(ends)
            known = frame[(period_end <= as_of + timedelta(days=1)) & trains].copy()
            known["period_end"] = period_end[known.index]
            closed = known["closed_at"]
            day_after = pd.to_datetime(known["as_of_date"] + timedelta(days=1)).dt.tz_localize(
                "UTC"
            )
            limit = pd.to_datetime(known["period_end"]).dt.tz_localize("UTC")
            known["won"] = known["is_won"] & (closed >= day_after) & (closed < limit)
            self._cache[key] = known.drop(columns=["is_won", "closed_at"])
        frame_out: pd.DataFrame = self._cache[key]  # type: ignore[assignment]
        return frame_out

    def open_at(self, as_of: date) -> pd.DataFrame:
        """Deals open at the end of `as_of`, without their outcome."""
        found = self.snapshot_at(as_of)
        if found.empty and as_of not in self._rows_by_day():
            self._check_day(as_of)
        return found.drop(columns=["is_won", "closed_at"])

    def snapshot_at(self, day: date) -> pd.DataFrame:
        """The snapshot rows of `day`, outcome included (a copy; empty for a day not pulled).

        The outcome columns are what the warehouse knows now: a forecast must not read them.
        """
        import numpy as np

        rows = self._rows_by_day().get(day, np.array([], dtype=np.intp))
        return self.snapshots.iloc[rows].copy()

    def _rows_by_day(self) -> dict[date, np.ndarray]:
        """Row positions of each as-of day: a lookup beats comparing a column of dates
        (Python objects) on every fit, which cost seconds per day at 1M snapshots."""
        key = "rows_by_day"
        if key not in self._cache:
            self._cache[key] = self.snapshots.groupby("as_of_date", sort=False).indices
        rows: dict[date, np.ndarray] = self._cache[key]  # type: ignore[assignment]
        return rows

    def won_by(self, as_of: date) -> pd.DataFrame:
        """The deals won as their history stood at the end of `as_of`: one row per deal,
        the won version valid then. A deal won later is not in it, whatever close date
        it got."""
        import pandas as pd

        key = ("won_by", as_of)
        if key not in self._cache:
            instant = pd.Timestamp(end_of_day(as_of))
            won = self.won
            valid = (won["valid_from"] < instant) & (
                won["valid_to"].isna() | (won["valid_to"] >= instant)
            )
            self._cache[key] = won.loc[valid]
        found: pd.DataFrame = self._cache[key]  # type: ignore[assignment]
        return found

    def booked(self, period: Period, as_of: date) -> float:
        """Bookings won in `period` as history stood at the end of `as_of`."""
        import pandas as pd

        until = min(pd.Timestamp(period.end, tz="UTC"), pd.Timestamp(end_of_day(as_of)))
        won = self.won_by(as_of)
        mask = (won["closed_at"] >= pd.Timestamp(period.start, tz="UTC")) & (
            won["closed_at"] < until
        )
        return float(won.loc[mask, "amount"].sum())

    def new_business_samples(self, period: Period, as_of: date) -> np.ndarray:
        """Bookings past periods got from deals created after the same point of the period.

        For each of the last :data:`RUN_RATE_PERIODS` periods that ended by `as_of`, the
        amount won in it from deals created after the moment that lies as far into it as
        the end of `as_of` lies into `period`; periods whose cut falls before the history
        starts are left out. These are the samples of the not-yet-created component.
        """
        import numpy as np
        import pandas as pd

        offset = end_of_day(as_of) - pd.Timestamp(period.start, tz="UTC").to_pydatetime()
        past = [
            p
            for p in self.calendar.periods_between(self.first_day, as_of, self.kind)
            if p.end <= as_of + timedelta(days=1)
        ]
        won = self.won_by(as_of)
        samples = []
        for previous in past[-RUN_RATE_PERIODS:]:
            start = pd.Timestamp(previous.start, tz="UTC")
            cut = start + offset
            if cut.date() < self.first_day:
                continue
            mask = (
                (won["closed_at"] >= start)
                & (won["closed_at"] < pd.Timestamp(previous.end, tz="UTC"))
                & (won["created_at"] >= cut)
            )
            samples.append(float(won.loc[mask, "amount"].sum()))
        return np.array(samples, dtype=float)

    def period_shock(self, as_of: date) -> float:
        """The spread of the shared log-odds shock of a period, from the periods known by `as_of`.

        Per week of period, the variance across periods of their shifts (see
        :meth:`period_shifts`) beyond the part chance alone gives (about 1 / Σ p(1 − p) per
        period), estimated as in a random-effects meta-analysis (DerSimonian-Laird: each
        period weighted by its information), is the shock's variance; the weeks'
        estimates are averaged, since the shock is one per period. Only labelled snapshots
        (periods that ended by `as_of`) are used.
        """
        if self.shared is not None:
            return self.shared.period_shock(as_of)
        key = ("shock", self._known_end(as_of))
        if key not in self._cache:
            self._cache[key] = self._estimate_shock(as_of)
        value: float = self._cache[key]  # type: ignore[assignment]
        return value

    def season_shift(self, period: Period, as_of: date) -> float:
        """The log-odds shift of `period`'s season (its quarter or month of the fiscal year).

        A season's effect is the mean shift (:meth:`period_shifts`, over its weeks) of the
        settled periods of that season less the mean of all settled periods, shrunk the
        empirical-Bayes way of a one-way random-effects model: by τ² / (τ² + σ² / n), with
        σ² the variance of periods around their season's mean, τ² the variance of the
        seasons' effects beyond what σ² explains, and n the season's periods. Seasons that
        differ no more than periods do get no shift, and the shift grows as history does.
        The history's first period is left out (no pipeline was carried into it, so its
        shift says nothing of its season). 0 with fewer than :data:`SHOCK_MIN_PERIODS`
        settled periods or no season with two of them.
        """
        if self.shared is not None:
            return self.shared.season_shift(period, as_of)
        # Every method and member asks once per forecast: one estimate per season and fit.
        key = ("season", period.index or 0, self._known_end(as_of))
        if key not in self._cache:
            self._cache[key] = self._estimate_season(period.index or 0, as_of)
        value: float = self._cache[key]  # type: ignore[assignment]
        return value

    def _estimate_season(self, own: int, as_of: date) -> float:
        import numpy as np

        shifts = self.period_shifts(as_of)
        settled = shifts[shifts["period_start"] >= self.period_of(self.first_day).end]
        by_period = settled.groupby("period_start")["shift"].mean()
        seasons = np.array([self.period_of(start).index or 0 for start in by_period.index])
        count, groups = len(by_period), len(set(seasons))
        if count < SHOCK_MIN_PERIODS or count <= groups or groups < 2 or own not in seasons:
            return 0.0
        values = by_period.to_numpy(float)
        means = {s: values[seasons == s].mean() for s in set(seasons)}
        sizes = {s: int((seasons == s).sum()) for s in set(seasons)}
        within = sum(float(((values[seasons == s] - means[s]) ** 2).sum()) for s in means)
        within /= count - groups
        centre = float(values.mean())
        between = sum(sizes[s] * (means[s] - centre) ** 2 for s in means) / (groups - 1)
        typical = (count - sum(n * n for n in sizes.values()) / count) / (groups - 1)
        spread = max((between - within) / typical, 0.0)
        if spread == 0.0:
            return 0.0
        weight = spread / (spread + within / sizes[own])
        return float((means[own] - centre) * weight)

    def period_shifts(self, as_of: date) -> pd.DataFrame:
        """Per completed period and week of it: how much luckier than usual its deals were.

        The deals open that week are given the win rate of their stage and
        close-date-in-period group over the same week of the *other* completed periods,
        and the period's `shift` is the log-odds shift that makes their expected wins
        equal the wins seen; `noise` (1 / Σ p(1 − p)) is the part of its variance chance
        alone gives. Leaving the period out of its own rates makes the shift the error a
        rate learned from history makes on a period it has not seen, as a forecast's is
        (pooled over all periods, each period pulls the rate toward itself and its shift
        toward 0). A group no other period has takes the rate over all periods. Columns:
        `period_start`, `week`, `shift`, `noise`.
        """
        key = ("shifts", self._known_end(as_of))
        if key not in self._cache:
            self._cache[key] = self._measure_shifts(as_of)
        frame: pd.DataFrame = self._cache[key]  # type: ignore[assignment]
        return frame

    def _measure_shifts(self, as_of: date) -> pd.DataFrame:
        import pandas as pd

        columns = ["period_start", "week", "shift", "noise"]
        training = self.training(as_of).reset_index(drop=True)
        if training.empty:
            return pd.DataFrame(columns=columns)
        starts = training["as_of_date"].map(
            {d: self.period_of(d).start for d in training["as_of_date"].unique()}
        )
        week = (pd.to_datetime(training["as_of_date"]) - pd.to_datetime(starts)).dt.days // 7
        in_period = pd.to_datetime(training["close_date"]) < pd.to_datetime(training["period_end"])
        group = week.astype(str) + "|" + training["stage"].astype(str) + "|" + in_period.astype(str)
        own = group + "|" + starts.astype(str)
        won = training["won"].astype(float)
        group_won = won.groupby(group).transform("sum")
        group_seen = won.groupby(group).transform("count")
        others = group_seen - won.groupby(own).transform("count")
        left_out = (group_won - won.groupby(own).transform("sum")) / others.where(others > 0)
        pooled = left_out.fillna(group_won / group_seen).clip(0.005, 0.995).to_numpy(float)
        wins = won.to_numpy(float)
        rows = []
        for cell, found in training.groupby([week, starts]).indices.items():
            week_index, start = cast("tuple[int, date]", cell)
            chances = pooled[found]
            information = float((chances * (1 - chances)).sum())
            if information > 0:
                shift = _matching_shift(chances, float(wins[found].sum()))
                rows.append((start, int(week_index), shift, 1.0 / information))
        return pd.DataFrame(rows, columns=columns)

    def _estimate_shock(self, as_of: date) -> float:
        import numpy as np

        shifts = self.period_shifts(as_of)
        excesses = [
            _between_period_variance(week["shift"].to_numpy(float), week["noise"].to_numpy(float))
            for _, week in shifts.groupby("week")
            if len(week) >= SHOCK_MIN_PERIODS
        ]
        if not excesses:
            return 0.0
        excess = float(np.mean(excesses))
        return float(np.sqrt(excess)) if excess > 0 else 0.0

    def regime(self, as_of: date) -> RegimeCheck:
        """The drift check as of `as_of` (see :mod:`revops.forecast.regime`): a change point
        in the settled periods' win-rate shifts or sales cycles, and the shift it gives.

        Settled periods are those ended by `as_of`, less the history's first (no pipeline
        carried into it). Sales cycles are those of at most :data:`CYCLE_HORIZON` days, in
        periods that start at least that long after the history: early in a history only
        short cycles can have ended yet, which would look like cycles growing. A scoped
        call takes the company's.
        """
        if self.shared is not None:
            return self.shared.regime(as_of)
        key = ("regime", self._known_end(as_of))
        if key not in self._cache:
            self._cache[key] = self._check_regime(as_of)
        found: RegimeCheck = self._cache[key]  # type: ignore[assignment]
        return found

    def _check_regime(self, as_of: date) -> RegimeCheck:
        import numpy as np

        from revops.forecast.regime import check_regime

        first_end = self.period_of(self.first_day).end
        shifts = self.period_shifts(as_of)
        settled = shifts[shifts["period_start"] >= first_end]
        by_period = settled.groupby("period_start")["shift"].mean()
        won = self.won_by(as_of)
        days = (won["closed_at"] - won["created_at"]).dt.total_seconds() / 86_400
        # Early in a history only short cycles can have ended in a win (nothing was
        # created before it starts): cycles are compared up to CYCLE_HORIZON days, in
        # periods that start that long after the history does, so all are cut alike.
        won = won[days <= CYCLE_HORIZON]
        days = days[won.index]
        closed = won["closed_at"].dropna().dt.date
        horizon = self.first_day + timedelta(days=CYCLE_HORIZON)
        settled_starts = {
            d: start
            for d in closed.unique()
            if (start := self.period_of(d).start) >= max(first_end, horizon)
            and self.period_of(d).end <= as_of + timedelta(days=1)
        }
        starts = closed.map(settled_starts).dropna()
        cycles = days.loc[starts.index].groupby(starts).median()
        return check_regime(
            {cast("date", s): float(v) for s, v in by_period.items() if np.isfinite(v)},
            {cast("date", s): float(v) for s, v in cycles.items()},
            lambda s: self.period_of(s).label,
        )

    def monthly_bookings(self, as_of: date) -> pd.Series:
        """Bookings per fiscal month, for the months that ended by `as_of`."""
        import pandas as pd

        months = [
            m
            for m in self.calendar.periods_between(self.first_day, as_of, "month")
            if m.end <= as_of + timedelta(days=1) and m.start >= self.first_day
        ]
        values = [self.booked(m, as_of) for m in months]
        return pd.Series(values, index=[m.start for m in months], dtype=float)

    def _known_end(self, as_of: date) -> date:
        """The end of the last period that ended by `as_of`: fits between two such ends
        see the same training labels, so they share one fit."""
        return self.period_of(as_of + timedelta(days=1)).start

    def _check_day(self, as_of: date) -> None:
        if as_of < self.first_day:
            raise ForecastError(
                f"as of {as_of} there is no deal history yet (it starts {self.first_day})"
            )
        if as_of > self.last_day:
            raise ForecastError(f"as of {as_of} is after the last day of data ({self.last_day})")


def _between_period_variance(shifts: np.ndarray, noise: np.ndarray) -> float:
    """The variance of the periods' shifts beyond what chance gives (DerSimonian-Laird).

    Each period's shift is weighted by 1 / its chance variance, so a period with a handful
    of deals (a history's first, partial period) cannot swamp the estimate, as it does a
    plain variance less mean noise. Not clipped at 0: the weeks' estimates are averaged.
    """
    weights = 1.0 / noise
    centre = float((weights * shifts).sum() / weights.sum())
    spread = float((weights * (shifts - centre) ** 2).sum())
    scale = float(weights.sum() - (weights**2).sum() / weights.sum())
    return (spread - (len(shifts) - 1)) / scale


def _matching_shift(chances: np.ndarray, wins: float, bound: float = 4.0) -> float:
    """The log-odds shift z for which Σ sigmoid(logit(p) + z) equals `wins` (bisection).

    Clamped to ±`bound`: a period with no wins (or only wins) has no finite shift.
    """
    import numpy as np

    logits = np.log(chances / (1 - chances))
    low, high = -bound, bound
    for _ in range(40):
        middle = (low + high) / 2
        expected = float((1.0 / (1.0 + np.exp(-(logits + middle)))).sum())
        low, high = (middle, high) if expected < wins else (low, middle)
    return (low + high) / 2
