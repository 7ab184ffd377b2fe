"""`ws.quotas`: quota plans (top-down and bottom-up, by `plans/quotas.yaml`), applied as
effective-dated quota records and reverted; and capacity plans (hires to reach a target).

Both read the history years before the plan's fiscal year as of a day (default today):
seasonality and productivity come from the bookings then. See docs/quotas.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.core.period import add_months
from revops.errors import PlanError
from revops.quotas.build import RepInput, RepQuota, build, seasonality
from revops.quotas.capacity import CapacityInputs, CapacityPlan, plan_capacity
from revops.quotas.config import QuotasFile, read_quotas
from revops.quotas.inputs import (
    Person,
    current_quotas,
    monthly_bookings,
    open_pipeline,
    read_people,
)
from revops.quotas.learn import History, learn
from revops.quotas.store import (
    QuotaVersion,
    in_effect,
    read_rows,
    read_versions,
    revert_latest,
    save_version,
)
from revops.quotas.versions import write_version_file

if TYPE_CHECKING:
    from revops.core import FiscalCalendar, Period
    from revops.metrics import Metrics
    from revops.territories import Territories
    from revops.warehouse import Warehouse

REP_COLUMNS = ("rep", "rep_id", "team", "manager", "hire_date", "ramp", "weight", "q1", "q2",
               "q3", "q4", "top_down", "bottom_up", "gap", "current", "change")  # fmt: skip
TEAM_COLUMNS = ("team", "manager", "reps", "top_down", "bottom_up", "gap", "gap_share")
MONTH_COLUMNS = ("month", "hires_starting", "heads", "ramped_fte", "expected_bookings", "low",
                 "high", "cumulative", "pipeline_needed")  # fmt: skip
HIRE_COLUMNS = ("hire", "start_month", "start_date", "open_requisition_by")
QUARTER_REP_COLUMNS = ("rep", "rep_id", "team", "manager", "quarter", "start", "end", "quota",
                       "bottom_up", "ramp", "currency")  # fmt: skip


@dataclass(frozen=True)
class QuotaPlan:
    """A quota plan for one fiscal year as of a day."""

    as_of: date
    year: Period
    target: Decimal
    currency: str
    file: str
    season: list[float]
    quarters: list[Period]
    productivity: float
    quotas: list[RepQuota]
    current: dict[str, float]
    current_version: int | None
    warnings: list[str] = field(default_factory=list)

    def rep_rows(self) -> list[dict[str, Any]]:
        """One row per rep: quarterly top-down quotas, year totals, the change."""
        rows = []
        for q in self.quotas:
            top, bottom = sum(q.top_down, Decimal(0)), sum(q.bottom_up, Decimal(0))
            now = self.current.get(q.rep.user_id)
            rows.append({
                "rep": q.rep.name, "rep_id": q.rep.user_id, "team": q.rep.team,
                "manager": q.rep.manager, "hire_date": q.rep.hire_date,
                "ramp": round(sum(q.ramp) / 4, 4), "weight": round(q.weight, 6),
                **{f"q{i + 1}": q.top_down[i] for i in range(4)},
                "top_down": top, "bottom_up": bottom, "gap": top - bottom,
                "current": None if now is None else round(now, 2),
                "change": float(top) - (now or 0.0),
            })  # fmt: skip
        return rows

    def team_rows(self) -> list[dict[str, Any]]:
        """Top-down against bottom-up per team (and its manager), then the company."""
        groups: dict[tuple[str, str], list[RepQuota]] = {}
        for q in self.quotas:
            groups.setdefault((q.rep.team or "(no team)", q.rep.manager or "–"), []).append(q)
        rows = [_gap_row(team, manager, found) for (team, manager), found in sorted(groups.items())]
        rows.append(_gap_row("company", "–", self.quotas))
        return rows

    def quarter_rows(self) -> list[dict[str, Any]]:
        """Each quarter: its season share and the top-down total."""
        return [{"quarter": p.label, "start": p.start, "season_share": round(self.season[i], 6),
                 "top_down": sum((q.top_down[i] for q in self.quotas), Decimal(0))}
                for i, p in enumerate(self.quarters)]  # fmt: skip

    def quarter_rep_rows(self) -> list[dict[str, Any]]:
        """One row per rep and quarter: the quota record applying writes, names beside ids."""
        return [
            {"rep": q.rep.name, "rep_id": q.rep.user_id, "team": q.rep.team,
             "manager": q.rep.manager, "quarter": p.label, "start": p.start, "end": p.last_day,
             "quota": q.top_down[i], "bottom_up": q.bottom_up[i], "ramp": round(q.ramp[i], 4),
             "currency": self.currency}
            for q in self.quotas for i, p in enumerate(self.quarters)
        ]  # fmt: skip

    def plan_sha256(self) -> str:
        """SHA-256 of what applying stores (year, target, as-of day, the version it
        replaces, every quota record): the plan is computed again to apply it (it is
        deterministic), and applying refuses when this differs from the plan reviewed."""
        import hashlib
        import json

        content = {"year": self.year.label, "target": str(self.target), "as_of":
                   self.as_of.isoformat(), "currency": self.currency,
                   "current_version": self.current_version,
                   "records": self.records()}  # fmt: skip
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def total(self) -> Decimal:
        """Sum of every top-down quota (equals the target, to the cent)."""
        return sum((sum(q.top_down, Decimal(0)) for q in self.quotas), Decimal(0))

    def records(self) -> list[dict[str, Any]]:
        """The quota records applying the plan writes: one per rep and quarter."""
        return [
            {"quota_id": f"FY{self.year.fiscal_year}:{q.rep.user_id}:{p.label}",
             "user_id": q.rep.user_id, "team_id": None, "period_start_date": p.start,
             "period_end_date": p.last_day, "opportunity_type": None, "amount": q.top_down[i],
             "currency": self.currency, "top_down": q.top_down[i], "bottom_up": q.bottom_up[i],
             "ramp": q.ramp[i]}
            for q in self.quotas for i, p in enumerate(self.quarters)
        ]  # fmt: skip


def _gap_row(team: str, manager: str, quotas: list[RepQuota]) -> dict[str, Any]:
    top = sum((sum(q.top_down, Decimal(0)) for q in quotas), Decimal(0))
    bottom = sum((sum(q.bottom_up, Decimal(0)) for q in quotas), Decimal(0))
    return {"team": team, "manager": manager, "reps": len(quotas), "top_down": top,
            "bottom_up": bottom, "gap": top - bottom,
            "gap_share": round(float((top - bottom) / top), 4) if top else None}  # fmt: skip


class Quotas:
    """Quota and capacity planning on the façade (`ws.quotas`)."""

    def __init__(
        self,
        root: Path | None,
        calendar: FiscalCalendar,
        metrics: Callable[[], Metrics],
        warehouse: Callable[[], Warehouse],
        territories: Callable[[], Territories],
    ) -> None:
        self.root = root
        self.calendar = calendar
        self._metrics = metrics
        self._warehouse = warehouse
        self._territories = territories

    def settings(self) -> tuple[Path | None, QuotasFile]:
        """`plans/quotas.yaml` and its path (the defaults when there is none)."""
        return read_quotas(self.root)

    def year(self, label: str) -> Period:
        """The fiscal year a label (`FY2027`) names.

        Raises:
            PlanError: the label is not a fiscal year.
        """
        from revops.errors import CalendarError

        try:
            period = self.calendar.parse(label)
        except CalendarError as exc:
            raise PlanError(str(exc)) from None
        if period.kind != "year":
            raise PlanError(f"{label!r} is not a fiscal year (e.g. FY2027)")
        return period

    def history(self, year: Period, as_of: date, config: QuotasFile) -> History:
        """What the history years before `year` say, as of `as_of`."""
        ctx = self._metrics().context(as_of)
        cutoff = min(year.start, as_of + timedelta(days=1))
        last = self.calendar.fiscal_year_of(cutoff) - 1
        years = [self.calendar.year(y) for y in range(last - config.history_years + 1, last + 1)]
        people = read_people(ctx, config.roles)
        bookings = monthly_bookings(ctx, years[0].start, cutoff, config.opportunity_type)
        return learn(self.calendar, years, cutoff, config, people, bookings, ctx.warnings)

    def plan(self, target: Decimal, year_label: str, as_of: date | None = None) -> QuotaPlan:
        """Quotas of the fiscal year `year_label` summing to `target`.

        Raises:
            ConfigError: `plans/quotas.yaml` is invalid.
            PlanError: no rep of the quota roles, a bad year, a target not above zero.
        """
        if target <= 0:
            raise PlanError("the target must be above zero")
        day = as_of or datetime.now(UTC).date()
        year = self.year(year_label)
        path, config = self.settings()
        found = self.history(year, day, config)
        reps = [p for p in found.people if _counted(p, day, year)]
        if not reps:
            raise PlanError(f"no user of the roles {', '.join(config.roles)} is employed "
                            f"in FY{year.fiscal_year} as of {day}")  # fmt: skip
        potential = self._territories().potential_by_rep(day)
        inputs = [
            RepInput(p.user_id, p.name, p.team, p.manager, p.hire_date, _hire_month(p, year),
                     potential.get(p.user_id, 0.0), found.rep_bookings.get(p.user_id, 0.0))
            for p in reps
        ]  # fmt: skip
        ctx = self._metrics().context(day)
        current = current_quotas(ctx, year)
        version = in_effect(read_versions(self._warehouse()), year.fiscal_year or 0)
        quarters = [self.calendar.quarter(year.fiscal_year or 0, q) for q in range(1, 5)]
        return QuotaPlan(
            day, year, target.quantize(Decimal("0.01")), self._currency(),
            str(path or "plans/quotas.yaml (defaults)"), seasonality(found.quarter_bookings),
            quarters, found.productivity,
            build(target, inputs, seasonality(found.quarter_bookings), found.productivity, config),
            current, version.version if version else None, found.warnings,
        )  # fmt: skip

    def capacity(
        self,
        target: float,
        year_label: str,
        as_of: date | None = None,
        productivity_change: float = 0.0,
        attrition_change: float = 0.0,
    ) -> CapacityPlan:
        """Hires needed to reach `target` bookings in the fiscal year, month by month.

        Args:
            productivity_change: relative change of productivity (-0.1: 10 % less).
            attrition_change: points added to the yearly attrition rate (0.05: +5 pts).

        Raises:
            PlanError: a bad year or a target not above zero.
        """
        if target <= 0:
            raise PlanError("the target must be above zero")
        day = as_of or datetime.now(UTC).date()
        year = self.year(year_label)
        _, config = self.settings()
        found = self.history(year, day, config)
        c = config.capacity
        factor = 1.0 + productivity_change
        months = [self.calendar.month(year.fiscal_year or 0, m) for m in range(1, 13)]
        ready = add_months(day, c.hiring_lead_months)
        earliest = next((i for i, m in enumerate(months) if m.start >= ready), 12)
        reps = tuple(_hire_month(p, year) for p in found.people if _counted(p, day, year))
        inputs = CapacityInputs(
            target=target, months=tuple(m.label for m in months),
            starts=tuple(m.start for m in months),
            season=tuple(s / 3 for s in seasonality(found.quarter_bookings) for _ in range(3)),
            productivity=(c.productivity or found.productivity) * factor,
            low=found.low * factor if c.productivity is None else c.productivity * factor,
            high=found.high * factor if c.productivity is None else c.productivity * factor,
            attrition=min(1.0, max(0.0, (c.attrition if c.attrition is not None
                                         else found.attrition) + attrition_change)),
            reps=reps, earliest_start=earliest, lead_months=c.hiring_lead_months,
            max_hires_per_month=c.max_hires_per_month, coverage=c.coverage,
            steps=config.ramp.steps, months_per_step=config.ramp.months_per_step,
            open_pipeline=open_pipeline(self._metrics().context(day), year),
        )  # fmt: skip
        return plan_capacity(inputs)

    def apply(self, found: QuotaPlan, note: str | None = None,
              expected_sha256: str | None = None) -> QuotaVersion:  # fmt: skip
        """Store the plan's quota records as a new version of its year, counted by
        attainment from now on, and write its YAML file under `plans/quota_versions/`.

        Args:
            expected_sha256: the hash (or its first 12 characters or more) of the plan
                reviewed: refused when `found` is another plan.

        Raises:
            PlanError: `found` is not the plan reviewed (its inputs changed since).
        """
        if expected_sha256 is not None:
            digest = found.plan_sha256()
            if len(expected_sha256) < 12 or not digest.startswith(expected_sha256):
                raise PlanError(
                    f"the quota plan is {digest[:12]} now, not the "
                    f"{expected_sha256[:12]} reviewed: its inputs changed since "
                    "(bookings, reps, territories or versions); review it again"
                )
        warehouse = self._warehouse()
        number = max((v.version for v in read_versions(warehouse)), default=0) + 1
        year = found.year.fiscal_year or 0
        file = write_version_file(self.root, year, number, found, note)
        version = QuotaVersion(
            version=number, fiscal_year=year, state="active", target=found.target,
            currency=found.currency, applied_at=datetime.now(UTC), as_of_date=found.as_of,
            reps=len(found.quotas), file=file, reverted_at=None, note=note,
        )  # fmt: skip
        save_version(warehouse, version, found.records())
        return version

    def revert(self, year_label: str) -> tuple[QuotaVersion, QuotaVersion | None]:
        """Undo the year's latest version from now on: the one before it is in effect.

        Raises:
            PlanError: the year has no version to revert.
        """
        year = self.year(year_label).fiscal_year or 0
        return revert_latest(self._warehouse(), year, datetime.now(UTC))

    def versions(self) -> list[QuotaVersion]:
        """Every quota version, oldest first."""
        return read_versions(self._warehouse())

    def records(self, version: int) -> list[dict[str, Any]]:
        """The quota records of one version."""
        return read_rows(self._warehouse(), version)

    def _currency(self) -> str:
        return self._metrics().config.reporting_currency


def _counted(person: Person, day: date, year: Period) -> bool:
    """A rep of the plan: employed on the as-of day (or the year's start, if later), or
    hired in the CRM to start later in the year."""
    if person.employed_on(max(day, year.start)):
        return True
    hired = person.hire_date
    return hired is not None and day < hired < year.end and person.termination_date is None


def _hire_month(person: Person, year: Period) -> int:
    """Plan month the person started: months from the year's start to the hire (negative
    before it; a long-tenured rep or one without a hire date is far before)."""
    if person.hire_date is None:
        return -1000
    hired = person.hire_date
    months = (hired.year - year.start.year) * 12 + hired.month - year.start.month
    return months + (1 if hired.day > 15 else 0)
