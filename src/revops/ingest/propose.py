"""Propose the workspace config a folder of CRM exports needs (`revops ingest inspect`).

The exports say how the org is set up: its opportunity stages in order, which are closed
and won, their default probabilities (Salesforce's OpportunityStage, HubSpot's deal
pipelines, else the IsClosed / IsWon / Probability columns of the deals and their
history), the opportunity types in use, the currencies, and the fiscal year (Salesforce's
FiscalYear / FiscalQuarter beside CloseDate). Everything is counted in DuckDB over the
files as read; only the small per-stage summary comes back to Python.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.ingest.readers import SourceRows, find_files, read_file

if TYPE_CHECKING:
    import duckdb

    from revops.config import RevOpsConfig

# Columns that hold each fact, by how the vendors name them (Salesforce, HubSpot).
STAGE = ("StageName", "dealstage")
CLOSED = ("IsClosed", "hs_is_closed")
WON = ("IsWon", "hs_is_closed_won")
PROBABILITY = ("Probability", "hs_deal_stage_probability")
TYPE = ("Type", "dealtype")
CURRENCY = ("CurrencyIsoCode", "deal_currency_code")
DEAL_OBJECTS = ("opportunity", "deals", "opportunityhistory", "deal_stage_history")
STAGE_OBJECTS = ("opportunitystage",)
PIPELINE_FILE = "pipelines"
# Default probability (%) and category of the stages of Salesforce's standard sales
# process and HubSpot's default sales pipeline, in pipeline order: what a stage is taken
# to be when the exports say nothing of it (a sample with StageName alone).
KNOWN_STAGES: dict[str, tuple[float, str]] = {
    "prospecting": (10, "open"),
    "qualification": (10, "open"),
    "needs analysis": (20, "open"),
    "value proposition": (50, "open"),
    "id. decision makers": (60, "open"),
    "perception analysis": (70, "open"),
    "proposal/price quote": (75, "open"),
    "negotiation/review": (90, "open"),
    "appointmentscheduled": (20, "open"),
    "qualifiedtobuy": (40, "open"),
    "presentationscheduled": (60, "open"),
    "decisionmakerboughtin": (80, "open"),
    "contractsent": (90, "open"),
    "closed won": (100, "won"),
    "closedwon": (100, "won"),
    "closed lost": (0, "lost"),
    "closedlost": (0, "lost"),
}
TYPE_WORDS = (
    ("renewal", ("renew", "downgrade", "replacement")),
    ("expansion", ("upgrade", "upsell", "up-sell", "cross", "expansion", "add-on", "existing")),
    ("new", ("new",)),
)


@dataclass(frozen=True)
class ProposedStage:
    """One stage of the proposal, with the evidence it came from."""

    name: str
    probability: float
    category: str
    source_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Proposal:
    """What the exports say the workspace config should hold."""

    stages: tuple[ProposedStage, ...] = ()
    types: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """revops type → source values the workspace's config does not list yet."""
    currencies: tuple[str, ...] = ()
    """Currencies of the deals, most used first."""
    fiscal_year_start_month: int | None = None
    fiscal_year_named_by: str | None = None
    notes: tuple[str, ...] = ()
    """Where each part came from, and what could not be decided."""


@dataclass
class _StageFact:
    label: str
    value: str
    closed: bool | None
    won: bool | None
    probability: float | None
    order: float
    ranked: bool = False
    """Whether `order` is the source's own pipeline order (else: by probability)."""


