"""Parts every view shares: who is looking, number formatting, query helpers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

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


class Page(BaseModel):
    """Fields of every page."""

    viewer: Viewer
    as_of: str = Field(description="The day the values are computed as of (ISO date).")


def viewer(principal: Principal) -> Viewer:
    """The viewer block of a page."""
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


def formatted(value: float | None, unit: str) -> str:
    """A value as a person reads it: ``$1.2M``, ``42%``, ``3.5 days``.

    Examples:
        >>> formatted(1234567, "money"), formatted(0.4215, "ratio"), formatted(None, "count")
        ('$1.23M', '42.1%', '-')
        >>> formatted(-2120, "money"), formatted(-81, "money")
        ('-$2.12k', '-$81')
        >>> formatted(3.304, "multiple"), formatted(4200, "money_per_day"), formatted(12, "ratio")
        ('3.3×', '$4.2k/day', '1200.0%')
    """
    if value is None:
        return "-"
    if unit == "money_per_day":
        return formatted(value, "money") + "/day"
    if unit == "multiple":
        return f"{value:.1f}×"
    if unit == "money":
        sign = "-" if value < 0 else ""
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                return f"{sign}${abs(value) / size:.3g}{suffix}"
        return f"{sign}${abs(value):,.0f}"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit in ("days", "hours", "months"):
        return f"{value:,.1f} {unit}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.2f}"
