"""The quality report: scores of the latest run, their trend over runs and the loads they
scored, the worst rules and the worst offenders by owner with what to fix. Read from the
stored runs with Ibis aggregations; only the summary rows come back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from revops.errors import QualityError
from revops.quality.loader import RuleSet
from revops.quality.rules import SEVERITIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.metrics import Scope
    from revops.warehouse import Warehouse

Row = dict[str, Any]


@dataclass(frozen=True)
class Report:
    """Every part of the report, each a list of plain rows (for tables, JSON, HTML)."""

    run_id: str
    run_at: Any
    as_of: Any
    entity: str | None
    owner: str | None
    entities: list[Row] = field(default_factory=list)
    owners: list[Row] = field(default_factory=list)
    teams: list[Row] = field(default_factory=list)
    rules: list[Row] = field(default_factory=list)
    offenders: list[Row] = field(default_factory=list)
    severities: list[Row] = field(default_factory=list)
    trend: list[Row] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The report as one JSON-ready mapping."""
        return {
            "run_id": self.run_id,
            "run_at": self.run_at,
            "as_of": self.as_of,
            "entity": self.entity,
            "owner": self.owner,
            "entities": self.entities,
            "owners": self.owners,
            "teams": self.teams,
            "rules": self.rules,
            "offenders": self.offenders,
            "severities": self.severities,
            "trend": self.trend,
        }


def build_report(
    warehouse: Warehouse,
    ruleset: RuleSet,
    *,
    entity: str | None = None,
    owner: str | None = None,
    limit: int = 20,
    scope: Scope | None = None,
) -> Report:
    """The report of the latest stored run, narrowed to one entity and/or owner.

    Args:
        warehouse: the warehouse holding the runs.
        ruleset: the rules, for their fix text.
        entity: only this entity's records.
        owner: only this owner's records: a user_id or a user's name.
        limit: most rows of the owner, rule and offender lists.
        scope: only the rows this row scope reads (default every row), each table cut
            by its declaration in :data:`revops.metrics.scope.ROW_SCOPES`. Scores and
            failures are stored per owner, so every part of the report — scores, rules,
            offenders, trend — is cut the same way.

    Raises:
        QualityError: no run stored yet.
    """
    from revops.metrics.scope import Scope, ScopedReader

    reader = ScopedReader(warehouse, scope or Scope.everything())
    scores = reader.table("quality_score", "core")
    failures = reader.table("quality_failure", "core")
    users = reader.table("user", "core")
    users = users.select(user_id="user_id", owner_name="name", team_id="team_id")
    teams = reader.table("team", "core").select(team_key="team_id", team_name="name")
    owner_id = owner_id_of(users, owner) if owner is not None else None
    if entity is not None:
        scores = scores.filter(scores.entity_name == entity)
        failures = failures.filter(failures.entity_name == entity)
    if owner_id is not None:
        scores = scores.filter(scores.owner_id == owner_id)
        failures = failures.filter(failures.owner_id == owner_id)
    latest = _fetch(scores.order_by([scores.run_at.desc(), scores.quality_run_id.desc()]).limit(1))
    if not latest:
        raise QualityError("no quality run stored yet; run `revops quality run` first")
    run = latest[0]
    now = scores.filter(scores.quality_run_id == run["quality_run_id"])
    failing = failures.filter(failures.quality_run_id == run["quality_run_id"])
    named = now.left_join(users, now.owner_id == users.user_id)
    named = named.left_join(teams, named.team_id == teams.team_key)
    return Report(
        run_id=run["quality_run_id"],
        run_at=run["run_at"],
        as_of=run["as_of_date"],
        entity=entity,
        owner=owner_id,
        entities=_scored(now.group_by("entity_name"), now, order="entity_name"),
        owners=_scored(named.group_by(["owner_id", "owner_name", "team_name"]), named)[:limit],
        teams=_scored(named.group_by(["team_id", "team_name"]), named),
        rules=_rules(failing, ruleset)[:limit],
        offenders=_offenders(failing, users, ruleset, limit),
        severities=_severities(failing),
        trend=_trend(scores, reader.table("quality_run", "core")),
    )


def owner_id_of(users: ir.Table, owner: str) -> str:
    """The user_id of `owner`, a user_id or a user's name (`users` has user_id and
    owner_name).

    Raises:
        QualityError: no such user.
    """
    found = _fetch(users.filter((users.user_id == owner) | (users.owner_name == owner)))
    if not found:
        raise QualityError(f"no user {owner!r} (give a user_id or a user's name)")
    return str(found[0]["user_id"])