def propose(paths: Sequence[Path | str], config: RevOpsConfig) -> Proposal:
    """Read the exports at `paths` and propose stages, types, currency and fiscal year."""
    import duckdb

    objects: dict[str, list[SourceRows]] = {}
    pipelines: list[Path] = []
    for path in find_files(paths):
        if path.suffix.lower() == ".json" and PIPELINE_FILE in path.stem.lower():
            pipelines.append(path)
            continue
        for rows in read_file(path):
            objects.setdefault(rows.object.casefold(), []).append(rows)
    con = duckdb.connect()
    notes: list[str] = []
    try:
        facts = _pipeline_facts(pipelines, notes)
        facts += _stage_object_facts(con, objects.get("opportunitystage", []), notes)
        if not facts:
            facts = _deal_facts(con, objects, notes)
        types = _types(con, objects, config, notes)
        currencies = _currencies(con, objects)
        start, named_by = _fiscal(con, objects.get("opportunity", []), notes)
    finally:
        con.close()
    return Proposal(
        stages=_stages(facts, notes),
        types=types,
        currencies=currencies,
        fiscal_year_start_month=start,
        fiscal_year_named_by=named_by,
        notes=tuple(notes),
    )


def _table(con: duckdb.DuckDBPyConnection, name: str, parts: Sequence[SourceRows]) -> list[str]:
    """Register the rows of `parts` as `name`; their common columns."""
    import pyarrow as pa

    tables = [p.rows for p in parts if p.rows.num_rows]
    if not tables:
        return []
    table = pa.concat_tables(tables, promote_options="default")
    con.register(name, table)
    return list(table.column_names)


def _first(columns: Iterable[str], names: Sequence[str]) -> str | None:
    present = set(columns)
    return next((n for n in names if n in present), None)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _flag(column: str | None) -> str:
    if column is None:
        return "NULL"
    return f"bool_or(lower({_q(column)}) IN ('true', '1', 'yes'))"


def _pipeline_facts(files: list[Path], notes: list[str]) -> list[_StageFact]:
    """Stages of HubSpot deal pipelines (the `/crm/v3/pipelines/deals` response)."""
    facts: list[_StageFact] = []
    for path in files:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            notes.append(f"{path}: not read ({exc})")
            continue
        results = document.get("results", []) if isinstance(document, dict) else []
        pipelines = sorted(results, key=lambda p: (p.get("displayOrder", 0), p.get("label", "")))
        for p_index, pipeline in enumerate(pipelines):
            stages = sorted(pipeline.get("stages", []), key=lambda s: s.get("displayOrder", 0))
            for s_index, stage in enumerate(stages):
                metadata = stage.get("metadata", {})
                probability = _number(metadata.get("probability"))
                closed = str(metadata.get("isClosed", "")).lower() == "true"
                percent = None if probability is None else probability * 100
                facts.append(
                    _StageFact(
                        label=str(stage.get("label") or stage.get("id")),
                        value=str(stage.get("id")),
                        closed=closed,
                        won=closed and percent == 100,
                        probability=percent,
                        order=p_index * 1000 + s_index,
                        ranked=True,
                    )
                )
        if facts:
            notes.append(f"stages: from the deal pipelines in {path.name}")
    return facts


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _stage_object_facts(
    con: duckdb.DuckDBPyConnection, parts: list[SourceRows], notes: list[str]
) -> list[_StageFact]:
    """Stages of Salesforce's OpportunityStage object (active ones, in sort order)."""
    columns = _table(con, "__stages", parts)
    if "MasterLabel" not in columns and "ApiName" not in columns:
        return []
    label = _q("MasterLabel") if "MasterLabel" in columns else _q("ApiName")
    value = _q("ApiName") if "ApiName" in columns else label
    active = "lower(\"IsActive\") <> 'false'" if "IsActive" in columns else "TRUE"
    order = 'TRY_CAST("SortOrder" AS DOUBLE)' if "SortOrder" in columns else "NULL"
    probability = (
        'TRY_CAST("DefaultProbability" AS DOUBLE)' if "DefaultProbability" in columns else "NULL"
    )
    rows = con.execute(
        f"SELECT {label}, {value}, {_flag(_first(columns, ('IsClosed',)))}, "
        f"{_flag(_first(columns, ('IsWon',)))}, max({probability}), min({order}) "
        f"FROM __stages WHERE {active} AND {label} IS NOT NULL GROUP BY ALL "
        f"ORDER BY min({order}) NULLS LAST, {label}"
    ).fetchall()
    if rows:
        notes.append(f"stages: from {parts[0].file.name} (OpportunityStage)")
    return [
        _StageFact(str(r[0]), str(r[1]), r[2], r[3], r[4], float(i), ranked=True)
        for i, r in enumerate(rows)
    ]


