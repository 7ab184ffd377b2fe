"""`revops ingest`: load source files, and see what was loaded, refused and from where."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from revops.cli.output import OutputFormat, console, error_console, render, write_csv

if TYPE_CHECKING:
    from revops.ingest.report import IngestReport

app = typer.Typer(help="Data in: files → mappings → validation → warehouse.", no_args_is_help=True)
mapping_app = typer.Typer(help="Mappings from source files to the canonical model.")
app.add_typer(mapping_app, name="mapping")

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
SUMMARY = (
    "object",
    "entity",
    "rows_in",
    "loaded",
    "new",
    "updated",
    "duplicates",
    "quarantined",
    "skipped",
    "history",
    "released",
)
LOG_COLUMNS = (
    "load_id",
    "finished_at",
    "mapping",
    "status",
    "rows_in",
    "inserted",
    "updated",
    "unchanged",
    "duplicates",
    "quarantined",
    "skipped",
    "history_rows",
    "files",
)


def print_report(report: IngestReport, fmt: OutputFormat) -> None:
    """The summary table, then the notes on files and any failed load, on stderr."""
    rows = [load.as_row() for load in report.loads]
    columns = (*SUMMARY, "status") if fmt is OutputFormat.table else (*SUMMARY, "status", "message")
    render(rows, columns, fmt, title="Ingest")
    errors = error_console()
    for note in report.notes:
        if note.level == "warning":
            errors.print(f"[yellow]{note.file}[/]: {note.message}", highlight=False)
    for load in report.loads:
        if load.message and load.status == "loaded":
            errors.print(f"[yellow]{', '.join(load.files)}[/]: {load.message}", highlight=False)
    flagged = sum(load.flagged for load in report.loads)
    if flagged:
        errors.print(
            f"[yellow]{flagged:,} value(s) loaded with a warning[/] (control characters, "
            "negative amounts; `revops ingest quarantine --flagged` lists them all).",
            highlight=False,
        )
    rows_in = sum(load.rows_in for load in report.loads)
    loaded = sum(load.loaded for load in report.loads)
    quarantined = sum(load.quarantined for load in report.loads)
    duplicates = sum(load.duplicates for load in report.loads)
    skipped = sum(load.skipped for load in report.loads)
    errors.print(
        f"{rows_in:,} rows in = {loaded:,} loaded + {quarantined:,} quarantined + "
        f"{duplicates:,} exact duplicates + {skipped:,} skipped; "
        f"{report.reference_warnings:,} unresolved reference(s) loaded with a warning."
    )
    for group in report.unresolved[:8]:
        errors.print(
            f"  {group['references']:,} {group['source_system']} {group['entity']}."
            f"{group['column']}: {group['reason']}",
            highlight=False,
        )
    if len(report.unresolved) > 8:
        errors.print("  … the rest: quarantine.reference_warning in the warehouse.")
    if report.quality is not None:
        records, passing = report.quality.totals()
        errors.print(
            f"Data quality after these loads: {passing:,} of {records:,} records pass every "
            f"rule (run {report.quality.run_id}; `revops quality report`)."
        )
    if report.quality_problem:
        errors.print(f"[yellow]no quality run[/]: {report.quality_problem}", highlight=False)
    refused_files = {note.file for note in report.refused}
    for load in report.failed:
        if not set(load.files) <= refused_files:  # a refused file is listed below
            errors.print(f"[red]failed[/] {load.mapping}: {load.message}", highlight=False)
    if report.refused:
        errors.print(f"[red]{len(refused_files):,} file(s) not loaded:[/]", highlight=False)
    for note in report.refused:
        errors.print(f"  [red]{escape(note.file)}[/]: {escape(note.message)}", highlight=False)


@app.command("run")
def run(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Files, folders or globs to ingest."),
    source: str | None = typer.Option(
        None, "--source", "-s", help="Source system of every file (default: its folder's name)."
    ),
    fmt: OutputFormat = FORMAT,
    quality: bool = typer.Option(
        True,
        "--quality/--no-quality",
        help="End with a quality run tied to these loads, for the trend by load.",
    ),
    keep_going: bool = typer.Option(
        False,
        "--keep-going",
        help="Exit 0 when some files are refused or a load fails, if any file loaded.",
    ),
    include: list[str] = typer.Option(
        [],
        "--include",
        help="A folder left out by default to read all the same (truth). Repeatable.",
    ),
    force: bool = typer.Option(
        False,
        "--force",
        help="Load every file, also those whose files, mapping and vocabularies are "
        "those of the mapping's last load (reused by default: nothing to write).",
    ),
) -> None:
    """Ingest files: map, validate, quarantine bad rows, load the rest atomically, then
    score data quality (`revops quality report` shows the trend by load).

    A file that cannot be read or that no mapping reads is refused and listed; the
    others load. The exit code is then 1, unless --keep-going (and something loaded).
    A mapping whose files are byte for byte those of its last load is not loaded again:
    that load's counts stand (--force loads it all the same)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from revops.ingest.runner import ingest

    ws = ctx.obj.open_workspace()
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=error_console(),
            transient=True,
        ) as bar:
            task = bar.add_task("reading files", total=None)

            def step(planned: Any, index: int, total: int) -> None:
                bar.update(task, total=total, completed=index, description=planned.mapping.name)

            report = ingest(
                ws,
                [str(p) for p in paths],
                source=source,
                progress=step,
                quality=quality,
                include=include,
                force=force,
            )
    finally:
        ws.close()
    print_report(report, fmt)
    loaded = any(load.status == "loaded" for load in report.loads)
    if not loaded:
        error_console().print("[bold red]error:[/] nothing loaded", highlight=False)
        raise typer.Exit(1)
    if not report.ok and not keep_going:
        raise typer.Exit(1)


