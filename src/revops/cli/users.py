"""`revops users`: accounts of the cockpit (app database)."""

from __future__ import annotations

import typer

from revops.cli.output import OutputFormat, error_console, render

app = typer.Typer(
    help="Users of the cockpit: add, list, disable, enable, role, password, reset, unlock.",
    no_args_is_help=True,
)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")


@app.command("add")
def add(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="E-mail the user signs in with."),
    role: str = typer.Option(
        ..., "--role", help="admin, revops, executive, manager, rep, marketing, success or finance."
    ),
    name: str = typer.Option("", "--name", help="Name shown in the cockpit."),
    password: str | None = typer.Option(
        None, "--password", help="Password (default: a random one, printed once)."
    ),
) -> None:
    """Add a user; a rep or manager sees the rows of the CRM user with the same e-mail."""
    from revops.app.auth import new_password
    from revops.app.users import add_user

    db = ctx.obj.open_app_database()
    chosen = password or new_password()
    account = add_user(db, email, role, chosen, name=name, actor="cli")
    shown = "" if password else f" with password {chosen} (shown once)"
    error_console().print(f"Added {account.email} ({account.role}){shown}", highlight=False)


@app.command("list")
def list_(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """Every user with role and state; `locked_until` names an account locked after
    failed sign-ins (`revops users unlock` lifts it)."""
    from revops.app.users import list_users, locked_until

    db = ctx.obj.open_app_database()
    locked = locked_until(db)
    rows = [
        {"email": u.email, "name": u.name, "role": u.role, "active": u.is_active,
         "created_at": u.created_at, "locked_until": locked.get(u.email)}
        for u in list_users(db)
    ]  # fmt: skip
    columns = ("email", "name", "role", "active", "created_at", "locked_until")
    render(rows, columns, fmt, title="Users")


@app.command("disable")
def disable(ctx: typer.Context, email: str = typer.Argument(..., help="The user.")) -> None:
    """Disable a user: their sign-ins, sessions and tokens stop working."""
    from revops.app.users import set_active

    account = set_active(ctx.obj.open_app_database(), email, False, actor="cli")
    error_console().print(f"Disabled {account.email}", highlight=False)


@app.command("enable")
def enable(ctx: typer.Context, email: str = typer.Argument(..., help="The user.")) -> None:
    """Enable a disabled user again: they can sign in."""
    from revops.app.users import set_active

    account = set_active(ctx.obj.open_app_database(), email, True, actor="cli")
    error_console().print(f"Enabled {account.email}", highlight=False)


@app.command("reset")
def reset(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The user."),
    base_url: str = typer.Option(
        "", "--base-url", help="The cockpit's address, to print a full link (http://host:8000)."
    ),
) -> None:
    """Print a one-time password-reset link for a user (works once, for 24 hours); the
    user opens it and chooses a new password."""
    from revops.app.keys import session_key
    from revops.app.resets import reset_link, reset_token

    db = ctx.obj.open_app_database()
    root = ctx.obj.open_workspace(read_only=True).root
    link = reset_link(reset_token(db, email, session_key(root), actor="cli"))
    typer.echo(base_url.rstrip("/") + link)
    error_console().print(
        f"One-time reset link for {email.strip().lower()} (shown once, 24 hours)", highlight=False
    )


@app.command("role")
def role(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The user."),
    new_role: str = typer.Argument(..., metavar="ROLE", help="The new role."),
) -> None:
    """Change a user's role: their sessions end and their tokens above the new role are
    revoked."""
    from revops.app.users import set_role

    account = set_role(ctx.obj.open_app_database(), email, new_role, actor="cli")
    error_console().print(f"{account.email} is now {account.role}", highlight=False)


@app.command("password")
def password(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The user."),
    new: str | None = typer.Option(
        None, "--password", help="The new password (default: a random one, printed once)."
    ),
) -> None:
    """Set a user's password: every session of theirs ends."""
    from revops.app.auth import new_password
    from revops.app.users import set_password

    chosen = new or new_password()
    account = set_password(ctx.obj.open_app_database(), email, chosen, actor="cli")
    shown = "" if new else f": {chosen} (shown once)"
    error_console().print(f"New password for {account.email}{shown}", highlight=False)


@app.command("unlock")
def unlock(ctx: typer.Context, email: str = typer.Argument(..., help="The user.")) -> None:
    """Lift the lock that failed sign-ins put on an account."""
    from revops.app.users import unlock as unlock_account

    had = unlock_account(ctx.obj.open_app_database(), email, actor="cli")
    what = "Unlocked" if had else "No failed sign-ins to forget for"
    error_console().print(f"{what} {email.strip().lower()}", highlight=False)
