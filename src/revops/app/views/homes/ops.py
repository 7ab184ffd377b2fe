"""The RevOps home (also the admin's): the company headline, and the state of the data —
its quality score, the last load, the identity review queue — with links to act on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from revops.app import review
from revops.app.views.common import formatted, number
from revops.app.views.home import HEADLINE
from revops.app.views.homes.base import Compare, HomeKind, RoleHome, common, text
from revops.app.views.syncs import ConnectorSync, connector_syncs
from revops.errors import IdentityError

if TYPE_CHECKING:
    from revops.app.deps import Principal
    from revops.app.state import AppState
    from revops.core import Period

QUEUE_COUNTED = 1000
"""Pairs counted per kind in the review queue; more shows as that many and `queue_more`."""


class Link(BaseModel):
    """Where to go next."""

    label: str
    url: str


class LastLoad(BaseModel):
    """The latest ingest load."""

    source: str
    entity: str
    status: str
    finished_at: str | None
    rows_in: int
    quarantined: int


class RevOpsHome(RoleHome):
    """RevOps' home: the company headline and the data's state."""

    home: Literal["revops"] = "revops"

    data_quality_score: float | None = Field(
        description="Share of records passing every quality rule, latest run in the window."
    )
    data_quality_display: str
    last_load: LastLoad | None
    loads_refused: int = Field(description="Loads among the last 50 that did not load.")
    review_queue: dict[str, int] = Field(
        description="Undecided identity pairs per kind (person, company), decisions made in "
        "the cockpit but not yet stored left out."
    )
    queue_more: bool = Field(description="Whether a kind has more pairs than were counted.")
    review_problem: str | None
    connector_syncs: list[ConnectorSync] | None = Field(
        description="Each connected source's last sync (as `revops sync status` shows it); "
        "None for a viewer who may not see jobs."
    )
    links: list[Link]


def build_revops(
    state: AppState, principal: Principal, home: HomeKind, inspecting: bool,
    homes: list[HomeKind], period: Period, compare: Compare,
) -> RevOpsHome:  # fmt: skip
    """The RevOps home of `period`."""
    fields = common(state, principal, home, inspecting, homes, period, compare, HEADLINE)
    score = number(
        state.compute("data_quality_score", period.label, scope=principal.scope).value(
            "data_quality_score"
        )
    )
    parts = state.memo(("home-revops",), lambda: _data_state(state))
    queue, more, problem = _queue(state) if principal.can("review_identity") else ({}, False, None)
    syncs = connector_syncs(state) if principal.can("view_jobs") else None
    links = [
        Link(label="Data quality", url="/quality"),
        Link(label="Metrics explorer", url="/metrics"),
        Link(label="API reference", url="/api/v1/docs"),
    ]
    if principal.can("review_identity"):
        links.insert(1, Link(label="Identity review", url="/identity/review"))
    if principal.can("manage_users") or principal.can("own_tokens"):
        links.append(Link(label="Users and tokens", url="/admin"))
    return RevOpsHome(
        **fields, data_quality_score=score, data_quality_display=formatted(score, "ratio"),
        review_queue=queue, queue_more=more, review_problem=problem, connector_syncs=syncs,
        links=links, **parts,
    )  # fmt: skip


def _data_state(state: AppState) -> dict[str, Any]:
    from revops.ingest.inspect import load_log

    with state.reading():
        loads = load_log(state.workspace.reading_warehouse(), 50)
    last = None
    if loads:
        row = loads[0]
        last = LastLoad(
            source=str(row.get("source_system") or ""), entity=str(row.get("entity") or ""),
            status=str(row.get("status") or ""),
            finished_at=(text(row.get("finished_at")) and str(row["finished_at"])[:19]),
            rows_in=int(row.get("rows_in") or 0), quarantined=int(row.get("quarantined") or 0),
        )  # fmt: skip
    refused = sum(1 for r in loads if str(r.get("status")) != "loaded")
    return {"last_load": last, "loads_refused": refused}


def _queue(state: AppState) -> tuple[dict[str, int], bool, str | None]:
    """Undecided pairs per kind, as the review page lists them (cockpit decisions skipped)."""
    from revops.app.views.review import reading_identity

    identity = reading_identity(state)
    counts: dict[str, int] = {}
    more = False
    try:
        for kind in ("person", "company"):
            skip = {(d.left, d.right) for d in review.pending(state.db, kind)}
            with state.reading():
                found = len(identity.review(kind, QUEUE_COUNTED, skip=skip))
            counts[kind] = found
            more = more or found >= QUEUE_COUNTED
    except IdentityError as exc:
        return {}, False, str(exc)
    return counts, more, None
