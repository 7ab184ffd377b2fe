"""Assigning accounts to reps: the CP-SAT optimiser, the greedy baseline, and their balance.

Pure Python over a few numbers per account (no warehouse here), so the hand-checked tests
run without one.

The optimiser (OR-Tools CP-SAT) has one boolean per allowed (unit, rep) pair and each unit
goes to exactly one rep. Potential and workload are scaled to integers summing to
:data:`SCALE`; each rep's fair share is the total times its capacity over all capacities.
It minimises, per measure, the rep count times the spread of deviations from a fair share
(most over minus most under) plus the sum of deviations, weighted by
`balance:`, plus `continuity_weight` percent of a fair share of potential per account
moved off its current owner. Caps (`max_accounts`, `max_workload`) and pins are hard.

Units: up to `solver.max_units` accounts each account is a unit. Above, pinned accounts
and the largest half of the budget stay single, and the rest are bucketed by (current
owner, allowed reps) into runs of accounts of similar potential that move together: the
big accounts decide balance, the long tail only fills it, and 200,000 accounts become a
model of a few thousand units.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from revops.errors import TerritoryError

SCALE = 1_000_000
"""Integer total of potential (and of workload) in the model."""


@dataclass(frozen=True)
class Account:
    """One account as the design needs it: its worth, its cost, who may own it."""

    account_id: str
    name: str
    owner_id: str | None
    potential: float
    workload: float
    allowed: tuple[str, ...]
    pinned_to: str | None = None


@dataclass(frozen=True)
class Rep:
    """A rep with its effective capacity (capacity times ramp)."""

    user_id: str
    name: str
    capacity: float
    team: str | None = None


@dataclass(frozen=True)
class Settings:
    """The parts of `plans/territories.yaml` the solver reads."""

    continuity_weight: float = 1.0
    potential_weight: float = 1.0
    workload_weight: float = 1.0
    max_accounts: int | None = None
    max_workload: float | None = None
    time_limit_seconds: float = 30.0
    workers: int = 2
    max_units: int = 5000
    candidates: int = 8


@dataclass(frozen=True)
class Unit:
    """Accounts that move together (one account, or a bucket of small ones)."""

    accounts: tuple[int, ...]
    potential: float
    workload: float
    owner_id: str | None
    allowed: tuple[str, ...]
    pinned_to: str | None


@dataclass(frozen=True)
class Solved:
    """The optimiser's assignment and how good the search says it is."""

    assignment: dict[str, str]
    status: str
    objective: float
    best_bound: float
    gap: float
    seconds: float
    units: int
    variables: int
    groups: int = 1


