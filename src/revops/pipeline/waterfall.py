"""How the pipeline of a target close window moved between two days.

Open pipeline at the first day + created + pulled in + increased - decreased - won - lost
- slipped = open pipeline at the second day, exactly. A deal is *in* the pipeline on a day
when it is open at the end of that day with its close date in the target window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from revops.errors import PipelineError
from revops.pipeline.snapshot import deals_at

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period
    from revops.metrics import SourceContext

ADDED = ("created", "pulled_in", "increased")
"""Steps that add to the pipeline: new deals, deals whose close date moved into the window
(or that reopened), amounts raised."""
REMOVED = ("decreased", "won", "lost", "slipped")
"""Steps that take from it: amounts cut, deals won, lost, or whose close date left the window."""
STEPS = ("open_start", *ADDED, *REMOVED, "open_end")


@dataclass
class Waterfall:
    """The movement of a window's pipeline between two days.

    Attributes:
        start: the first day (pipeline at its end).
        end: the second day.
        window: the target close window.
        amounts: per step of :data:`STEPS`, its amount (exact decimals).
        counts: per step, the deals in it.
        deals: one row per deal that moved (for drill-down): its state at both days, its
            `entry` (created, pulled_in or null), `exit` (won, lost, slipped or null) and
            amounts per step.
    """

    start: date
    end: date
    window: Period
    amounts: dict[str, Decimal]
    counts: dict[str, int]
    deals: ir.Table | None = field(default=None, repr=False)

    @property
    def balance(self) -> Decimal:
        """Open pipeline at the start plus additions minus removals, less the end: 0."""
        moved = sum((self.amounts[s] for s in ADDED), Decimal(0)) - sum(
            (self.amounts[s] for s in REMOVED), Decimal(0)
        )
        return self.amounts["open_start"] + moved - self.amounts["open_end"]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """One row per step: step, sign (+, -, =), amount, deals."""
        signs = {**dict.fromkeys(ADDED, "+"), **dict.fromkeys(REMOVED, "-")}
        return [
            {
                "step": step,
                "sign": signs.get(step, "="),
                "amount": float(self.amounts[step]),
                "deals": self.counts[step],
            }
            for step in STEPS
        ]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "kind": "waterfall",
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "window": self.window.label,
            "rows": self.rows,
        }


def movements(ctx: SourceContext, start: date, end: date, window: Period) -> ir.Table:
    """One row per deal in the window's pipeline at `start` or `end`, or closed in between.

    A deal not in the pipeline at `start` that closed by `end` with its close date in the
    window enters (created or pulled in) and leaves (won or lost) with its closing amount,
    so bookings of deals created in between show.

    Raises:
        PipelineError: `start` is not before `end`, or `end` is after the as-of day.
    """
    import ibis

    from revops.metrics import in_window

    if start >= end:
        raise PipelineError(f"the waterfall needs --from before --to (got {start} and {end})")
    if end > ctx.as_of:
        raise PipelineError(f"the waterfall cannot end after the as-of day {ctx.as_of} (got {end})")
    before = deals_at(ctx, start)
    before = before.select(
        start_id="opportunity_id",
        stage_start="stage",
        category_start="stage_category",
        close_date_start="close_date",
        amount_start="amount",
        in_start=(before.stage_category == "open") & in_window(before, "close_date", window),
    )
    after = deals_at(ctx, end)
    joined = after.left_join(before, after.opportunity_id == before.start_id)
    in_start = joined.in_start.fill_null(False)
    in_end = (joined.stage_category == "open") & in_window(joined, "close_date", window)
    closed = joined.stage_category.isin(["won", "lost"])
    was_closed = joined.category_start.isin(["won", "lost"]).fill_null(False)
    closed_between = closed & ~was_closed & in_window(joined, "close_date", window)
    enters = ~in_start & (in_end | closed_between)
    leaves = (in_start & ~in_end) | (~in_start & closed_between)
    entry = ibis.ifelse(
        enters, ibis.ifelse(joined.start_id.isnull(), "created", "pulled_in"), ibis.null("string")
    )
    exit_kind = ibis.cases(
        (leaves & (joined.stage_category == "won"), "won"),
        (leaves & (joined.stage_category == "open"), "slipped"),
        (leaves, "lost"),
        else_=ibis.null("string"),
    )
    zero = ibis.literal(0, type=joined.amount.type())
    start_amount = joined.amount_start.fill_null(zero)
    change = joined.amount - start_amount
    stays = in_start & in_end
    moved = joined.mutate(
        entry=entry,
        exit=exit_kind,
        open_start=ibis.ifelse(in_start, start_amount, zero),
        entry_amount=ibis.ifelse(enters, joined.amount, zero),
        increased=ibis.ifelse(stays & (change > zero), change, zero),
        decreased=ibis.ifelse(stays & (change < zero), -change, zero),
        # A deal that leaves takes out what it held at the start (its closing amount
        # when it entered in between): amount changes on the way out are not steps.
        exit_amount=ibis.ifelse(leaves, ibis.ifelse(in_start, start_amount, joined.amount), zero),
        open_end=ibis.ifelse(in_end, joined.amount, zero),
        is_in_start=in_start,
        is_in_end=in_end,
    )
    moved = moved.filter(in_start | in_end | closed_between)
    return moved.drop("start_id", "in_start")


def waterfall(ctx: SourceContext, start: date, end: date, window: Period) -> Waterfall:
    """The waterfall of `window`'s pipeline from the end of `start` to the end of `end`.

    Args:
        ctx: the source context; `end` must not be after its as-of day.
        start: the first day.
        end: the second day.
        window: the target close window (e.g. the fiscal quarter of `end`).
    """
    deals = movements(ctx, start, end, window)
    zero = 0
    measures: dict[str, Any] = {
        "open_start": deals.open_start.sum(),
        "open_start_n": deals.count(where=deals.is_in_start),
        "open_end": deals.open_end.sum(),
        "open_end_n": deals.count(where=deals.is_in_end),
        "increased": deals.increased.sum(),
        "increased_n": deals.count(where=deals.increased > zero),
        "decreased": deals.decreased.sum(),
        "decreased_n": deals.count(where=deals.decreased > zero),
    }
    for step in ("created", "pulled_in"):
        measures[step] = deals.entry_amount.sum(where=deals.entry == step)
        measures[f"{step}_n"] = deals.count(where=deals.entry == step)
    for step in ("won", "lost", "slipped"):
        measures[step] = deals.exit_amount.sum(where=deals.exit == step)
        measures[f"{step}_n"] = deals.count(where=deals.exit == step)
    totals = deals.aggregate(**measures).to_pyarrow().to_pylist()[0]
    amounts = {s: Decimal(str(totals[s])) if totals[s] is not None else Decimal(0) for s in STEPS}
    counts = {s: int(totals[f"{s}_n"] or 0) for s in STEPS}
    return Waterfall(start, end, window, amounts, counts, deals)
