"""`revops serve`: the cockpit and REST API of the workspace."""

from __future__ import annotations

import typer

from revops.cli.output import error_console

app = typer.Typer(help="Serve the cockpit (web pages) and the REST API under /api/v1.")


@app.callback(invoke_without_command=True)
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Serve the cockpit at http://HOST:PORT (API docs at /api/v1/docs).

    The embedded DuckDB warehouse is opened read-only: commands that only read it
    (metrics, pipeline, forecast, quality report, ...) run meanwhile, while those that
    write (ingest, demo, quality run, ...) stop with a clear "in use" error until the
    server stops. The default pages are computed in the background as it starts.
    """
    import uvicorn

    from revops.app import create_app
    from revops.workspace import Workspace

    ws = Workspace.open(ctx.obj.workspace_path, read_only=True)
    web = create_app(ws)
    error_console().print(f"Cockpit of {ws.root} at http://{host}:{port}/ (Ctrl-C stops it)")
    try:
        uvicorn.run(web, host=host, port=port, log_level="warning")
    finally:
        ws.close()
