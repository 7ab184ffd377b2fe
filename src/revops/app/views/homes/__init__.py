"""A home per role: each role's first page is its own typed view model, built on the
home page's KPI cards (:mod:`revops.app.views.home`) within the user's row scope.

`/` and `/api/v1/home` show the signed-in user's home; admin and RevOps users may look
at any role's home with `?as=ROLE` (still computed within their own rows). The JSON twin
is one of the models below, told apart by its `home` field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from revops.app.views.homes.base import Compare, HomeKind, RoleHome
from revops.app.views.homes.ops import RevOpsHome, build_revops
from revops.app.views.homes.sales import (
    ExecutiveHome,
    ManagerHome,
    RepHome,
    build_executive,
    build_manager,
    build_rep,
)
from revops.app.views.homes.teams import (
    FinanceHome,
    MarketingHome,
    SuccessHome,
    build_finance,
    build_marketing,
    build_success,
)
from revops.errors import AppError

if TYPE_CHECKING:
    from revops.app.access import Role
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.core import Period

AnyHome = Annotated[
    ExecutiveHome | ManagerHome | RepHome | MarketingHome | SuccessHome | FinanceHome
    | RevOpsHome,
    Field(discriminator="home"),
]  # fmt: skip
"""Any role's home, told apart by `home`."""

HOME_OF: dict[Role, HomeKind] = {
    "admin": "revops",
    "revops": "revops",
    "executive": "executive",
    "manager": "manager",
    "rep": "rep",
    "marketing": "marketing",
    "success": "success",
    "finance": "finance",
}
"""The home each role lands on."""
INSPECTORS: tuple[Role, ...] = ("admin", "revops")
"""Roles that may look at another role's home (`?as=`)."""
HOMES: tuple[HomeKind, ...] = (
    "executive", "manager", "rep", "marketing", "success", "finance", "revops",
)  # fmt: skip

Builder = Callable[..., RoleHome]
BUILDERS: dict[HomeKind, Builder] = {
    "executive": build_executive,
    "manager": build_manager,
    "rep": build_rep,
    "marketing": build_marketing,
    "success": build_success,
    "finance": build_finance,
    "revops": build_revops,
}

__all__ = [
    "HOMES",
    "HOME_OF",
    "AnyHome",
    "ExecutiveHome",
    "FinanceHome",
    "ManagerHome",
    "MarketingHome",
    "RepHome",
    "RevOpsHome",
    "RoleHome",
    "SuccessHome",
    "build_role_home",
    "home_for",
]


def home_for(role: Role, as_role: str | None) -> HomeKind:
    """The home a user of `role` sees, asking for `as_role`'s (None: their own).

    Raises:
        AppError: an unknown role, or a role that may not look at other homes.

    Examples:
        >>> home_for("rep", None), home_for("admin", "manager"), home_for("revops", "admin")
        ('rep', 'manager', 'revops')
        >>> home_for("rep", "executive")
        Traceback (most recent call last):
        ...
        revops.errors.AppError: only admin and revops users may look at another role's home
    """
    own = HOME_OF[role]
    if as_role is None or as_role in ("", role, own):
        return own
    wanted = next((home for name, home in HOME_OF.items() if name == as_role), None)
    if wanted is None:
        raise AppError(f"no home for role {as_role!r}; one of {', '.join(HOME_OF)}")
    if role not in INSPECTORS:
        raise AppError("only admin and revops users may look at another role's home")
    return wanted


def build_role_home(
    state: AppState,
    principal: Principal,
    window: str | None,
    compare: Compare = "previous",
    as_role: str | None = None,
) -> RoleHome:
    """The home of this user's role (or of `as_role`, for admin and RevOps users), for
    `window` (default the current fiscal quarter), within this user's rows."""
    role = principal.account.role
    home = home_for(role, as_role)
    period: Period = state.workspace.metrics.window(window, state.today)
    homes = list(HOMES) if role in INSPECTORS else []
    inspecting = home != HOME_OF[role]
    return BUILDERS[home](state, principal, home, inspecting, homes, period, compare)
