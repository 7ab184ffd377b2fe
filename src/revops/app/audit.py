"""The audit log: every sign-in (and failed one) and every write made through the app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from revops.app.db import AppDatabase
from revops.app.models import AuditEvent


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    at: datetime
    actor: str
    action: str
    target: str
    detail: str
    client: str


def record(
    db: AppDatabase, actor: str, action: str, target: str = "", detail: str = "", client: str = ""
) -> None:
    """Append an event: who (`actor`), did what (`action`, ``user.add``), to what."""
    with db.session() as session:
        session.add(
            AuditEvent(
                at=datetime.now(UTC),
                actor=actor,
                action=action,
                target=target,
                detail=detail,
                client=client[:100],
            )
        )


def recent(db: AppDatabase, limit: int = 200) -> list[AuditEntry]:
    """The newest events first."""
    from sqlalchemy import select

    with db.session() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()
        return [AuditEntry(r.at, r.actor, r.action, r.target, r.detail, r.client) for r in rows]
