"""docs/metrics.md, written from the catalog so the reference cannot drift from the code."""

from __future__ import annotations

from revops.config import MetricSettings
from revops.metrics.catalog import Catalog
from revops.metrics.definition import Metric
from revops.metrics.sources import engines

TEAMS = ("sales", "marketing", "success", "finance", "operations", "revops", "executive")

_INTRO = """\
# Metrics reference

Generated from the built-in catalog by `revops metrics docs > docs/metrics.md`; a test
fails when this file is out of date or a metric lacks a description. The definitions
follow shared/KPIS.md. `revops metrics list` shows the catalog of a workspace, its own
metrics included; `revops metrics explain NAME` shows a definition and its SQL.

A value is computed for a window of the fiscal calendar, sliced by dimensions. Ratios with
an empty denominator are undefined (null, shown as —), never 0 or infinity. A sum or count
with no row is 0, unless its definition says `when_empty: unknown` (a rep without a quota
has no quota, not one of 0): then it, and every ratio or formula using it, is undefined.
Aggregates are computed in the warehouse; ratios and formulas combine those values.

## Writing your own metrics

Put YAML files in the workspace's `metrics/` folder. They load through the same path as the
built-in files and may add metrics, dimensions and groups, or replace a built-in one by
using its name:

```yaml
version: 1
metrics:
  - name: enterprise_bookings
    label: Enterprise bookings
    description: Amount won from enterprise accounts.
    team: sales
    signal: lagging
    unit: money
    source: deal            # a canonical entity or an engine (below)
    agg: sum                # sum, count, count_distinct, mean, median, stddev, min, max
    column: amount
    time: closed_at         # the column that places a row in a window
    filter: is_won and amount > 0
  - name: enterprise_share
    label: Enterprise share of bookings
    description: Enterprise bookings / bookings.
    team: sales
    signal: lagging
    unit: ratio
    kind: ratio             # or kind: formula with formula: "a / (b + c)"
    numerator: enterprise_bookings
    denominator: bookings
```

Filters use Python syntax over the source's columns: comparisons, `in (...)`, `is None`,
`and`, `or`, `not`. Formulas use metric names, numbers and `+ - * / ( )`. Nothing else is
allowed, so a definition file cannot run code.
"""


def _metric_section(catalog: Catalog, metric: Metric) -> list[str]:
    lines = [f"### `{metric.name}` — {metric.label}", "", metric.description, ""]
    facts = [
        f"team {metric.team}",
        metric.signal,
        f"unit {metric.unit}",
        f"good when {'higher' if metric.direction == 'up' else 'lower'}"
        if metric.direction != "neutral"
        else "neutral",
    ]
    lines.append("- " + ", ".join(facts))
    if metric.kpi:
        lines.append(f"- KPI: {metric.kpi}")
    if metric.kind == "aggregate":
        measure = f"{metric.agg}({metric.column})" if metric.column else f"{metric.agg}(rows)"
        text = f"- computed: {measure} of `{metric.source}`"
        if metric.time:
            text += f" placed in the window by `{metric.time}`"
        if metric.filter:
            text += f", where `{metric.filter}`"
        lines.append(text)
    elif metric.kind == "ratio":
        lines.append(f"- computed: `{metric.numerator}` / `{metric.denominator}`")
    else:
        lines.append(f"- computed: `{metric.formula}`")
    dimensions = catalog.allowed_dimensions(metric.name)
    lines.append(f"- sliced by: {', '.join(dimensions) if dimensions else 'nothing'}")
    if metric.target:
        lines.append(f"- target: `{metric.target}`")
    if metric.when_empty == "unknown":
        lines.append("- where no row counts: undefined (—), not 0")
    lines.append("")
    return lines


