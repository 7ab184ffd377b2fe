"""`revops identity`: resolve people and companies, explain pairs, match leads to accounts."""

from __future__ import annotations

from pathlib import Path

import typer

from revops.cli.output import OutputFormat, console, error_console, render, render_document

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
    """Resolve records with Splink and write identity.crosswalk and identity.pair; the
    review decisions made in the cockpit are stored in identity.review first."""
    moved = _move_cockpit_decisions(ctx)
    ws = ctx.obj.open_workspace()
    try:
        thresholds = dict.fromkeys(kind, threshold) if threshold is not None else None
        summaries = ws.identity.run(kind, thresholds=thresholds)
        trainings = dict(ws.identity.trainings)
    finally:
        ws.close()
    console = error_console()
    if moved:
        console.print(
            f"{moved} decision(s) made in the cockpit stored in identity.review", highlight=False
        )
    for name, training in trainings.items():
        console.print(
            f"{name}: prior {training.prior:.3g} from {training.prior_method}", highlight=False
        )
        for step in training.steps:
            if step.status == "ok" and step.message:
                console.print(f"{name}: {step.step}: {step.message}", highlight=False)
            elif step.status != "ok":
                console.print(
                    f"[yellow]{name}: training step {step.step!r} {step.status}[/]: "
                    f"{step.message} (the model is as before that step)",
                    highlight=False,
                )
        for rule, (keys, records) in training.split_blocks.items():
            console.print(
                f"{name}: blocking on {rule} split {keys} key(s) shared by more than "
                f"identity.max_block_size records ({records} records) into chunks of "
                f"neighbours",
                highlight=False,
            )
        for rule, (keys, records) in training.skipped_blocks.items():
            console.print(
                f"{name}: the prior's rule {rule} skipped {keys} key(s) shared by more than "
                f"identity.max_block_size records ({records} records)",
                highlight=False,
            )
        console.print(
            f"{name}: {training.candidate_pairs:,} candidate pairs from the blocking rules",
            highlight=False,
        )
        if fmt is OutputFormat.table:
            render(
                list(training.parameters),
                ("comparison", "level", "m", "u", "weight"),
                fmt,
                title=f"{name}: m and u estimates",
            )
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
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.identity.explain(a, b)
    finally:
        ws.close()
    verdict = "one entity" if found.same_entity else "different entities"
    if found.match_probability is None:
        score = (
            "never compared (no blocking rule brings them together), or scored below 0.01 "
            "or below either record's identity.max_pairs_per_record best pairs"
        )
    else:
        score = (
            f"match weight {found.match_weight:.2f}, probability {found.match_probability:.4f} "
            f"(threshold {found.threshold})"
        )
    columns = ("comparison", "level", "weight", "tf_adjustment", "left", "right")
    if fmt is OutputFormat.json:
        document = {
            "left": found.left,
            "right": found.right,
            "verdict": verdict,
            "same_entity": found.same_entity,
            "match_weight": found.match_weight,
            "match_probability": found.match_probability,
            "threshold": found.threshold,
            "comparisons": [{c: row.get(c) for c in columns} for row in found.comparisons],
        }
        render_document(document, fmt)
        return
    out = console()
    out.print(f"{found.left} ~ {found.right}: {verdict}; {score}", highlight=False)
    render(found.comparisons, columns, fmt, title="Comparisons")
    if fmt is OutputFormat.table:
        for row in found.comparisons:
            adjustment = row.get("tf_adjustment") or 0.0
            if adjustment:
                common = "common" if adjustment < 0 else "rare"
                out.print(
                    f"{row['comparison']} {row['left']!r} is {common}: its term frequency "
                    f"adds {adjustment:+.2f} to the weight of an average {row['level']!r} "
                    f"match ({row['weight'] - adjustment:+.2f})",
                    highlight=False,
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
    truth: Path = typer.Argument(
        ...,
        help=(
            "A demo company folder (`revops demo generate --out`, with truth/), or a CSV "
            "of true pairs (id_l,id_r) or clusters (id,cluster_id) by record id or source id."
        ),
        exists=True,
    ),
    kind: str = typer.Option("person", "--kind", "-k", help="Kind a truth file covers."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Precision, recall and F1 of the crosswalk against the truth."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        scores = ws.identity.evaluate(truth, kind=kind)
    finally:
        ws.close()
    rows = [s.as_row() for s in scores]
    render(rows, tuple(rows[0]), fmt, title="Identity resolution against the truth")


PLAN_FILE = Path("plans") / "identity-merges.json"


@app.command("plan")
def plan(
    ctx: typer.Context,
    entity: list[str] = typer.Option(
        ["account", "contact", "lead"], "--entity", "-e", help="account, contact, lead."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help=f"Plan file (default: {PLAN_FILE} in the workspace)."
    ),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Propose merges of duplicate records, with survivors and field winners, for review."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        proposed = ws.identity.plan(entity)
        target = out or ws.root / PLAN_FILE
    finally:
        ws.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(proposed.to_json() + "\n", encoding="utf-8")
    error_console().print(
        f"{len(proposed.proposals)} merge(s) proposed, written to {target}; "
        "review it, then `revops identity apply`",
        highlight=False,
    )
    columns = ("merge_id", "entity", "survivor_id", "merged_ids", "field_winners")
    render([p.as_row() for p in proposed.proposals], columns, fmt, title="Proposed merges")


@app.command("apply")
def apply(
    ctx: typer.Context,
    plan_file: Path | None = typer.Argument(
        None, help=f"The plan to execute (default: {PLAN_FILE} in the workspace)."
    ),
) -> None:
    """Execute a merge plan in one transaction; every merge is logged and can be undone."""
    from revops.errors import IdentityError
    from revops.identity.merge import MergePlan

    ws = ctx.obj.open_workspace()
    try:
        path = plan_file or ws.root / PLAN_FILE
        if not path.is_file():
            raise IdentityError(f"no merge plan at {path}; run `revops identity plan` first")
        merges = ws.identity.apply(MergePlan.from_json(path.read_text("utf-8"), str(path)))
    finally:
        ws.close()
    error_console().print(
        f"{len(merges)} merge(s) applied; `revops identity undo MERGE_ID` reverses one",
        highlight=False,
    )


@app.command("undo")
def undo(
    ctx: typer.Context,
    merge_id: str = typer.Argument(
        ..., help="The merge to reverse (see `revops identity merges`)."
    ),
) -> None:
    """Reverse a merge exactly: every row it changed gets back its before-image."""
    ws = ctx.obj.open_workspace()
    try:
        undone = ws.identity.undo(merge_id)
    finally:
        ws.close()
    error_console().print(
        f"merge {merge_id} undone: {undone['survivor_id']} and "
        f"{', '.join(json_list(undone['merged_ids']))} are separate again",
        highlight=False,
    )


def json_list(text: str) -> list[str]:
    import json

    return [str(v) for v in json.loads(text)]


@app.command("merges")
def merges(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """The merge log: every merge applied, and whether it was undone."""
    ws = ctx.obj.open_workspace()
    try:
        rows = ws.identity.merges()
    finally:
        ws.close()
    columns = (
        "merge_id",
        "entity",
        "survivor_id",
        "merged_ids",
        "status",
        "applied_at",
        "undone_at",
    )
    render(rows, columns, fmt, title="Merges")


@app.command("check")
def check(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """Rows that still point at a record a merge removed, per referencing column; exits 1
    when there is any."""
    ws = ctx.obj.open_workspace()
    try:
        found = ws.identity.check()
    finally:
        ws.close()
    dangling = [d.as_row() for d in found if d.rows]
    total = sum(d.rows for d in found)
    render(dangling, ("table", "column", "points_at", "rows"), fmt, title="Dangling references")
    error_console().print(
        f"{total:,} row(s) point at merged-away records, in {len(found)} referencing columns",
        highlight=False,
    )
    if total:
        raise typer.Exit(1)


def _move_cockpit_decisions(ctx: typer.Context) -> int:
    """Store the review decisions waiting in the app database in identity.review."""
    from revops.app.review import move_decisions, pending

    db = ctx.obj.open_app_database()
    try:
        if not pending(db):
            return 0
        ws = ctx.obj.open_workspace()
        try:
            return move_decisions(db, ws.identity)
        finally:
            ws.close()
    finally:
        db.close()


review_app = typer.Typer(
    help="The review queue: pairs the model is unsure of, to accept or reject.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")


@review_app.command("list")
def review_list(
    ctx: typer.Context,
    kind: str = typer.Option("person", "--kind", "-k", help="person or company."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="Pairs to show."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Undecided pairs scored within identity.review_band, nearest the threshold first."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = ws.identity.review(kind, limit)
    finally:
        ws.close()
    error_console().print(
        f"{len(rows)} pair(s) to review; `revops identity review accept|reject A B`",
        highlight=False,
    )
    columns = (
        "left_name",
        "right_name",
        "match_probability",
        "is_match",
        "agrees_on",
        "left",
        "right",
    )
    render(rows, columns, fmt, title=f"{kind.capitalize()} pairs to review")


def _decide(ctx: typer.Context, a: str, b: str, decision: str) -> None:
    ws = ctx.obj.open_workspace()
    try:
        done = ws.identity.decide(a, b, decision)
    finally:
        ws.close()
    verb = "accepted: one" if decision == "accept" else "rejected: two"
    error_console().print(
        f"{done['left']} ~ {done['right']} {verb} {done['kind']}(s) from the next "
        "`revops identity run` on",
        highlight=False,
    )


@review_app.command("accept")
def review_accept(
    ctx: typer.Context,
    a: str = typer.Argument(..., help="A record: unique id, canonical id or source id."),
    b: str = typer.Argument(..., help="The other record of the pair."),
) -> None:
    """Accept a pair: the two records are one entity, whatever the model scores."""
    _decide(ctx, a, b, "accept")


@review_app.command("reject")
def review_reject(
    ctx: typer.Context,
    a: str = typer.Argument(..., help="A record: unique id, canonical id or source id."),
    b: str = typer.Argument(..., help="The other record of the pair."),
) -> None:
    """Reject a pair: the two records never link directly."""
    _decide(ctx, a, b, "reject")
