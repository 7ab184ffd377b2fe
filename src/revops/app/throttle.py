"""Sign-in throttling: failed sign-ins per account and per client address earn a lock.

After :data:`ACCOUNT_LIMIT` failures on one account (:data:`CLIENT_LIMIT` from one
address, which may be a whole office behind one router) every further failure locks it
for twice as long as the last, from :data:`FIRST_LOCK` up to :data:`LONGEST_LOCK`. While
locked no password is checked at all. Failures are forgotten :data:`FORGET_AFTER` after
the last one (or after the end of its lock); a successful sign-in clears its account's
count (not its address's, so an attacker cannot reset the address with an account of
their own).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from revops.app.db import AppDatabase
from revops.app.models import SigninThrottle
from revops.errors import AppError

ACCOUNT_LIMIT = 5
CLIENT_LIMIT = 20
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
FORGET_AFTER = timedelta(minutes=15)


class SignInLockedError(AppError):
    """Too many failed sign-ins: the account or address is locked for a while.

    Attributes:
        retry_after: whole seconds until the lock ends.
    """

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            f"too many failed sign-ins; try again in {minutes} minute{'s' * (minutes > 1)}"
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Lock:
    """A lock in force: what it is on and until when."""

    key: str
    failures: int
    until: datetime


def account_key(email: str) -> str:
    """The throttle key of an account."""
    return "account:" + email.strip().lower()


def client_key(address: str) -> str:
    """The throttle key of a client address."""
    return "client:" + address


def limit_of(key: str) -> int:
    """Failures allowed on `key` before locks begin."""
    return CLIENT_LIMIT if key.startswith("client:") else ACCOUNT_LIMIT


def retry_after(db: AppDatabase, keys: list[str], now: datetime | None = None) -> int:
    """Seconds until every lock on `keys` has ended (0: none in force)."""
    now = now or datetime.now(UTC)
    with db.session() as session:
        ends = [
            _aware(row.locked_until)
            for key in keys
            if (row := session.get(SigninThrottle, key)) is not None and row.locked_until
        ]
    left = max((end - now for end in ends), default=timedelta(0))
    return max(0, int(-(-left.total_seconds() // 1)))


def fail(db: AppDatabase, key: str, now: datetime | None = None) -> Lock | None:
    """Count a failed sign-in on `key`; the lock it earned, if any."""
    now = now or datetime.now(UTC)
    limit = limit_of(key)
    with db.session() as session:
        row = session.get(SigninThrottle, key)
        if row is None:
            row = SigninThrottle(key=key, failures=0, last_failed_at=now, locked_until=None)
            session.add(row)
        elif now - _quiet_since(row) > FORGET_AFTER:
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.last_failed_at = now
        if row.failures < limit:
            return None
        length = min(FIRST_LOCK * 2 ** (row.failures - limit), LONGEST_LOCK)
        row.locked_until = now + length
        return Lock(key, row.failures, row.locked_until)


def clear(db: AppDatabase, key: str) -> bool:
    """Forget the failures and lock of `key`; whether there were any."""
    with db.session() as session:
        row = session.get(SigninThrottle, key)
        if row is None:
            return False
        session.delete(row)
        return True


def locks(db: AppDatabase, now: datetime | None = None) -> dict[str, Lock]:
    """Every lock in force, by key."""
    from sqlalchemy import select

    now = now or datetime.now(UTC)
    with db.session() as session:
        rows = session.scalars(
            select(SigninThrottle).where(SigninThrottle.locked_until.is_not(None))
        )
        return {
            row.key: Lock(row.key, row.failures, _aware(row.locked_until))
            for row in rows
            if _locked(row, now)
        }


def _quiet_since(row: SigninThrottle) -> datetime:
    # Since the last failure, or the end of the lock it earned when that is later.
    last = _aware(row.last_failed_at)
    return max(last, _aware(row.locked_until)) if row.locked_until else last


def _locked(row: SigninThrottle, now: datetime) -> bool:
    return row.locked_until is not None and _aware(row.locked_until) > now


def _aware(moment: datetime | None) -> datetime:
    # SQLite hands back naive datetimes; every moment stored here is UTC.
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
