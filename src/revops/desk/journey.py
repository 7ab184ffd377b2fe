"""The customer-journey audit: per lifecycle stage (the workspace's, in order), the people
who entered it, how many went on to the next stage, and what touched them while they were
in it: campaign channels, sales activities (calls, e-mails, meetings: the tools reps work
the stage with) and enablement content; gaps flagged; per content asset, its use and the
win rate of the deals it was used on against deals without content.

People are identity clusters: a lead and a contact of one person (HubSpot and Salesforce)
are one person, through `identity.crosswalk`, never by joining raw ids across systems.

A stage's cohort is the people who first entered it in the window (the `days` before
`as_of − lag_days`, so each had `lag_days` at least to move on); the previous window is
the `days` before that. A stage is a gap when nothing touched its people, when no content
was used in it, or when its conversion fell below (1 − `drop`) × the previous window's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.config import RevOpsConfig
    from revops.warehouse import Warehouse

TS = "timestamp('UTC')"
DEAL_STAGE = "opportunity"
"""The lifecycle stage content used in deals (with no contact named) counts in."""


@dataclass
class JourneyReport:
    """The audit: one row per stage, per stage and touch, per content asset; the gaps."""

    as_of: date
    stages: list[dict[str, Any]]
    touches: list[dict[str, Any]]
    content: list[dict[str, Any]]
    gaps: list[dict[str, Any]]


def gaps_of(stages: list[dict[str, Any]], drop: float) -> list[dict[str, Any]]:
    """The gaps of stage rows (`stage`, `touches`, `content_uses`, `conversion`,
    `previous_conversion`, `next_stage`); a conversion drop is relative (`drop`) and of 5
    points at least.

    Examples:
        >>> rows = [{"stage": "mql", "next_stage": "sql", "entered": 9, "touches": 5,
        ...          "content_uses": 0, "conversion": 0.2, "previous_conversion": 0.4}]
        >>> [g["gap"] for g in gaps_of(rows, 0.2)]
        ['no content', 'conversion drop']
    """
    found: list[dict[str, Any]] = []
    for row in stages:
        if row["next_stage"] is None or not row["entered"]:
            continue  # the last stage, or nobody entered it in the window
        if not row["touches"]:
            detail = "no campaign, activity or content reached its people"
            found.append({"stage": row["stage"], "gap": "no touch", "detail": detail})
        if not row["content_uses"]:
            detail = "no enablement content was used with its people"
            found.append({"stage": row["stage"], "gap": "no content", "detail": detail})
        now, before = row["conversion"], row["previous_conversion"]
        if now is not None and before and now < before * (1 - drop) and before - now >= 0.05:
            found.append({"stage": row["stage"], "gap": "conversion drop",
                          "detail": f"to {row['next_stage']}: {now:.1%} against "
                                    f"{before:.1%} the window before"})  # fmt: skip
    return found


class JourneyAudit:
    """The customer-journey audit of a workspace (``ws.desk.journey``)."""

    def __init__(self, config: RevOpsConfig, warehouse: Callable[[], Warehouse]) -> None:
        self.config = config
        self._warehouse = warehouse

    def _keyed(self, table: ir.Table, column: str) -> ir.Table:
        """`table` with `_person`: the identity cluster of `column` (itself if none)."""
        warehouse = self._warehouse()
        if not warehouse.has_table("crosswalk", "identity"):
            return table.mutate(_person=table[column])
        links = warehouse.table("crosswalk", "identity")
        links = links.filter(links.entity.isin(["lead", "contact"]))
        links = links.select(_record=links.record_id, _cluster=links.cluster_id)
        joined = table.left_join(links, table[column] == links._record)
        return joined.mutate(_person=joined._cluster.fill_null(joined[column])).drop(
            "_record", "_cluster"
        )

    def run(
        self,
        as_of: date | None = None,
        *,
        days: int = 365,
        lag_days: int = 60,
        drop: float = 0.2,
    ) -> JourneyReport:
        """The audit as of a day (default today)."""
        import ibis

        day = as_of or datetime.now(UTC).date()
        warehouse = self._warehouse()
        stages = [s.name for s in self.config.lifecycle_stages]
        end = datetime.combine(day, datetime.max.time(), UTC) - timedelta(days=lag_days)
        start, earlier = end - timedelta(days=days), end - timedelta(days=2 * days)
        events = self._keyed(warehouse.table("lifecycle_event"), "person_id")
        cutoff = ibis.literal(datetime.combine(day, datetime.max.time(), UTC), TS)
        events = events.filter(events.entered_at <= cutoff)
        firsts = events.group_by(["_person", "stage"]).aggregate(entered=events.entered_at.min())
        spans = []
        for index, stage in enumerate(stages):
            following = stages[index + 1] if index + 1 < len(stages) else None
            here = firsts.filter(firsts.stage == stage).select("_person", "entered")
            if following is None:
                span = here.mutate(
                    left=ibis.null(here.entered.type()), next_stage=ibis.null("string")
                )
            else:
                there = firsts.filter(firsts.stage == following)
                there = there.select(_p=there._person, _at=there.entered)
                joined = here.left_join(
                    there, (here._person == there._p) & (there._at >= here.entered)
                )
                span = joined.select("_person", "entered", left=joined._at,
                                     next_stage=ibis.literal(following))  # fmt: skip
            spans.append(span.mutate(stage=ibis.literal(stage)))
        span = ibis.union(*spans) if len(spans) > 1 else spans[0]
        lo, mid, hi = (ibis.literal(t, TS) for t in (earlier, start, end))
        current = (span.entered > mid) & (span.entered <= hi)
        previous = (span.entered > lo) & (span.entered <= mid)
        converted = span.left.notnull() & (span.left <= cutoff)
        per_stage = span.group_by("stage").aggregate(
            entered=span._person.nunique(where=current),
            converted=span._person.nunique(where=current & converted),
            previous_entered=span._person.nunique(where=previous),
            previous_converted=span._person.nunique(where=previous & converted),
        )
        touches = self._touches(span.filter(current), converted)
        touch_rows: list[dict[str, Any]] = touches.order_by(
            ["stage", ibis.desc("touches"), "touch"]
        ).to_pyarrow().to_pylist()  # fmt: skip
        counts = {r["stage"]: r for r in per_stage.to_pyarrow().to_pylist()}
        rows = []
        for index, stage in enumerate(stages):
            found = counts.get(stage, {})
            mine = [t for t in touch_rows if t["stage"] == stage]
            rows.append({
                "stage": stage,
                "next_stage": stages[index + 1] if index + 1 < len(stages) else None,
                "entered": found.get("entered", 0),
                "converted": found.get("converted", 0),
                "conversion": _share(found.get("converted"), found.get("entered")),
                "previous_conversion": _share(found.get("previous_converted"),
                                              found.get("previous_entered")),
                "touches": sum(t["touches"] for t in mine),
                "content_uses": sum(t["touches"] for t in mine if t["kind"] == "content"),
            })  # fmt: skip
        deal_uses = self._deal_content(lo_hi=(start, end))
        if deal_uses and DEAL_STAGE in stages:
            for row in deal_uses:
                touch_rows.append({"stage": DEAL_STAGE, "kind": "content", **row})
            rows[stages.index(DEAL_STAGE)]["touches"] += sum(r["touches"] for r in deal_uses)
            rows[stages.index(DEAL_STAGE)]["content_uses"] += sum(r["touches"] for r in deal_uses)
        for row in touch_rows:
            row["conversion"] = _share(row["converted"], row["people"])
        return JourneyReport(day, rows, touch_rows, self._content(cutoff), gaps_of(rows, drop))

    def _touches(self, span: ir.Table, converted: ir.BooleanValue) -> ir.Table:
        """Per stage and touch (a campaign channel, an activity type, a content asset):
        touches while people were in the stage, people touched, and those who moved on."""
        import ibis

        warehouse = self._warehouse()
        span = span.mutate(_converted=converted)
        sources: list[ir.Table] = []
        if warehouse.has_table("campaign_touch") and warehouse.has_table("campaign"):
            touch = self._keyed(warehouse.table("campaign_touch"), "person_id")
            campaign = warehouse.table("campaign").select(_cid="campaign_id", _ch="channel")
            touch = touch.left_join(campaign, touch.campaign_id == campaign._cid)
            sources.append(touch.select("_person", at=touch.occurred_at, kind=ibis.literal(
                "channel"), touch=touch._ch.fill_null("(no channel)")))  # fmt: skip
        if warehouse.has_table("activity"):
            act = warehouse.table("activity")
            act = act.mutate(_who=act.contact_id.fill_null(act.lead_id))
            act = self._keyed(act.filter(act._who.notnull()), "_who")
            sources.append(act.select("_person", at=act.occurred_at, kind=ibis.literal(
                "activity"), touch=act.type.fill_null("(no type)")))  # fmt: skip
        if warehouse.has_table("content_usage") and warehouse.has_table("content"):
            use = warehouse.table("content_usage")
            use = self._keyed(use.filter(use.contact_id.notnull()), "contact_id")
            content = warehouse.table("content").select(_cid="content_id", _title="title")
            use = use.left_join(content, use.content_id == content._cid)
            sources.append(use.select("_person", at=use.used_at, kind=ibis.literal("content"),
                                      touch=use._title.fill_null(use.content_id)))  # fmt: skip
        if not sources:
            return span.select(stage=span.stage, kind=ibis.literal("none"), touch=ibis.literal(
                ""), touches=ibis.literal(0), people=ibis.literal(0),
                converted=ibis.literal(0)).limit(0)  # fmt: skip
        every = ibis.union(*sources) if len(sources) > 1 else sources[0]
        every = every.select(_tp="_person", at="at", kind="kind", touch="touch")
        joined = span.join(every, span._person == every._tp)
        inside = (joined.at >= joined.entered) & (joined.left.isnull() | (joined.at < joined.left))
        joined = joined.filter(inside)
        return joined.group_by(["stage", "kind", "touch"]).aggregate(
            touches=joined.count(),
            people=joined._person.nunique(),
            converted=joined._person.nunique(where=joined._converted),
        )

    def _deal_content(self, lo_hi: tuple[datetime, datetime]) -> list[dict[str, Any]]:
        """Content used in deals (no contact named) in the window, per asset: it touched
        the buying group in the opportunity stage; `people` counts the deals and
        `converted` those won."""
        import ibis

        warehouse = self._warehouse()
        if not (warehouse.has_table("content_usage") and warehouse.has_table("content")):
            return []
        use = warehouse.table("content_usage")
        lo, hi = (ibis.literal(t, TS) for t in lo_hi)
        use = use.filter(use.contact_id.isnull() & use.opportunity_id.notnull()
                         & (use.used_at > lo) & (use.used_at <= hi))  # fmt: skip
        deals = warehouse.table("opportunity").select(_oid="opportunity_id", _won="is_won")
        content = warehouse.table("content").select(_cid="content_id", _title="title")
        use = use.left_join(deals, use.opportunity_id == deals._oid)
        use = use.left_join(content, use.content_id == content._cid)
        per = use.group_by(touch=use._title.fill_null(use.content_id)).aggregate(
            touches=use.count(),
            people=use.opportunity_id.nunique(),
            converted=use.opportunity_id.nunique(where=use._won.fill_null(False)),
        )
        rows: list[dict[str, Any]] = per.order_by([ibis.desc("touches"), "touch"]).to_pyarrow(
        ).to_pylist()  # fmt: skip
        return rows

    def _content(self, cutoff: ir.TimestampValue) -> list[dict[str, Any]]:
        """Per content asset: uses, deals used on, and the win rate of its closed deals
        against closed deals on which no content was used (the uplift)."""
        import ibis

        warehouse = self._warehouse()
        if not (warehouse.has_table("content_usage") and warehouse.has_table("content")):
            return []
        use = warehouse.table("content_usage")
        use = use.filter(use.used_at <= cutoff)
        deals = warehouse.table("opportunity")
        closed = deals.filter(deals.is_closed.fill_null(False) & (deals.closed_at <= cutoff))
        closed = closed.select(_oid="opportunity_id", _won=closed.is_won.fill_null(False))
        with_content = use.filter(use.opportunity_id.notnull()).select(_used="opportunity_id")
        without = closed.anti_join(with_content.distinct(), closed._oid == with_content._used)
        base = without.aggregate(n=without.count(), won=without._won.sum()).to_pyarrow()
        baseline = base.to_pylist()[0]
        baseline_rate = _share(baseline["won"], baseline["n"])
        joined = use.left_join(closed, use.opportunity_id == closed._oid)
        per = joined.group_by("content_id").aggregate(
            uses=joined.count(),
            deals=joined.opportunity_id.nunique(),
            closed_deals=joined._oid.nunique(),
            won_deals=joined._oid.nunique(where=joined._won),
        )
        content = warehouse.table("content")
        out = content.left_join(per, content.content_id == per.content_id)
        rows: list[dict[str, Any]] = out.select(
            content.content_id, "title", "type", uses=out.uses.fill_null(0),
            deals=out.deals.fill_null(0), closed_deals=out.closed_deals.fill_null(0),
            won_deals=out.won_deals.fill_null(0),
        ).order_by([ibis.desc("uses"), "title"]).to_pyarrow().to_pylist()  # fmt: skip
        for row in rows:
            rate = _share(row["won_deals"], row["closed_deals"])
            row["win_rate"] = rate
            row["baseline_win_rate"] = baseline_rate
            row["uplift"] = None if rate is None or baseline_rate is None else rate - baseline_rate
        return rows


def _share(part: Any, whole: Any) -> float | None:
    return float(part) / float(whole) if whole else None