@dataclass(frozen=True)
class Balance:
    """How balanced one assignment is across reps (per unit of capacity)."""

    name: str
    cv_potential: float | None
    cv_workload: float | None
    moved: int
    moved_share: float
    max_min_potential: float | None
    unassigned: int
    per_rep: dict[str, tuple[float, float, int]] = field(default_factory=dict)
    """Per rep: potential, workload, accounts."""
    fair: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Per rep: its fair share of potential and of workload."""


def build_units(accounts: Sequence[Account], max_units: int) -> list[Unit]:
    """The accounts as units of the model (see the module docstring)."""
    if len(accounts) <= max_units:
        return [
            Unit((i,), a.potential, a.workload, a.owner_id, a.allowed, a.pinned_to)
            for i, a in enumerate(accounts)
        ]
    order = sorted(range(len(accounts)), key=lambda i: (-accounts[i].potential, i))
    single_budget = max_units // 2
    singles = [i for i in order if accounts[i].pinned_to is not None]
    taken = set(singles)
    for i in order:
        if len(singles) >= single_budget:
            break
        if i not in taken:
            singles.append(i)
            taken.add(i)
    groups: dict[tuple[str | None, tuple[str, ...]], list[int]] = defaultdict(list)
    for i in order:
        if i not in taken:
            groups[(accounts[i].owner_id, accounts[i].allowed)].append(i)
    rest = sum(len(g) for g in groups.values())
    budget = max(max_units - len(singles), len(groups))
    units = [
        Unit((i,), accounts[i].potential, accounts[i].workload, accounts[i].owner_id,
             accounts[i].allowed, accounts[i].pinned_to)
        for i in singles
    ]  # fmt: skip
    for (owner, allowed), members in sorted(groups.items(), key=lambda kv: kv[1][0]):
        buckets = max(1, round(budget * len(members) / rest))
        size = math.ceil(len(members) / buckets)
        for start in range(0, len(members), size):
            chunk = tuple(members[start : start + size])
            units.append(
                Unit(chunk, sum(accounts[i].potential for i in chunk),
                     sum(accounts[i].workload for i in chunk), owner, allowed, None)
            )  # fmt: skip
    return units


def _scaled(values: Sequence[float]) -> list[int]:
    total = sum(values)
    if total <= 0:
        return [0 for _ in values]
    return [round(v * SCALE / total) for v in values]


def _check(accounts: Sequence[Account], reps: Sequence[Rep]) -> None:
    if not reps:
        raise TerritoryError("no reps to assign accounts to (reps: in plans/territories.yaml)")
    known = {r.user_id for r in reps}
    for a in accounts:
        if not a.allowed:
            raise TerritoryError(f"no rep may own account {a.name} ({a.account_id}): the rules "
                                 "that match it name no rep of the design")  # fmt: skip
        if a.pinned_to is not None and a.pinned_to not in known:
            raise TerritoryError(
                f"account {a.name} ({a.account_id}) is pinned to {a.pinned_to}, not a rep "
                "of the design"
            )
        if a.pinned_to is not None and a.pinned_to not in a.allowed:
            raise TerritoryError(f"account {a.name} ({a.account_id}) is pinned to "
                                 f"{a.pinned_to}, whom the rules do not allow")  # fmt: skip


def _hinted(units: Sequence[Unit], accounts: Sequence[Account],
            hint: Mapping[str, str]) -> list[str | None]:  # fmt: skip
    """The hint's rep of each unit (its first account's), when the rep may have it."""
    found: list[str | None] = []
    for unit in units:
        rep = hint.get(accounts[unit.accounts[0]].account_id)
        allowed = (unit.pinned_to,) if unit.pinned_to else unit.allowed
        found.append(rep if rep in allowed else None)
    return found


def _candidates(unit: Unit, accounts: Sequence[Account], hinted: str | None,
                limit: int) -> list[str]:  # fmt: skip
    """The reps a unit may go to in the model: every allowed rep up to `limit`; above,
    its current owner, the hint's rep, and a fixed pseudo-random spread of the others
    (so the reps' candidate sets overlap and balance stays reachable)."""
    import zlib

    if unit.pinned_to:
        return [unit.pinned_to]
    if len(unit.allowed) <= limit:
        return list(unit.allowed)
    key = accounts[unit.accounts[0]].account_id
    picked = [r for r in (unit.owner_id, hinted) if r in unit.allowed]
    spread = sorted(unit.allowed, key=lambda r: zlib.crc32(f"{key}|{r}".encode()))
    for r in spread:
        if len(set(picked)) >= limit:
            break
        picked.append(r)
    return sorted(set(picked))


def _cost(units: Sequence[Unit], chosen: Sequence[str | None], p: Sequence[int],
          w: Sequence[int], targets_p: Mapping[str, int], targets_w: Mapping[str, int],
          settings: Settings, n_reps: int) -> float:  # fmt: skip
    """The model's objective for a complete assignment of units (to compare hints)."""
    total = 0.0
    for values, targets, weight in ((p, targets_p, settings.potential_weight),
                                    (w, targets_w, settings.workload_weight)):  # fmt: skip
        load = dict.fromkeys(targets, 0)
        for k, r in enumerate(chosen):
            if r is not None:
                load[r] += values[k]
        offsets = [load[r] - targets[r] for r in targets]
        spread = max(offsets, default=0) - min(offsets, default=0)
        total += weight * (n_reps * spread + sum(abs(o) for o in offsets))
    move = settings.continuity_weight * SCALE / n_reps / 100
    total += sum(move * len(u.accounts) for u, r in zip(units, chosen, strict=True)
                 if u.owner_id in targets and r != u.owner_id)  # fmt: skip
    return total


def split(accounts: Sequence[Account], reps: Sequence[Rep]) -> list[tuple[list[int], list[Rep]]]:
    """Independent groups: reps linked by an account both may own, with their accounts
    (segment or region rules make one per segment or region). Reps no account may go to
    are in no group."""
    parent = {r.user_id: r.user_id for r in reps}

    def find(r: str) -> str:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    for allowed in {(a.pinned_to,) if a.pinned_to else a.allowed for a in accounts}:
        for r in allowed[1:]:
            parent[find(r)] = find(allowed[0])
    members: dict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(accounts):
        members[find(a.pinned_to or a.allowed[0])].append(i)
    return [(idx, [r for r in reps if find(r.user_id) == root])
            for root, idx in sorted(members.items(), key=lambda kv: kv[1][0])]  # fmt: skip


def optimise(
    accounts: Sequence[Account], reps: Sequence[Rep], settings: Settings,
    hint: Mapping[str, str] | None = None,
) -> Solved:  # fmt: skip
    """The balanced assignment found by CP-SAT within the time limit, one model per
    independent group (:func:`split`), each with its share of the time limit and of the
    units, and its own fair shares.

    Raises:
        TerritoryError: no reps, an account no rep may own, or caps no assignment meets.
    """
    from dataclasses import replace

    _check(accounts, reps)
    started = time.perf_counter()
    results = []
    for idx, group_reps in split(accounts, reps):
        share = len(idx) / len(accounts)
        results.append(_optimise_group(
            [accounts[i] for i in idx], group_reps,
            replace(settings, time_limit_seconds=max(1.0, settings.time_limit_seconds * share),
                    max_units=max(10, round(settings.max_units * share))),
            hint,
        ))  # fmt: skip
    assignment = {k: v for r in results for k, v in r.assignment.items()}
    worst = "OPTIMAL" if all(r.status == "OPTIMAL" for r in results) else "FEASIBLE"
    value = sum(r.objective for r in results)
    bound = sum(r.best_bound for r in results)
    gap = 0.0 if value == bound else abs(value - bound) / max(abs(value), 1.0)
    return Solved(assignment, worst, value, bound, gap, time.perf_counter() - started,
                  sum(r.units for r in results), sum(r.variables for r in results),
                  len(results))  # fmt: skip


def _optimise_group(
    accounts: Sequence[Account], reps: Sequence[Rep], settings: Settings,
    hint: Mapping[str, str] | None,
) -> Solved:  # fmt: skip
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    units = build_units(accounts, settings.max_units)
    rep_ids = [r.user_id for r in reps]
    capacity = {r.user_id: r.capacity for r in reps}
    total_capacity = sum(capacity.values())
    p = _scaled([u.potential for u in units])
    w = _scaled([u.workload for u in units])
    targets_p = {r: round(sum(p) * capacity[r] / total_capacity) for r in rep_ids}
    targets_w = {r: round(sum(w) * capacity[r] / total_capacity) for r in rep_ids}

    model = cp_model.CpModel()
    x: dict[tuple[int, str], cp_model.IntVar] = {}
    chosen = _hinted(units, accounts, hint or {})
    if hint is not None and len(units) < len(accounts):
        # Buckets move whole: the greedy of the units themselves is the hint that fits.
        pseudo = [Account(str(k), "", u.owner_id, u.potential, u.workload, u.allowed, u.pinned_to)
                  for k, u in enumerate(units)]  # fmt: skip
        by_unit = greedy(pseudo, reps, settings)
        chosen = [by_unit[str(k)] for k in range(len(units))]
    if hint:
        # Start from whichever is cheaper, the hint or the current owners: a greedy
        # hint that moves everything would cost the search its continuity.
        owners = _hinted(units, accounts, {a.account_id: a.owner_id for a in accounts
                                           if a.owner_id in capacity})  # fmt: skip
        if all(r is not None for r in owners):
            costs = [_cost(units, choice, p, w, targets_p, targets_w, settings, n_reps=len(rep_ids))
                     for choice in (chosen, owners)]  # fmt: skip
            chosen = chosen if costs[0] <= costs[1] else owners
    for k, unit in enumerate(units):
        for r in _candidates(unit, accounts, chosen[k], settings.candidates):
            x[k, r] = model.new_bool_var(f"x{k}_{r}")
        model.add_exactly_one(x[k, r] for r in rep_ids if (k, r) in x)
    by_rep: dict[str, list[int]] = defaultdict(list)
    for k, r in x:
        by_rep[r].append(k)
    n_reps = len(rep_ids)
    objective: list[object] = []
    weight_p = round(100 * settings.potential_weight)
    weight_w = round(100 * settings.workload_weight)
    for values, targets, weight, label in ((p, targets_p, weight_p, "p"),
                                           (w, targets_w, weight_w, "w")):  # fmt: skip
        if weight == 0:
            continue
        # The spread (most over a fair share minus most under) rather than the largest
        # deviation: when one account alone exceeds a fair share, the largest deviation
        # is fixed and the sum of deviations no longer cares how the rest is shared; the
        # spread still lifts the least loaded.
        high = model.new_int_var(-SCALE, SCALE, f"high_{label}")
        low = model.new_int_var(-SCALE, SCALE, f"low_{label}")
        # Redundant, but without the LP the bound would let the spread go negative.
        model.add(high >= low)
        hinted_offsets = []
        for r in rep_ids:
            load = sum(values[k] * x[k, r] for k in by_rep[r])
            dev = model.new_int_var(0, SCALE, f"dev_{label}_{r}")
            model.add(dev >= load - targets[r])
            model.add(dev >= targets[r] - load)
            model.add(high >= load - targets[r])
            model.add(low <= load - targets[r])
            objective.append(weight * dev)
            if hint:
                offset = sum(values[k] for k in by_rep[r] if chosen[k] == r) - targets[r]
                offset = max(-SCALE, min(offset, SCALE))
                model.add_hint(dev, abs(offset))
                hinted_offsets.append(offset)
        objective.append(weight * n_reps * (high - low))
        if hint:
            model.add_hint(high, max(hinted_offsets, default=0))
            model.add_hint(low, min(hinted_offsets, default=0))
    if settings.max_accounts is not None:
        for r in rep_ids:
            model.add(sum(len(units[k].accounts) * x[k, r] for k in by_rep[r])
                      <= settings.max_accounts)  # fmt: skip
    if settings.max_workload is not None:
        for r in rep_ids:
            model.add(sum(round(100 * units[k].workload) * x[k, r] for k in by_rep[r])
                      <= math.floor(100 * settings.max_workload))  # fmt: skip
    move_cost = round(100 * settings.continuity_weight * SCALE / n_reps / 100)
    kept_constant = 0
    if move_cost:
        for k, unit in enumerate(units):
            if unit.owner_id is None or unit.owner_id not in capacity:
                continue
            kept_constant += move_cost * len(unit.accounts)
            if (k, unit.owner_id) in x:
                objective.append(-move_cost * len(unit.accounts) * x[k, unit.owner_id])
    model.minimize(sum(objective) + kept_constant)  # type: ignore[arg-type]
    if hint:
        for (k, r), var in x.items():
            model.add_hint(var, r == chosen[k])

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = settings.time_limit_seconds
    solver.parameters.num_workers = settings.workers
    # The LP relaxation of min-max balance is weak (a fractional split balances
    # perfectly); without it the workers search more (tried on the benchmark).
    solver.parameters.linearization_level = 0
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        problem = ("the caps (max_accounts, max_workload) and pins leave no assignment"
                   if status == cp_model.INFEASIBLE
                   else f"nothing found within {settings.time_limit_seconds:g} s")  # fmt: skip
        raise TerritoryError(f"territory design {name.lower()}: {problem}")
    assignment: dict[str, str] = {}
    for (k, r), var in x.items():
        if solver.boolean_value(var):
            for i in units[k].accounts:
                assignment[accounts[i].account_id] = r
    value, bound = solver.objective_value, solver.best_objective_bound
    gap = 0.0 if value == bound else abs(value - bound) / max(abs(value), 1.0)
    return Solved(assignment, name, value, bound, gap, time.perf_counter() - started,
                  len(units), len(x))  # fmt: skip


def greedy(accounts: Sequence[Account], reps: Sequence[Rep], settings: Settings) -> dict[str, str]:
    """The spreadsheet way: pins first, then the largest potential first, each to the
    allowed rep with the least load per capacity that still has room (the least loaded
    allowed rep when none has). A rep's load is its potential and workload, each as a
    share of the company's total, weighted by `balance:`."""
    _check(accounts, reps)
    capacity = {r.user_id: r.capacity for r in reps}
    load_p: dict[str, float] = dict.fromkeys(capacity, 0.0)
    load_w: dict[str, float] = dict.fromkeys(capacity, 0.0)
    count: dict[str, int] = dict.fromkeys(capacity, 0)
    assignment: dict[str, str] = {}

    def give(a: Account, r: str) -> None:
        assignment[a.account_id] = r
        load_p[r] += a.potential
        load_w[r] += a.workload
        count[r] += 1

    for a in accounts:
        if a.pinned_to is not None:
            give(a, a.pinned_to)

    def room(a: Account, r: str) -> bool:
        if settings.max_accounts is not None and count[r] + 1 > settings.max_accounts:
            return False
        limit = settings.max_workload
        return limit is None or load_w[r] + a.workload <= limit + 1e-9

    total_p = sum(a.potential for a in accounts) or 1.0
    total_w = sum(a.workload for a in accounts) or 1.0

    def load(r: str) -> float:
        # Each measure as a share of its total, weighted as the optimiser weighs them.
        return (settings.potential_weight * load_p[r] / total_p
                + settings.workload_weight * load_w[r] / total_w) / capacity[r]  # fmt: skip

    rest = sorted((a for a in accounts if a.pinned_to is None),
                  key=lambda a: (-a.potential, -a.workload, a.account_id))  # fmt: skip
    if settings.max_accounts is None and settings.max_workload is None:
        # No caps: the least loaded rep of each allowed set from a heap (loads only grow,
        # so an entry whose load changed is pushed again), not a scan of every rep.
        heaps: dict[tuple[str, ...], list[tuple[float, str]]] = {}
        for a in rest:
            heap = heaps.get(a.allowed)
            if heap is None:
                heap = heaps[a.allowed] = sorted((load(r), r) for r in a.allowed)
            while heap[0][0] != load(heap[0][1]):
                heapq.heapreplace(heap, (load(heap[0][1]), heap[0][1]))
            chosen = heap[0][1]
            give(a, chosen)
            heapq.heapreplace(heap, (load(chosen), chosen))
        return assignment
    for a in rest:
        candidates = [r for r in a.allowed if room(a, r)] or list(a.allowed)
        chosen = min(candidates, key=lambda r: (load(r), r))
        give(a, chosen)
    return assignment


def _cv(values: Sequence[float]) -> float | None:
    if not values:
        return None
    mean = sum(values) / len(values)
    if mean == 0:
        return None
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) / mean


