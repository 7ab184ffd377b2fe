"""`revops tokens`: API tokens of cockpit users (app database), for scripts and BI tools."""

from __future__ import annotations

import typer

from revops.cli.output import OutputFormat, error_console, render

app = typer.Typer(help="API tokens of cockpit users: add, list, revoke.", no_args_is_help=True)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
COLUMNS = ("id", "user", "name", "prefix", "scopes", "created_at", "revoked_at")


@app.command("add")
def add(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The user the token acts as."),
    name: str = typer.Option(..., "--name", help="What the token is for (a script, a tool)."),
    scope: list[str] = typer.Option(
        ["read"], "--scope", help="read, export or admin (repeatable; default read)."
    ),
) -> None:
    """Make a token and print it once: it is stored hashed and cannot be shown again.
    It never allows more than the user's role does."""
    from revops.app.users import create_token, list_users
    from revops.errors import AppError

    db = ctx.obj.open_app_database()
    try:
        account = next((u for u in list_users(db) if u.email == email.strip().lower()), None)
        if account is None or not account.is_active:
            raise AppError(f"no active user {email}; add one with `revops users add`")
        secret, info = create_token(db, account.id, name, tuple(scope), actor="cli")
    finally:
        db.close()
    error_console().print(
        f"Token {info.id} for {account.email} ({', '.join(info.scopes)}); shown once:",
        highlight=False,
    )
    typer.echo(secret)


@app.command("list")
def list_(
    ctx: typer.Context,
    email: str | None = typer.Option(None, "--user", help="Only this user's tokens."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Every token (newest first) with its user, scopes and state; never the secret."""
    from revops.app.users import list_tokens, list_users

    db = ctx.obj.open_app_database()
    try:
        emails = {u.id: u.email for u in list_users(db)}
        tokens = list_tokens(db)
    finally:
        db.close()
    rows = [
        {"id": t.id, "user": emails.get(t.user_id, ""), "name": t.name, "prefix": t.prefix,
         "scopes": ",".join(t.scopes), "created_at": t.created_at, "revoked_at": t.revoked_at}
        for t in tokens
        if email is None or emails.get(t.user_id) == email.strip().lower()
    ]  # fmt: skip
    render(rows, COLUMNS, fmt, title="API tokens")


@app.command("revoke")
def revoke(
    ctx: typer.Context, token_id: int = typer.Argument(..., help="The token's id (tokens list).")
) -> None:
    """Revoke a token: requests carrying it are refused from now on."""
    from revops.app.users import revoke_token

    db = ctx.obj.open_app_database()
    try:
        revoke_token(db, token_id, owner_id=None, actor="cli")
    finally:
        db.close()
    error_console().print(f"Revoked token {token_id}", highlight=False)
