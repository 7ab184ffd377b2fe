"""The cockpit's identity review decisions: stored in the app database (the cockpit
reads the warehouse only), audited, and moved into the warehouse's `identity.review` by
`revops identity run` before it resolves (:func:`move_decisions`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from revops.app import audit
from revops.app.db import AppDatabase
from revops.app.models import IdentityDecision

if TYPE_CHECKING:
    from revops.identity import Identity


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on a pair (unique ids, sorted)."""

    id: int
    kind: str
    left: str
    right: str
    decision: str
    decided_by: str
    decided_at: datetime
    moved_at: datetime | None


def record(
    db: AppDatabase, kind: str, left: str, right: str, decision: str, actor: str
) -> Decision:
    """Store `actor`'s `accept` or `reject` of the pair, and audit it."""
    a, b = sorted([left, right])
    at = datetime.now(UTC)
    with db.session() as session:
        row = IdentityDecision(
            kind=kind, unique_id_l=a, unique_id_r=b, decision=decision, decided_by=actor,
            decided_at=at, moved_at=None,
        )  # fmt: skip
        session.add(row)
        session.flush()
        found = _decision(row)
    audit.record(db, actor, f"identity.{decision}", f"{a} ~ {b}", f"{kind} pair")
    return found


def pending(db: AppDatabase, kind: str | None = None) -> list[Decision]:
    """Decisions not yet moved to the warehouse, oldest first."""
    from sqlalchemy import select

    query = select(IdentityDecision).where(IdentityDecision.moved_at.is_(None))
    if kind is not None:
        query = query.where(IdentityDecision.kind == kind)
    with db.session() as session:
        rows = session.scalars(query.order_by(IdentityDecision.id)).all()
        return [_decision(r) for r in rows]


def move_decisions(db: AppDatabase, identity: Identity) -> int:
    """Store every pending decision in `identity.review` (who made it, and when), then
    mark it moved; how many were moved."""
    from sqlalchemy import update

    moved = 0
    for found in pending(db):
        identity.decide(found.left, found.right, found.decision, found.decided_by, found.decided_at)
        with db.session() as session:
            session.execute(
                update(IdentityDecision)
                .where(IdentityDecision.id == found.id)
                .values(moved_at=datetime.now(UTC))
            )
        moved += 1
    return moved


def _decision(row: IdentityDecision) -> Decision:
    decided = row.decided_at if row.decided_at.tzinfo else row.decided_at.replace(tzinfo=UTC)
    return Decision(
        id=row.id, kind=row.kind, left=row.unique_id_l, right=row.unique_id_r,
        decision=row.decision, decided_by=row.decided_by, decided_at=decided,
        moved_at=row.moved_at,
    )  # fmt: skip