def _fetch(expr: ir.Table) -> list[Row]:
    return [dict(row) for row in expr.to_pyarrow().to_pylist()]


def _score(records: Any, passing: Any) -> float | None:
    return round(int(passing) / int(records), 4) if records else None


def _scored(grouped: Any, table: ir.Table, order: str | None = None) -> list[Row]:
    """Records, passing and score per group, the worst score first (or by `order`)."""
    rows = _fetch(grouped.aggregate(records=table.records.sum(), passing=table.passing.sum()))
    for row in rows:
        row["records"], row["passing"] = int(row["records"] or 0), int(row["passing"] or 0)
        row["failing"] = row["records"] - row["passing"]
        row["score"] = _score(row["records"], row["passing"])
    if order is not None:
        return sorted(rows, key=lambda r: str(r[order]))
    return sorted(rows, key=lambda r: (r["score"] if r["score"] is not None else 2, -r["records"]))


def _rules(failing: ir.Table, ruleset: RuleSet) -> list[Row]:
    grouped = failing.group_by(["entity_name", "rule_name", "kind", "severity", "team"])
    rows = _fetch(grouped.aggregate(records=failing.records.sum(), failures=failing.failures.sum()))
    out = []
    for row in rows:
        row["records"], row["failures"] = int(row["records"] or 0), int(row["failures"] or 0)
        if row["failures"] == 0:
            continue
        row["share"] = round(row["failures"] / row["records"], 4) if row["records"] else None
        row["fix"] = _fix(ruleset, row["rule_name"])
        out.append(row)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(out, key=lambda r: (-r["failures"], order.get(r["severity"], 9), r["rule_name"]))


def _offenders(failing: ir.Table, users: ir.Table, ruleset: RuleSet, limit: int) -> list[Row]:
    """Owner × rule with the most failing records, what to fix first."""
    bad = failing.filter(failing.failures > 0)
    named = bad.left_join(users, bad.owner_id == users.user_id)
    grouped = named.group_by(["owner_id", "owner_name", "entity_name", "rule_name", "severity"])
    rows = _fetch(grouped.aggregate(failures=named.failures.sum()))
    for row in rows:
        row["failures"] = int(row["failures"] or 0)
        row["fix"] = _fix(ruleset, row["rule_name"])
    order = {s: i for i, s in enumerate(SEVERITIES)}
    rows.sort(key=lambda r: (order.get(r["severity"], 9), -r["failures"], str(r["owner_id"])))
    return rows[:limit]


def _severities(failing: ir.Table) -> list[Row]:
    bad = failing.filter(failing.failures > 0)
    rows = _fetch(
        bad.group_by("severity").aggregate(
            rules=bad.rule_name.nunique(), failures=bad.failures.sum()
        )
    )
    found = {r["severity"]: r for r in rows}
    return [
        {
            "severity": s,
            "rules": int(found.get(s, {}).get("rules") or 0),
            "failures": int(found.get(s, {}).get("failures") or 0),
        }
        for s in SEVERITIES
    ]


def _trend(scores: ir.Table, runs: ir.Table) -> list[Row]:
    """Records, passing and score of every run, oldest first, with the loads it scored.

    A run that ended an ingest run names its loads: when (`run_at`), which sources, how
    many loads and the last load's id (`revops ingest log` lists them); a run of its own
    has none.
    """
    grouped = scores.group_by(run_id=scores.quality_run_id, run_at=scores.run_at,
                              as_of_date=scores.as_of_date)  # fmt: skip
    totals = grouped.aggregate(records=scores.records.sum(), passing=scores.passing.sum())
    loads = runs.select(
        quality_run_id="quality_run_id",
        ingest_run_id="ingest_run_id",
        load_ids="load_ids",
        sources="sources",
    )
    joined = totals.left_join(loads, totals.run_id == loads.quality_run_id)
    rows = _fetch(joined.drop("quality_run_id"))
    for row in rows:
        row["records"], row["passing"] = int(row["records"] or 0), int(row["passing"] or 0)
        row["score"] = _score(row["records"], row["passing"])
        load_ids = [i for i in (row.pop("load_ids") or "").split(",") if i]
        row["trigger"] = "ingest" if row["ingest_run_id"] else "quality run"
        row["loads"] = len(load_ids)
        row["load_id"] = max(load_ids) if load_ids else None
    return sorted(rows, key=lambda r: (str(r["run_at"]), r["run_id"]))


def _fix(ruleset: RuleSet, name: str) -> str:
    rule = ruleset.rules.get(name)
    return rule.fix if rule is not None else "(rule no longer defined)"
