"""The quota and capacity pages and their JSON twins: a quota plan for a year and target
(top-down against bottom-up per team, each rep's quarters) with the applied versions, and
a capacity plan (hires, months, range). Nothing is applied from the cockpit."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from revops.app.views.common import Page, page

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState


class QuotaVersionRow(BaseModel):
    """An applied quota version."""

    version: int
    fiscal_year: int
    state: str
    target: float
    applied_at: str
    reps: int
    file: str
    reverted: bool
    note: str | None


class QuotasView(Page):
    """A quota plan (when a year and a target are given) and every applied version."""

    year: str | None
    target: float | None
    total: float | None
    productivity: float | None
    quarters: list[dict[str, Any]]
    teams: list[dict[str, Any]]
    reps: list[dict[str, Any]]
    versions: list[QuotaVersionRow]
    warnings: list[str]


class CapacityView(Page):
    """A capacity plan: totals, hires and months."""

    year: str | None
    target: float | None
    productivity_change: float
    attrition_change: float
    totals: dict[str, Any]
    hires: list[dict[str, Any]]
    months: list[dict[str, Any]]


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: float(v) if isinstance(v, Decimal) else v for k, v in r.items()} for r in rows]


def build_quotas(
    state: AppState, principal: Principal, year: str | None, target: float | None
) -> QuotasView:
    """The page's model; the plan is computed (never applied) when year and target are set."""
    quotas = state.workspace.quotas
    with state.reading():
        versions = quotas.versions()
        found = quotas.plan(Decimal(str(target)), year, state.today) if year and target else None
    return QuotasView(
        **page(state, principal), year=year, target=target,
        total=float(found.total()) if found else None,
        productivity=found.productivity if found else None,
        quarters=_plain(found.quarter_rows()) if found else [],
        teams=_plain(found.team_rows()) if found else [],
        reps=_plain(found.rep_rows()) if found else [],
        versions=[QuotaVersionRow(**{**asdict(v), "target": float(v.target),
                                     "applied_at": v.applied_at.isoformat(),
                                     "reverted": v.reverted_at is not None})
                  for v in reversed(versions)],
        warnings=found.warnings if found else [],
    )  # fmt: skip


def build_capacity(
    state: AppState, principal: Principal, year: str | None, target: float | None,
    productivity: float = 0.0, attrition: float = 0.0,
) -> CapacityView:  # fmt: skip
    """The page's model; the plan is computed when year and target are set."""
    found = None
    if year and target:
        with state.reading():
            found = state.workspace.quotas.capacity(target, year, state.today, productivity,
                                                    attrition)  # fmt: skip
    return CapacityView(
        **page(state, principal), year=year, target=target, productivity_change=productivity,
        attrition_change=attrition, totals=found.totals() if found else {},
        hires=[{**h, "start_date": h["start_date"].isoformat(),
                "open_requisition_by": h["open_requisition_by"].isoformat()}
               for h in found.hire_rows()] if found else [],
        months=found.rows if found else [],
    )  # fmt: skip
