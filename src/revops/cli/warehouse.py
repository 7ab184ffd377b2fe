"""`revops warehouse`: create the canonical model in the warehouse, and inspect it."""

from __future__ import annotations

import typer

from revops.cli.output import OutputFormat, error_console, render

app = typer.Typer(help="The analytics warehouse (DuckDB, PostgreSQL, Spark).", no_args_is_help=True)

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")


@app.command("init")
def init(ctx: typer.Context) -> None:
    """Create the namespaces and canonical tables that are missing (safe to re-run)."""
    ws = ctx.obj.open_workspace()
    try:
        created, present = ws.init_warehouse()
    finally:
        ws.close()
    error_console().print(
        f"Warehouse {ws.warehouse_url_display}: {len(created)} table(s) created, "
        f"{len(present)} already there."
    )


@app.command("status")
def status(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """List the warehouse's revops tables and their row counts."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = [
            {"namespace": t.namespace, "table": t.name, "rows": t.rows}
            for t in ws.warehouse.status()
        ]
    finally:
        ws.close()
    render(rows, ("namespace", "table", "rows"), fmt, title=f"Warehouse {ws.warehouse_url_display}")
