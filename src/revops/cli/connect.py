"""`revops connect` and `revops sync`: store a source API's connection, pull what changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from revops.cli.output import OutputFormat, error_console, render

if TYPE_CHECKING:
    from revops.ingest.connect.sync import SyncResult

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
STATUS_COLUMNS = (
    "source",
    "cursor",
    "last_run_at",
    "status",
    "rows",
    "seconds",
    "deletions",
    "error",
)


def connect(
    ctx: typer.Context,
    source: str = typer.Argument(
        ..., help="The source API: hubspot, salesforce, stripe or zendesk."
    ),
    key_env: str | None = typer.Option(
        None,
        "--key-env",
        help=(
            "Environment variable holding the key (default STRIPE_API_KEY, ZENDESK_API_TOKEN, "
            "HUBSPOT_ACCESS_TOKEN, SALESFORCE_ACCESS_TOKEN)."
        ),
    ),
    secrets_file: str | None = typer.Option(
        None,
        "--secrets-file",
        help="A YAML file outside the workspace: `<source>: {api_key: ...}`.",
    ),
    base_url: str | None = typer.Option(
        None,
        "--base-url",
        help="The API's address (Zendesk: https://<subdomain>.zendesk.com; Salesforce: the "
        "instance URL, https://<my-domain>.my.salesforce.com).",
    ),
    user: str | None = typer.Option(
        None,
        "--user",
        help="The API user where one is needed (Zendesk: the token's e-mail; Salesforce with "
        "--oauth: the connected app's client id).",
    ),
    oauth: str | None = typer.Option(
        None,
        "--oauth",
        help="Salesforce: get access tokens by the OAuth 2.0 refresh_token or "
        "client_credentials flow (secrets from SALESFORCE_CLIENT_SECRET, "
        "SALESFORCE_REFRESH_TOKEN or --secrets-file).",
    ),
    page_size: int = typer.Option(
        100,
        "--page-size",
        min=1,
        max=1000,
        help="Records per page (Stripe and HubSpot: 100 at most).",
    ),
    bulk_threshold: int | None = typer.Option(
        None,
        "--bulk-threshold",
        min=0,
        help="Salesforce: a full sync reads an object of at least this many records by a "
        "Bulk API 2.0 query job (default 50,000; 0: every object).",
    ),
    check: bool = typer.Option(True, "--check/--no-check", help="Prove the key works first."),
) -> None:
    """Store a source API's connection in connections.yaml: where the API is and where its
    key comes from (an environment variable or a secrets file), never the key itself."""
    from revops.errors import ConnectorError
    from revops.ingest.connect import SOURCES, Connection
    from revops.ingest.connect import connect as store
    from revops.ingest.connect.registry import DEFAULT_KEY_ENV
    from revops.workspace import Workspace

    if source not in SOURCES:
        raise ConnectorError(
            source, None, f"no connector for this source (revops connects {', '.join(SOURCES)})"
        )
    if bulk_threshold is not None and source != "salesforce":
        raise ConnectorError(source, None, "--bulk-threshold is for salesforce")
    if key_env and secrets_file:
        raise ConnectorError(source, None, "give --key-env or --secrets-file, not both")
    if oauth not in (None, "refresh_token", "client_credentials") or (
        oauth and source != "salesforce"
    ):
        raise ConnectorError(
            source, None, "--oauth is refresh_token or client_credentials, for salesforce"
        )
    connection = Connection.model_validate(
        {
            "source": source,
            "base_url": base_url,
            "user": user,
            "key_env": key_env or (None if secrets_file or oauth else DEFAULT_KEY_ENV[source]),
            "secrets_file": secrets_file,
            "oauth": oauth,
            "page_size": page_size,
            "bulk_threshold": bulk_threshold,
        }
    )
    root = Workspace.locate(ctx.obj.workspace_path)
    path = store(root, connection, check=check)
    where = connection.key_env or connection.secrets_file or f"the OAuth {oauth} flow"
    error_console().print(f"Connected {source} (key from {where}) in {path}", highlight=False)


def sync(
    ctx: typer.Context,
    source: str | None = typer.Argument(
        None, help="A connected source (default: every one), or `status` to show the state."
    ),
    full: bool = typer.Option(False, "--full", help="Read every record again, not the changes."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Pull what changed in connected sources since their cursor, through the mappings,
    validation, quarantine and history of a file ingest; `revops sync status` shows each
    source's cursor, last run, rows, duration and error. A source that fails does not stop
    the others: each failure is one red line, and the exit code is 1."""
    from revops.errors import ConnectorError
    from revops.ingest.connect import status, sync_source
    from revops.ingest.connect.connection import load_connections

    if source == "status" and full:
        raise ConnectorError("sync", None, "--full is for a sync; `revops sync status` shows")
    ws = ctx.obj.open_workspace(read_only=source == "status")
    try:
        if source == "status":
            _print_status(status(ws), fmt)
            return
        sources = [source] if source else sorted(load_connections(ws.root))
        if not sources:
            raise ConnectorError(
                "sync", None, "no source connected: run `revops connect stripe` first"
            )
        failed = []
        for name in sources:
            try:
                _print_result(sync_source(ws, name, full=full), fmt)
            except ConnectorError as exc:
                if len(sources) == 1:
                    raise
                failed.append(name)  # the other sources still sync; the exit code says it
                error_console().print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
    finally:
        ws.close()
    if failed:
        raise typer.Exit(1)


def _print_status(rows: list[Any], fmt: OutputFormat) -> None:
    table = [
        {
            "source": s.source,
            "cursor": s.cursor,
            "last_run_at": s.last_run_at,
            "status": s.status,
            "rows": s.rows,
            "seconds": round(s.seconds, 2),
            "deletions": s.deletions,
            "error": s.error,
        }
        for s in rows
    ]
    render(table, STATUS_COLUMNS, fmt, title="Sync status")


def _print_result(result: SyncResult, fmt: OutputFormat) -> None:
    render(
        [load.as_row() for load in result.loads],
        (
            "object",
            "entity",
            "rows_in",
            "loaded",
            "new",
            "updated",
            "quarantined",
            "skipped",
            "history",
        ),
        fmt,
        title=f"Sync {result.source}",
    )
    errors = error_console()
    for note in result.notes:
        errors.print(f"[yellow]{note.file}[/]: {note.message}", highlight=False)
    for obj, names in result.new_fields.items():
        errors.print(
            f"[yellow]{result.source} {obj}[/]: new field(s) {', '.join(names)}", highlight=False
        )
    kind = "full" if result.is_full else "incremental"
    errors.print(
        f"{result.source}: {kind} sync, {result.records:,} records in {result.pages:,} pages, "
        f"{result.changed:,} rows new or changed, {result.quarantined:,} quarantined, "
        f"{result.deletions:,} delete(s) recorded, {result.seconds:.1f}s "
        f"({result.rows_per_second:,.0f} records/s).",
        highlight=False,
    )
