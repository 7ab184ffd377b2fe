"""The router: each lead, in time order, through the rules until one places it.

Deterministic: the same leads, rules, org model and starting state give the same
assignments. Pools deal leads by smooth weighted round robin (each eligible rep's
counter grows by its weight, the highest counter takes the lead and gives back the
total; ties go to the rep listed first), so a round-robin pool rotates in its listed
order and a weighted one gives each rep its share, evenly spread. The counters are the
state that carries a rotation across runs. Capacity is open leads per rep, evolving in
time: an assignment adds one, a lead that closes (converted, disqualified) frees one.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from revops.routing.availability import Availability
from revops.routing.directory import Directory
from revops.routing.rules import (
    AccountOwnerRule,
    FallbackRule,
    Match,
    Pool,
    PoolRule,
    RoutingFile,
    TerritoryRule,
)

MATCH_FIELDS = ("country", "region", "segment", "industry", "source")


@dataclass(frozen=True)
class Lead:
    """What routing knows of a lead: its own fields, else its matched account's."""

    lead_id: str
    name: str
    created_at: datetime
    closed_at: datetime | None = None
    previous_owner_id: str | None = None
    country: str | None = None
    region: str | None = None
    segment: str | None = None
    industry: str | None = None
    source: str | None = None
    employees: int | None = None
    account_id: str | None = None
    account_name: str | None = None
    account_domain: str | None = None
    account_owner_id: str | None = None

    def inputs(self) -> dict[str, Any]:
        """The fields rules read, for the log."""
        keys = (*MATCH_FIELDS, "employees", "account_id", "account_name", "account_owner_id")
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}


@dataclass(frozen=True)
class Step:
    """One rule tried for a lead: whether it placed the lead, and why (not)."""

    rule: str
    kind: str
    matched: bool
    reason: str


@dataclass(frozen=True)
class Decision:
    """Where a lead goes: a rep (`owner_id`) or a queue, by which rule, after which steps."""

    lead: Lead
    owner_id: str | None
    queue: str | None
    rule: str
    kind: str
    steps: tuple[Step, ...]
    decided_at: datetime


@dataclass
class RouterState:
    """What carries over between leads and runs: pool counters and open leads per rep."""

    counters: dict[tuple[str, str], float] = field(default_factory=dict)
    loads: dict[str, int] = field(default_factory=dict)
    closing: list[tuple[datetime, str]] = field(default_factory=list)


