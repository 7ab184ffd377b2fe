"""Replaying a window of leads under two rule files and comparing where they go.

Both replays start from the same state: each rep's open leads at the window's start (from
the warehouse), fresh pool counters; then every lead of the window in creation order,
capacity evolving as leads are assigned and close. The figures compare the two:
leads per rep and per rule, load balance (coefficient of variation of leads per rep),
the share placed with their account's owner, and the leads that would move.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from revops.routing.engine import Decision


@dataclass(frozen=True)
class Side:
    """The figures of one rule file's replay."""

    leads: int
    per_rep: dict[str, int]
    per_rule: dict[str, int]
    queued: int
    cv: float | None
    owner_share: float | None


@dataclass(frozen=True)
class Move:
    """A lead that lands elsewhere under the proposed rules."""

    lead_id: str
    lead: str
    current: str | None
    current_rule: str
    proposed: str | None
    proposed_rule: str


@dataclass(frozen=True)
class Comparison:
    """Current against proposed over the same leads."""

    current: Side
    proposed: Side
    moves: list[Move] = field(default_factory=list)

    @property
    def flows(self) -> Counter[tuple[str | None, str | None]]:
        """Leads moving from one owner (or queue) to another, counted."""
        return Counter((m.current, m.proposed) for m in self.moves)


def _target(decision: Decision) -> str | None:
    return decision.owner_id or (f"queue:{decision.queue}" if decision.queue else None)


def coefficient_of_variation(counts: list[int]) -> float | None:
    """Population standard deviation over mean; None for no reps or no leads.

    Examples:
        >>> coefficient_of_variation([2, 2, 2])
        0.0
        >>> round(coefficient_of_variation([1, 3]), 3)
        0.5
    """
    if not counts or sum(counts) == 0:
        return None
    return statistics.pstdev(counts) / statistics.fmean(counts)


def side(decisions: list[Decision], reps: list[str]) -> Side:
    """The figures of one replay; `reps` are those the balance is measured over (every rep
    either file assigned to), counting zero for a rep this file gave nothing."""
    per_rep = Counter(d.owner_id for d in decisions if d.owner_id is not None)
    per_rule = Counter(d.rule for d in decisions)
    to_owner = sum(1 for d in decisions if d.owner_id and d.owner_id == d.lead.account_owner_id)
    return Side(
        leads=len(decisions),
        per_rep={rep: per_rep.get(rep, 0) for rep in reps},
        per_rule=dict(sorted(per_rule.items())),
        queued=sum(1 for d in decisions if d.owner_id is None),
        cv=coefficient_of_variation([per_rep.get(rep, 0) for rep in reps]),
        owner_share=to_owner / len(decisions) if decisions else None,
    )


def compare(current: list[Decision], proposed: list[Decision]) -> Comparison:
    """Both replays' figures and the leads that move (same leads, same order)."""
    reps = sorted({d.owner_id for d in (*current, *proposed) if d.owner_id is not None})
    moves = [
        Move(a.lead.lead_id, a.lead.name, _target(a), a.rule, _target(b), b.rule)
        for a, b in zip(current, proposed, strict=True)
        if _target(a) != _target(b)
    ]
    return Comparison(side(current, reps), side(proposed, reps), moves)
