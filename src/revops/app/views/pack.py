"""The pack page (its templates with download links) and the pack itself, built once per
template, period and day until the warehouse's data or the submitted calls change."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from revops.app.views.common import Page, page

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.pack import PackDocument


class PackLink(BaseModel):
    """One template of `plans/pack.yaml` and where to download it."""

    name: str
    title: str
    sections: list[str] = Field(description="The enabled sections' titles, in order.")
    html: str
    pdf: str
    json_url: str = Field(alias="json")


class PackPage(Page):
    """The page `/pack`."""

    period: str
    templates: list[PackLink]


def build_pack_page(state: AppState, principal: Principal, period: str | None) -> PackPage:
    """The templates of the workspace with links to their HTML, PDF and JSON."""
    from revops.pack.sections import title_of

    pack = state.workspace.pack
    window = state.workspace.metrics.window(period, state.today)
    links = []
    for name, template in pack.file.templates.items():
        query = {"period": window.label, "template": name}
        links.append(
            PackLink.model_validate({
                "name": name, "title": template.title,
                "sections": [title_of(s) for s in template.sections if s.enabled],
                **{f: f"/api/v1/pack?{urlencode({**query, 'format': f})}"
                   for f in ("html", "pdf", "json")},
            })
        )  # fmt: skip
    return PackPage(**page(state, principal), period=window.label, templates=links)


def pack_document(
    state: AppState, period: str | None, as_of: date | None, template: str
) -> PackDocument:
    """The pack (`ws.pack.build`), kept until the data changes: it is asked for in
    several formats and computes for tens of seconds."""
    from revops.app.calls import pack_calls
    from revops.app.views.calls import crm_org

    day = as_of or state.today
    label = state.workspace.metrics.window(period, day).label
    calls = pack_calls(state.db, crm_org(state), label, day)
    # A call submitted since changes the pack: the calls are part of the key.
    submitted = tuple(sorted((c.owner_id, c.submitted_at.isoformat()) for c in calls))

    def build() -> PackDocument:
        with state.reading(report=True):
            return state.workspace.pack.build(label, as_of=day, template=template, calls=calls)

    return state.cache.get(("pack", label, day, template, submitted), build)