def _deal_facts(
    con: duckdb.DuckDBPyConnection, objects: dict[str, list[SourceRows]], notes: list[str]
) -> list[_StageFact]:
    """Stages as the deals and their history use them, ordered by typical probability."""
    facts: dict[str, _StageFact] = {}
    for index, name in enumerate(DEAL_OBJECTS):
        columns = _table(con, f"__deals_{index}", objects.get(name, []))
        stage = _first(columns, STAGE)
        if stage is None:
            continue
        probability = _first(columns, PROBABILITY)
        percent = (
            f"median(TRY_CAST({_q(probability)} AS DOUBLE))" if probability is not None else "NULL"
        )
        rows = con.execute(
            f"SELECT {_q(stage)}, {_flag(_first(columns, CLOSED))}, "
            f"{_flag(_first(columns, WON))}, {percent}, min(__row) "
            f"FROM __deals_{index} WHERE {_q(stage)} IS NOT NULL GROUP BY 1"
        ).fetchall()
        scale = 100.0 if name == "deals" else 1.0  # HubSpot's probability is a fraction
        for value, closed, won, chance, first in rows:
            known = facts.get(str(value).casefold())
            percent_value = None if chance is None else float(chance) * scale
            if known is None:
                facts[str(value).casefold()] = _StageFact(
                    str(value), str(value), closed, won, percent_value, float(first)
                )
            else:
                known.closed = known.closed if known.closed is not None else closed
                known.won = known.won if known.won is not None else won
                known.probability = (
                    known.probability if known.probability is not None else percent_value
                )
        notes.append(f"stages: from the {stage} column of {objects[name][0].file.name}")
    return list(facts.values())


def _stages(facts: list[_StageFact], notes: list[str]) -> tuple[ProposedStage, ...]:
    """One stage per label (its source values merged), open stages first, then won, lost."""
    merged: dict[str, _StageFact] = {}
    values: dict[str, list[str]] = {}
    for fact in facts:
        key = fact.label.casefold()
        if key not in merged:
            merged[key] = fact
            values[key] = []
        if fact.value.casefold() != fact.label.casefold() and fact.value not in values[key]:
            values[key].append(fact.value)
    proposed: list[tuple[int, float, int, float, ProposedStage]] = []
    known_order = list(KNOWN_STAGES)
    for key, fact in merged.items():
        known = KNOWN_STAGES.get(key)
        if known is not None and fact.probability is None:
            fact.probability = known[0]
        if known is not None and fact.closed is None:
            fact.closed, fact.won = known[1] != "open", known[1] == "won"
        category = _category(fact, notes)
        probability = {"won": 100.0, "lost": 0.0}.get(category, fact.probability or 0.0)
        rank = {"open": 0, "won": 1, "lost": 2}[category]
        # Open stages: pipeline order where the source gives one, else by probability.
        weight = fact.order if fact.ranked else probability
        stage = ProposedStage(fact.label, probability, category, tuple(values[key]))
        # Ties (Prospecting and Qualification are both 10%) in the vendor's own order.
        index = known_order.index(key) if key in KNOWN_STAGES else len(known_order)
        proposed.append((rank, weight, index, fact.order, stage))
    return tuple(p[4] for p in sorted(proposed, key=lambda p: p[:4]))


def _category(fact: _StageFact, notes: list[str]) -> str:
    if fact.won:
        return "won"
    if fact.closed:
        return "lost"
    if fact.closed is None:
        # No IsClosed column: a stage at 100% or named won is won, one named lost is lost.
        label = fact.label.casefold()
        if fact.probability == 100 or label.endswith("won"):
            return "won"
        if label.endswith("lost"):
            return "lost"
        notes.append(f"stage {fact.label!r}: no IsClosed/IsWon in the exports; taken as open")
    return "open"