@app.command("inspect")
def inspect(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Export files or folders to read."),
    apply: bool = typer.Option(
        False, "--apply", help="Write the proposal into revops.yaml (the old one kept as .bak)."
    ),
) -> None:
    """Propose the workspace config the exports need (stages in order with categories
    and probabilities, opportunity types, currency, fiscal year) as a diff of revops.yaml."""
    from revops.config import CONFIG_FILE
    from revops.ingest.proposal_yaml import propose_config
    from revops.workspace import Workspace

    root = Workspace.locate(ctx.obj.workspace_path)
    result = propose_config(root / CONFIG_FILE, [str(p) for p in paths], apply=apply)
    errors = error_console()
    for note in result.proposal.notes:
        errors.print(f"[dim]{note}[/]", highlight=False)
    if len(result.proposal.currencies) > 1:
        found = ", ".join(result.proposal.currencies)
        errors.print(f"currencies of the deals: {found} (reporting_currency is left as it is)")
    if not result.diff:
        errors.print("revops.yaml already fits these exports.")
        return
    console().print(result.diff, markup=False, highlight=False, end="")
    if result.written is not None:
        errors.print(f"Wrote {result.written} (the previous one is {result.backup}).")
    elif apply is False:
        errors.print("`revops ingest inspect ... --apply` writes it.")


