"""FastAPI dependencies as typed aliases: the app state, the signed-in user, permissions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from revops.app import sessions, users
from revops.app.access import Permission, allowed
from revops.app.auth import SESSION_COOKIE, SessionData
from revops.app.state import AppState
from revops.metrics import Scope


class SignInRequired(Exception):  # noqa: N818 - a signal to the handler, not an error
    """No valid session or token: pages redirect to the sign-in, the API answers 401."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user, the rows they may read, and how they authenticated.

    Attributes:
        account: the user.
        scope: their row scope, applied to every metric query.
        token_scopes: the scopes of the API token used, or None for a browser session.
        session: the browser session, or None for a token.
        csrf: the CSRF token forms must send back ('' for tokens).
    """

    account: users.Account
    scope: Scope
    token_scopes: frozenset[str] | None
    session: SessionData | None
    csrf: str

    def can(self, permission: Permission) -> bool:
        """Whether this user, by this means, has `permission`."""
        return allowed(self.account.role, permission, self.token_scopes)


def get_state(request: Request) -> AppState:
    """The running app's state."""
    state: AppState = request.app.state.revops
    return state


StateDep = Annotated[AppState, Depends(get_state)]


BEARER = HTTPBearer(
    scheme_name="bearer",
    description="An API token: `Authorization: Bearer rvo_…` (`revops tokens add`).",
    auto_error=False,
)
COOKIE = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="cookie",
    description="The session cookie the sign-in form sets (writes also send X-CSRF-Token).",
    auto_error=False,
)
"""The two ways to authenticate, declared so the OpenAPI document lists them."""


def get_principal(
    request: Request,
    state: StateDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
    cookie: Annotated[str | None, Security(COOKIE)],
) -> Principal:
    """The signed-in user, from a bearer token or the session cookie.

    Raises:
        SignInRequired: neither is valid, or the user is disabled.
    """
    if bearer is not None:
        found = users.token_user(state.db, bearer.credentials.strip())
        if found is None:
            raise SignInRequired
        account, scopes = found
        return Principal(account, state.scope(account.email, account.role), scopes, None, "")
    if request.headers.get("authorization"):
        raise SignInRequired  # an Authorization header that is no bearer token
    session = state.sessions.read(cookie)
    if session is None:
        raise SignInRequired
    user = sessions.account(state.db, session)
    if user is None:  # signed out, expired, password or role changed, user disabled
        raise SignInRequired
    csrf = state.sessions.csrf_token(session)
    return Principal(user, state.scope(user.email, user.role), None, session, csrf)


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require(permission: Permission) -> Callable[[Principal], Principal]:
    """A dependency that lets through users with `permission`, else 403."""

    def check(principal: CurrentUser) -> Principal:
        if not principal.can(permission):
            raise HTTPException(403, f"your role may not {permission.replace('_', ' ')}")
        return principal

    return check


def require_leads(principal: CurrentUser) -> Principal:
    """Lets through marketing and sales roles (:data:`LEADS_ROLES`) that may view the
    cockpit, else 403."""
    from revops.app.access import LEADS_ROLES

    if not principal.can("view_cockpit") or principal.account.role not in LEADS_ROLES:
        raise HTTPException(403, "your role may not view leads")
    return principal


def require_comp(principal: CurrentUser) -> Principal:
    """Lets through the roles that see commission statements (:data:`COMP_ROLES`) and
    may view the cockpit, else 403."""
    from revops.app.access import COMP_ROLES

    if not principal.can("view_cockpit") or principal.account.role not in COMP_ROLES:
        raise HTTPException(403, "your role may not view commission statements")
    return principal


def require_comp_plans(principal: CurrentUser) -> Principal:
    """Lets through the roles that see every plan and the cost of a change
    (:data:`COMP_RESOLVERS`), else 403."""
    from revops.app.access import COMP_RESOLVERS

    if not principal.can("view_cockpit") or principal.account.role not in COMP_RESOLVERS:
        raise HTTPException(403, "your role may not view the comp plans")
    return principal


