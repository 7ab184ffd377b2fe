"""The example activation plan `revops demo` writes: two initiatives over nine months
around the company's today, with targets on metrics of the built-in catalog."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from revops.plan.config import PLAN_FILE, month_key
from revops.plan.status import month_end

START_BEFORE = 4
"""The example plan starts this many months before the month holding today."""
MONTHS = 9


def _month(today: date, offset: int) -> date:
    index = today.year * 12 + today.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def example_plan(today: date, owners: list[str]) -> str:
    """The example plan's YAML for a company whose today is `today`; initiatives are owned
    by `owners` in turn (user ids or e-mails of its CRM users).

    Examples:
        >>> text = example_plan(date(2026, 11, 22), ["ana@acme.io"])
        >>> "start_date: 2026-07-01" in text, "          2027-03: 1" in text.splitlines()
        (True, True)
    """
    first = _month(today, -START_BEFORE)
    last = month_end(_month(today, MONTHS - START_BEFORE - 1))
    months = [month_key(_month(today, k - START_BEFORE)) for k in range(MONTHS)]
    hours = (150, 140, 130, 150, 120, 96, 48, 24, 1)
    acceptance = (0.2, 0.2, 0.2, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45)
    duplicates = (0.08, 0.08, 0.07, 0.07, 0.065, 0.06, 0.05, 0.04, 0.03)
    quality = (0.85, 0.86, 0.87, 0.88, 0.9, 0.95, 0.95, 0.95, 0.95)

    def owner(k: int) -> str:
        return owners[k % len(owners)] if owners else "revops"

    def monthly(values: tuple[float, ...]) -> str:
        return "\n".join(f"          {m}: {v:g}" for m, v in zip(months, values, strict=True))

    return f"""\
# The activation plan: initiatives with owners, dates and KPI targets by month.
# `revops plan status` shows each target against the measured value (docs/plan.md);
# `revops plan schema` prints the JSON schema of this file.
version: 1
initiatives:
  - name: Faster lead follow-up
    owner: {owner(0)}
    start_date: {first.isoformat()}
    end_date: {last.isoformat()}
    description: Route MQLs to an SDR at once and alert on the SLA.
    targets:
      - metric: speed_to_lead_hours
        direction: at_most
        note: Under one hour by the end of the plan.
        monthly:
{monthly(hours)}
      - metric: lead_acceptance_rate
        direction: at_least
        monthly:
{monthly(acceptance)}
  - name: Clean CRM data
    owner: {owner(1)}
    start_date: {first.isoformat()}
    end_date: {last.isoformat()}
    description: Required fields, duplicate merges and owner hygiene, team by team.
    targets:
      - metric: data_quality_score
        direction: at_least
        note: 95 % of records passing every rule within six months.
        monthly:
{monthly(quality)}
      - metric: duplicate_rate
        direction: at_most
        monthly:
{monthly(duplicates)}
"""


def write_example_plan(root: Path, today: date, owners: list[str]) -> Path | None:
    """Write the example plan into the workspace unless it has a plan already (an edited
    one is kept); returns the file written."""
    path = root / PLAN_FILE
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example_plan(today, owners), encoding="utf-8")
    return path
