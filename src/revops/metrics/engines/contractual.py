"""The contractual lifetime value of each paying company in the catalog: the sBG model
fitted per segment on its start cohorts (:mod:`revops.metrics.engines.cohorts`), as the
defaults of `success/clv.yaml` set it (monthly cohorts, 1 % discount a month)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revops.errors import SuccessError
from revops.metrics.engines.cohorts import read_cohorts, survival
from revops.metrics.engines.customers import on_account_records
from revops.metrics.sources import engine

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from revops.core import Period
    from revops.metrics.sources import SourceContext

DISCOUNT_RATE = 0.01
"""Per month: the default of `success/clv.yaml` (`discount_rate`)."""

VALUE_COLUMNS = ("account_id", "golden_account_id", "mrr", "renewals",
                 "new_customer_clv", "residual_value")  # fmt: skip


@engine(
    "subscriber_value",
    "One row per company (golden account) paying at the window's end (or the as-of day): "
    "its mrr, renewals (month ends paid through since it started without a lapse; "
    "0 for a company back after one), new_customer_clv (its segment's ARPA x "
    "metrics.gross_margin x DEL, the discounted expected lifetime of a new customer) and "
    "residual_value (mrr x metrics.gross_margin x DERL, the discounted lifetime still ahead "
    "of it after its renewals), from the shifted-beta-geometric model fitted on its "
    "segment's monthly start cohorts, 1 % discount a month; account_id is one of the "
    "company's account records. Null values, with a warning, for a segment whose model "
    "cannot be fitted.",
    VALUE_COLUMNS,
    windowed=True,
)
def subscriber_value(ctx: SourceContext, period: Period) -> ir.Table:
    """The sBG lifetime value of every paying company at the window's end."""
    import ibis
    import pandas as pd

    from revops.stats.sbg import SBG, fit_sbg

    day = min(period.last_day, ctx.as_of)
    margin = ctx.settings.gross_margin

    def build() -> ir.Table:
        fits: dict[str, SBG] = {}
        cohorts = read_cohorts(ctx, day)
        for segment in sorted({c.segment for c in cohorts}):
            try:
                fits[segment] = fit_sbg([c.survivors for c in cohorts if c.segment == segment])
            except SuccessError as exc:
                ctx.warnings.append(f"subscriber_value of {segment} on {day}: {exc}")
        rows = survival(ctx, day)
        paying = rows.filter(rows.mrr > 0)
        # A company that started in the month not yet ended has made no renewal either.
        renewals = paying.is_active.ifelse(paying.survived, 0).clip(lower=0)
        frame = paying.select("company_id", "segment", "mrr", renewals=renewals).to_pandas()
        arpa = frame.groupby("segment")["mrr"].mean().to_dict() if len(frame) else {}
        new: list[float | None] = []
        residual: list[float | None] = []
        for row in frame.itertuples():
            fit = fits.get(str(row.segment))
            if fit is None:
                new.append(None)
                residual.append(None)
                continue
            new.append(arpa[row.segment] * margin * fit.discounted_lifetime(DISCOUNT_RATE))
            ahead = fit.residual_lifetime(DISCOUNT_RATE, int(row.renewals))
            residual.append(float(row.mrr * margin * ahead))
        frame["new_customer_clv"] = pd.Series(new, dtype="float64")
        frame["residual_value"] = pd.Series(residual, dtype="float64")
        schema = {"golden_account_id": "string", "mrr": "float64",
                  "renewals": "int64", "new_customer_clv": "float64",
                  "residual_value": "float64"}  # fmt: skip
        table = ibis.memtable(
            frame.rename(columns={"company_id": "golden_account_id"})[list(schema)],
            schema=schema,
        )
        # A view: the catalog joins the account table again to slice these rows.
        return on_account_records(ctx, table).view()

    return ctx.memo(f"subscriber_value:{day.isoformat()}", build)
