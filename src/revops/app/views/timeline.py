"""What changed on a record, as events with a day: a deal's stage, amount and close date
from its history, read as of the workspace's day (a later version is not known yet)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from revops.app.views.common import formatted, number
from revops.app.views.records import RecordLink, day, link, records, text

if TYPE_CHECKING:
    from revops.metrics import SourceContext

EventKind = Literal["stage", "amount", "close_date", "owner", "arr", "ticket", "activity"]
TIMELINE_SHOWN = 200


class TimelineEvent(BaseModel):
    """One change of a record, or one thing that happened to it."""

    at: str = Field(description="When (ISO day or time).")
    kind: EventKind
    text: str
    amount: float | None = Field(description="The money it moved, when it moved money.")
    link: RecordLink | None = Field(description="The record it is about, when another.")


class DealVersion(BaseModel):
    """A deal as one history version recorded it."""

    valid_from: str
    stage: str | None
    amount: float | None
    close_date: str | None
    forecast_category: str | None
    owner_id: str | None


def deal_versions(ctx: SourceContext, ids: list[str]) -> dict[str, list[DealVersion]]:
    """The history versions of deals `ids` the viewer may see, known at the end of the
    as-of day, oldest first per deal."""
    from revops.metrics import moment

    if not ids:
        return {}
    history = ctx.raw("opportunity_history")
    after = ctx.as_of + timedelta(days=1)
    known = history.filter(
        history.opportunity_id.isin(ids)
        & (history.valid_from < moment(history, "valid_from", after))
    )
    rows = records(known.order_by(["opportunity_id", "valid_from"]).execute())
    found: dict[str, list[DealVersion]] = {}
    for row in rows:
        found.setdefault(str(row["opportunity_id"]), []).append(
            DealVersion(
                valid_from=text(row.get("valid_from")) or "",
                stage=text(row.get("stage")),
                amount=number(row.get("amount")),
                close_date=day(row.get("close_date")),
                forecast_category=text(row.get("forecast_category")),
                owner_id=text(row.get("owner_id")),
            )
        )
    return found


def deal_events(ctx: SourceContext, deals: dict[str, str | None]) -> list[TimelineEvent]:
    """The changes of `deals` (id → name): created, stage, amount, close date, owner."""
    out = []
    for deal_id, versions in deal_versions(ctx, sorted(deals)).items():
        target = link("deal", deal_id, deals.get(deal_id))
        out.extend(version_events(versions, target))
    return out


def version_events(versions: list[DealVersion], target: RecordLink | None) -> list[TimelineEvent]:
    """One event per field that changed between consecutive versions (the first: created).

    Examples:
        >>> a = DealVersion(valid_from="2026-01-02", stage="Discovery", amount=10.0,
        ...                 close_date="2026-03-01", forecast_category=None, owner_id="u")
        >>> b = a.model_copy(update={"valid_from": "2026-02-01", "stage": "Proposal"})
        >>> [e.text for e in version_events([a, b], None)]
        ['Stage Discovery → Proposal', 'Created in Discovery, $10, closing 2026-03-01']
    """
    events: list[TimelineEvent] = []
    previous: DealVersion | None = None
    for version in versions:
        at = version.valid_from

        def event(kind: EventKind, words: str, amount: float | None = None, at: str = at) -> None:
            events.append(TimelineEvent(at=at, kind=kind, text=words, amount=amount, link=target))

        if previous is None:
            event("stage", f"Created in {version.stage or '(no stage)'}, "
                  f"{formatted(version.amount, 'money')}, closing {version.close_date or '-'}",
                  version.amount)  # fmt: skip
        else:
            if version.stage != previous.stage:
                event("stage", f"Stage {previous.stage or '-'} → {version.stage or '-'}")
            if version.amount != previous.amount:
                moved = None
                if version.amount is not None and previous.amount is not None:
                    moved = version.amount - previous.amount
                event("amount", f"Amount {formatted(previous.amount, 'money')} → "
                      f"{formatted(version.amount, 'money')}", moved)  # fmt: skip
            if version.close_date != previous.close_date:
                event("close_date", f"Close date {previous.close_date or '-'} → "
                      f"{version.close_date or '-'}")  # fmt: skip
            if version.owner_id != previous.owner_id:
                event("owner", "Owner changed")
        previous = version
    return newest_first(events)


def newest_first(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """`events` newest first (at most :data:`TIMELINE_SHOWN`)."""
    ordered = sorted(enumerate(events), key=lambda pair: (pair[1].at, pair[0]), reverse=True)
    return [e for _, e in ordered][:TIMELINE_SHOWN]
