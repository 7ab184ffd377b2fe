"""`revops views`: cockpit users' saved views (app database): list, save, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from revops.cli.output import OutputFormat, error_console, render

if TYPE_CHECKING:
    from revops.app.db import AppDatabase

app = typer.Typer(
    help="Saved views of cockpit users (a page with its query): list, save, delete.",
    no_args_is_help=True,
)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
COLUMNS = ("id", "user", "name", "url", "created_at")


def _user_id(db: AppDatabase, email: str) -> int:
    from revops.app.users import list_users
    from revops.errors import AppError

    wanted = email.strip().lower()
    account = next((u for u in list_users(db) if u.email == wanted), None)
    if account is None:
        raise AppError(f"no user {email}; add one with `revops users add`")
    return account.id


@app.command("list")
def list_(
    ctx: typer.Context,
    email: str | None = typer.Option(None, "--user", help="Only this user's views."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Saved views by user and name, with the link that opens each."""
    from revops.app.saved import views_of
    from revops.app.users import list_users

    db = ctx.obj.open_app_database()
    try:
        accounts = list_users(db)
        if email is not None:
            wanted = _user_id(db, email)
            accounts = [a for a in accounts if a.id == wanted]
        rows = [
            {"id": v.id, "user": a.email, "name": v.name, "url": v.url, "created_at": v.created_at}
            for a in accounts
            for v in views_of(db, a.id)
        ]
    finally:
        db.close()
    render(rows, COLUMNS, fmt, title="Saved views")


@app.command("save")
def save(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The user the view is for."),
    name: str = typer.Argument(..., help="The view's name (the same name again replaces it)."),
    url: str = typer.Argument(..., help="The page with its query: /pipeline?window=FY2027-Q3"),
) -> None:
    """Save a page with its query as one of a user's views."""
    from revops.app import saved

    db = ctx.obj.open_app_database()
    try:
        view = saved.save(db, _user_id(db, email), name, url, "", actor="cli")
    finally:
        db.close()
    error_console().print(f"Saved view {view.id} {view.name!r}: {view.url}", highlight=False)


@app.command("delete")
def delete(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The user whose view it is."),
    view: str = typer.Argument(..., help="The view's name or id."),
) -> None:
    """Delete one of a user's saved views."""
    from revops.app import saved
    from revops.errors import AppError

    db = ctx.obj.open_app_database()
    try:
        user_id = _user_id(db, email)
        found = next(
            (v for v in saved.views_of(db, user_id) if v.name == view or str(v.id) == view), None
        )
        if found is None:
            raise AppError(f"{email} has no saved view {view!r}")
        saved.delete(db, user_id, found.id, actor="cli")
    finally:
        db.close()
    error_console().print(f"Deleted view {found.id} {found.name!r}", highlight=False)
