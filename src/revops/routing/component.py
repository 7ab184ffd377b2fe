"""`ws.routing`: route leads by `rules/routing.yaml`, replay a proposed rule file, explain
a decision, and measure speed to lead against the SLA."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.errors import RoutingError
from revops.routing.directory import Directory, read_directory
from revops.routing.engine import Decision, Router, RouterState
from revops.routing.inputs import open_loads, read_leads
from revops.routing.loader import ROUTING_FILE, check_reps, read_routing
from revops.routing.rules import RoutingFile
from revops.routing.simulate import Comparison, compare
from revops.routing.sla import SLICES, sla_rows, sla_summary
from revops.routing.store import history, read_counters, save_run, stamp

if TYPE_CHECKING:
    from revops.config import RevOpsConfig
    from revops.core import FiscalCalendar
    from revops.warehouse import Warehouse


@dataclass(frozen=True)
class RoutePlan:
    """The decisions of a plan (or of an applied run, with its `run_id`)."""

    decisions: list[Decision]
    directory: Directory
    run_id: str | None = None

    def rows(self) -> list[dict[str, Any]]:
        """One row per lead, names beside ids."""
        return [decision_row(d, self.directory) for d in self.decisions]


@dataclass(frozen=True)
class Simulation:
    """A proposed rule file against the current one over the same leads."""

    days: int
    start: datetime
    end: datetime
    comparison: Comparison
    directory: Directory

    def summary_rows(self) -> list[dict[str, Any]]:
        """The headline figures, current against proposed."""
        a, b = self.comparison.current, self.comparison.proposed
        return [
            {"figure": "leads replayed", "current": a.leads, "proposed": b.leads},
            {"figure": "queued (no rep)", "current": a.queued, "proposed": b.queued},
            {"figure": "load balance (CV of leads per rep)", "current": _round(a.cv),
             "proposed": _round(b.cv)},
            {"figure": "share to the account's owner", "current": _round(a.owner_share),
             "proposed": _round(b.owner_share)},
            {"figure": "leads that move", "current": None,
             "proposed": len(self.comparison.moves)},
        ]  # fmt: skip

    def rep_rows(self) -> list[dict[str, Any]]:
        """Leads per rep under each file, most changed first."""
        a, b = self.comparison.current.per_rep, self.comparison.proposed.per_rep
        rows = [
            {"rep_id": rep, "rep": self.directory.name(rep), "team": self.directory.team(rep),
             "current": a[rep], "proposed": b[rep], "change": b[rep] - a[rep]}
            for rep in a
        ]  # fmt: skip
        return sorted(rows, key=lambda r: (-abs(r["change"]), r["rep"] or ""))

    def rule_rows(self) -> list[dict[str, Any]]:
        """Leads per rule (territory, pool, owner, queue) under each file."""
        a, b = self.comparison.current.per_rule, self.comparison.proposed.per_rule
        return [
            {"rule": rule, "current": a.get(rule, 0), "proposed": b.get(rule, 0)}
            for rule in sorted(set(a) | set(b))
        ]

    def flow_rows(self) -> list[dict[str, Any]]:
        """Leads moving from one owner (or queue) to another, largest flow first."""
        flows = self.comparison.flows.most_common()
        return [
            {"from_id": src, "from": self.directory.name(src), "to_id": dst,
             "to": self.directory.name(dst), "leads": n}
            for (src, dst), n in sorted(flows, key=lambda f: (-f[1], str(f[0])))
        ]  # fmt: skip

    def move_rows(self, limit: int = 200) -> list[dict[str, Any]]:
        """The leads that move, with the rule on each side."""
        return [
            {"lead_id": m.lead_id, "lead": m.lead, "from_id": m.current,
             "from": self.directory.name(m.current), "from_rule": m.current_rule,
             "to_id": m.proposed, "to": self.directory.name(m.proposed),
             "to_rule": m.proposed_rule}
            for m in self.comparison.moves[:limit]
        ]  # fmt: skip


@dataclass(frozen=True)
class SlaReport:
    """Speed to lead as of an instant: per person, and summarised per slice."""

    as_of: datetime
    sla_hours: float
    rows: list[dict[str, Any]]
    summary: list[dict[str, Any]]


def decision_row(decision: Decision, directory: Directory) -> dict[str, Any]:
    """A decision as a row a person reads: names beside ids, the deciding reason."""
    lead = decision.lead
    return {
        "lead_id": lead.lead_id,
        "lead": lead.name,
        "owner_id": decision.owner_id,
        "owner": directory.name(decision.owner_id),
        "team": directory.team(decision.owner_id),
        "queue": decision.queue,
        "rule": decision.rule,
        "kind": decision.kind,
        "reason": decision.steps[-1].reason if decision.steps else "",
        "previous_owner_id": lead.previous_owner_id,
        "previous_owner": directory.name(lead.previous_owner_id),
        "account": lead.account_name,
        "account_id": lead.account_id,
        "decided_at": decision.decided_at,
    }


class Routing:
    """Lead routing with simulation and audit, and the speed-to-lead SLA."""

    def __init__(
        self,
        root: Path,
        config: RevOpsConfig,
        calendar: FiscalCalendar,
        warehouse: Callable[[], Warehouse],
    ) -> None:
        self.root = root
        self.config = config
        self.calendar = calendar
        self._warehouse = warehouse

    @property
    def warehouse(self) -> Warehouse:
        return self._warehouse()

    @property
    def rules_path(self) -> Path:
        """The workspace's `rules/routing.yaml`."""
        return self.root / ROUTING_FILE

    def rules(self, path: Path | None = None) -> tuple[RoutingFile, Directory]:
        """A rule file (default the workspace's) checked against the org model.

        Raises:
            ConfigError: bad YAML, a bad key, an unknown pool or rep; names file and key.
        """
        file = path or self.rules_path
        routing = read_routing(file)
        directory = read_directory(self.warehouse)
        check_reps(file, routing, directory)
        return routing, directory

    def plan(self, *, at: datetime | None = None) -> RoutePlan:
        """Where each open lead revops has not routed yet would go now, oldest first."""
        return self._route(at or datetime.now(UTC))[0]

    def apply(self, *, at: datetime | None = None) -> RoutePlan:
        """Route the plan's leads and log every assignment with the pools' counters, in
        one load (no write-back to the CRM)."""
        run_id, now = stamp()
        plan, routing, state = self._route(at or now)
        save_run(self.warehouse, plan.decisions, state, run_id, _hash(routing))
        return RoutePlan(plan.decisions, plan.directory, run_id)

    def decide(self, lead_ids: list[str], *, at: datetime | None = None) -> RoutePlan:
        """Where the open leads `lead_ids` would go now, routed before or not (nothing is
        recorded)."""
        return self._route(at or datetime.now(UTC), lead_ids)[0]

    def assign(self, lead_ids: list[str], run_id: str, *, at: datetime | None = None) -> RoutePlan:
        """Route the open leads `lead_ids` and log the assignments under `run_id` (an
        automation's run), with the pools' counters."""
        plan, routing, state = self._route(at or datetime.now(UTC), lead_ids)
        save_run(self.warehouse, plan.decisions, state, run_id, _hash(routing))
        return RoutePlan(plan.decisions, plan.directory, run_id)

    def counters(self) -> dict[str, float]:
        """The pools' round-robin counters, as `pool/user_id` → counter."""
        return {f"{p}/{u}": v for (p, u), v in read_counters(self.warehouse).items()}

    def unassign(self, run_id: str, counters: dict[str, float]) -> None:
        """Remove the assignments of run `run_id` and put the pools' counters back to
        `counters` (as :meth:`counters` gave them before the run)."""
        from revops.routing.store import ASSIGNMENT, NAMESPACE
        from revops.warehouse import LoadSpec

        state = RouterState(counters={tuple(k.split("/", 1)): v for k, v in counters.items()})  # type: ignore[misc]
        save_run(self.warehouse, [], state, run_id, "")
        log = self.warehouse.table(ASSIGNMENT, NAMESPACE)
        self.warehouse.load_many(
            [LoadSpec(ASSIGNMENT, log.limit(0).to_pyarrow(), NAMESPACE, mode="replace",
                      scope={"run_id": [run_id]})]
        )  # fmt: skip

    def _route(
        self, moment: datetime, lead_ids: list[str] | None = None
    ) -> tuple[RoutePlan, RoutingFile, RouterState]:
        routing, directory = self.rules()
        state = self._state(moment, read_counters(self.warehouse))
        router = Router(routing, directory, state)
        leads = read_leads(
            self.warehouse, end=moment, open_only=True, unrouted_only=lead_ids is None,
            lead_ids=lead_ids,
        )  # fmt: skip
        decisions = [router.route(lead, moment) for lead in leads]
        return RoutePlan(decisions, directory), routing, state

    def _state(self, moment: datetime, counters: dict[tuple[str, str], float]) -> RouterState:
        """Pool counters as given; each rep's open leads at `moment` and when they close."""
        import heapq

        state = RouterState(counters=dict(counters))
        for owner, leads, closing in open_loads(self.warehouse, moment):
            state.loads[owner] = leads
            for at in closing:
                heapq.heappush(state.closing, (at, owner))
        return state

    def simulate(self, proposed: Path, *, days: int, as_of: datetime | None = None) -> Simulation:
        """Replay the leads created in the last `days` days under `proposed` and under the
        workspace's rules, from the same starting loads, and compare.

        Raises:
            ConfigError: either rule file is invalid.
            RoutingError: `days` is not positive.
        """
        if days <= 0:
            raise RoutingError(f"--days must be at least 1 (got {days})")
        current, directory = self.rules()
        candidate, _ = self.rules(proposed)
        end = as_of or datetime.now(UTC)
        start = end - timedelta(days=days)
        leads = list(read_leads(self.warehouse, start=start, end=end))
        replays = []
        for routing in (current, candidate):
            router = Router(routing, directory, self._state(start, {}))
            replays.append([router.route(lead) for lead in leads])
        return Simulation(days, start, end, compare(replays[0], replays[1]), directory)

    def why(self, lead_id: str) -> tuple[list[dict[str, Any]], Directory, bool]:
        """The decision trail of a lead: its logged assignments, newest first, or where the
        current rules would send it now when it was never routed (`planned` is True).

        Raises:
            RoutingError: no such lead.
        """
        routing, directory = self.rules()
        logged = history(self.warehouse, lead_id)
        if logged:
            for row in logged:
                row["trail"] = json.loads(row["trail"])
                row["inputs"] = json.loads(row["inputs"])
            return logged, directory, False
        leads = list(read_leads(self.warehouse, lead_ids=[lead_id]))
        if not leads:
            raise RoutingError(f"no lead {lead_id!r}")
        moment = datetime.now(UTC)
        router = Router(routing, directory, self._state(moment, read_counters(self.warehouse)))
        decision = router.route(leads[0], moment)
        row = decision_row(decision, directory)
        row["trail"] = [vars(s) for s in decision.steps]
        row["inputs"] = decision.lead.inputs()
        return [row], directory, True

    def assignments(
        self, limit: int = 200, *, owners: frozenset[str] | None = None
    ) -> tuple[list[dict[str, Any]], Directory]:
        """The assignment log, newest first (to or from `owners` when given)."""
        directory = read_directory(self.warehouse)
        rows = history(self.warehouse, limit=limit, owners=owners)
        return rows, directory

    def sla(
        self,
        *,
        as_of: datetime | None = None,
        window: str | None = None,
        by: str | None = None,
        limit: int = 500,
        owners: frozenset[str] | None = None,
    ) -> SlaReport:
        """Speed to lead as of `as_of` for MQLs of `window` (a fiscal window label), the
        breaches listed (worst first) and the KPIs per slice (`owner`, `team`, `person_type`);
        of the people `owners` own when given (a row scope).

        Raises:
            RoutingError: an unknown slice.
            CalendarError: a bad window.
        """
        if by is not None and by not in SLICES:
            raise RoutingError(f"no slice {by!r}; one of {', '.join(SLICES)}")
        routing = read_routing(self.rules_path)
        moment = as_of or datetime.now(UTC)
        start = end = None
        if window is not None:
            period = self.calendar.parse(window)
            start = datetime(period.start.year, period.start.month, period.start.day, tzinfo=UTC)
            end = datetime(period.end.year, period.end.month, period.end.day, tzinfo=UTC)
        hours = self._sla_hours(routing)
        table = sla_rows(
            self.warehouse, as_of=moment, stage=routing.mql_stage, sla_hours=hours,
            hours=routing.business_hours, start=start, end=end,
        )  # fmt: skip
        if owners is not None:
            table = table.filter(table.owner_id.isin(sorted(owners)))
        breaches = table.filter(table.status == "breached").order_by(
            [table.minutes.desc(), table.person_id]
        )
        rows = breaches.limit(limit).to_pyarrow().to_pylist()
        summary = sla_summary(table, by)
        if by is not None:
            summary = summary.order_by(by)
        return SlaReport(moment, hours, rows, summary.to_pyarrow().to_pylist())

    def _sla_hours(self, routing: RoutingFile) -> float:
        for stage in self.config.lifecycle_stages:
            if stage.name == routing.mql_stage:
                value = getattr(stage, "sla_hours", None)
                if value is not None:
                    return float(value)
        return routing.sla_hours


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _hash(routing: RoutingFile) -> str:
    text = routing.model_dump_json(by_alias=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
