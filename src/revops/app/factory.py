"""`create_app`: the FastAPI app of a workspace, with no import-time side effects."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode

from revops.errors import BudgetError, CallError, CallRefusedError, QueryTimeout, RevOpsError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from revops.app.db import AppDatabase
    from revops.workspace import Workspace

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"
PACKAGE = Path(__file__).parent
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def create_app(
    workspace: Workspace | Path | str,
    *,
    db: AppDatabase | None = None,
    as_of: date | None = None,
    warm: bool = True,
) -> FastAPI:
    """The cockpit and REST API of `workspace`.

    Args:
        workspace: an open workspace, or its folder (then opened with a read-only
            warehouse, so CLI readers keep working while the server runs).
        db: the app database (default: ``app_database.url`` of the workspace), migrated here.
        as_of: the day values are computed as of; default today.
        warm: compute the most used pages in the background when the server starts and
            after the data changes (:mod:`revops.app.warmup`); tests that ask for what they
            check turn it off.
    """
    from fastapi import Request
    from fastapi.exceptions import HTTPException, RequestValidationError
    from fastapi.responses import JSONResponse, RedirectResponse, Response
    from fastapi.staticfiles import StaticFiles

    from revops.app.api import router as api_router
    from revops.app.apidocs import docs_page
    from revops.app.auth import Sessions
    from revops.app.db import AppDatabase
    from revops.app.deps import SignInRequired
    from revops.app.headers import SecuredApp
    from revops.app.keys import session_key
    from revops.app.state import AppState
    from revops.app.warmup import Warmer
    from revops.app.web import router as web_router
    from revops.app.web.render import render_error
    from revops.workspace import Workspace

    ws = (
        workspace if isinstance(workspace, Workspace) else Workspace.open(workspace, read_only=True)
    )
    database = db or AppDatabase(ws.config.app_database.url, ws.root)
    database.migrate()
    state = AppState(ws, database, Sessions(session_key(ws.root)), as_of)
    warmer = Warmer(state)
    if warm:
        state.on_data_change = warmer.start

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Only a running server warms its pages (tests that build an app without
        # starting it compute what they ask for, nothing more).
        if warm:
            warmer.start()
        yield
        warmer.stop()
        state.runner.stop()

    app = SecuredApp(
        lifespan=lifespan,
        title="revops cockpit",
        version="1",
        description="The revenue cockpit's REST API: every page's view model, metrics, "
        "drill-down rows and exports, users and tokens. Authenticate with a session "
        "cookie (the web pages) or `Authorization: Bearer <token>`.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.revops = state
    app.state.warmer = warmer
    app.mount("/static", StaticFiles(directory=PACKAGE / "static"), name="static")
    app.include_router(api_router, prefix=API_PREFIX)
    app.include_router(web_router)

    def is_api(request: Request) -> bool:
        return request.url.path.startswith(API_PREFIX)

    @app.middleware("http")
    async def _no_control_characters(request: Request, call_next: Any) -> Response:
        # No name, window or slice value has control characters; refusing them here
        # keeps them out of every query the warehouse is sent.
        if _CONTROL.search(unquote(request.url.query)):
            return JSONResponse({"detail": "control characters in the query"}, status_code=400)
        response: Response = await call_next(request)
        return response

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _exc: SignInRequired) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": "sign in or send Authorization: Bearer <token>"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET" or target == "/":
            return RedirectResponse("/signin", status_code=303)
        return RedirectResponse("/signin?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(RevOpsError)
    async def _refused(request: Request, exc: RevOpsError) -> Response:
        status = error_status(exc)
        if is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        return render_error(request, status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"loc": [str(p) if not isinstance(p, int) else p for p in e.get("loc", ())],
             "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]  # fmt: skip
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in problems)
        if is_api(request):
            return JSONResponse(
                {"detail": f"invalid request: {detail}", "errors": problems}, status_code=422
            )
        return render_error(request, 422, f"invalid request: {detail}")

    @app.exception_handler(Exception)
    async def _failed(request: Request, exc: Exception) -> Response:
        # Whatever a backend or library raised: the details (SQL, traceback) go to the
        # server's log under an id; the client gets the id and no internals.
        incident = secrets.token_hex(4)
        log.error("request %s %s failed (incident %s)", request.method, request.url.path,
                  incident, exc_info=exc)  # fmt: skip
        message = f"the server could not answer this request (incident {incident} in its log)"
        if is_api(request):
            return JSONResponse({"detail": message}, status_code=500)
        return render_error(request, 500, message)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if is_api(request) or exc.status_code < 400:
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return render_error(request, exc.status_code, str(exc.detail))

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    def api_docs() -> Response:
        return docs_page(f"{API_PREFIX}/openapi.json")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        # `warm`: whether the pages computed at start (and after a data change) are ready.
        return {"status": "ok", "warm": "yes" if warmer.done.is_set() else "no"}

    return app


def error_status(exc: RevOpsError) -> int:
    """The HTTP status of a refused request: 422 over the query budget or a forecast call
    that cannot be stored (403 for someone else's), 504 past the statement timeout, 400
    for any other input revops cannot answer."""
    if isinstance(exc, CallRefusedError):
        return 403
    if isinstance(exc, (BudgetError, CallError)):
        return 422
    if isinstance(exc, QueryTimeout):
        return 504
    return 400
