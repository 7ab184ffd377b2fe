"""`revops demo`: the demo company."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from revops.cli.output import OutputFormat, error_console, render

if TYPE_CHECKING:
    from revops.demo import DemoParams, Regime
    from revops.identity import RunSummary
    from revops.workspace import Workspace

app = typer.Typer(
    help="The demo company: a generated B2B SaaS go-to-market, ingested into a workspace.",
    invoke_without_command=True,
)

DEMO_WORKSPACE = Path("demo-workspace")
DATA_FOLDER = "demo-data"
SYSTEMS = ("salesforce", "hubspot", "stripe", "zendesk", "product", "web", "finance", "stack",
           "enablement", "partners", "planning", "revops")  # fmt: skip

ACCOUNTS = typer.Option(2_000, "--accounts", min=50, help="Companies in the market.")
YEARS = typer.Option(3, "--years", min=1, max=10, help="Fiscal years of history.")
SEED = typer.Option(42, "--seed", min=0, help="Same seed (and --as-of), same company.")
AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d"], help="The company's today (default: today, UTC)."
)
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
SLOWDOWN = typer.Option(
    None,
    "--slowdown",
    metavar="DATE:FACTOR",
    help="A market slowdown: deals closing from DATE are won with their chance × FACTOR "
    "(e.g. 2025-07-01:0.8).",
)
RECOVERY = typer.Option(
    None,
    "--recovery",
    formats=["%Y-%m-%d"],
    help="The day the market recovers from --slowdown (win chances as before).",
)
ONE_OFF = typer.Option(
    0.0,
    "--one-off-buyers",
    min=0.0,
    max=1.0,
    help="Share of the companies that never subscribe that order now and then, invoiced "
    "without a subscription (for the CLV of buyers without a contract); default none.",
)


def _params(
    accounts: int,
    years: int,
    seed: int,
    as_of: datetime | None,
    slowdown: str | None = None,
    recovery: datetime | None = None,
    one_off_buyers: float = 0.0,
) -> DemoParams:
    from pydantic import ValidationError

    from revops.demo import DemoParams, Regime

    today = as_of.date() if as_of else datetime.now(UTC).date()
    regimes: list[Regime] = []
    if recovery is not None and slowdown is None:
        raise typer.BadParameter("--recovery needs a --slowdown to recover from")
    try:
        if slowdown is not None:
            regimes.append(_slowdown(slowdown))
        if recovery is not None:
            regimes.append(Regime(start=recovery.date(), win_rate=1.0))
        return DemoParams(
            accounts=accounts, years=years, seed=seed, as_of=today, regimes=regimes,
            one_off_buyers=one_off_buyers,
        )  # fmt: skip
    except ValidationError as exc:
        raise typer.BadParameter(
            "; ".join(str(e["msg"]) for e in exc.errors()), param_hint="--slowdown/--recovery"
        ) from None


def _slowdown(text: str) -> Regime:
    """`DATE:FACTOR` as a regime."""
    from revops.demo import Regime

    day, _, factor = text.partition(":")
    try:
        return Regime(start=date.fromisoformat(day), win_rate=float(factor))
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not DATE:FACTOR (e.g. 2025-07-01:0.8, a factor above 0 and at most 2)",
            param_hint="--slowdown",
        ) from None


@app.callback()
def demo(
    ctx: typer.Context,
    accounts: int = ACCOUNTS,
    years: int = YEARS,
    seed: int = SEED,
    as_of: datetime | None = AS_OF,
    slowdown: str | None = SLOWDOWN,
    recovery: datetime | None = RECOVERY,
    one_off_buyers: float = ONE_OFF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Generate the demo company, ingest every system into a workspace, show what is there.

    The workspace is --workspace (default ./demo-workspace), created when missing; the
    exports go to its demo-data/ folder. Running it again re-ingests: nothing changes.
    """
    if ctx.invoked_subcommand is not None:
        return
    from revops.cli.ingest import print_report
    from revops.demo.generate import generate_company
    from revops.ingest.runner import ingest
    from revops.workspace import Workspace

    root = Workspace.locate(ctx.obj.workspace_path or DEMO_WORKSPACE)
    params = _params(accounts, years, seed, as_of, slowdown, recovery, one_off_buyers)
    if (root / "revops.yaml").is_file():
        ws = Workspace.open(root)
    else:
        # The company's fiscal calendar, so its quotas and plans fall on fiscal quarters.
        ws = Workspace.create(root, fiscal_year_start_month=params.fiscal_year_start_month)
    from revops.comp.plan import write_example_plans

    # Example comp plans, so `revops comp run` works on the demo (kept if edited).
    write_example_plans(root)
    errors = error_console()
    data = root / DATA_FOLDER
    generated = generate_company(params, data)
    errors.print(f"Generated the demo company ({accounts:,} accounts) in {data} "
                 f"in {generated.seconds:.1f} s.")  # fmt: skip
    try:
        # Ingest ends with a quality run as of the company's today, so `revops quality
        # report` has one (and its trend a point per re-ingest).
        report = ingest(ws, [str(data / system) for system in SYSTEMS], as_of=params.as_of)
        print_report(report, fmt)
        if not report.failed:
            # The crosswalk the duplicate rate KPI and the cockpit read.
            errors.print(_identity_line(ws.identity.run(), data))
            _write_plan(ws, params.as_of)
        tables = [
            {"namespace": t.namespace, "table": t.name, "rows": t.rows}
            for t in ws.warehouse.status()
            if t.rows
        ]
        signins = [] if report.failed else _demo_users(ws)
    finally:
        ws.close()
    render(
        tables, ("namespace", "table", "rows"), fmt, title=f"Warehouse {ws.warehouse_url_display}"
    )
    if report.failed:
        raise typer.Exit(1)
    if signins:
        title = "Cockpit sign-ins (passwords shown once; `revops serve` starts it)"
        render(signins, ("email", "role", "password", "sees"), fmt, title=title)


