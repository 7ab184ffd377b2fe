"""The `revops` command: command groups, global options and the one error handler."""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import click
import typer
from typer.exceptions import TyperException

from revops import __version__
from revops.cli import (
    annotate,
    audit,
    automate,
    coaching,
    comp,
    config,
    connect,
    definitions,
    demo,
    desk,
    forecast,
    identity,
    ingest,
    jobs,
    leads,
    metrics,
    model,
    pack,
    pipeline,
    plan,
    quality,
    routing,
    serve,
    success,
    tokens,
    users,
    views,
    warehouse,
)
from revops.cli.output import error_console
from revops.cli.state import State
from revops.errors import RevOpsError

app = typer.Typer(
    name="revops",
    help="revops: one source of truth for revenue. Every command takes --workspace.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(automate.app, name="automate")
app.add_typer(automate.scheduler, name="scheduler")
app.add_typer(coaching.app, name="coaching")
app.add_typer(comp.app, name="comp")
app.add_typer(config.app, name="config")
app.add_typer(demo.app, name="demo")
app.add_typer(forecast.app, name="forecast")
app.add_typer(identity.app, name="identity")
app.add_typer(ingest.app, name="ingest")
# One `leads` group: scoring and qualification, then routing and speed to lead.
leads.app.registered_commands.extend(routing.app.registered_commands)
app.add_typer(leads.app, name="leads")
app.add_typer(metrics.app, name="metrics")
app.add_typer(model.app, name="model")
app.add_typer(quality.app, name="quality")
app.add_typer(pipeline.app, name="pipeline")
app.add_typer(warehouse.app, name="warehouse")
app.add_typer(serve.app, name="serve")
app.add_typer(users.app, name="users")
app.add_typer(tokens.app, name="tokens")
app.add_typer(views.app, name="views")
app.add_typer(jobs.app, name="jobs")
app.add_typer(desk.app, name="desk")
app.add_typer(audit.app, name="audit")
app.add_typer(definitions.app, name="definitions")
app.add_typer(plan.app, name="plan")
app.add_typer(success.app, name="success")
app.add_typer(annotate.app, name="annotate")
app.add_typer(pack.app, name="pack")
app.command("connect")(connect.connect)
app.command("sync")(connect.sync)


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    workspace: Path | None = typer.Option(
        None,
        "--workspace",
        "-w",
        envvar="REVOPS_WORKSPACE",
        help="Workspace folder (default: $REVOPS_WORKSPACE, else the current folder).",
        file_okay=False,
    ),
    debug: bool = typer.Option(
        False, "--debug", help="Show tracebacks of errors, and debug logging."
    ),
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", is_eager=True
    ),
) -> None:
    """revops: one source of truth for revenue."""
    if version:
        typer.echo(f"revops {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = State(workspace_path=workspace, debug=debug)


@app.command("init")
def init(
    ctx: typer.Context,
    directory: Path | None = typer.Argument(
        None, help="Folder for the new workspace (default: --workspace, else the current one)."
    ),
) -> None:
    """Create a workspace: revops.yaml with commented defaults and definition folders."""
    ws = ctx.obj.create_workspace(directory)
    error_console().print(f"Created workspace {ws.root} ({ws.config_file.name})")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, turning any RevOpsError into one red line and exit 1, and
    a usage error (unknown option or value, extra or missing argument) into one red line
    and exit 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = app(args=args, prog_name="revops", standalone_mode=False)
    except RevOpsError as exc:
        if "--debug" in args:
            traceback.print_exc()
        error_console().print(f"[bold red]error:[/] {_escape(str(exc))}", highlight=False)
        raise SystemExit(1) from None
    except (typer.Exit, click.exceptions.Exit) as exc:
        raise SystemExit(exc.exit_code) from None
    except (TyperException, click.ClickException) as exc:
        raise SystemExit(_show_usage_error(exc, args)) from None
    except (typer.Abort, click.exceptions.Abort):
        error_console().print("[red]aborted[/]")
        raise SystemExit(1) from None
    raise SystemExit(code if isinstance(code, int) else 0)


def _show_usage_error(exc: TyperException | click.ClickException, args: Sequence[str]) -> int:
    """Print what typer (its own bundled click) or click refused as one red line; the
    exit code to leave with (2 for usage errors).

    `revops ingest` alone asks for its help: that is printed, and is no error.
    """
    if type(exc).__name__ == "NoArgsIsHelpError":
        typer.echo(exc.format_message())
        return 0
    if "--debug" in args:
        traceback.print_exc()
    message = _USAGE_NOISE.sub("", exc.format_message())
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", "") or "revops"
    if exc.exit_code == 2:
        message += f" (`{command} --help` lists the options)"
    error_console().print(f"[bold red]error:[/] {_escape(message)}", highlight=False)
    return int(exc.exit_code)


# Typer validates values with pydantic, whose message starts "Value error, ".
_USAGE_NOISE = re.compile(r"(?<=: )Value error, ")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(" ".join(text.split()))
