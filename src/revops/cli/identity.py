"""`revops identity`: resolve people and companies, explain pairs, match leads to accounts."""

from __future__ import annotations

from pathlib import Path

import typer

from revops.cli.output import OutputFormat, error_console, render

app = typer.Typer(
    help="Identity resolution: duplicates and the same person or company across systems.",
    no_args_is_help=True,
)

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")


@app.command("run")
def run(
    ctx: typer.Context,
    kind: list[str] = typer.Option(
        ["person", "company"], "--kind", "-k", help="person, company (repeat for both)."
    ),
    threshold: float | None = typer.Option(
        None,
        "--threshold",
        min=0.0,
        max=1.0,
        help="Match probability to cluster at, instead of identity.*_threshold in revops.yaml.",
    ),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Resolve records with Splink and write identity.crosswalk and identity.pair."""
    ws = ctx.obj.open_workspace()
    try:
        thresholds = dict.fromkeys(kind, threshold) if threshold is not None else None
        summaries = ws.identity.run(kind, thresholds=thresholds)
    finally:
        ws.close()
    columns = (
        "kind",
        "records",
        "entities",
        "records_in_duplicate_clusters",
        "scored_pairs",
        "threshold",
        "run_id",
    )
    render([s.as_row() for s in summaries], columns, fmt, title="Identity resolution")


@app.command("explain")
def explain(
    ctx: typer.Context,
    a: str = typer.Argument(..., help="A record: unique id, canonical id or source id."),
    b: str = typer.Argument(..., help="Another record of the same kind."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Why two records are, or are not, one entity: match weight and each comparison."""
    ws = ctx.obj.open_workspace()
    try:
        found = ws.identity.explain(a, b)
    finally:
        ws.close()
    verdict = "one entity" if found.same_entity else "different entities"
    if found.match_probability is None:
        score = "never compared (no blocking rule brings them together, or scored below 0.01)"
    else:
        score = (
            f"match weight {found.match_weight:.2f}, probability {found.match_probability:.4f} "
            f"(threshold {found.threshold})"
        )
    error_console().print(f"{found.left} ~ {found.right}: {verdict}; {score}", highlight=False)
    render(
        found.comparisons,
        ("comparison", "level", "weight", "left", "right"),
        fmt,
        title="Comparisons",
    )


@app.command("leads")
def leads(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", "-n", min=0, help="Rows to show (0: all)."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Match every lead to its best account and write identity.lead_account."""
    ws = ctx.obj.open_workspace()
    try:
        matches = ws.identity.match_leads()
        total = ws.warehouse.table("lead").count().execute()
    finally:
        ws.close()
    rows = matches.to_pylist()
    methods: dict[str, int] = {}
    for row in rows:
        methods[row["method"]] = methods.get(row["method"], 0) + 1
    shown = ", ".join(f"{n} by {m}" for m, n in sorted(methods.items()))
    error_console().print(
        f"{len(rows)} of {total} lead(s) matched to an account ({shown or 'none'})",
        highlight=False,
    )
    columns = ("lead_id", "account_id", "method", "score", "candidates")
    render(rows[:limit] if limit else rows, columns, fmt, title="Leads to accounts")


@app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    company: Path = typer.Argument(
        ..., help="A demo company folder (`revops demo generate --out`), with truth/.", exists=True
    ),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Precision, recall and F1 of the crosswalk against a demo company's truth."""
    ws = ctx.obj.open_workspace()
    try:
        scores = ws.identity.evaluate(company)
    finally:
        ws.close()
    rows = [s.as_row() for s in scores]
    render(rows, tuple(rows[0]), fmt, title="Identity resolution against the truth")
