"""Parts every view shares: who is looking, number formatting, query helpers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from revops.metrics.display import formatted as formatted  # re-exported for the views

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState


class Viewer(BaseModel):
    """The signed-in user, as pages show them."""

    email: str
    name: str
    role: str
    scope: str = Field(description="The rows this user's numbers are computed from.")
    can_admin: bool
    can_audit: bool
    can_export: bool
    can_review: bool = False
    can_leads: bool = False
    can_comp: bool = False
    can_jobs: bool = False
    can_pack: bool = False
    can_coaching: bool = False
    can_territories: bool = False


class Page(BaseModel):
    """Fields of every page."""

    viewer: Viewer
    as_of: str = Field(description="The day the values are computed as of (ISO date).")


def viewer(principal: Principal) -> Viewer:
    """The viewer block of a page."""
    from revops.app.access import (
        COACHING_ROLES,
        COMP_ROLES,
        LEADS_ROLES,
        PACK_ROLES,
        TERRITORY_ROLES,
    )

    account = principal.account
    return Viewer(
        email=account.email,
        name=account.name,
        role=account.role,
        scope=principal.scope.label,
        can_admin=principal.can("manage_users"),
        can_audit=principal.can("view_audit"),
        can_export=principal.can("export"),
        can_review=principal.can("review_identity"),
        can_leads=principal.account.role in LEADS_ROLES and principal.can("view_cockpit"),
        can_comp=principal.account.role in COMP_ROLES and principal.can("view_cockpit"),
        can_jobs=principal.can("view_jobs"),
        can_pack=principal.account.role in PACK_ROLES and principal.can("view_cockpit"),
        can_coaching=principal.account.role in COACHING_ROLES and principal.can("view_cockpit"),
        can_territories=principal.account.role in TERRITORY_ROLES and principal.can("view_cockpit"),
    )


def page(state: AppState, principal: Principal) -> dict[str, Any]:
    """The common fields, to splat into a page model."""
    return {"viewer": viewer(principal), "as_of": state.today.isoformat()}


def crm_warning(state: AppState, email: str, role: str) -> str | None:
    """Why a rep or manager would see $0: no CRM user has their e-mail (None when fine)."""
    from revops.app.access import ROLES, ROW_SCOPE

    known = next((r for r in ROLES if r == role), None)
    if known is None or ROW_SCOPE[known] == "all":
        return None
    scope = state.scope(email, known)
    if scope.owners:
        return None
    return (
        f"No CRM user has the e-mail {email}: as a {role} this user sees no rows, so every "
        "number shows 0. Give the CRM user this e-mail, or the app user the CRM user's."
    )


def number(value: Any) -> float | None:
    """A JSON-safe float (NaN and infinities become None)."""
    if value is None:
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None
