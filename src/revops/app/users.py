"""Users and API tokens of the app database; every change goes to the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from revops.app import audit
from revops.app.access import ROLES, TOKEN_SCOPES, Role
from revops.app.auth import DUMMY_HASH, check_password, hash_password, new_token, token_hash
from revops.app.db import AppDatabase
from revops.app.models import ApiToken, User
from revops.errors import AppError


@dataclass(frozen=True)
class Account:
    """A user as the app sees them (never with the password hash)."""

    id: int
    email: str
    name: str
    role: Role
    is_active: bool
    created_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    """An API token without its secret."""

    id: int
    user_id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


def _account(user: User) -> Account:
    return Account(
        user.id, user.email, user.name, _role(user.role), user.is_active, user.created_at
    )


def _role(value: str) -> Role:
    if value not in ROLES:
        raise AppError(f"unknown role {value!r}; use one of {', '.join(ROLES)}")
    return value


def add_user(
    db: AppDatabase, email: str, role: str, password: str, *, name: str = "", actor: str = "cli"
) -> Account:
    """Create a user.

    Raises:
        AppError: the e-mail is taken or invalid, the role unknown, the password too short.
    """
    from sqlalchemy import select

    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or " " in email:
        raise AppError(f"not an e-mail address: {email!r}")
    checked = _role(role)
    if len(password) < 8:
        raise AppError("the password needs at least 8 characters")
    with db.session() as session:
        if session.scalar(select(User).where(User.email == email)) is not None:
            raise AppError(f"a user {email} already exists")
        user = User(
            email=email,
            name=name.strip() or email.split("@")[0],
            role=checked,
            password_hash=hash_password(password),
            is_active=True,
            created_at=datetime.now(UTC),
        )
        session.add(user)
        session.flush()
        account = _account(user)
    audit.record(db, actor, "user.add", email, f"role={checked}")
    return account


def list_users(db: AppDatabase) -> list[Account]:
    """Every user, by e-mail."""
    from sqlalchemy import select

    with db.session() as session:
        return [_account(u) for u in session.scalars(select(User).order_by(User.email))]


def get_user(db: AppDatabase, user_id: int) -> Account | None:
    """The user with id `user_id`, or None."""
    with db.session() as session:
        user = session.get(User, user_id)
        return None if user is None else _account(user)


def set_active(db: AppDatabase, email: str, active: bool, *, actor: str = "cli") -> Account:
    """Disable (or enable again) a user; a disabled user's sessions and tokens stop working.

    Raises:
        AppError: no such user.
    """
    from sqlalchemy import select

    email = email.strip().lower()
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            raise AppError(f"no user {email}")
        user.is_active = active
        account = _account(user)
    audit.record(db, actor, "user.enable" if active else "user.disable", email)
    return account


def authenticate(db: AppDatabase, email: str, password: str, *, client: str = "") -> Account | None:
    """The active user with this e-mail and password, or None; the attempt is audited."""
    from sqlalchemy import select

    email = email.strip().lower()
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == email))
        stored = user.password_hash if user is not None else DUMMY_HASH
        ok = check_password(stored, password) and user is not None and user.is_active
        account = _account(user) if ok and user is not None else None
    audit.record(db, email, "signin" if account else "signin.failed", email, client=client)
    return account


def create_token(
    db: AppDatabase, user_id: int, name: str, scopes: tuple[str, ...], *, actor: str
) -> tuple[str, TokenInfo]:
    """A new API token for `user_id`: the secret (shown once) and its stored record.

    Raises:
        AppError: an unknown scope or an empty name.
    """
    unknown = [s for s in scopes if s not in TOKEN_SCOPES]
    if unknown or not scopes:
        raise AppError(f"token scopes must be some of {', '.join(TOKEN_SCOPES)}")
    name = name.strip()
    if not name or len(name) > 100:
        raise AppError("a token needs a name of 1 to 100 characters")
    secret = new_token()
    with db.session() as session:
        token = ApiToken(
            user_id=user_id,
            name=name,
            token_hash=token_hash(secret),
            prefix=secret[:10],
            scopes=",".join(sorted(set(scopes))),
            created_at=datetime.now(UTC),
        )
        session.add(token)
        session.flush()
        info = _token(token)
    audit.record(
        db, actor, "token.create", f"token {info.id}", f"name={name} scopes={token.scopes}"
    )
    return secret, info


def _token(token: ApiToken) -> TokenInfo:
    return TokenInfo(
        token.id,
        token.user_id,
        token.name,
        token.prefix,
        tuple(token.scopes.split(",")),
        token.created_at,
        token.revoked_at,
    )


def list_tokens(db: AppDatabase, user_id: int | None = None) -> list[TokenInfo]:
    """The tokens of `user_id` (every user's when None), newest first."""
    from sqlalchemy import select

    query = select(ApiToken).order_by(ApiToken.id.desc())
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    with db.session() as session:
        return [_token(t) for t in session.scalars(query)]


def revoke_token(db: AppDatabase, token_id: int, *, owner_id: int | None, actor: str) -> None:
    """Revoke a token; with `owner_id`, only if it belongs to that user.

    Raises:
        AppError: no such token (for that owner).
    """
    with db.session() as session:
        token = session.get(ApiToken, token_id)
        if token is None or (owner_id is not None and token.user_id != owner_id):
            raise AppError(f"no token {token_id}")
        if token.revoked_at is None:
            token.revoked_at = datetime.now(UTC)
    audit.record(db, actor, "token.revoke", f"token {token_id}")


def token_user(db: AppDatabase, secret: str) -> tuple[Account, frozenset[str]] | None:
    """The active user and scopes of an unrevoked token, or None."""
    from sqlalchemy import select

    with db.session() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret)))
        if token is None or token.revoked_at is not None:
            return None
        user = session.get(User, token.user_id)
        if user is None or not user.is_active:
            return None
        return _account(user), frozenset(token.scopes.split(","))