def _write_plan(ws: Workspace, today: date) -> None:
    """The example activation plan (kept if edited), owned by the heads of the company's
    CRM (its users without a manager, then the managers)."""
    from revops.plan.example import write_example_plan

    users = ws.metrics.crm_users()
    managers = {manager for _, _, _, manager in users if manager}
    heads = [email for uid, _, email, manager in users if email and not manager]
    leads = [email for uid, _, email, _ in users if email and uid in managers]
    write_example_plan(ws.root, today, list(dict.fromkeys([*heads, *leads])))


def _identity_line(summaries: list[RunSummary], data: Path) -> str:
    parts = [
        f"{s.records:,} {s.kind} records → {s.clusters:,} entities "
        f"({s.duplicate_records:,} records in duplicate clusters)"
        for s in summaries
    ]
    return f"Identity: {'; '.join(parts)} (`revops identity evaluate {data}` scores it)."


def _demo_users(ws: Workspace) -> list[dict[str, str]]:
    from revops.app.demo import create_demo_users

    return [
        {"email": s.email, "role": s.role, "password": s.password, "sees": s.sees}
        for s in create_demo_users(ws)
    ]


@app.command("generate")
def generate(
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the exports into."),
    accounts: int = ACCOUNTS,
    years: int = YEARS,
    seed: int = SEED,
    as_of: datetime | None = AS_OF,
    slowdown: str | None = SLOWDOWN,
    recovery: datetime | None = RECOVERY,
    one_off_buyers: float = ONE_OFF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Generate the demo company's exports (one folder per tool) and its ground truth."""
    from revops.demo.generate import generate_company

    params = _params(accounts, years, seed, as_of, slowdown, recovery, one_off_buyers)
    report = generate_company(params, out)
    rows = [{"file": name, "rows": count} for name, count in sorted(report.files.items())]
    render(rows, ("file", "rows"), fmt, title=f"Demo company in {out}")
    error_console().print(
        f"Generated {accounts:,} accounts over {years} fiscal years to {_date(params.as_of)} "
        f"in {report.seconds:.1f} s."
    )


def _date(day: date) -> str:
    return day.isoformat()