def reference(catalog: Catalog) -> str:
    """The Markdown reference of `catalog`: settings, dimensions, engines, metrics by team."""
    lines = [_INTRO, "## Conventions (revops.yaml `metrics:`)", ""]
    for name, field in MetricSettings.model_fields.items():
        lines.append(
            f"- `{name}` (default `{field.get_default(call_default_factory=True)}`): "
            f"{field.description}"
        )
    lines += [
        "",
        "## Dimensions",
        "",
        "Where a record has no value of its own, it takes the value of the golden record of",
        "its identity cluster (`identity.golden_account` / `identity.golden_person`: the CRM",
        "record's name, segment, region, owner and CSM first, else the most recently updated",
        "value; without golden records, the cluster's record updated last that has one): a",
        "billing customer or support organisation is sliced by the segment, region or owner",
        "of the CRM account it was matched to, and MRR, ARR and the funnel carry that owner.",
        "Before `revops identity run`, such rows fall under an empty slice.",
        "",
        "A slice whose values are ids of named records (owner, team, territory, campaign,",
        "product, tool) gets a `<dimension>_label` column beside it with the record's name;",
        "drill-down rows get `<column>_label` beside each such id column (`owner_label`,",
        "`account_label`: the account's own name, and for a billing customer without one",
        "its golden account's, the company's CRM name). The ids stay.",
        "",
        "Every value is as of a day: the metric layer reads no record saved after it (its",
        "`created_at`, or for lifecycle events, web sessions and tool and content use their",
        "own date, after the end of the as-of day), and opportunity facts that change come",
        "from opportunity history as it stood then (open pipeline, slippage, stage entries,",
        "bookings to date). `tests/asof/test_asof_harness.py` checks it for every engine that",
        "takes an as-of day.",
        "",
        "**Deals as of the day.** The `deal` source (bookings, win rate, deal size, cycle",
        "length, pipeline created, marketing-sourced bookings, quota attainment...) and",
        "`deal_activity`, `deal_content`, `rep_attainment` and attribution read each",
        "opportunity as its history stood at the end of the as-of day: `stage`, `amount`,",
        "`close_date` (and `currency`, `forecast_category`, `probability` where the version",
        "has them) are those of its latest `opportunity_history` version at or before that",
        "instant, and `owner_id` that of the latest version naming an owner. `is_won` and",
        "`is_closed` follow that version's stage category; `closed_at` is the deal's own when",
        "it was closed then as it is now (won both times, or lost both times), else when",
        "history saw it enter that outcome. So a deal won after the day with a close date",
        "backdated before it is open on the day, and an amount raised later counts at its",
        "amount then. A deal created after the day is not there. A deal with no version by",
        "then (no history at all, or history that begins later, as versions derived from",
        "successive snapshots do) is read from its own row, if it was created by then:",
        "nothing else says what it was. Fields history does not keep (name, account, type,",
        "lead source, sourced_by) are the row's, and so is the owner when the history names",
        "none (Salesforce's own OpportunityHistory keeps no owner; versions derived from",
        "snapshots do): a deal handed to another rep later counts for its current owner.",
        "",
        "| name | what | from |",
        "|---|---|---|",
    ]
    for dimension in catalog.dimensions.values():
        where = (
            f"{dimension.entity}.{dimension.column} via {' or '.join(dimension.link_keys())}"
            if dimension.entity
            else f"the rows' `{dimension.column}`"
        )
        lines.append(f"| `{dimension.name}` | {dimension.description} | {where} |")
    lines += ["", "## Engine sources", "", "| source | rows |", "|---|---|"]
    for found in sorted(engines().values(), key=lambda e: e.name):
        lines.append(f"| `{found.name}` | {found.description} |")
    if catalog.groups:
        lines += ["", "## Groups", ""]
        for group in catalog.groups.values():
            members = ", ".join(f"`{m}`" for m in group.metrics)
            lines.append(f"- `{group.name}` — {group.label}: {group.description} ({members})")
    for team in TEAMS:
        metrics = [m for m in catalog if m.team == team]
        if not metrics:
            continue
        lines += ["", f"## {team.capitalize()} ({len(metrics)})", ""]
        for metric in metrics:
            lines += _metric_section(catalog, metric)
    return "\n".join(lines).rstrip() + "\n"
