"""`revops model`: the entities of the canonical model and their columns."""

from __future__ import annotations

import typer

from revops.cli.output import OutputFormat, render
from revops.model import ENTITIES, get_entity

app = typer.Typer(
    help="The canonical model: entities, columns, types, meaning.", invoke_without_command=True
)

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")


@app.callback()
def entities(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """List the entities of the canonical model."""
    if ctx.invoked_subcommand is not None:
        return
    rows = [
        {
            "entity": e.name,
            "family": e.family,
            "namespace": e.namespace,
            "columns": len(e.all_columns),
            "description": e.description,
        }
        for e in ENTITIES.values()
    ]
    columns = ("entity", "family", "namespace", "columns", "description")
    render(rows, columns, fmt, title="Entities")


@app.command("show")
def show(
    entity: str = typer.Argument(..., help="Entity name, e.g. opportunity."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Show the columns of one entity: name, type, required, meaning."""
    found = get_entity(entity)
    rows = [
        {"column": c.name, "type": c.type, "required": c.required, "description": c.description}
        for c in found.all_columns
    ]
    title = f"{found.namespace}.{found.name}: {found.description}"
    render(rows, ("column", "type", "required", "description"), fmt, title=title)
