"""`revops automate`: workflows as code (validate, plan, apply, undo, runs), tasks, and
deliveries of metrics to users; `revops scheduler`: run the configured jobs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import typer

from revops.cli.output import OutputFormat, console, render

if TYPE_CHECKING:
    from revops.config import SchedulerJob
    from revops.workspace import Workspace

app = typer.Typer(
    help="Automation: workflows planned before they are applied, undo, tasks, deliveries.",
    no_args_is_help=True,
)
scheduler = typer.Typer(help="The scheduler: run ingest, quality, identity, automations "
                        "and deliveries on their schedules.", no_args_is_help=True)  # fmt: skip
FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
AT = typer.Option(
    None, "--at", formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], help="The instant (default: now)."
)
ONLY = typer.Option([], "--workflow", "-w", help="Only these workflows (repeatable).")
STEPS = ("workflow", "record_id", "record", "action", "target", "detail", "reversible")
RUNS = ("run_id", "workflow", "trigger", "started_at", "records", "actions", "failed", "status",
        "undone_at")  # fmt: skip
ACTIONS = ("record_id", "record_name", "action", "target", "detail", "status", "attempts", "error")


def _instant(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@app.command("validate")
def validate(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """Check every automations/*.yaml and deliveries/*.yaml; list the workflows."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = [{"name": wf.name, "file": p.name, "enabled": wf.enabled,
                 "actions": ", ".join(a.kind for a in wf.actions)}
                for p, wf in ws.automate.workflows()]  # fmt: skip
        subs = ws.automate.subscriptions()
    finally:
        ws.close()
    render(rows, ("name", "file", "enabled", "actions"), fmt,
           title=f"{len(rows)} workflow(s), {len(subs)} subscription(s): valid")  # fmt: skip


@app.command("schema")
def schema(
    what: str = typer.Argument("workflow", help="workflow or deliveries."),
) -> None:
    """Print the JSON schema of a workflow file or a deliveries file."""
    from pydantic import BaseModel

    from revops.automate.workflow import DeliveryFile, Workflow

    models: dict[str, type[BaseModel]] = {"workflow": Workflow, "deliveries": DeliveryFile}
    model = models.get(what)
    if model is None:
        raise typer.BadParameter("workflow or deliveries")
    print(json.dumps(model.model_json_schema(), indent=2))


@app.command("list")
def list_(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """The workflows with their trigger, actions and last run."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = ws.automate.workflow_rows()
    finally:
        ws.close()
    columns = ("name", "enabled", "trigger", "when", "actions", "last_run_id", "last_status")
    render(rows, columns, fmt, title="Workflows")


@app.command("plan")
def plan(
    ctx: typer.Context, at: datetime | None = AT, only: list[str] = ONLY,
    fmt: OutputFormat = FORMAT,
) -> None:  # fmt: skip
    """For every enabled workflow, the records it would act on now and the actions
    (nothing is written or sent; `revops automate apply` does)."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        plans = ws.automate.plan(at=_instant(at), names=only)
    finally:
        ws.close()
    steps = [s for p in plans for s in p.steps]
    baseline = "first apply records the baseline"
    notes = [
        f"{p.workflow.name}: {baseline if p.fired.baseline else p.fired.detail}" for p in plans
    ]
    if fmt is OutputFormat.table:
        for note in notes:
            console().print(note, highlight=False)
    render(steps, STEPS, fmt, title=f"Plan: {len(steps)} action(s) of {len(plans)} workflow(s)")


@app.command("apply")
def apply(
    ctx: typer.Context, at: datetime | None = AT, only: list[str] = ONLY,
    fmt: OutputFormat = FORMAT,
) -> None:  # fmt: skip
    """Run every enabled workflow: act, log the run and the before-image of each change."""
    ws = ctx.obj.open_workspace()
    try:
        results = ws.automate.apply(at=_instant(at), names=only)
    finally:
        ws.close()
    runs = [r.run for r in results]
    render(
        runs, RUNS[:-1], fmt, title=f"{len(runs)} run(s) (`revops automate undo RUN` reverses one)"
    )
    failed = [a for r in results for a in r.actions if a["status"] == "failed"]
    if failed and fmt is OutputFormat.table:
        render(failed, ("workflow", *ACTIONS), fmt, title=f"{len(failed)} failed action(s)")


@app.command("runs")
def runs(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=1000, help="How many."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Runs of workflows and deliveries, newest first."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = ws.automate.runs(limit=limit)
    finally:
        ws.close()
    render(rows, RUNS, fmt, title="Automation runs")


@app.command("show")
def show(
    ctx: typer.Context,
    run_id: str = typer.Argument(..., help="The run."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """One run's actions, and the before- and after-images of its changes."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        result = ws.automate.run(run_id)
        changes = ws.automate.changes(run_id)
    finally:
        ws.close()
    render(result.actions, ACTIONS, fmt, title=f"Run {run_id} of {result.run['workflow']}")
    if fmt is OutputFormat.table:
        render(changes, ("table_name", "record_id", "record_name", "field", "before", "after"), fmt,
               title="Changes (before → after)")  # fmt: skip


@app.command("undo")
def undo(ctx: typer.Context, run_id: str = typer.Argument(..., help="The run to reverse.")) -> None:
    """Reverse every revops-side change of a run; list the messages it sent, which cannot
    be taken back."""
    ws = ctx.obj.open_workspace()
    try:
        result = ws.automate.undo(run_id)
    finally:
        ws.close()
    out = console()
    out.print(f"Run {run_id}: {len(result.restored)} change(s) restored.", highlight=False)
    render(result.restored, ("table_name", "record_id", "record_name", "field", "before", "after"),
           OutputFormat.table, title="Restored (back to `before`)")  # fmt: skip
    if result.not_reversible:
        render(result.not_reversible, ("action", "target", "record_name", "detail"),
               OutputFormat.table, title="Not reversible (already sent)")  # fmt: skip


@app.command("tasks")
def tasks(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """Tasks workflows created, newest first."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = ws.automate.tasks()
    finally:
        ws.close()
    columns = ("user_name", "user_id", "title", "record_name", "record_id", "due_date", "workflow")
    render(rows, columns, fmt, title="Tasks")


@app.command("subscriptions")
def subscriptions(
    ctx: typer.Context,
    user: str | None = typer.Option(None, "--user", help="Only this user's (e-mail)."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Subscriptions of deliveries/*.yaml."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        subs = ws.automate.subscriptions(user)
    finally:
        ws.close()
    rows = [{**s.model_dump(), "kind": s.kind, "metrics": ", ".join(s.metrics)} for s in subs]
    columns = ("name", "user", "kind", "metrics", "pack", "window", "cron", "below", "above",
               "channel")  # fmt: skip
    render(rows, columns, fmt, title="Subscriptions")


@app.command("deliver")
def deliver(
    ctx: typer.Context,
    at: datetime | None = AT,
    only: list[str] = typer.Option([], "--subscription", "-s", help="Only these (repeatable)."),
    now: bool = typer.Option(False, "--now", help="Send the chosen ones now, due or not."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Send the subscriptions that are due, each with the numbers of its user's rows."""
    ws = ctx.obj.open_workspace()
    try:
        results = _deliver(ctx, ws, _instant(at), only, now)
    finally:
        ws.close()
    render([r.run for r in results], RUNS[:-1], fmt, title="Deliveries")


def _deliver(
    ctx: typer.Context, ws: Workspace, at: datetime | None, only: list[str], now: bool
) -> list[Any]:
    from revops.app.delivery import pack_maker, scope_resolver

    db = ctx.obj.open_app_database()
    try:
        return ws.automate.deliver(
            scope_resolver(db, ws.metrics), at=at, names=only, force=now,
            pack_of=pack_maker(ws, db),
        )  # fmt: skip
    finally:
        db.close()


def _work(ctx: typer.Context, ws: Workspace) -> Any:
    """What each kind of scheduler job runs, on the workspace `ws` (open for writing)."""

    def run(job: SchedulerJob) -> Any:
        if job.kind == "ingest":
            from revops.ingest.runner import ingest

            return ingest(ws, [str(ws.root / (job.folder or "exports"))], source=job.source)
        if job.kind == "sync":
            from revops.ingest.connect import sync_source
            from revops.ingest.connect.connection import load_connections

            sources = [job.source] if job.source else sorted(load_connections(ws.root))
            return [sync_source(ws, source) for source in sources]
        if job.kind == "quality":
            ws.init_warehouse()
            return ws.quality.run(None)
        if job.kind == "identity":
            return ws.identity.run(("person", "company"))
        if job.kind == "automations":
            return ws.automate.apply()
        if job.kind == "sequences":
            return ws.automate.sequences.advance()
        return _deliver(ctx, ws, None, [], False)

    return run


@app.command("sequences")
def sequences(ctx: typer.Context, fmt: OutputFormat = FORMAT) -> None:
    """Follow-up sequences with their KPIs: enrolled, active, completed, replied,
    meetings, status changes, opted out, e-mails sent."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = ws.automate.sequences.kpis()
    finally:
        ws.close()
    columns = ("sequence", "enrolled", "active", "completed", "replied", "meetings",
               "status_changes", "opted_out", "emails_sent")  # fmt: skip
    render(rows, columns, fmt, title="Sequences")


@app.command("enroll")
def enroll(
    ctx: typer.Context,
    sequence: str = typer.Argument(..., help="The sequence (sequences/NAME.yaml)."),
    leads: list[str] = typer.Argument(..., help="Lead or contact ids."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Enrol leads or contacts in a sequence by hand (skipping those in it already or
    unsubscribed)."""
    ws = ctx.obj.open_workspace()
    try:
        rows = ws.automate.sequences.enrol(sequence, leads)
    finally:
        ws.close()
    render(rows, ("enrollment_id", "entity", "lead_id", "lead_name", "email", "sequence"), fmt,
           title=f"{len(rows)} person(s) enrolled")  # fmt: skip


@app.command("advance")
def advance(ctx: typer.Context, at: datetime | None = AT, fmt: OutputFormat = FORMAT) -> None:
    """Stop enrolments whose person replied, met, changed status or unsubscribed; run every
    step that is due."""
    ws = ctx.obj.open_workspace()
    try:
        events = ws.automate.sequences.advance(at=_instant(at))
    finally:
        ws.close()
    render(events, ("sequence", "lead_id", "step", "kind", "status", "detail", "due_at"), fmt,
           title=f"{len(events)} sequence event(s)")  # fmt: skip


@app.command("unsubscribe")
def unsubscribe(ctx: typer.Context, email: str = typer.Argument(..., help="The address.")) -> None:
    """Send no more sequence e-mails to an address (its enrolments stop)."""
    ws = ctx.obj.open_workspace()
    try:
        ws.automate.sequences.unsubscribe(email)
    finally:
        ws.close()
    console().print(f"{email} unsubscribed from every sequence.", highlight=False)


@scheduler.command("run")
def scheduler_run(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Run the due jobs once, then stop."),
    job: list[str] = typer.Option([], "--job", help="Only these jobs (repeatable)."),
    poll: float = typer.Option(30, "--poll", min=1, help="Seconds between checks."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Run the jobs of `automate.jobs` in revops.yaml on their schedules (long-running; a
    job another scheduler holds the lock of is skipped)."""
    from revops.automate.scheduler import Scheduler

    ws = ctx.obj.open_workspace()
    try:
        jobs = tuple(j for j in ws.config.automate.jobs if not job or j.name in job)
        if not jobs:
            raise typer.BadParameter("no job: add `automate: jobs:` to revops.yaml")
        runner = Scheduler(ws.root, jobs, _work(ctx, ws), lambda: ws.warehouse)
        if once:
            outcomes = runner.run_due()
            rows = [vars(o) for o in outcomes]
            render(rows, ("job", "status", "seconds", "error"), fmt, title="Scheduler: one pass")
            return
        console().print(f"Scheduler: {len(jobs)} job(s); Ctrl-C stops.", highlight=False)
        try:
            runner.loop(poll_seconds=poll)
        except KeyboardInterrupt:
            return
    finally:
        ws.close()


@scheduler.command("history")
def scheduler_history(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=1000, help="How many."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The scheduler's runs, newest first, with durations and errors."""
    from revops.automate.scheduler import history

    ws = ctx.obj.open_workspace(read_only=True)
    try:
        rows = history(ws.warehouse, limit)
    finally:
        ws.close()
    render(rows, ("job", "kind", "started_at", "seconds", "status", "error", "host"), fmt,
           title="Scheduler runs")  # fmt: skip
