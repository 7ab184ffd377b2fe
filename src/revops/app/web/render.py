"""Rendering a view model with its template."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from revops.app.views.common import formatted
from revops.app.views.records import record_url

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
    found.env.globals["record_url"] = record_url
    return found


_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("\u2028"): "\\u2028",
    ord("\u2029"): "\\u2029",
}


def embedded_json(value: Any) -> Markup:
    """`value` as JSON safe inside ``<script type="application/json">``: no ``<``, ``>``
    or ``&`` appears raw (so no value can close the element or open a comment), nor the
    line separators older parsers take for line ends. `JSON.parse` reads it unchanged.

    Examples:
        >>> str(embedded_json({"name": "</script><b>&"}))
        '{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=False).translate(_JSON_ESCAPES)
    # Safe by construction: every character that means something in HTML is escaped.
    return Markup(text)


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
        "data_json": embedded_json(view.model_dump(mode="json")),
        "csrf": principal.csrf if principal else "",
        "path": request.url.path,
        "query": request.url.query,
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
