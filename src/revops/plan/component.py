"""`ws.plan`: the activation plan's targets against the measured values, month by month.

Values come from the metric layer (`ws.metrics.compute`, monthly grain, as of a day: no
row dated after it is used), the same numbers the cockpit shows; see
:mod:`revops.plan.status` for how a target is classified.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.errors import ConfigError, MetricError, PlanError
from revops.plan.config import (
    PLAN_FILE,
    Direction,
    Initiative,
    PlanFile,
    month_key,
    month_start,
    read_plan,
)
from revops.plan.status import (
    BASELINE_MONTHS,
    MonthPoint,
    MonthResult,
    Status,
    Trend,
    classify,
    month_end,
)

if TYPE_CHECKING:
    from revops.metrics import Catalog, Metrics, Scope
    from revops.warehouse import Warehouse

COLUMNS = (
    "initiative", "owner", "owner_id", "metric", "metric_label", "direction", "month",
    "target", "measured", "result", "status", "trend", "next_month", "next_target",
    "projected",
)  # fmt: skip
"""Columns of :meth:`PlanStatus.rows`: one row per target and month."""


@dataclass(frozen=True)
class MonthStatus:
    """One month of a target: the target value, the measured value (to date while the
    month runs) and the month's result."""

    month: str
    target: float | None
    measured: float | None
    result: MonthResult


@dataclass(frozen=True)
class TargetStatus:
    """A target of an initiative as of a day, with every month measured so far."""

    initiative: str
    owner: str
    owner_id: str | None
    owner_name: str | None
    metric: str
    metric_label: str
    unit: str
    direction: Direction
    status: Status
    trend: Trend | None
    slope: float | None
    next_month: str | None
    next_target: float | None
    projected: float | None
    months: tuple[MonthStatus, ...]

    @property
    def owner_display(self) -> str:
        """The owner's name with the id or e-mail the plan gives (the id alone if unknown)."""
        return f"{self.owner_name} ({self.owner})" if self.owner_name else self.owner

    def latest(self) -> MonthStatus | None:
        """The last month with a measured value."""
        found = [m for m in self.months if m.measured is not None]
        return found[-1] if found else None


