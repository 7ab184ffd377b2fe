"""GET /api/v1/pack: the revenue meeting pack as HTML, PDF or its numbers as JSON."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from revops.app.api.params import Day, Window
from revops.app.deps import PackViewer, StateDep
from revops.app.views.pack import pack_document
from revops.pack import PackDocument

router = APIRouter(tags=["cockpit"])
Template = Annotated[
    str, Query(max_length=60, pattern=r"^[A-Za-z0-9_-]+$", description="A template of "
               "plans/pack.yaml: weekly, quarterly or the workspace's own.")
]  # fmt: skip
PackFormat = Annotated[Literal["json", "html", "pdf"], Query(alias="format")]


@router.get(
    "/pack",
    response_model=PackDocument,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def pack(
    state: StateDep,
    principal: PackViewer,
    period: Window = None,
    as_of: Day = None,
    template: Template = "quarterly",
    fmt: PackFormat = "json",
) -> PackDocument | Response:
    """The pack of `template` for `period` as of `as_of`: a self-contained HTML page, a
    PDF, or its sections' numbers, targets, comparisons and links as JSON. Company-wide:
    403 for roles that read only some rows."""
    document = pack_document(state, period, as_of, template)
    if fmt == "json":
        return document
    name = f"pack-{document.period}-{template}"
    if fmt == "pdf":
        body = state.workspace.pack.pdf(document)
        disposition = {"Content-Disposition": f'attachment; filename="{name}.pdf"'}
        return Response(body, media_type="application/pdf", headers=disposition)
    return HTMLResponse(state.workspace.pack.html(document))
