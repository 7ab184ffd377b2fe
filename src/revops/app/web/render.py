"""Rendering a view model with its template."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revops.app.views.common import formatted

if TYPE_CHECKING:
    from fastapi import Request
    from fastapi.responses import HTMLResponse
    from fastapi.templating import Jinja2Templates
    from pydantic import BaseModel

    from revops.app.deps import Principal

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@cache
def templates() -> Jinja2Templates:
    """The page templates (autoescaped), with the number formatter as a filter."""
    from fastapi.templating import Jinja2Templates

    found = Jinja2Templates(directory=str(TEMPLATES))
    found.env.filters["fmt"] = formatted
    found.env.filters["pct"] = lambda v: "-" if v is None else f"{v * 100:+.1f}%"
    return found


def render(
    request: Request,
    template: str,
    view: BaseModel,
    principal: Principal | None,
    **extra: Any,
) -> HTMLResponse:
    """The page `template` drawn from `view`; the view's JSON is embedded for the charts."""
    context = {
        "view": view,
        "data_json": json.dumps(view.model_dump(mode="json")),
        "csrf": principal.csrf if principal else "",
        "path": request.url.path,
        **extra,
    }
    return templates().TemplateResponse(request, template, context)


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    """An error page."""
    return templates().TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message, "csrf": "", "path": request.url.path},
        status_code=status,
    )