@app.command("log")
def log(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", "-n", help="How many loads, newest first."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The loads made so far, newest first, with their counts."""
    from revops.ingest.inspect import load_log

    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = load_log(ws.warehouse, limit)
    finally:
        ws.close()
    render(rows, LOG_COLUMNS, fmt, title="Ingest log")


@app.command("trace")
def trace(
    ctx: typer.Context,
    entity: str = typer.Argument(..., help="Canonical entity (opportunity, account, ...)."),
    record: str = typer.Argument(..., help="Canonical id or source id of the row."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Where a canonical row came from: source, file, load, history and quarantine."""
    from revops.cli.output import render_document
    from revops.ingest.inspect import trace as trace_row

    ws = ctx.obj.open_workspace(read_only=True)
    try:
        document = trace_row(ws.warehouse, entity, record)
    finally:
        ws.close()
    render_document(document, fmt)


@app.command("quarantine")
def quarantine(
    ctx: typer.Context,
    mapping: str | None = typer.Option(None, "--mapping", "-m", help="Only this mapping."),
    export: Path | None = typer.Option(
        None, "--export", help="Write every quarantined row to this CSV file."
    ),
    limit: int = typer.Option(100, "--limit", "-n", help="Rows to show (all are exported)."),
    flagged: bool = typer.Option(
        False,
        "--flagged",
        help="Values loaded with a warning (control characters, negative amounts) instead.",
    ),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Rows refused by their checks: file, row, field, value and reason (with --flagged:
    values that loaded but look wrong)."""
    from revops.ingest.inspect import quarantined

    ws = ctx.obj.open_workspace(read_only=True)
    try:
        table = quarantined(ws.warehouse, mapping, flagged=flagged)
    finally:
        ws.close()
    what = "flagged value(s)" if flagged else "quarantined field(s)"
    columns = ("file", "row", "mapping", "source_id", "field", "value", "reason")
    if export is not None:
        # A bad value is often what a spreadsheet would run (`=…`): cells are escaped.
        rows = (row for batch in table.to_batches() for row in batch.to_pylist())
        written = write_csv(export, table.column_names, rows)
        error_console().print(f"{written:,} {what} written to {export}.")
        return
    title = "Flagged values" if flagged else "Quarantine"
    render(table.slice(0, limit).to_pylist(), columns, fmt, title=title)
    if table.num_rows > limit:
        error_console().print(f"{table.num_rows - limit:,} more; --export FILE writes them all.")


@mapping_app.command("list")
def mapping_list(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """Every mapping: shipped ones and the workspace's own."""
    from revops.ingest.mapping import all_mappings
    from revops.workspace import Workspace

    root = Workspace.locate(ctx.obj.workspace_path)
    root_or_none = root if (root / "revops.yaml").is_file() else None
    rows = [
        {"source": m.source, "object": m.object, "entity": m.entity, "file": str(m.path)}
        for m in all_mappings(root_or_none)
    ]
    render(rows, ("source", "object", "entity", "file"), fmt, title="Mappings")


@mapping_app.command("new")
def mapping_new(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A source file."),
    source: str = typer.Option(..., "--source", "-s", help="Source system (crm, billing, ...)."),
    entity: str = typer.Option(..., "--entity", "-e", help="Canonical entity it feeds."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write here, not to stdout."),
) -> None:
    """Scaffold a mapping from a file's header, with each guess to check."""
    from revops.errors import RevOpsError
    from revops.ingest.readers import read_file
    from revops.ingest.scaffold import scaffold

    objects = read_file(file)
    if not objects:
        raise RevOpsError(f"{file}: no rows to map")
    first = objects[0]
    fields = [c for c in first.rows.column_names if not c.startswith("__")]
    head = first.rows.slice(0, 500)
    sample = {name: head.column(name).to_pylist() for name in fields}
    text = scaffold(source, first.object, entity, fields, sample)
    if out is None:
        console().print(text, markup=False, highlight=False, end="")
    else:
        out.write_text(text, encoding="utf-8")
        error_console().print(f"Wrote {out}; edit it, then `revops ingest mapping check`.")


@mapping_app.command("check")
def mapping_check(
    ctx: typer.Context,
    mapping_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Mapping YAML."),
    file: Path = typer.Argument(..., exists=True, help="A source file (or folder) it reads."),
    limit: int = typer.Option(20, "--limit", "-n", help="Failures to show."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Run a mapping on a file without loading anything, and show what would fail."""
    from revops.config import RevOpsConfig
    from revops.ingest.inspect import check_mapping
    from revops.workspace import Workspace

    root = Workspace.locate(ctx.obj.workspace_path)
    config = Workspace.open(root).config if (root / "revops.yaml").is_file() else RevOpsConfig()
    results = check_mapping(mapping_file, file, config)
    errors = error_console()
    for result in results:
        mapped = result.mapped
        errors.print(
            f"{mapped.mapping.name}: {mapped.rows_in:,} rows in, {mapped.good.num_rows:,} would "
            f"load, {mapped.quarantined:,} would be quarantined, {mapped.duplicates:,} exact "
            f"duplicates, {mapped.skipped:,} skipped."
        )
        if mapped.missing_fields:
            errors.print(f"[yellow]missing from the file[/]: {', '.join(mapped.missing_fields)}")
        failures = mapped.rejected.slice(0, limit).to_pylist()
        if failures:
            render(failures, ("file", "row", "field", "value", "reason"), fmt, title="Would fail")
