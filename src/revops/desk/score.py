"""The value score that ranks the queue, as one Ibis expression over the requests.

Each input a request does not state takes its type's value from `desk/desk.yaml`, else
the defaults; a request linked to a KPI that is money takes its impact from the money at
stake (:func:`impact_of_money`) unless RevOps set one at triage.

- RICE = reach × impact × confidence (0-1) / effort;
- WSJF = (value_weight × reach × impact × confidence + time_weight × time criticality
  + risk) / effort, where time criticality is the points of the triage priority (else the
  stated urgency) plus `due_points` when the due date is within 14 days.

Examples:
    A report reaching 40 people, impact 2, confidence 50 %, effort 4 days: RICE 10.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.desk.config import Score

INPUTS = ("reach", "impact", "confidence", "effort")
DUE_SOON_DAYS = 14


def impact_of_money(amount: float, score: Score) -> float:
    """The impact tier that `amount` at stake reaches.

    Examples:
        >>> from revops.desk.config import Score
        >>> impact_of_money(30_000, Score()), impact_of_money(0, Score())
        (1.0, 0.25)
    """
    tiers = sorted(score.kpi_impact.tiers.items())
    found = tiers[0][1] if tiers else 1.0
    for floor, impact in tiers:
        if amount >= floor:
            found = impact
    return found


def _filled(table: ir.Table, name: str, score: Score) -> ir.FloatingValue:
    """`name` of each request, else its type's value, else the default."""
    import ibis

    default = getattr(score.defaults, name)
    by_type = [(table.type == kind, ibis.literal(float(value)))
               for kind, estimate in score.by_type.items()
               if (value := getattr(estimate, name)) is not None]  # fmt: skip
    fallback = ibis.cases(*by_type, else_=ibis.literal(float(default))) if by_type else (
        ibis.literal(float(default)))  # fmt: skip
    return table[name].cast("float64").fill_null(fallback)


def scored(
    table: ir.Table, score: Score, today: date, kpi_impact: dict[str, float] | None = None
) -> ir.Table:
    """`table` (requests) with `score_reach`, `score_impact`, `score_confidence`,
    `score_effort` (the inputs used), `rice`, `wsjf` and `value_score` (the configured
    method's)."""
    import ibis

    reach = _filled(table, "reach", score)
    impact = table.impact.cast("float64")
    money = [(table.linked_kpi == name, ibis.literal(value))
             for name, value in (kpi_impact or {}).items()]  # fmt: skip
    if money:
        impact = impact.fill_null(ibis.cases(*money, else_=ibis.null("float64")))
    impact = impact.fill_null(_filled(table, "impact", score))
    confidence = _filled(table, "confidence", score) / 100
    effort = _filled(table, "effort", score)
    risk = ibis.literal(float(score.defaults.risk or 0))
    risks = [(table.type == kind, ibis.literal(float(estimate.risk)))
             for kind, estimate in score.by_type.items() if estimate.risk is not None]  # fmt: skip
    if risks:
        risk = ibis.cases(*risks, else_=risk)
    wsjf = score.wsjf
    level = table.priority.fill_null(table.stated_urgency)
    points = [(level == name, ibis.literal(float(value)))
              for name, value in wsjf.urgency_points.items()]  # fmt: skip
    urgency = ibis.cases(*points, else_=ibis.literal(0.0)) if points else ibis.literal(0.0)
    horizon = ibis.literal(today + timedelta(days=DUE_SOON_DAYS), "date")
    soon = table.due_date.notnull() & (table.due_date <= horizon)
    time = urgency + ibis.ifelse(soon, ibis.literal(float(wsjf.due_points)), ibis.literal(0.0))
    value = reach * impact * confidence
    rice = value / effort
    cost_of_delay = wsjf.value_weight * value + wsjf.time_weight * time + risk
    wsjf_score = cost_of_delay / effort
    # Cast: PostgreSQL types literal arithmetic as numeric, which Arrow reads as decimal.
    return table.mutate(
        score_reach=reach.cast("float64"),
        score_impact=impact.cast("float64"),
        score_confidence=(confidence * 100).cast("float64"),
        score_effort=effort.cast("float64"),
        rice=rice.cast("float64"),
        wsjf=wsjf_score.cast("float64"),
        value_score=(rice if score.method == "rice" else wsjf_score).cast("float64"),
    )
