"""Accounts at risk and renewals: the churn model's probabilities put against the ARR each
company pays, with its reasons, its CSM, and the renewal forecast's range."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from revops.metrics import SourceContext
    from revops.stats.churn import ChurnModel

NOTICE_REASON = "cancellation notice given"
SIMULATIONS = 4000


@dataclass(frozen=True)
class AtRisk:
    """One paying company, its churn probability and what is at stake."""

    account_id: str
    name: str | None
    segment: str | None
    csm_id: str | None
    csm_name: str | None
    arr: float
    p_churn: float
    reasons: list[str]
    renewal_date: date | None = None

    @property
    def arr_at_stake(self) -> float:
        """ARR × P(churn): what the company's risk is worth."""
        return self.arr * self.p_churn

    @property
    def health_score(self) -> float:
        """100 × (1 − P(churn)): the learned health score."""
        return 100.0 * (1.0 - self.p_churn)

    def as_dict(self) -> dict[str, object]:
        """For JSON."""
        return {
            "account_id": self.account_id,
            "account_name": self.name,
            "segment": self.segment,
            "csm_id": self.csm_id,
            "csm_name": self.csm_name,
            "arr": round(self.arr, 2),
            "p_churn": round(self.p_churn, 4),
            "health_score": round(self.health_score, 1),
            "arr_at_stake": round(self.arr_at_stake, 2),
            "renewal_date": None if self.renewal_date is None else self.renewal_date.isoformat(),
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class RenewalMonth:
    """Renewals falling in one calendar month."""

    month: str
    accounts: int
    arr: float
    expected_retained_arr: float
    at_risk: int

    def as_dict(self) -> dict[str, object]:
        """For JSON."""
        return {
            "month": self.month,
            "accounts": self.accounts,
            "arr": round(self.arr, 2),
            "expected_retained_arr": round(self.expected_retained_arr, 2),
            "accounts_at_risk": self.at_risk,
        }


@dataclass(frozen=True)
class RenewalForecast:
    """Expected retained ARR of every paying company over the model's horizon, with its
    P10-P90 range (companies churning independently at their probabilities)."""

    as_of: date
    horizon_days: int
    arr: float
    expected_retained_arr: float
    p10: float
    p90: float
    months: list[RenewalMonth] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """For JSON."""
        return {
            "as_of": self.as_of.isoformat(),
            "horizon_days": self.horizon_days,
            "arr": round(self.arr, 2),
            "expected_retained_arr": round(self.expected_retained_arr, 2),
            "p10": round(self.p10, 2),
            "p90": round(self.p90, 2),
            "months": [m.as_dict() for m in self.months],
        }


def score_companies(
    model: ChurnModel, frame: pd.DataFrame, details: dict[str, dict[str, Any]],
    renewals: dict[str, date], threshold: float,
) -> list[AtRisk]:  # fmt: skip
    """Every company of `frame` (features, `mrr` and `p_churn` on one day, see
    :func:`revops.metrics.engines.churn_signals.scored`), ranked by ARR at stake.

    A company whose cancellation is already known (P(churn) 1) says so; `threshold` is the
    P(churn) from which a company counts as at risk (its reasons are listed then).
    """
    reasons = model.reasons(frame) if len(frame) else []
    found = []
    for i, row in enumerate(frame.to_dict("records")):
        company = str(row["account_id"])
        noticed = bool(row.get("has_notice", False))
        chance = float(row["p_churn"])
        why = [NOTICE_REASON] if noticed else [r.text for r in reasons[i]]
        info = details.get(company, {})
        found.append(
            AtRisk(
                account_id=company,
                name=info.get("name"),
                segment=info.get("segment"),
                csm_id=info.get("csm_id"),
                csm_name=info.get("csm_name"),
                arr=12.0 * float(row["mrr"]),
                p_churn=chance,
                reasons=why if chance >= threshold else [],
                renewal_date=renewals.get(company),
            )
        )
    return sorted(found, key=lambda r: (-r.arr_at_stake, r.account_id))


def forecast(
    companies: list[AtRisk], as_of: date, horizon_days: int, threshold: float, seed: int = 0
) -> RenewalForecast:
    """The renewal forecast of `companies`: expected retained ARR and its P10-P90 range,
    and the annual renewals by month within the horizon."""
    arr = np.array([c.arr for c in companies], dtype=np.float64)
    keep = 1.0 - np.array([c.p_churn for c in companies], dtype=np.float64)
    rng = np.random.default_rng(seed)
    draws = (rng.random((SIMULATIONS, arr.size)) < keep) @ arr if arr.size else np.zeros(1)
    months: dict[str, list[AtRisk]] = {}
    last = as_of + timedelta(days=horizon_days)
    for company in companies:
        if company.renewal_date is not None and company.renewal_date <= last:
            months.setdefault(company.renewal_date.strftime("%Y-%m"), []).append(company)
    return RenewalForecast(
        as_of,
        horizon_days,
        float(arr.sum()),
        float((arr * keep).sum()),
        float(np.percentile(draws, 10)),
        float(np.percentile(draws, 90)),
        [
            RenewalMonth(
                month,
                len(rows),
                sum(r.arr for r in rows),
                sum(r.arr * (1 - r.p_churn) for r in rows),
                sum(r.p_churn >= threshold for r in rows),
            )
            for month, rows in sorted(months.items())
        ],
    )


def company_details(ctx: SourceContext, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Name, segment and CSM (id and name; the owner where no CSM is set) of each company
    of `ids` (golden accounts, or accounts where identity resolution has not run)."""
    from revops.metrics.sources import current_golden

    wanted = sorted(set(ids))
    if not wanted:
        return {}
    golden = current_golden(ctx.reader, "account")
    columns = ("name", "segment", "csm_id", "owner_id")
    if golden is not None:
        rows = golden.filter(golden.golden_account_id.isin(wanted)).select(
            account_id=golden.golden_account_id, **{c: golden[c] for c in columns}
        )
        found = {r["account_id"]: r for r in rows.to_pyarrow().to_pylist()}
    else:
        found = {}
    missing = [i for i in wanted if i not in found]
    if missing:
        accounts = ctx.raw("account", scoped=False)
        rows = accounts.filter(accounts.account_id.isin(missing)).select("account_id", *columns)
        found |= {r["account_id"]: r for r in rows.to_pyarrow().to_pylist()}
    users = ctx.raw("user", scoped=False)
    people = {
        r["user_id"]: r["name"] for r in users.select("user_id", "name").to_pyarrow().to_pylist()
    }
    for row in found.values():
        row["csm_id"] = row.get("csm_id") or row.get("owner_id")
        row["csm_name"] = people.get(row["csm_id"]) if row["csm_id"] else None
    return found


def next_renewals(ctx: SourceContext, day: date) -> dict[str, date]:
    """The next anniversary after `day` of each company's live yearly lines (its earliest)."""
    import ibis

    from revops.metrics.engines.lines import day_end, paid_spans

    spans = paid_spans(ctx.table("subscription_line"))
    raw = ctx.table("subscription_line").select(
        _line_id="subscription_line_id", billing_interval="billing_interval",
        start_date="start_date",
    )  # fmt: skip
    spans = spans.left_join(raw, spans.subscription_line_id == raw._line_id)
    edge = ibis.literal(day_end(day), type="timestamp('UTC')")
    live = spans.filter(
        (spans.starts_at < edge)
        & (spans.ends_at.isnull() | (spans.ends_at >= edge))
        & (spans.billing_interval == "year")
    )
    lookup = ctx.golden_accounts()
    joined = live.left_join(lookup, live.account_id == lookup.account_id)
    rows = (
        joined.select(
            company=joined.golden_account_id.fill_null(joined.account_id),
            start_date=joined.start_date,
        )
        .to_pyarrow()
        .to_pylist()
    )
    found: dict[str, date] = {}
    for row in rows:
        start: date = row["start_date"]
        years = max(1, day.year - start.year)
        renewal = _add_years(start, years)
        while renewal <= day:
            years += 1
            renewal = _add_years(start, years)
        if row["company"] not in found or renewal < found[row["company"]]:
            found[row["company"]] = renewal
    return found


def _add_years(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)
