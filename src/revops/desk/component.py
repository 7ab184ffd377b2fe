"""`ws.desk`: the RevOps request queue ranked by value, with its status flow, SLA, aging
and satisfaction; and the audits (`ws.desk.stack`, `ws.desk.journey`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.desk import store
from revops.desk.config import CLOSED, URGENCIES, DeskFile, read_desk
from revops.desk.intake import ImportedRow, RequestInput, read_csv
from revops.desk.score import impact_of_money, scored
from revops.errors import DeskError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.config import RevOpsConfig
    from revops.core import FiscalCalendar
    from revops.desk.audit import StackAudit
    from revops.desk.changes import Changes
    from revops.desk.journey import JourneyAudit
    from revops.metrics import Metrics
    from revops.routing import Directory
    from revops.warehouse import Warehouse

SECONDS_PER_DAY = 86_400
EDITABLE = (
    "title", "details", "type", "linked_kpi", "linked_process", "reach", "impact",
    "confidence", "effort", "due_date", "stated_urgency", "priority", "owner_id",
)  # fmt: skip
"""Fields a triage may change (status moves through :meth:`Desk.move`)."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did: requests added, changed (a new version), left as they were."""

    file: str
    rows: int
    added: int
    changed: int
    unchanged: int

    def as_row(self) -> dict[str, Any]:
        """The result as one flat row for output."""
        return {"file": self.file, "rows": self.rows, "added": self.added,
                "changed": self.changed, "unchanged": self.unchanged}  # fmt: skip