class Router:
    """Routes leads one at a time under one rule file."""

    def __init__(
        self, routing: RoutingFile, directory: Directory, state: RouterState | None = None
    ) -> None:
        self.routing = routing
        self.directory = directory
        self.availability = Availability(routing, directory)
        self.state = state or RouterState()
        self.pools = {p.name: p for p in routing.pools}

    def route(self, lead: Lead, at: datetime | None = None) -> Decision:
        """Place `lead` as of `at` (default: when it was created) and count it in its rep's load."""
        moment = at or lead.created_at
        self._release(moment)
        steps: list[Step] = []
        for rule in self.routing.rules:
            miss = _mismatch(rule.match, lead)
            if miss is not None:
                steps.append(Step(rule.name, rule.kind, False, miss))
                continue
            if isinstance(rule, FallbackRule):
                steps.append(Step(rule.name, rule.kind, True, f"queued in {rule.queue}"))
                return Decision(lead, None, rule.queue, rule.name, rule.kind, tuple(steps), moment)
            owner, reason = self._target(rule, lead, moment)
            steps.append(Step(rule.name, rule.kind, owner is not None, reason))
            if owner is not None:
                self._take(owner, lead)
                return Decision(lead, owner, None, rule.name, rule.kind, tuple(steps), moment)
        queue = self.routing.fallback_queue
        steps.append(Step("fallback_queue", "fallback", True, f"no rule placed it: {queue}"))
        return Decision(lead, None, queue, "fallback_queue", "fallback", tuple(steps), moment)

    def _target(
        self, rule: AccountOwnerRule | TerritoryRule | PoolRule, lead: Lead, moment: datetime
    ) -> tuple[str | None, str]:
        if isinstance(rule, AccountOwnerRule):
            if lead.account_id is None:
                return None, "no matched account"
            owner = lead.account_owner_id
            if owner is None:
                return None, f"account {lead.account_name} has no owner"
            why = self._unavailable(owner, moment, capacity=False)
            if why is not None:
                return None, f"account owner {self.directory.name(owner)} {why}"
            return owner, f"owner of account {lead.account_name}"
        if isinstance(rule, TerritoryRule) and rule.rep is not None:
            found = self.directory.find(rule.rep)
            owner = found.user_id if found else rule.rep
            why = self._unavailable(owner, moment, capacity=True)
            if why is not None:
                return None, f"{self.directory.name(owner)} {why}"
            return owner, f"territory rep {self.directory.name(owner)}"
        pool_name = rule.pool
        assert pool_name is not None  # a territory rule has a rep or a pool
        return self._deal(self.pools[pool_name], moment)

    def _deal(self, pool: Pool, moment: datetime) -> tuple[str | None, str]:
        eligible: list[tuple[str, float]] = []
        skipped: list[str] = []
        for ref in pool.reps:
            user = self.directory.find(ref)
            if user is None:
                continue
            why = self._unavailable(user.user_id, moment, capacity=True)
            if why is not None:
                skipped.append(f"{user.name} {why}")
                continue
            weight = pool.weights.get(ref, 1.0) if pool.method == "weighted" else 1.0
            factor = self.availability.status(user, moment.date()).weight_factor
            eligible.append((user.user_id, weight * factor))
        if not eligible:
            return None, f"pool {pool.name}: nobody available ({'; '.join(skipped)})"
        counters = self.state.counters
        total = sum(w for _, w in eligible)
        for user_id, weight in eligible:
            counters[(pool.name, user_id)] = counters.get((pool.name, user_id), 0.0) + weight
        chosen = max(eligible, key=lambda e: counters[(pool.name, e[0])])[0]
        counters[(pool.name, chosen)] -= total
        note = f" (skipped: {'; '.join(skipped)})" if skipped else ""
        return chosen, f"pool {pool.name} ({pool.method}): {self.directory.name(chosen)}{note}"

    def _unavailable(self, user_id: str, moment: datetime, *, capacity: bool) -> str | None:
        user = self.directory.users.get(user_id)
        if user is None:
            return "is not a user of the org model"
        why = self.availability.status(user, moment.date()).reason
        if why is not None:
            return f"is unavailable: {why}"
        cap = self.availability.capacity(user_id)
        load = self.state.loads.get(user_id, 0)
        if capacity and cap is not None and load >= cap:
            return f"is at capacity ({load}/{cap} open leads)"
        return None

    def _take(self, owner: str, lead: Lead) -> None:
        self.state.loads[owner] = self.state.loads.get(owner, 0) + 1
        if lead.closed_at is not None:
            heapq.heappush(self.state.closing, (lead.closed_at, owner))

    def _release(self, moment: datetime) -> None:
        closing = self.state.closing
        while closing and closing[0][0] <= moment:
            _, owner = heapq.heappop(closing)
            self.state.loads[owner] = max(0, self.state.loads.get(owner, 0) - 1)


def _mismatch(match: Match, lead: Lead) -> str | None:
    """Why `lead` fails `match`, or None when every condition holds."""
    for name in MATCH_FIELDS:
        accepted = getattr(match, name)
        value = getattr(lead, name)
        if accepted and (value is None or value.casefold() not in {a.casefold() for a in accepted}):
            return f"{name} {value or '(none)'} not in {', '.join(accepted)}"
    if match.named_accounts:
        keys = {k.casefold() for k in match.named_accounts}
        names = [v.casefold() for v in (lead.account_domain, lead.account_name) if v]
        if not any(n in keys for n in names):
            return f"account {lead.account_name or '(none)'} is not a named account"
    employees = lead.employees
    if match.employees_min is not None and (employees is None or employees < match.employees_min):
        return f"employees {employees} below {match.employees_min}"
    if match.employees_max is not None and (employees is None or employees > match.employees_max):
        return f"employees {employees} above {match.employees_max}"
    return None
