"""`revops jobs`: the jobs the cockpit ran or runs (ingest, quality, identity, backtest)."""

from __future__ import annotations

from dataclasses import asdict

import typer

from revops.cli.output import OutputFormat, render, render_document

app = typer.Typer(
    help="Jobs the cockpit ran (ingest, quality run, identity run, backtest): list, show, cancel.",
    no_args_is_help=True,
)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
COLUMNS = ("id", "kind", "status", "requested_by", "created_at", "finished_at", "error")


@app.command("list")
def list_(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=1000, help="How many, newest first."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The newest jobs first, with who asked and how they ended."""
    from revops.app.jobs import recent

    db = ctx.obj.open_app_database()
    try:
        found, total = recent(db, limit)
    finally:
        db.close()
    render([asdict(j) for j in found], COLUMNS, fmt, title=f"Jobs ({len(found)} of {total})")


@app.command("show")
def show(
    ctx: typer.Context,
    job_id: str = typer.Argument(..., help="The job's id (`revops jobs list`)."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """One job: what was asked, its times, its summary or error."""
    from revops.app.jobs import get
    from revops.errors import AppError

    db = ctx.obj.open_app_database()
    try:
        found = get(db, job_id.strip())
    finally:
        db.close()
    if found is None:
        raise AppError(f"no job {job_id}; `revops jobs list` lists them")
    render_document(asdict(found), fmt)


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    job_id: str = typer.Argument(..., help="The queued job's id (`revops jobs list`)."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Cancel a job still queued (the server skips it); a running job is left to finish."""
    from revops.app.jobs import NotCancellableError
    from revops.app.jobs import cancel as cancel_job
    from revops.errors import AppError

    db = ctx.obj.open_app_database()
    try:
        cancelled = cancel_job(db, job_id.strip(), actor="cli")
    except KeyError:
        raise AppError(f"no job {job_id}; `revops jobs list` lists them") from None
    except NotCancellableError as exc:
        raise AppError(str(exc)) from None
    finally:
        db.close()
    render_document(asdict(cancelled), fmt)