@dataclass(frozen=True)
class PlanStatus:
    """Every target of the plan as of a day."""

    as_of: date
    file: str
    targets: tuple[TargetStatus, ...]

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per target and month (:data:`COLUMNS`)."""
        rows = []
        for t in self.targets:
            for m in t.months:
                rows.append({
                    "initiative": t.initiative, "owner": t.owner_display, "owner_id": t.owner_id,
                    "metric": t.metric, "metric_label": t.metric_label,
                    "direction": t.direction, "month": m.month, "target": m.target,
                    "measured": m.measured, "result": m.result, "status": t.status,
                    "trend": t.trend, "next_month": t.next_month, "next_target": t.next_target,
                    "projected": t.projected,
                })  # fmt: skip
        return rows

    def counts(self) -> dict[str, int]:
        """Targets per status."""
        found: dict[str, int] = {}
        for t in self.targets:
            found[t.status] = found.get(t.status, 0) + 1
        return found


class Plan:
    """The activation plan of a workspace (``ws.plan``).

    Args:
        root: the workspace folder (its `plans/activation.yaml`).
        metrics: returns the metric layer (the catalog, the values).
        warehouse: returns the warehouse (whether it has CRM users to name owners).
    """

    def __init__(
        self, root: Path | None, metrics: Callable[[], Metrics], warehouse: Callable[[], Warehouse]
    ) -> None:
        self.root = root
        self._metrics = metrics
        self._warehouse = warehouse
        self._read: tuple[bytes | None, tuple[Path, PlanFile]] | None = None

    @property
    def file(self) -> tuple[Path, PlanFile]:
        """The plan file and its content, every target's metric checked in the catalog;
        read again when the file changes (a served cockpit sees an edit).

        Raises:
            PlanError: the workspace has no plan.
            ConfigError: the file is invalid or names a metric the catalog lacks.
        """
        path = self.root / PLAN_FILE if self.root is not None else None
        # The content, not the modification time: two quick edits may share a time stamp.
        stamp = path.read_bytes() if path is not None and path.is_file() else None
        if self._read is None or self._read[0] != stamp:
            self._read = (stamp, self._load())
        return self._read[1]

    def _load(self) -> tuple[Path, PlanFile]:
        found = read_plan(self.root)
        if found is None:
            raise PlanError("no activation plan: write plans/activation.yaml (see docs/plan.md)")
        path, plan = found
        catalog = self._metrics().catalog
        for initiative in plan.initiatives:
            for index, target in enumerate(initiative.targets):
                if target.metric not in catalog.metrics:
                    key = f"initiatives[{initiative.name}].targets[{index}].metric"
                    problem = (
                        f"{target.metric!r} is a group of metrics; name one of them"
                        if target.metric in catalog.groups
                        else _unknown(catalog, target.metric)
                    )
                    raise ConfigError(path, key, problem)
        return path, plan

    @property
    def initiatives(self) -> tuple[Initiative, ...]:
        """The plan's initiatives."""
        return self.file[1].initiatives

    def status(self, as_of: date | None = None, *, scope: Scope | None = None) -> PlanStatus:
        """Each target against the measured value of each month up to `as_of`, classified.

        Args:
            as_of: the day of the status (default today, UTC); nothing dated after it is
                used, so a later change leaves it as it was.
            scope: the rows the values may use (a person's row scope); default every row.

        Raises:
            PlanError: the workspace has no plan.
            ConfigError: the plan is invalid (file, key).
        """
        today = as_of or datetime.now(UTC).date()
        path, plan = self.file
        owners = self._owners(path, plan)
        spans = {i.name: _span(i) for i in plan.initiatives}
        values = self._values(plan, spans, today, scope)
        targets = []
        for initiative in plan.initiatives:
            months = spans[initiative.name]
            targets.extend(self._initiative(initiative, months, values, today, owners))
        shown = str(path.relative_to(self.root)) if self.root else str(path)
        return PlanStatus(today, shown, tuple(targets))

    def _initiative(
        self,
        initiative: Initiative,
        months: list[date],
        values: dict[tuple[str, str], float | None],
        today: date,
        owners: dict[str, tuple[str, str | None]],
    ) -> list[TargetStatus]:
        catalog = self._metrics().catalog
        owner_id, owner_name = owners.get(initiative.owner, (None, None))
        found = []
        for target in initiative.targets:
            points = [
                MonthPoint(
                    month=key,
                    target=target.monthly.get(key),
                    value=values.get((target.metric, key)),
                    complete=month_end(start) <= today,
                    started=start <= today,
                )
                for start in months
                for key in (month_key(start),)
            ]
            verdict = classify(target.direction, points, BASELINE_MONTHS)
            metric = catalog.metric(target.metric)
            found.append(
                TargetStatus(
                    initiative=initiative.name, owner=initiative.owner, owner_id=owner_id,
                    owner_name=owner_name, metric=metric.name, metric_label=metric.label,
                    unit=metric.unit, direction=target.direction, status=verdict.status,
                    trend=verdict.trend, slope=verdict.slope, next_month=verdict.next_month,
                    next_target=verdict.next_target, projected=verdict.projected,
                    months=tuple(
                        MonthStatus(p.month, p.target, p.value, r)
                        for p, r in zip(points, verdict.results, strict=True)
                    ),
                )
            )  # fmt: skip
        return found

    def _values(
        self,
        plan: PlanFile,
        spans: dict[str, list[date]],
        today: date,
        scope: Scope | None,
    ) -> dict[tuple[str, str], float | None]:
        """(metric, month) → value of every target's metric, for the months of the plan that
        started by `today`: one query of the metric layer per source and month."""
        from revops.metrics.query import _plain

        if not spans:
            return {}
        start = min(months[0] for months in spans.values())
        last = max(month_end(months[-1]) for months in spans.values())
        if today < start:
            return {}
        names = list(dict.fromkeys(t.metric for i in plan.initiatives for t in i.targets))
        window = f"{start.isoformat()}..{min(last, today).isoformat()}"
        result = self._metrics().compute(names, window, grain="month", as_of=today, scope=scope)
        values: dict[tuple[str, str], float | None] = {}
        for record in result.frame.to_dict(orient="records"):
            value = _plain(record["value"])
            values[(str(record["metric"]), month_key(_day(record["period_start"])))] = (
                None if value is None else float(value)
            )
        return values

    def _owners(self, path: Path, plan: PlanFile) -> dict[str, tuple[str, str | None]]:
        """Each owner as written → (user_id, name) of the CRM user it names.

        Raises:
            ConfigError: the CRM has users and none has the owner's id or e-mail.
        """
        if not self._warehouse().has_table("user"):
            return {}
        users = self._metrics().crm_users()
        if not users:
            return {}
        found = {}
        for initiative in plan.initiatives:
            wanted = initiative.owner.strip().lower()
            match = next(
                (u for u in users if u[0].lower() == wanted or (u[2] or "").lower() == wanted),
                None,
            )
            if match is None:
                raise ConfigError(
                    path,
                    f"initiatives[{initiative.name}].owner",
                    f"no CRM user has the id or e-mail {initiative.owner!r}",
                )
            found[initiative.owner] = (match[0], match[1])
        return found


def _unknown(catalog: Catalog, name: str) -> str:
    try:
        catalog.metric(name)
    except MetricError as exc:
        return str(exc)
    return f"no metric {name!r}"  # pragma: no cover - the caller checked it is unknown


def _span(initiative: Initiative) -> list[date]:
    """The first day of each month measured for `initiative`: its baseline, then its own."""
    first = month_start(month_key(initiative.start_date))
    last = month_start(month_key(initiative.end_date))
    return _months(_shift(first, -BASELINE_MONTHS), last)


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months(first: date, last: date) -> list[date]:
    found = [first]
    while found[-1] < last:
        found.append(_shift(found[-1], 1))
    return found