def _types(
    con: duckdb.DuckDBPyConnection,
    objects: dict[str, list[SourceRows]],
    config: RevOpsConfig,
    notes: list[str],
) -> dict[str, tuple[str, ...]]:
    known = {
        value.casefold()
        for kind in config.opportunity_types
        for value in (kind.name, *kind.source_values)
    }
    found: dict[str, list[str]] = {}
    for index, name in enumerate(("opportunity", "deals")):
        columns = _table(con, f"__types_{index}", objects.get(name, []))
        column = _first(columns, TYPE)
        if column is None:
            continue
        rows = con.execute(
            f"SELECT DISTINCT {_q(column)} FROM __types_{index} "
            f"WHERE {_q(column)} IS NOT NULL ORDER BY 1"
        ).fetchall()
        for (value,) in rows:
            if str(value).casefold() in known:
                continue
            kind = _type_of(str(value))
            if kind is None:
                notes.append(f"type {value!r}: not new, expansion or renewal by its name; add it")
                continue
            found.setdefault(kind, []).append(str(value))
    return {kind: tuple(values) for kind, values in found.items()}


def _type_of(value: str) -> str | None:
    text = value.casefold()
    return next((kind for kind, words in TYPE_WORDS if any(w in text for w in words)), None)


def _currencies(
    con: duckdb.DuckDBPyConnection, objects: dict[str, list[SourceRows]]
) -> tuple[str, ...]:
    counts: Counter[str] = Counter()
    for index, name in enumerate(("opportunity", "deals")):
        columns = _table(con, f"__money_{index}", objects.get(name, []))
        column = _first(columns, CURRENCY)
        if column is None:
            continue
        for value, n in con.execute(
            f"SELECT upper(trim({_q(column)})), count(*) FROM __money_{index} "
            f"WHERE {_q(column)} IS NOT NULL GROUP BY 1"
        ).fetchall():
            counts[str(value)] += int(n)
    return tuple(code for code, _ in counts.most_common())


def _fiscal(
    con: duckdb.DuckDBPyConnection, parts: list[SourceRows], notes: list[str]
) -> tuple[int | None, str | None]:
    """The fiscal year's first month and naming, from FiscalQuarter / FiscalYear beside
    CloseDate: month m in quarter q means the year starts 3(q-1) to 3(q-1)+2 months
    before m; the start that fits every deal is the one."""
    columns = _table(con, "__fiscal", parts)
    if not {"FiscalQuarter", "CloseDate"} <= set(columns):
        return None, None
    rows = con.execute(
        'SELECT month(TRY_CAST("CloseDate" AS DATE)) AS m, TRY_CAST("FiscalQuarter" AS INT) AS q, '
        'year(TRY_CAST("CloseDate" AS DATE)) AS y, '
        + ('TRY_CAST("FiscalYear" AS INT)' if "FiscalYear" in columns else "NULL")
        + ", count(*) FROM __fiscal WHERE m IS NOT NULL AND q BETWEEN 1 AND 4 GROUP BY ALL"
    ).fetchall()
    if not rows:
        return None, None
    fits: Counter[int] = Counter()
    for month, quarter, _year, _fy, n in rows:
        for offset in range(3):
            fits[(month - 1 - 3 * (quarter - 1) - offset) % 12 + 1] += int(n)
    total = sum(int(r[4]) for r in rows)
    starts = [m for m, n in fits.items() if n == total]
    if len(starts) != 1:
        notes.append("fiscal year: FiscalQuarter does not fit one start month; left as it is")
        return None, None
    start = starts[0]
    named: Counter[str] = Counter()
    for month, _quarter, year, fiscal_year, n in rows:
        if fiscal_year is None or start == 1:
            continue
        began = year if month >= start else year - 1
        named["start" if fiscal_year == began else "end"] += int(n)
    notes.append(f"fiscal year: from FiscalQuarter beside CloseDate in {parts[0].file.name}")
    return start, (named.most_common(1)[0][0] if named else None)
