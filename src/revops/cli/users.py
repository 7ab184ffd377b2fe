"""`revops users`: accounts of the cockpit (app database)."""

from __future__ import annotations

import typer

from revops.cli.output import OutputFormat, error_console, render

app = typer.Typer(help="Users of the cockpit: add, list, disable.", no_args_is_help=True)
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
    """Every user with role and state."""
    from revops.app.users import list_users

    rows = [
        {"email": u.email, "name": u.name, "role": u.role, "active": u.is_active,
         "created_at": u.created_at}
        for u in list_users(ctx.obj.open_app_database())
    ]  # fmt: skip
    render(rows, ("email", "name", "role", "active", "created_at"), fmt, title="Users")


@app.command("disable")
def disable(ctx: typer.Context, email: str = typer.Argument(..., help="The user.")) -> None:
    """Disable a user: their sign-ins, sessions and tokens stop working."""
    from revops.app.users import set_active

    account = set_active(ctx.obj.open_app_database(), email, False, actor="cli")
    error_console().print(f"Disabled {account.email}", highlight=False)
