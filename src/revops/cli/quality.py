"""`revops quality`: data-quality rules, runs, the report by owner, and one record's check."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import typer

from revops.cli.output import OutputFormat, console, error_console, render, render_document

app = typer.Typer(help="Data quality: rules, scores, the report by owner.", no_args_is_help=True)

FORMAT = typer.Option(OutputFormat.table, "--format", "-f", help="table, json or csv.")
AS_OF = typer.Option(
    None, "--as-of", formats=["%Y-%m-%d"], help="Day to evaluate as of (default: today)."
)
ENTITY = typer.Option(None, "--entity", "-e", help="Only this entity (account, contact...).")
RULE_COLUMNS = ("name", "entity", "kind", "severity", "team", "scope", "check", "description")


class Section(StrEnum):
    """Parts of the report."""

    entities = "entities"
    severities = "severities"
    offenders = "offenders"
    rules = "rules"
    owners = "owners"
    teams = "teams"
    trend = "trend"


_SECTION_COLUMNS: dict[Section, tuple[str, ...]] = {
    Section.entities: ("entity_name", "records", "passing", "failing", "score"),
    Section.severities: ("severity", "rules", "failures"),
    Section.offenders: (
        "owner_name",
        "owner_id",
        "entity_name",
        "rule_name",
        "severity",
        "failures",
        "fix",
    ),
    Section.rules: (
        "rule_name",
        "entity_name",
        "kind",
        "severity",
        "team",
        "failures",
        "records",
        "share",
        "fix",
    ),
    Section.owners: ("owner_name", "owner_id", "team_name", "records", "failing", "score"),
    Section.teams: ("team_name", "team_id", "records", "failing", "score"),
    Section.trend: (
        "run_at",
        "as_of_date",
        "trigger",
        "sources",
        "loads",
        "load_id",
        "records",
        "passing",
        "score",
    ),
}
_SECTION_TITLES = {
    Section.entities: "Score by entity (share of records passing every rule)",
    Section.severities: "Failing record checks by severity",
    Section.offenders: "Worst offenders by owner: what to fix first",
    Section.rules: "Rules failing most",
    Section.owners: "Score by owner",
    Section.teams: "Score by team",
    Section.trend: "Trend over loads (a run per ingest, and each `revops quality run`)",
}


@app.command("rules")
def rules(
    ctx: typer.Context,
    entity: str | None = ENTITY,
    schema: bool = typer.Option(False, "--schema", help="Print the JSON schema of rules files."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The rules: built-in ones and the workspace's rules/*.yaml, with kind and owner team."""
    if schema:
        from revops.quality.rules import RuleFile

        sys.stdout.write(json.dumps(RuleFile.model_json_schema(), indent=2) + "\n")
        return
    ws = ctx.obj.open_workspace(read_only=True)
    listed = [r for r in ws.quality.rules if entity is None or r.entity == entity]
    rows = [
        {
            **r.model_dump(include={"name", "entity", "kind", "severity", "team"}),
            "scope": _scope(r.stage_after, r.stage_category, r.when),
            "check": r.check.type,
            "description": r.description,
            "fix": r.fix,
        }
        for r in listed
    ]
    columns = (*RULE_COLUMNS, "fix") if fmt is not OutputFormat.table else RULE_COLUMNS
    render(rows, columns, fmt, title=f"{len(rows)} data-quality rules")


def _scope(stage_after: str | None, categories: tuple[str, ...] | None, when: str | None) -> str:
    parts = [f"stage after {stage_after}"] if stage_after else []
    parts += [f"{' or '.join(categories)} stages"] if categories else []
    return "; ".join([*parts, *([when] if when else [])]) or "all records"


