"""`revops definitions`: what changed in the definition files (git-aware, else against
snapshots revops keeps) and who and what depends on a definition."""

from __future__ import annotations

import getpass

import typer

from revops.cli.output import OutputFormat, console, render

app = typer.Typer(help="Definitions as code: diff, impact, change log, snapshots.",
                  no_args_is_help=True)  # fmt: skip
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")


@app.command("diff")
def diff(
    ctx: typer.Context,
    rev: str | None = typer.Argument(None, help="Git revision (default HEAD) or snapshot id."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The definition files changed since REV, with the definitions changed in each."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        against, changes = ws.desk.changes.diff(rev)
    finally:
        ws.close()
    render([c.as_row() for c in changes], ("path", "status", "definitions"), fmt,
           title=f"Definition changes against {against}")  # fmt: skip


@app.command("impact")
def impact(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A metric, lifecycle stage or definition name."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Every metric (and the metrics built on them), page, definition file and team that
    depend on a definition: whom to tell before changing it."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.desk.changes.impact(name)
    finally:
        ws.close()
    render(found.rows(), ("kind", "name", "why", "team"), fmt,
           title=f"Impact of {found.kind} {name}")  # fmt: skip


@app.command("log")
def log(
    ctx: typer.Context,
    limit: int = typer.Option(30, "--limit", min=1),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Changes to definition files, newest first: git commits or snapshots."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        entries = ws.desk.changes.log(limit)
    finally:
        ws.close()
    render(entries, ("when", "who", "note", "id", "files"), fmt, title="Definition change log")


@app.command("snapshot")
def snapshot(
    ctx: typer.Context,
    note: str = typer.Option("", "--note", "-m", help="What changed and why."),
    by: str | None = typer.Option(None, "--by", help="Who (default: the OS user)."),
) -> None:
    """Keep a copy of the definition files, for `diff` where the workspace is no git repo."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.desk.changes.snapshot(note, by or getpass.getuser())
    finally:
        ws.close()
    console().print(f"Snapshot {found} of the definition files.")
