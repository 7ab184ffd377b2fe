"""`revops demo`: the demo company."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import typer

from revops.cli.output import OutputFormat, error_console, render

app = typer.Typer(help="The demo company: a generated B2B SaaS go-to-market.", no_args_is_help=True)


@app.command("generate")
def generate(
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the exports into."),
    accounts: int = typer.Option(2_000, "--accounts", min=50, help="Companies in the market."),
    years: int = typer.Option(3, "--years", min=1, max=10, help="Fiscal years of history."),
    seed: int = typer.Option(42, "--seed", min=0, help="Same seed (and --as-of), same bytes."),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="The company's today (default: today, UTC)."
    ),
    fmt: OutputFormat = typer.Option(
        OutputFormat.table, "--format", "-f", help="table, json or csv."
    ),
) -> None:
    """Generate the demo company's exports (one folder per tool) and its ground truth."""
    from revops.demo import DemoParams
    from revops.demo.generate import generate_company

    today = as_of.date() if as_of else datetime.now(UTC).date()
    params = DemoParams(accounts=accounts, years=years, seed=seed, as_of=today)
    report = generate_company(params, out)
    rows = [{"file": name, "rows": count} for name, count in sorted(report.files.items())]
    render(rows, ("file", "rows"), fmt, title=f"Demo company in {out}")
    error_console().print(
        f"Generated {accounts:,} accounts over {years} fiscal years to {_date(today)} "
        f"in {report.seconds:.1f} s."
    )


def _date(day: date) -> str:
    return day.isoformat()