@app.command("run")
def run(
    ctx: typer.Context,
    entity: list[str] = typer.Option([], "--entity", "-e", help="Only these entities."),
    as_of: datetime | None = AS_OF,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Evaluate every rule in the warehouse and store the scores as a run (for the trend)."""
    ws = ctx.obj.open_workspace()
    try:
        ws.init_warehouse()
        result = ws.quality.run(as_of.date() if as_of else None, entities=entity or None)
    finally:
        ws.close()
    rows = [
        {
            "entity": name,
            "records": records,
            "passing": passing,
            "score": round(passing / records, 4) if records else None,
        }
        for name, (records, passing) in result.by_entity().items()
    ]
    render(rows, ("entity", "records", "passing", "score"), fmt,
           title=f"Quality run {result.run_id} as of {result.as_of}")  # fmt: skip
    error_console().print(
        f"Evaluated {len(ws.quality.rules)} rules on {sum(r['records'] for r in rows):,} "
        f"records in {result.seconds:.1f} s; stored as run {result.run_id}."
    )


@app.command("report")
def report(
    ctx: typer.Context,
    entity: str | None = ENTITY,
    owner: str | None = typer.Option(None, "--owner", help="Only this owner (user_id or name)."),
    section: Section | None = typer.Option(
        None, "--section", help="One part only (csv prints offenders unless told)."
    ),
    limit: int = typer.Option(20, "--limit", min=1, help="Most rows per list."),
    html: Path | None = typer.Option(None, "--html", help="Also write the report as HTML here."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Scores of the latest run, worst rules and offenders by owner with what to fix."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        result = ws.quality.report(entity=entity, owner=owner, limit=limit)
    finally:
        ws.close()
    if html is not None:
        from revops.quality.html import render_html

        html.write_text(render_html(result), encoding="utf-8")
        error_console().print(f"Wrote the HTML report to {html}")
    document = result.document()
    if fmt is OutputFormat.json and section is None:
        render_document(document, fmt)
        return
    chosen = (
        [section]
        if section
        else ([Section.offenders] if fmt is OutputFormat.csv else list(Section))
    )
    if fmt is OutputFormat.table:
        console().print(f"Run {result.run_id} at {result.run_at}, as of {result.as_of}")
    for part in chosen:
        render(document[part.value], _SECTION_COLUMNS[part], fmt, title=_SECTION_TITLES[part])


@app.command("check")
def check(
    ctx: typer.Context,
    entity: str = typer.Argument(..., help="Entity of the record (contact, opportunity...)."),
    record_id: str = typer.Argument(..., help="Canonical id of the record."),
    as_of: datetime | None = AS_OF,
    all_rules: bool = typer.Option(False, "--all", help="List the rules it passes too."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Which rules one record fails, and what to do about each."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        outcomes = ws.quality.check(entity, record_id, as_of.date() if as_of else None)
    finally:
        ws.close()
    rows = [
        {
            "rule": o.rule.name,
            "result": "fail" if not o.passed else ("pass" if o.applies else "n/a"),
            "severity": o.rule.severity,
            "kind": o.rule.kind,
            "team": o.rule.team,
            "fix": o.rule.fix if not o.passed else "",
        }
        for o in outcomes
        if all_rules or not o.passed
    ]
    failed = sum(not o.passed for o in outcomes)
    title = f"{entity} {record_id}: fails {failed} of {sum(o.applies for o in outcomes)} rules"
    render(rows, ("rule", "result", "severity", "kind", "team", "fix"), fmt, title=title)


@app.command("failures")
def failures(
    ctx: typer.Context,
    entity: str = typer.Argument(..., help="Entity the rule checks (account, contact...)."),
    rule: str = typer.Argument(..., help="The rule's name (`revops quality rules`)."),
    owner: str | None = typer.Option(None, "--owner", help="Only this owner (user_id or name)."),
    as_of: datetime | None = typer.Option(
        None, "--as-of", help="Evaluate as of this day (default: the latest run's day)."
    ),
    limit: int = typer.Option(50, "--limit", min=1, help="Rows to list."),
    offset: int = typer.Option(0, "--offset", min=0, help="Rows to skip first."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """The records failing one rule, by owner, with their names: the list to fix."""
    ws = ctx.obj.open_workspace(read_only=True)
    try:
        found = ws.quality.failures(
            entity, rule, as_of=as_of.date() if as_of else None, owner=owner, limit=limit,
            offset=offset,
        )  # fmt: skip
    finally:
        ws.close()
    shown = f"{offset + 1}-{offset + len(found.rows)}" if found.rows else "none"
    title = f"{entity} failing {rule} ({found.rule.severity}): {shown} of {found.total}"
    render(found.rows, ("record_id", "name", "owner_id", "owner_name"), fmt, title=title)
    if fmt is OutputFormat.table and found.rows:
        error_console().print(f"What to fix: {found.rule.fix}")


@app.command("assign")
def assign(
    ctx: typer.Context,
    entity: str = typer.Argument(..., help="Entity the rule checks (account, contact...)."),
    rule: str = typer.Argument(..., help="The rule's name (`revops quality rules`)."),
    owner: str | None = typer.Option(None, "--owner", help="Only this owner (user_id or name)."),
    due_days: int = typer.Option(2, "--due-days", min=0, max=60, help="Business days to fix."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Give each owner a task per record of theirs failing RULE (an automation run:
    `revops automate undo RUN` takes the tasks back)."""
    from revops.automate.fixes import assign_fixes

    ws = ctx.obj.open_workspace()
    try:
        result = assign_fixes(ws.quality, ws.automate, entity, rule, owner=owner,
                              due_days=due_days)  # fmt: skip
    finally:
        ws.close()
    rows = [
        {"record_id": a["record_id"], "name": a["record_name"], "owner_id": a["target"],
         "status": a["status"], "task": a["detail"] or a["error"]}
        for a in result.actions
    ]  # fmt: skip
    made = sum(1 for a in result.actions if a["status"] == "ok")
    title = f"Run {result.run['run_id']}: {made} task(s) for {len(rows)} failing record(s)"
    render(rows, ("record_id", "name", "owner_id", "status", "task"), fmt, title=title)
