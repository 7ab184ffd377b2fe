"""The quota and capacity pages and their JSON twins: a quota plan for a year and target
(top-down against bottom-up per team, each rep's quarters) with the applied versions, and
a capacity plan (hires, months, range). A planner applies the plan shown (computed again:
it is deterministic; refused unless its hash is the one shown) or reverts the year's
latest version, audited; both plans download as XLSX."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from revops.app import audit
from revops.app.views.common import Page, page
from revops.errors import PlanError

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
    plan_sha256: str | None = Field(description="The plan shown: what an apply sends back.")
    can_apply: bool = Field(description="The viewer may apply the plan and revert.")
    latest_version: int | None = Field(description="The year's version a revert undoes.")
    export_xlsx: str | None


class CapacityView(Page):
    """A capacity plan: totals, hires and months."""

    year: str | None
    target: float | None
    productivity_change: float
    attrition_change: float
    totals: dict[str, Any]
    hires: list[dict[str, Any]]
    months: list[dict[str, Any]]
    export_xlsx: str | None


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: float(v) if isinstance(v, Decimal) else v for k, v in r.items()} for r in rows]


def build_quotas(
    state: AppState, principal: Principal, year: str | None, target: float | None
) -> QuotasView:
    """The page's model; the plan is computed (not applied) when year and target are set."""
    from revops.app.access import TERRITORY_PLANNERS

    quotas = state.workspace.quotas
    with state.reading():
        versions = quotas.versions()
        found = quotas.plan(Decimal(str(target)), year, state.today) if year and target else None
    number = found.year.fiscal_year if found else None
    live = [v for v in versions if v.reverted_at is None and v.fiscal_year == number]
    return QuotasView(
        plan_sha256=found.plan_sha256() if found else None,
        can_apply=principal.account.role in TERRITORY_PLANNERS,
        latest_version=live[-1].version if live else None,
        export_xlsx=f"/api/v1/quotas/export?{urlencode({'year': year, 'target': target})}"
        if found else None,
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
        export_xlsx="/api/v1/capacity/export?" + urlencode({
            "year": year, "target": target, "productivity": productivity,
            "attrition": attrition}) if found else None,
    )  # fmt: skip


class QuotaApplied(BaseModel):
    """A quota version applied from the cockpit, or the one a revert undid."""

    version: int
    fiscal_year: int
    state: str
    reps: int
    file: str
    restored: int | None = None


def apply_quotas(state: AppState, principal: Principal, year: str, target: float,
                 plan_sha256: str, note: str | None) -> QuotaApplied:  # fmt: skip
    """Apply the year's plan for `target` as of the app's day, computed again, when it is
    the plan shown (`plan_sha256`); audited.

    Raises:
        PlanError: the plan is another one now, or cannot be made.
    """
    with state.writing() as ws:
        found = ws.quotas.plan(Decimal(str(target)), year, state.today)
        version = ws.quotas.apply(found, note, expected_sha256=plan_sha256)
    audit.record(state.db, principal.account.email, "quotas.apply",
                 f"FY{version.fiscal_year} v{version.version}",
                 f"plan {plan_sha256[:12]}, target {found.target}, {version.reps} reps"
                 + (f": {note}" if note else ""))  # fmt: skip
    return QuotaApplied(version=version.version, fiscal_year=version.fiscal_year,
                        state=version.state, reps=version.reps, file=version.file)  # fmt: skip


def revert_quotas(state: AppState, principal: Principal, year: str, version: int) -> QuotaApplied:
    """Revert the year's latest version, which must be `version`; audited.

    Raises:
        PlanError: `version` is not the year's latest version in effect.
    """
    with state.writing() as ws:
        number = ws.quotas.year(year).fiscal_year
        live = [v for v in ws.quotas.versions()
                if v.reverted_at is None and v.fiscal_year == number]  # fmt: skip
        if not live or live[-1].version != version:
            latest = f"version {live[-1].version}" if live else "none"
            raise PlanError(f"version {version} is not the latest quota version of {year} "
                            f"(that is {latest}): reload the page")  # fmt: skip
        reverted, restored = ws.quotas.revert(year)
    audit.record(state.db, principal.account.email, "quotas.revert",
                 f"FY{reverted.fiscal_year} v{reverted.version}",
                 f"v{restored.version} in effect again" if restored
                 else "the imported quotas count again")  # fmt: skip
    return QuotaApplied(version=reverted.version, fiscal_year=reverted.fiscal_year,
                        state=reverted.state, reps=reverted.reps, file=reverted.file,
                        restored=restored.version if restored else None)  # fmt: skip


def quota_export(state: AppState, year: str, target: float) -> bytes:
    """The plan of a year and target as an XLSX workbook."""
    from revops.quotas.export import quota_workbook

    with state.reading():
        return quota_workbook(state.workspace.quotas.plan(Decimal(str(target)), year, state.today))


def capacity_export(state: AppState, year: str, target: float, productivity: float,
                    attrition: float) -> bytes:  # fmt: skip
    """The capacity plan as an XLSX workbook."""
    from revops.quotas.export import capacity_workbook

    with state.reading():
        found = state.workspace.quotas.capacity(target, year, state.today, productivity,
                                                attrition)  # fmt: skip
    return capacity_workbook(found)