class Desk:
    """The RevOps desk of a workspace.

    Args:
        root: workspace folder (its `desk/desk.yaml`).
        config: the workspace configuration (the SLA days per priority).
        calendar: the fiscal calendar.
        warehouse: returns the warehouse.
        metrics: returns the metric layer (linked KPIs' money, user aliases).
    """

    def __init__(
        self,
        root: Path | None,
        config: RevOpsConfig,
        calendar: FiscalCalendar,
        warehouse: Callable[[], Warehouse],
        metrics: Callable[[], Metrics],
    ) -> None:
        self.root = root
        self.config = config
        self.calendar = calendar
        self._warehouse = warehouse
        self._metrics = metrics

    @property
    def warehouse(self) -> Warehouse:
        """The warehouse, connected on first use."""
        return self._warehouse()

    @cached_property
    def settings(self) -> DeskFile:
        """`desk/desk.yaml` over the shipped defaults."""
        return read_desk(self.root)

    def directory(self) -> Directory:
        """Users with their teams, to name people and find them by e-mail."""
        from revops.routing import Directory, read_directory

        if not self.warehouse.has_table("user") or not self.warehouse.has_table("team"):
            return Directory([])
        return read_directory(self.warehouse)

    @cached_property
    def stack(self) -> StackAudit:
        """The tech-stack audit."""
        from revops.desk.audit import StackAudit

        return StackAudit(self.settings, self._warehouse, self._metrics)

    @cached_property
    def journey(self) -> JourneyAudit:
        """The customer-journey audit."""
        from revops.desk.journey import JourneyAudit

        return JourneyAudit(self.config, self._warehouse)

    @cached_property
    def changes(self) -> Changes:
        """Definition files: what changed, and what depends on a definition."""
        from revops.desk.changes import Changes

        if self.root is None:
            raise DeskError("definitions live in a workspace folder; open one")
        return Changes(self.root, self.settings, self._metrics)

    # -- intake ------------------------------------------------------------------------

    def person(self, ref: str, directory: Directory | None = None) -> tuple[str, str | None]:
        """The user id and e-mail of a requester or owner named by user_id or e-mail; one
        who is no user of the org model keeps the `email:<address>` id.

        Raises:
            DeskError: neither a known user nor an e-mail address.
        """
        found = (directory or self.directory()).find(ref.strip())
        if found is not None:
            return found.user_id, found.email.lower() if found.email else None
        if "@" in ref:
            address = ref.strip().lower()
            return f"email:{address}", address
        raise DeskError(f"no user {ref!r} in the org model (user_id or e-mail)")

    def add(self, request: RequestInput, *, by: str, source: str = "cli") -> dict[str, Any]:
        """Put a new request in the queue (status `new`); returns it as stored."""
        requester_id, email = self.person(request.requester)
        self._check_kpi(request.linked_kpi)
        moment = store.now()
        row = {
            **request.model_dump(exclude={"requester"}),
            "request_id": self._next_id(),
            "version": 1,
            "requester_id": requester_id,
            "requester_email": email,
            "status": "new",
            "requested_at": moment,
            "source": source,
            "changed_at": moment,
            "changed_by": by,
            "note": "requested",
        }
        store.append(self.warehouse, [row])
        return self.get(row["request_id"])

    def import_csv(self, path: Path | str, *, by: str) -> ImportResult:
        """Import the requests of a CSV file (the desk's columns or a Jira export); a row
        whose key is in the queue already becomes a new version when it changed, so the
        same file twice changes nothing.

        Raises:
            DeskError: a row that does not validate, naming the file, row and field.
        """
        file = Path(path)
        rows = read_csv(file)
        directory = self.directory()
        for item in rows:
            self._check_kpi(item.request.linked_kpi, f"{file}: row {item.row}, field linked_kpi")
        keys = [r.key for r in rows if r.key]
        existing = self._current_of(keys)
        moment = store.now()
        out: list[dict[str, Any]] = []
        added = changed = 0
        counter = self._desk_count()
        for item in rows:
            requester_id, email = self.person(item.request.requester, directory)
            fields = self._imported_fields(item, requester_id, email)
            before = existing.get(item.key) if item.key else None
            if before is not None:
                if all(_same(before.get(k), v) for k, v in fields.items()):
                    continue
                row = {**before, **fields, "version": before["version"] + 1}
                changed += 1
            else:
                counter += 0 if item.key else 1
                request_id = item.key or f"DESK-{counter}"
                row = {**fields, "request_id": request_id, "version": 1,
                       "requested_at": fields["requested_at"] or moment}  # fmt: skip
                added += 1
            row.update(source="csv", source_key=item.key, changed_at=moment, changed_by=by,
                       note=f"imported from {file.name}")  # fmt: skip
            out.append(row)
            if item.key:
                existing[item.key] = row
        store.append(self.warehouse, out)
        unchanged = len(rows) - added - changed
        return ImportResult(str(file), len(rows), added, changed, unchanged)

    def _imported_fields(
        self, item: ImportedRow, requester_id: str, email: str | None
    ) -> dict[str, Any]:
        fields = item.request.model_dump(exclude={"requester"})
        status = item.status or "new"
        return {
            **fields,
            "requester_id": requester_id,
            "requester_email": email,
            "status": status,
            "priority": item.priority,
            "requested_at": item.requested_at,
            "resolved_at": item.resolved_at if status in CLOSED else None,
        }

    # -- changes -----------------------------------------------------------------------

    def get(self, request_id: str) -> dict[str, Any]:
        """One request as it stands.

        Raises:
            DeskError: no request with this id.
        """
        found = self._current_of([request_id]).get(request_id)
        if found is None:
            raise DeskError(f"no request {request_id!r} in the queue")
        return found

    def update(
        self, request_id: str, changes: dict[str, Any], *, by: str, note: str | None = None
    ) -> dict[str, Any]:
        """Triage: change the estimates, priority, owner, type or link of a request (a
        `new` request becomes `triaged`).

        Raises:
            DeskError: an unknown request or field, an owner who is no user, a bad value.
        """
        unknown = sorted(set(changes) - set(EDITABLE))
        if unknown:
            raise DeskError(f"{', '.join(unknown)}: not a field triage can change "
                            f"({', '.join(EDITABLE)})")  # fmt: skip
        before = self.get(request_id)
        values = {k: v for k, v in changes.items() if v is not None}
        if "owner_id" in values:
            values["owner_id"] = self.person(str(values["owner_id"]))[0]
        if "priority" in values and values["priority"] not in URGENCIES:
            raise DeskError(f"priority {values['priority']!r} is not one of {', '.join(URGENCIES)}")
        check = {k: before[k] for k in RequestInput.model_fields if k in before}
        try:
            RequestInput.model_validate({**check, "requester": "x",
                                         **{k: v for k, v in values.items()
                                            if k in RequestInput.model_fields}})  # fmt: skip
        except Exception as exc:  # pydantic's ValidationError, as one line
            raise DeskError(f"request {request_id}: {_first_error(exc)}") from None
        self._check_kpi(values.get("linked_kpi"))
        status = "triaged" if before["status"] == "new" else before["status"]
        return self._write(before, {**values, "status": status}, by, note or "triaged")

    def move(
        self, request_id: str, status: str, *, by: str, note: str | None = None
    ) -> dict[str, Any]:
        """Move a request along the status flow of `desk/desk.yaml`.

        Raises:
            DeskError: an unknown request, or a move the flow does not allow.
        """
        before = self.get(request_id)
        allowed = self.settings.transitions.get(before["status"], ())
        if status not in allowed:
            options = ", ".join(allowed) or "none"
            raise DeskError(f"request {request_id} is {before['status']}: it may move to "
                            f"{options}, not {status}")  # fmt: skip
        resolved = store.now() if status in CLOSED else None
        return self._write(before, {"status": status, "resolved_at": resolved}, by,
                           note or f"{before['status']} → {status}")  # fmt: skip

    def rate(
        self, request_id: str, rating: int, *, by: str, comment: str | None = None
    ) -> dict[str, Any]:
        """The requester's one-question satisfaction (1-5) on a closed request.

        Raises:
            DeskError: an open request, a rating out of 1-5, or a rater who is not the
                requester.
        """
        if rating not in range(1, 6):
            raise DeskError(f"a rating is 1 to 5, not {rating}")
        before = self.get(request_id)
        if before["status"] not in CLOSED:
            raise DeskError(f"request {request_id} is {before['status']}: rate it once closed")
        if (before["requester_email"] or "") != by.strip().lower():
            raise DeskError(f"only the requester ({before['requester_email']}) rates a request")
        return self._write(before, {"rating": rating, "rating_comment": comment}, by, "rated")

    def _write(
        self, before: dict[str, Any], values: dict[str, Any], by: str, note: str
    ) -> dict[str, Any]:
        row = {**before, **values, "version": before["version"] + 1, "changed_at": store.now(),
               "changed_by": by, "note": note}  # fmt: skip
        store.append(self.warehouse, [row])
        return self.get(before["request_id"])

    def history(self, request_id: str) -> list[dict[str, Any]]:
        """Every version of a request, oldest first."""
        log = store.versions(self.warehouse)
        if log is None:
            return []
        found = log.filter(log.request_id == request_id).order_by("version")
        return list(found.to_pyarrow().to_pylist())

    # -- the queue ---------------------------------------------------------------------

    def scored(self, today: date | None = None) -> ir.Table | None:
        """Every request as it stands with its value score, age and SLA (an expression)."""
        import ibis

        table = store.current(self.warehouse)
        if table is None:
            return None
        day = today or datetime.now(UTC).date()
        table = scored(table, self.settings.score, day, self._kpi_impacts(table, day))
        settings = self.config.metrics
        level = table.priority.fill_null(table.stated_urgency)
        # Decimal literals cast to float: PostgreSQL reads a float literal as numeric, and
        # Ibis drops a cast to the type it already infers.
        sla = ibis.cases(*[(level == name, ibis.literal(days, "decimal(12, 4)"))
                           for name, days in settings.request_sla_days.items()],
                         else_=ibis.literal(settings.default_request_sla_days,
                                            "decimal(12, 4)")).cast("float64")  # fmt: skip
        end = ibis.literal(datetime.combine(day, datetime.max.time(), UTC), "timestamp('UTC')")
        stop = table.resolved_at.fill_null(end)
        age = (stop.epoch_seconds() - table.requested_at.epoch_seconds()) / SECONDS_PER_DAY
        urgency = ibis.cases(*[(table.stated_urgency == u, i + 1) for i, u in enumerate(URGENCIES)],
                             else_=0)  # fmt: skip
        return table.mutate(
            level=level,
            urgency_level=urgency,
            age_days=age.cast("float64"),
            sla_days=sla,
            is_overdue=age > sla,
            is_open=~table.status.isin(list(CLOSED)),
        )

    def queue(
        self,
        *,
        requester: str | None = None,
        include_closed: bool = False,
        limit: int = 200,
        today: date | None = None,
    ) -> list[dict[str, Any]]:
        """Requests by value score, highest first, with stated urgency beside it, age,
        SLA and names beside ids; only `requester`'s own (an e-mail) when given."""
        table = self.scored(today)
        if table is None:
            return []
        if requester is not None:
            table = table.filter(table.requester_email == requester.strip().lower())
        if not include_closed:
            table = table.filter(table.is_open)
        ordered = table.order_by([table.value_score.desc(), table.requested_at, table.request_id])
        rows: list[dict[str, Any]] = ordered.limit(limit).to_pyarrow().to_pylist()
        directory = self.directory()
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank
            row["requester"] = directory.name(row["requester_id"])
            row["requester_team"] = directory.team(row["requester_id"])
            row["owner"] = directory.name(row["owner_id"])
        return rows

    def summary(self, today: date | None = None) -> dict[str, Any]:
        """Open requests, overdue ones, median age, and the desk's CSAT over all time."""
        table = self.scored(today)
        if table is None:
            return {"open": 0, "overdue": 0, "median_age_days": None, **self.csat()}
        open_ = table.filter(table.is_open)
        figures = open_.aggregate(
            open=open_.count(),
            overdue=open_.is_overdue.sum(),
            median_age_days=open_.age_days.median(),
        ).to_pyarrow().to_pylist()[0]  # fmt: skip
        return {**figures, "overdue": figures["overdue"] or 0, **self.csat()}

    def csat(self, start: date | None = None, end: date | None = None) -> dict[str, Any]:
        """The desk's CSAT: ratings of requests resolved in [start, end] (all time by
        default), their mean (1-5) and the share rated 4 or 5 (null without ratings)."""
        import ibis

        table = store.current(self.warehouse)
        if table is None:
            return {"ratings": 0, "csat": None, "satisfied_share": None}
        rated = table.filter(table.rating.notnull())
        if start is not None:
            lo = datetime.combine(start, datetime.min.time(), UTC)
            rated = rated.filter(rated.resolved_at >= ibis.literal(lo, "timestamp('UTC')"))
        if end is not None:
            hi = datetime.combine(end, datetime.max.time(), UTC)
            rated = rated.filter(rated.resolved_at <= ibis.literal(hi, "timestamp('UTC')"))
        figures = rated.aggregate(
            ratings=rated.count(),
            csat=rated.rating.cast("float64").mean(),
            satisfied_share=ibis.ifelse(rated.rating >= 4, 1, 0).cast("float64").mean(),
        )
        row: dict[str, Any] = figures.to_pyarrow().to_pylist()[0]
        return row

    def rank_correlation(self, truth: Path | str, today: date | None = None) -> dict[str, Any]:
        """Spearman rank correlation with the true value of each request (a demo's
        `truth/request_value.csv`, matched by issue key) of the value score, RICE, WSJF
        and the stated urgency (ties take their mean rank)."""
        import ibis
        import pandas as pd

        table = self.scored(today)
        if table is None:
            raise DeskError("no request in the queue: import some first")
        try:
            frame = pd.read_csv(truth, usecols=["issue_key", "true_value"])
        except (OSError, ValueError) as exc:
            raise DeskError(f"{truth}: cannot read issue_key and true_value ({exc})") from None
        known = ibis.memtable(frame)
        joined = table.join(known, table.request_id == known.issue_key)
        columns = {
            "value_score": joined.value_score,
            "rice": joined.rice,
            "wsjf": joined.wsjf,
            "stated_urgency": joined.urgency_level.cast("float64"),
        }
        ranked = joined.select(truth=_mean_rank(joined.true_value),
                               **{n: _mean_rank(c) for n, c in columns.items()})  # fmt: skip
        figures = ranked.aggregate(
            requests=ranked.count(), **{n: ranked[n].corr(ranked.truth, how="pop") for n in columns}
        ).to_pyarrow().to_pylist()[0]  # fmt: skip
        return {"method": self.settings.score.method, **figures}

    # -- helpers -----------------------------------------------------------------------

    def _current_of(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        table = store.current(self.warehouse)
        if table is None or not ids:
            return {}
        rows = table.filter(table.request_id.isin(sorted(set(ids)))).to_pyarrow().to_pylist()
        return {r["request_id"]: r for r in rows}

    def _desk_count(self) -> int:
        log = store.versions(self.warehouse)
        if log is None:
            return 0
        made = log.filter(log.request_id.startswith("DESK-"))
        return int(made.request_id.nunique().execute())

    def _next_id(self) -> str:
        return f"DESK-{self._desk_count() + 1}"

    def _check_kpi(self, name: str | None, where: str = "linked_kpi") -> None:
        if name is None:
            return
        names = {m.name for m in self._metrics().definitions()}
        if name not in names:
            raise DeskError(f"{where}: no metric {name!r} in the catalog (`revops metrics list`)")

    def _kpi_impacts(self, table: ir.Table, today: date) -> dict[str, float]:
        """The impact of each linked KPI that is money: the share at stake of its value in
        the last full fiscal quarter, as a tier of `score.kpi_impact`."""
        linked = table.filter(table.linked_kpi.notnull()).linked_kpi.name("kpi").as_table()
        names = [r["kpi"] for r in linked.distinct().to_pyarrow().to_pylist()]
        if not names:
            return {}
        metrics = self._metrics()
        money = {m.name for m in metrics.definitions() if m.unit == "money"} & set(names)
        if not money:
            return {}
        quarter = self.calendar.period_of(today, "quarter").previous()
        result = metrics.compute(sorted(money), quarter.label, as_of=today)
        share = self.settings.score.kpi_impact.share_at_stake
        impacts: dict[str, float] = {}
        for name in money:
            value = result.value(name, quarter.label)
            if value is not None:
                impacts[name] = impact_of_money(float(value) * share, self.settings.score)
        return impacts


def _mean_rank(column: ir.Column) -> ir.FloatingValue:
    """A column's rank, ties taking the mean of the ranks they span."""
    import ibis

    low = ibis.rank().over(order_by=column)
    high = ibis.rank().over(order_by=column.desc())
    count = column.count().over(ibis.window())
    return ((low + (count - 1 - high)) / 2).cast("float64")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a.astimezone(UTC) == b.astimezone(UTC)
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-9
    return bool(a == b)


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)