def balance(
    name: str, accounts: Sequence[Account], reps: Sequence[Rep], assignment: Mapping[str, str]
) -> Balance:
    """Coefficient of variation across reps of potential and workload over each rep's
    fair share (its group's total times its capacity over the group's), accounts moved
    off their current owner, and the largest over the smallest potential per fair share.
    Reps no account may go to have no fair share and are left out."""
    per_rep: dict[str, list[float]] = {r.user_id: [0.0, 0.0, 0] for r in reps}
    moved = unassigned = 0
    for a in accounts:
        rep = assignment.get(a.account_id)
        if rep is None or rep not in per_rep:
            unassigned += 1
            continue
        row = per_rep[rep]
        row[0] += a.potential
        row[1] += a.workload
        row[2] += 1
        if rep != a.owner_id:
            moved += 1
    share_p: dict[str, float] = {}
    share_w: dict[str, float] = {}
    for idx, group in split(accounts, reps):
        capacity = sum(r.capacity for r in group)
        total_p = sum(accounts[i].potential for i in idx)
        total_w = sum(accounts[i].workload for i in idx)
        for r in group:
            share_p[r.user_id] = total_p * r.capacity / capacity
            share_w[r.user_id] = total_w * r.capacity / capacity
    pot = [per_rep[r][0] / s for r, s in share_p.items() if s > 0]
    work = [per_rep[r][1] / s for r, s in share_w.items() if s > 0]
    smallest = min(pot) if pot else 0.0
    return Balance(
        name=name,
        cv_potential=_cv(pot),
        cv_workload=_cv(work),
        moved=moved,
        moved_share=moved / len(accounts) if accounts else 0.0,
        max_min_potential=max(pot) / smallest if smallest > 0 else None,
        unassigned=unassigned,
        per_rep={r: (v[0], v[1], int(v[2])) for r, v in per_rep.items()},
        fair={r: (share_p.get(r, 0.0), share_w.get(r, 0.0)) for r in per_rep},
    )
