"""`revops pack`: the revenue meeting pack as HTML, PDF or JSON; `revops pack schema`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from revops.cli.output import console

if TYPE_CHECKING:
    from revops.pack import SubmittedCall
    from revops.workspace import Workspace

app = typer.Typer(
    help="The revenue meeting pack (plans/pack.yaml): HTML, PDF or its numbers as JSON.",
    invoke_without_command=True,
)


class PackFormat(StrEnum):
    """What `revops pack` writes."""

    html = "html"
    pdf = "pdf"
    json = "json"


@app.callback()
def pack(
    ctx: typer.Context,
    period: str | None = typer.Option(
        None, "--period", help="FY2027-Q1, FY2027-M03 or FY2027 (default: this quarter)."
    ),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="Last day of data (default: today)."
    ),
    template: str = typer.Option("quarterly", "--template", help="weekly, quarterly or yours."),
    fmt: PackFormat = typer.Option(PackFormat.html, "--format", "-f", help="html, pdf or json."),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="File to write (default: pack-PERIOD-TEMPLATE.html|pdf; json to standard output).",
    ),
) -> None:
    """Build the pack of a template for a period and write it."""
    if ctx.invoked_subcommand is not None:
        return
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        day = as_of.date() if as_of else datetime.now(UTC).date()
        calls = _calls(ctx, ws, period, day)
        document = ws.pack.build(period, as_of=day, template=template, calls=calls)
        if fmt is PackFormat.json:
            text = json.dumps(document.model_dump(mode="json"), indent=2) + "\n"
            if out is None:
                sys.stdout.write(text)
                return
            out.write_text(text, encoding="utf-8")
        elif fmt is PackFormat.pdf:
            out = out or Path(f"pack-{document.period}-{template}.pdf")
            out.write_bytes(ws.pack.pdf(document))
        else:
            out = out or Path(f"pack-{document.period}-{template}.html")
            out.write_text(ws.pack.html(document), encoding="utf-8")
    finally:
        ws.close()
    console().print(f"wrote {out} ({document.title}, {document.period}, as of {document.as_of})")


@app.command("schema")
def schema() -> None:
    """Print the JSON schema of `plans/pack.yaml`."""
    from revops.pack import PackFile

    print(json.dumps(PackFile.model_json_schema(), indent=2))


def _calls(ctx: typer.Context, ws: Workspace, period: str | None, day: date) -> list[SubmittedCall]:
    """The people's calls of the period by `day`, from the cockpit's app database (as the
    cockpit's pack has them)."""
    from revops.app.calls import pack_calls
    from revops.app.org import load_org

    db = ctx.obj.open_app_database()
    try:
        return pack_calls(db, load_org(ws.metrics), ws.metrics.window(period, day).label, day)
    finally:
        db.close()