def require_coaching(principal: CurrentUser) -> Principal:
    """Lets through the sales roles that see the coaching page (:data:`COACHING_ROLES`)
    and may view the cockpit, else 403."""
    from revops.app.access import COACHING_ROLES

    if not principal.can("view_cockpit") or principal.account.role not in COACHING_ROLES:
        raise HTTPException(403, "your role may not view coaching")
    return principal


def require_pack(principal: CurrentUser) -> Principal:
    """Lets through the roles that get the meeting pack (:data:`PACK_ROLES`), else 403."""
    from revops.app.access import PACK_ROLES, ROW_SCOPE

    role = principal.account.role
    if not principal.can("view_cockpit") or role not in PACK_ROLES or ROW_SCOPE[role] != "all":
        raise HTTPException(403, "your role may not view the company-wide meeting pack")
    return principal


def require_territories(principal: CurrentUser) -> Principal:
    """Lets through the roles that see territory design (:data:`TERRITORY_ROLES`), else 403."""
    from revops.app.access import ROW_SCOPE, TERRITORY_ROLES

    role = principal.account.role
    if not principal.can("view_cockpit") or role not in TERRITORY_ROLES or ROW_SCOPE[role] != "all":
        raise HTTPException(403, "your role may not view territory design")
    return principal


def require_territory_planner(principal: CurrentUser) -> Principal:
    """Lets through the roles that run a territory design (:data:`TERRITORY_PLANNERS`)."""
    from revops.app.access import TERRITORY_PLANNERS

    if not principal.can("view_cockpit") or principal.account.role not in TERRITORY_PLANNERS:
        raise HTTPException(403, "your role may not run a territory design")
    return principal


Viewer = Annotated[Principal, Depends(require("view_cockpit"))]
PackViewer = Annotated[Principal, Depends(require_pack)]
TerritoryViewer = Annotated[Principal, Depends(require_territories)]
TerritoryPlanner = Annotated[Principal, Depends(require_territory_planner)]
CompViewer = Annotated[Principal, Depends(require_comp)]
CompPlansViewer = Annotated[Principal, Depends(require_comp_plans)]
LeadsViewer = Annotated[Principal, Depends(require_leads)]
CoachingViewer = Annotated[Principal, Depends(require_coaching)]
RowReader = Annotated[Principal, Depends(require("view_rows"))]
Exporter = Annotated[Principal, Depends(require("export"))]
UserAdmin = Annotated[Principal, Depends(require("manage_users"))]
Auditor = Annotated[Principal, Depends(require("view_audit"))]
TokenOwner = Annotated[Principal, Depends(require("own_tokens"))]
Reviewer = Annotated[Principal, Depends(require("review_identity"))]
CallSubmitter = Annotated[Principal, Depends(require("submit_forecast"))]
JobViewer = Annotated[Principal, Depends(require("view_jobs"))]
Ingester = Annotated[Principal, Depends(require("ingest"))]
QualityRunner = Annotated[Principal, Depends(require("run_quality"))]
IdentityRunner = Annotated[Principal, Depends(require("run_identity"))]
Backtester = Annotated[Principal, Depends(require("run_backtest"))]
Requester = Annotated[Principal, Depends(require("request_desk"))]
DeskManager = Annotated[Principal, Depends(require("manage_desk"))]
Annotator = Annotated[Principal, Depends(require("annotate"))]


async def check_csrf(request: Request, state: StateDep) -> None:
    """Refuse a cookie-authenticated form post without the session's CSRF token (403).

    Token-authenticated requests carry no cookie a third-party page could ride on.
    """
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    session = state.sessions.read(request.cookies.get(SESSION_COOKIE))
    form = await request.form()
    sent = form.get("csrf_token")
    token = sent if isinstance(sent, str) else request.headers.get("x-csrf-token")
    if session is None or not state.sessions.csrf_ok(session, token):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


Csrf = Depends(check_csrf)
