"""Tables of the app database: users, sessions, API tokens, sign-in throttles, audit log,
identity decisions, forecast calls, saved views, jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the app tables (Alembic migrations create them)."""


class User(Base):
    """A person who signs in to the cockpit."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token of a user for the REST API, stored as its SHA-256 hash."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditEvent(Base):
    """One sign-in or change made through the app."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(320), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    client: Mapped[str] = mapped_column(String(100), default="")


class AppSession(Base):
    """A browser sign-in, checked on every request: signing out, a password or role
    change and disabling the user delete it, so a copied cookie stops working."""

    __tablename__ = "app_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The SHA-256 of the session's nonce (the cookie carries the nonce, signed)."""
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    client: Mapped[str] = mapped_column(String(100), default="")


class SigninThrottle(Base):
    """Failed sign-ins of one account (``account:EMAIL``) or client address
    (``client:ADDRESS``) and the lock they earned."""

    __tablename__ = "signin_throttle"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class IdentityDecision(Base):
    """A reviewer's accept or reject of a pair in the cockpit, kept here because the
    cockpit reads the warehouse only; `revops identity run` stores it in
    `identity.review` (and sets `moved_at`) before it resolves."""

    __tablename__ = "identity_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    unique_id_l: Mapped[str] = mapped_column(String(400))
    unique_id_r: Mapped[str] = mapped_column(String(400))
    decision: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str] = mapped_column(String(320))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    moved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ForecastSubmission(Base):
    """One forecast call as submitted: a rep's own amounts, or a manager's roll-up (the
    team's calls summed at submission, `team_*`, plus the manager's adjustment). Never
    updated: the latest per owner and period is the call, the others its history."""

    __tablename__ = "forecast_submission"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(40), index=True)
    owner_id: Mapped[str] = mapped_column(String(400), index=True)
    """The CRM user (canonical user_id) the call is for."""
    owner_email: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(10))
    """``rep`` (own amounts) or ``manager`` (the team's calls plus an adjustment)."""
    commit_amount: Mapped[float] = mapped_column(Float)
    best_case_amount: Mapped[float] = mapped_column(Float)
    pipeline_amount: Mapped[float] = mapped_column(Float)
    team_commit: Mapped[float | None] = mapped_column(Float, nullable=True)
    team_best_case: Mapped[float | None] = mapped_column(Float, nullable=True)
    team_pipeline: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_by: Mapped[str] = mapped_column(String(320))
    """The app user who submitted it (a manager may submit for a rep of the team)."""
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SavedView(Base):
    """A page of the cockpit with its query (window, filters, slices) a user saved under a
    name; the link to share is the page's URL."""

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_view_user_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Job(Base):
    """An action that writes the warehouse (ingest a file, quality run, identity run,
    forecast backtest), run by the app in the background: queued, running, then
    succeeded with a summary or failed with one line."""

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), index=True)
    params: Mapped[str] = mapped_column(Text, default="{}")
    """The action's inputs, as JSON."""
    requested_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    result: Mapped[str] = mapped_column(Text, default="")
    """The summary of a job that succeeded, as JSON."""
    error: Mapped[str] = mapped_column(Text, default="")
