"""`revops forecast submit` and `revops forecast calls`: the forecast process's calls
from the command line, as a cockpit user (`--as`), with that user's role and rows."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import typer

from revops.cli.output import OutputFormat, error_console, render
from revops.errors import AppError

if TYPE_CHECKING:
    from revops.app.access import Permission
    from revops.app.db import AppDatabase
    from revops.app.users import Account
    from revops.metrics import Scope
    from revops.workspace import Workspace

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
AS_USER = typer.Option(..., "--as", help="The cockpit user submitting (their role and rows apply).")
COLUMNS = ("period", "owner_name", "kind", "commit", "best_case", "pipeline", "team_commit",
           "adjustment", "note", "submitted_by", "submitted_at", "owner_id")  # fmt: skip


def submit(
    ctx: typer.Context,
    period: str = typer.Option(..., "--period", help="Fiscal quarter or month: FY2027-Q4."),
    as_user: str = AS_USER,
    owner: str | None = typer.Option(
        None, "--for", help="CRM user id or e-mail the call is for (default: your own)."
    ),
    commit: float | None = typer.Option(None, "--commit", help="A rep's commit."),
    best_case: float | None = typer.Option(None, "--best-case", help="A rep's best case."),
    pipeline: float | None = typer.Option(None, "--pipeline", help="A rep's open pipeline."),
    adjust_commit: float | None = typer.Option(
        None, "--adjust-commit", help="A manager's change to the team's commit."
    ),
    adjust_best_case: float | None = typer.Option(
        None, "--adjust-best-case", help="A manager's change to the team's best case."
    ),
    adjust_pipeline: float | None = typer.Option(
        None, "--adjust-pipeline", help="A manager's change to the team's pipeline."
    ),
    note: str = typer.Option("", "--note", help="Why: the call's reasoning."),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="The day the period must be open on."
    ),
) -> None:
    """Submit a call: a rep's commit, best case and pipeline, or a manager's roll-up
    (the team's calls summed plus --adjust-*); kept as history and audited."""
    from revops.app import calls
    from revops.app.org import load_org

    body = calls.parse_input(
        period=period, owner=owner, commit=commit, best_case=best_case, pipeline=pipeline,
        commit_adjustment=adjust_commit, best_case_adjustment=adjust_best_case,
        pipeline_adjustment=adjust_pipeline, note=note,
    )  # fmt: skip
    ws = ctx.obj.open_workspace(read_only=True)
    db = ctx.obj.open_app_database()
    try:
        account = _account(db, as_user, "submit_forecast")
        day = as_of.date() if as_of else datetime.now().date()
        label = calls.check_period(ws.metrics, body.period, day).label
        found = calls.submit(
            db, load_org(ws.metrics), body, period=label, submitter=account.email,
            scope=_scope(ws, account),
        )  # fmt: skip
    finally:
        ws.close()
        db.close()
    extra = (
        f" (the team's {found.team_commit:,.0f} {found.adjustment:+,.0f})"
        if found.team_commit is not None
        else ""
    )
    error_console().print(
        f"Stored the {found.kind} call of {found.owner_email or found.owner_id} for {label}: "
        f"commit {found.commit:,.0f}{extra}, best case {found.best_case:,.0f}, "
        f"pipeline {found.pipeline:,.0f}",
        highlight=False,
    )


def list_calls(
    ctx: typer.Context,
    period: str | None = typer.Option(None, "--period", help="Only this period's calls."),
    as_user: str | None = typer.Option(
        None, "--as", help="Only the calls this cockpit user may see (default: every call)."
    ),
    owner: str | None = typer.Option(None, "--for", help="Only this CRM user's calls."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Every stored call, newest first: the latest per person and period is the call."""
    from revops.app import calls
    from revops.app.org import load_org
    from revops.app.views.calls import submitted

    ws = ctx.obj.open_workspace(read_only=True)
    db = ctx.obj.open_app_database()
    try:
        org = load_org(ws.metrics)
        scope = _scope(ws, _account(db, as_user, "view_cockpit")) if as_user else None
        label = ws.metrics.window(period).label if period else None
        found = calls.visible_history(
            db, org, None if scope is None else scope.owners, period=label, owner=owner
        )
        rows = submitted(org, found)
    finally:
        ws.close()
        db.close()
    render([r.model_dump() for r in rows], COLUMNS, fmt, title="Forecast calls, newest first")


def _account(db: AppDatabase, email: str, permission: Permission) -> Account:
    """The active cockpit user `email`, allowed `permission`.

    Raises:
        AppError: no such user, disabled, or a role without the permission.
    """
    from revops.app.access import allowed
    from revops.app.users import list_users

    wanted = email.strip().lower()
    account = next((a for a in list_users(db) if a.email == wanted), None)
    if account is None or not account.is_active:
        raise AppError(f"--as: no active cockpit user {email} (`revops users list`)")
    if not allowed(account.role, permission):
        raise AppError(f"--as: a {account.role} may not {permission.replace('_', ' ')}")
    return account


def _scope(ws: Workspace, account: Account) -> Scope:
    """The user's rows, as the cockpit gives them (:meth:`revops.app.state.AppState.scope`)."""
    from revops.app.access import ROW_SCOPE
    from revops.metrics import Scope

    kind = ROW_SCOPE[account.role]
    if kind == "all":
        return Scope.everything()
    found = ws.metrics.scope_for(account.email, team=kind == "team")
    return found or Scope(frozenset(), f"no CRM user {account.email}")
