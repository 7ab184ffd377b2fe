"""`revops config`: the JSON schema and the effective configuration."""

from __future__ import annotations

import json
import sys

import typer

from revops.cli.output import OutputFormat, render_document
from revops.config import config_schema

app = typer.Typer(help="Workspace configuration (revops.yaml).", no_args_is_help=True)

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")


@app.command("schema")
def schema() -> None:
    """Print the JSON schema of revops.yaml."""
    sys.stdout.write(json.dumps(config_schema(), indent=2) + "\n")


@app.command("show")
def show(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """Print the effective configuration (the file's values over the defaults)."""
    ws = ctx.obj.open_workspace(read_only=True)
    render_document(ws.config.model_dump(mode="json"), fmt)
