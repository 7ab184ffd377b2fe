"""`ws.comp`: sales compensation from `plans/comp/*.yaml`: statements, period close with
locked payouts and adjustments, what-if on a deal, the cost of a plan change, disputes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.comp import store
from revops.comp.calculate import ZERO, Line
from revops.comp.inputs import Deal, Org, QuotaRow, read_deals, read_org, read_quotas
from revops.comp.plan import PLANS_FOLDER, CompPlan, load_plans, read_plan
from revops.comp.statement import Statement, chain_start, members, run_chain
from revops.comp.versions import PlanVersions, load_versions
from revops.errors import CompError, ConfigError

if TYPE_CHECKING:
    from revops.core import FiscalCalendar, Period
    from revops.metrics import Metrics, Scope
    from revops.warehouse import Warehouse

DISPUTE_STATUSES = ("open", "accepted", "rejected")


@dataclass(frozen=True)
class Inputs:
    """What the plans read from the warehouse as of a day, for the deals won in
    [first, last]: a plan whose chain fits inside reuses it (a superset is harmless:
    each period takes only its own deals)."""

    as_of: date
    first: date
    last: date
    org: Org
    deals: list[Deal]
    quotas: list[QuotaRow]

    def covers(self, as_of: date, first: date, last: date) -> bool:
        """Whether these inputs hold what a chain of [first, last] as of `as_of` reads."""
        return self.as_of == as_of and self.first <= first and last <= self.last


@dataclass(frozen=True)
class WhatIf:
    """What a deal would pay: the statement without and with it."""

    before: Statement
    after: Statement
    deal: Deal

    @property
    def pays(self) -> Decimal:
        """What the deal adds to the period's payout."""
        return self.after.total - self.before.total

    def as_dict(self) -> dict[str, object]:
        """For JSON."""
        added = [ln.as_dict() for ln in self.after.lines if ln.deal_id == self.deal.deal_id]
        return {
            "plan": self.after.plan,
            "period": self.after.period,
            "participant_id": self.after.participant_id,
            "participant_name": self.after.participant_name,
            "deal_id": self.deal.deal_id,
            "deal_name": self.deal.name,
            "amount": f"{self.deal.amount:.2f}",
            "closed_on": self.deal.closed_on.isoformat(),
            "attainment_before": _pct(self.before.attainment),
            "attainment_after": _pct(self.after.attainment),
            "total_before": f"{self.before.total:.2f}",
            "total_after": f"{self.after.total:.2f}",
            "deal_pays": f"{self.pays:.2f}",
            "items": added,
        }


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class Comp:
    """Sales compensation of a workspace.

    Args:
        root: the workspace folder (its `plans/comp/`).
        calendar: the fiscal calendar plans are paid by.
        metrics: the metric layer deals and quotas are read through.
        warehouse: returns the warehouse (the `comp` namespace is written there).
    """

    def __init__(
        self,
        root: Path | None,
        calendar: FiscalCalendar,
        metrics: Metrics,
        warehouse: Callable[[], Warehouse],
    ) -> None:
        self.root = root
        self.calendar = calendar
        self.metrics = metrics
        self._warehouse = warehouse
        self._files: tuple[tuple[tuple[str, int, int], ...], dict[str, PlanVersions]] | None = None

    @property
    def plans(self) -> dict[str, CompPlan]:
        """The plans of `plans/comp/*.yaml`, by name (read again when a file changes).

        Raises:
            ConfigError: a file is invalid (names the file and the key).
        """
        return {name: v.base for name, v in self.versions.items()}

    @property
    def versions(self) -> dict[str, PlanVersions]:
        """Every plan with the changes applied to it (`plans/comp/versions/`), by name;
        read again when a file under `plans/comp/` changes.

        Raises:
            ConfigError: a file is invalid, or a version does not start a period of its plan.
        """
        key = _files_key(self.root)
        if self._files is None or self._files[0] != key:
            self._files = (key, self._load())
        return self._files[1]

    def _load(self) -> dict[str, PlanVersions]:
        found = load_versions(self.root, load_plans(self.root))
        for versions in found.values():
            for version in versions.changes:
                first = self.calendar.period_of(version.effective, versions.base.period)
                if first.start != version.effective:
                    assert version.path is not None
                    raise ConfigError(
                        version.path,
                        None,
                        f"a version starts on the first day of a {versions.base.period} "
                        f"({first.label} starts {first.start})",
                    )
        return found

    def plan(self, name: str | None) -> list[CompPlan]:
        """The plan named `name`, or every plan for None.

        Raises:
            CompError: no such plan, or no plan at all.
        """
        if not self.plans:
            raise CompError("no comp plan: write one in plans/comp/*.yaml (see docs/comp.md)")
        if name is None:
            return list(self.plans.values())
        if name not in self.plans:
            raise CompError(f"no comp plan {name!r}; plans: {', '.join(self.plans)}")
        return [self.plans[name]]

    def period(self, label: str) -> Period:
        """The period a label names (FY2027-Q1, FY2027, FY2027-M02...)."""
        from revops.errors import CalendarError

        try:
            return self.calendar.parse(label)
        except CalendarError as exc:
            raise CompError(str(exc)) from None

    # -- statements ---------------------------------------------------------------------

    def statements(
        self,
        period: str,
        *,
        rep: str | None = None,
        plan: str | None = None,
        as_of: date | None = None,
        scope: Scope | None = None,
    ) -> list[Statement]:
        """Every statement of the plans' periods inside `period` (a quarterly plan's four
        for a year), of `rep` (user id, email or name) or everyone, cut to `scope`.

        Args:
            as_of: the last day of data used (default today): deals as they stood then.
        """
        window = self.period(period)
        day = as_of or datetime.now(UTC).date()
        found: list[Statement] = []
        chosen_plans = self.plan(plan)
        spans = [self._periods(self.versions[p.name], window) for p in chosen_plans]
        days = [d for span in spans if span for d in (span[0].start, span[-1].last_day)]
        read = self._read(day, min(days), max(days)) if days else None
        org = read.org if read else None
        for chosen in chosen_plans:
            computed, org = self._compute(
                self.versions[chosen.name], window, day, org=org, read=read
            )
            found += [s for s in computed if window.start <= _start(self, chosen, s) < window.end]
        if rep is not None:
            assert org is not None
            user = org.find(rep)
            found = [s for s in found if s.participant_id == user.user_id]
            if not found:
                raise CompError(f"{user.name} ({user.user_id}) is on no plan in {period}")
        if scope is not None and scope.owners is not None:
            found = [s for s in found if s.participant_id in scope.owners]
        return found

    def _periods(self, versions: PlanVersions, window: Period) -> list[Period]:
        """The plan's periods from the start of the chain that ends with `window`."""
        kind = versions.base.period
        asked = self.calendar.period_of(window.start, kind)
        start = min(chain_start(p, self.calendar, asked).start for p in versions.plans())
        return list(self.calendar.periods_between(start, window.end, kind))

    def _read(self, as_of: date, first: date, last: date, org: Org | None = None) -> Inputs:
        """The org, and the deals and quotas of [first, last], as of a day."""
        ctx = self.metrics.context(as_of)
        return Inputs(
            as_of,
            first,
            last,
            org or read_org(ctx),
            read_deals(ctx, first, last),
            read_quotas(ctx, first, last),
        )

    def _compute(
        self,
        versions: PlanVersions,
        window: Period,
        as_of: date,
        *,
        org: Org | None = None,
        extra: Sequence[Deal] = (),
        use_locks: bool = True,
        read: Inputs | None = None,
    ) -> tuple[list[Statement], Org]:
        periods = self._periods(versions, window)
        if not periods:
            return [], org or self._org(as_of)
        first, last = periods[0].start, periods[-1].last_day
        if read is None or not read.covers(as_of, first, last):
            read = self._read(as_of, first, last, org)
        labels = [p.label for p in periods]
        locked = self._locked(versions.name, labels) if use_locks else {}
        chain = run_chain(versions, self.calendar, periods, read.org, [*read.deals, *extra],
                          read.quotas, as_of, locked)  # fmt: skip
        return list(chain.values()), read.org

    def _org(self, as_of: date) -> Org:
        return read_org(self.metrics.context(as_of))

    def _locked(self, plan: str, labels: Sequence[str]) -> dict[tuple[str, str], list[Line]]:
        table = store.stored(self._warehouse(), store.LINE)
        if table is None:
            return {}
        table = table.filter((table.plan == plan) & table.period.isin(list(labels)))
        rows = table.order_by(["participant_id", "period", "line_no"]).to_pyarrow().to_pylist()
        locked: dict[tuple[str, str], list[Line]] = {}
        for r in rows:
            # A statement closed without lines is stored as one `none` row, so it is locked too.
            found = locked.setdefault((r["participant_id"], r["period"]), [])
            if r["kind"] != "none":
                found.append(store.line_of(r))
        return locked

    def closed(self, plan: str) -> list[str]:
        """The labels of the plan's closed periods."""
        table = store.stored(self._warehouse(), store.CLOSE)
        if table is None:
            return []
        rows = table.filter(table.plan == plan).select("period").to_pyarrow().to_pylist()
        return [r["period"] for r in rows]

    def summary(
        self, period: str, *, as_of: date | None = None, scope: Scope | None = None
    ) -> list[dict[str, object]]:
        """The payout summary: one row per statement of the period."""
        return [s.summary() for s in self.statements(period, as_of=as_of, scope=scope)]

    # -- close --------------------------------------------------------------------------

    def close(
        self, period: str, *, plan: str | None = None, as_of: date | None = None, by: str = "cli"
    ) -> list[dict[str, object]]:
        """Lock the payouts of `period` for the plans whose period it is: their lines are
        stored and never recomputed; later changes are adjustments of the next open period.

        Raises:
            CompError: the period is not over by `as_of`, is closed already, or an earlier
                period of its fiscal year is still open.
        """
        window = self.period(period)
        day = as_of or datetime.now(UTC).date()
        if window.last_day > day:
            raise CompError(f"{period} is not over on {day}: a period closes after its last day")
        done: list[dict[str, object]] = []
        now = datetime.now(UTC)
        lines: list[dict[str, Any]] = []
        closes: list[dict[str, Any]] = []
        for chosen in self.plan(plan):
            if chosen.period != window.kind:
                continue
            closed = self.closed(chosen.name)
            versions = self.versions[chosen.name]
            if window.label in closed:
                raise CompError(f"{chosen.name} {period} is closed already")
            year = self.calendar.year(self.calendar.fiscal_year_of(window.start))
            earlier = [
                p.label
                for p in self.calendar.periods_between(year.start, window.start, chosen.period)
                if p.label not in closed and versions.at(p.start).in_effect(p.start, p.last_day)
            ]
            if earlier:
                raise CompError(f"close {', '.join(earlier)} of {chosen.name} first")
            computed, _ = self._compute(versions, window, day)
            mine = [s for s in computed if s.period == window.label]
            for statement in mine:
                lines += store.statement_rows(statement, now)
            amount = sum((s.total for s in mine), ZERO)
            closes.append(
                {
                    "plan": chosen.name,
                    "period": window.label,
                    "as_of": day,
                    "participants": len(mine),
                    "total": amount,
                    "closed_by": by,
                    "closed_at": now,
                }
            )
            done.append(
                {
                    "plan": chosen.name,
                    "period": window.label,
                    "participants": len(mine),
                    "total": f"{amount:.2f}",
                }
            )
        if not done:
            kinds = ", ".join(sorted({p.period for p in self.plan(plan)}))
            raise CompError(f"{period} is a {window.kind}; the plans are paid by {kinds}")
        store.append_many(self._warehouse(), {store.LINE: lines, store.CLOSE: closes})
        return done

    # -- what-if ------------------------------------------------------------------------

    def whatif(
        self,
        rep: str,
        amount: Decimal,
        close_date: date,
        *,
        deal: str | None = None,
        deal_type: str = "new",
        plan: str | None = None,
        as_of: date | None = None,
    ) -> list[WhatIf]:
        """What a deal of `amount` closing on `close_date` would pay `rep` under each of
        their plans: the period's statement without and with it. `deal` names an open
        deal (its name and type are used; its amount and date are the ones given)."""
        day = as_of or datetime.now(UTC).date()
        ctx = self.metrics.context(day)
        org = read_org(ctx)
        user = org.find(rep)
        name, kind = f"what-if {amount:,.2f} on {close_date}", deal_type
        if deal is not None:
            found = _deal_row(ctx, deal)
            if found is None:
                raise CompError(f"no deal {deal!r}")
            name, kind = found.get("name") or deal, found.get("type") or deal_type
        hypothetical = Deal(
            deal or "what-if", name, user.user_id, None, kind, amount, close_date, arr=amount
        )
        results = []
        for chosen in self.plan(plan):
            versions = self.versions[chosen.name]
            if user.user_id not in members(versions.at(close_date), org):
                continue
            window = self.calendar.period_of(close_date, chosen.period)
            periods = self._periods(versions, window)
            read = self._read(day, periods[0].start, periods[-1].last_day, org)
            before, _ = self._compute(versions, window, day, read=read)
            existing = [
                d
                for d in [hypothetical]
                if d.deal_id not in {ln.deal_id for s in before for ln in s.lines}
            ]
            after, _ = self._compute(versions, window, day, extra=existing, read=read)
            pick = _pick(user.user_id, window.label)
            results.append(WhatIf(pick(before), pick(after), hypothetical))
        if not results:
            raise CompError(f"{user.name} ({user.user_id}) is on no comp plan")
        return results

    # -- plan change --------------------------------------------------------------------

    def plan_diff(
        self,
        candidate: Path | str,
        period: str,
        *,
        effective: date | None = None,
        as_of: date | None = None,
    ) -> list[dict[str, object]]:
        """What the plan in `candidate` (a file, or YAML text) would have paid each
        participant in `period` against the plan's versions now (recomputed, locks
        ignored), per participant and period, with the difference. With `effective` the
        candidate is a version from that day; without, it replaces the whole plan."""
        from revops.comp.changes import candidate_versions, parse_candidate

        if isinstance(candidate, Path):
            proposed = read_plan(candidate)
        else:
            proposed = parse_candidate(candidate)
        window = self.period(period)
        day = as_of or datetime.now(UTC).date()
        current = self.versions.get(proposed.name)
        now = {}
        changed = candidate_versions(self, proposed, effective)
        spans = [self._periods(v, window) for v in (current, changed) if v is not None]
        days = [d for span in spans if span for d in (span[0].start, span[-1].last_day)]
        read = self._read(day, min(days), max(days)) if days else None
        if current is not None:
            computed, _ = self._compute(current, window, day, use_locks=False, read=read)
            now = {(s.participant_id, s.period): s for s in computed if _inside(self, s, window)}
        computed, _ = self._compute(changed, window, day, use_locks=False, read=read)
        then = {(s.participant_id, s.period): s for s in computed if _inside(self, s, window)}
        rows: list[dict[str, object]] = []
        for key in sorted(set(now) | set(then)):
            old, new = now.get(key), then.get(key)
            either = old or new
            a = old.total if old else ZERO
            b = new.total if new else ZERO
            rows.append(
                {
                    "plan": proposed.name,
                    "period": key[1],
                    "participant_id": key[0],
                    "participant_name": either.participant_name if either else key[0],
                    "current": f"{a:.2f}",
                    "candidate": f"{b:.2f}",
                    "difference": f"{b - a:.2f}",
                }
            )
        return rows

    def apply_plan(self, candidate: Path | str, effective: date) -> dict[str, object]:
        """Keep the changed plan (a file, or YAML text) as a version of its plan in effect
        from `effective` (the first day of a period after the last closed one):
        `plans/comp/versions/<plan>/<effective>.yaml`."""
        from revops.comp.changes import apply_change

        if isinstance(candidate, Path):
            if not candidate.is_file():
                raise ConfigError(candidate, None, "no such plan file")
            return apply_change(
                self, candidate.read_text(encoding="utf-8"), effective, str(candidate)
            )
        return apply_change(self, candidate, effective)

    def revert_plan(self, name: str, effective: date) -> dict[str, object]:
        """Remove the version of plan `name` in effect from `effective` (none of its
        periods may be closed)."""
        from revops.comp.changes import revert_change

        return revert_change(self, name, effective)

    def plan_versions(self) -> list[dict[str, object]]:
        """Every plan's base file and the versions applied to it."""
        from revops.comp.changes import version_rows

        return version_rows(self)

    # -- disputes -----------------------------------------------------------------------

    def dispute(
        self,
        rep: str,
        period: str,
        line_no: int,
        note: str,
        *,
        plan: str | None = None,
        by: str = "cli",
        as_of: date | None = None,
    ) -> dict[str, object]:
        """Flag line `line_no` (1-based) of `rep`'s statement for `period` with a note.

        Raises:
            CompError: no such statement or line, or an empty note.
        """
        if not note.strip():
            raise CompError("a dispute needs a note saying what is wrong")
        statements = self.statements(period, rep=rep, plan=plan, as_of=as_of)
        statements = [s for s in statements if s.period == self.period(period).label] or statements
        statement = statements[0]
        if not 1 <= line_no <= len(statement.lines):
            raise CompError(f"the statement has lines 1..{len(statement.lines)}, not {line_no}")
        line = statement.lines[line_no - 1]
        deal = f"{line.deal_id} {line.deal_name}" if line.deal_id else "-"
        text = f"{line.kind} {deal}: {line.rule} = {line.amount:.2f}"
        key = f"{statement.plan}|{statement.period}|{statement.participant_id}|{line_no}|{note}"
        dispute_id = "dsp-" + hashlib.sha1(key.encode()).hexdigest()[:10]
        row = {
            "dispute_id": dispute_id,
            "plan": statement.plan,
            "period": statement.period,
            "participant_id": statement.participant_id,
            "line_no": line_no,
            "line": text,
            "note": note,
            "status": "open",
            "resolution": None,
            "recorded_by": by,
            "recorded_at": datetime.now(UTC),
        }
        store.append_many(self._warehouse(), {store.DISPUTE: [row]})
        return _plain(row)

    def resolve(
        self, dispute_id: str, status: str, resolution: str, *, by: str = "cli"
    ) -> dict[str, object]:
        """Record the resolution of a dispute (accepted or rejected) as a new row.

        Raises:
            CompError: no such dispute, a status other than accepted/rejected, or no text.
        """
        if status not in DISPUTE_STATUSES[1:]:
            raise CompError(f"a resolution is accepted or rejected, not {status!r}")
        if not resolution.strip():
            raise CompError("a resolution needs a text saying what was decided")
        found = [d for d in self.disputes() if d["dispute_id"] == dispute_id]
        if not found:
            raise CompError(f"no dispute {dispute_id!r}")
        row = {
            **found[0],
            "status": status,
            "resolution": resolution,
            "recorded_by": by,
            "recorded_at": datetime.now(UTC),
        }
        store.append_many(self._warehouse(), {store.DISPUTE: [row]})
        return _plain(row)

    def disputes(
        self, *, scope: Scope | None = None, history: bool = False
    ) -> list[dict[str, Any]]:
        """Each dispute in its latest state (every row with `history`), newest first."""
        return store.read_disputes(
            self._warehouse(), None if scope is None else scope.owners, history=history
        )


def _files_key(root: Path | None) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of every file under `plans/comp/`."""
    if root is None or not (root / PLANS_FOLDER).is_dir():
        return ()
    found = []
    for path in sorted((root / PLANS_FOLDER).rglob("*")):
        if path.is_file():
            stat = path.stat()
            found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def _start(comp: Comp, plan: CompPlan, statement: Statement) -> date:
    return comp.calendar.parse(statement.period).start


def _inside(comp: Comp, statement: Statement, window: Period) -> bool:
    start = comp.calendar.parse(statement.period).start
    return window.start <= start < window.end


def _pick(uid: str, label: str) -> Callable[[list[Statement]], Statement]:
    def pick(statements: list[Statement]) -> Statement:
        return next(s for s in statements if s.participant_id == uid and s.period == label)

    return pick


def _deal_row(ctx: Any, deal: str) -> dict[str, Any] | None:
    table = ctx.raw("opportunity", scoped=False)
    rows: list[dict[str, Any]] = (
        table.filter(table.opportunity_id == deal).select("name", "type").to_pyarrow().to_pylist()
    )
    return rows[0] if rows else None


def _plain(row: dict[str, Any]) -> dict[str, object]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


__all__ = ["Comp", "WhatIf"]
