"""Where managers can coach: each rep's conversion by stage, cycle length, deal size and
activities per deal beside their team's, with the reps far from it flagged and the metric
that puts them there.

The per-rep values are catalog metrics sliced by owner and team, computed in the
warehouse; :func:`revops.coaching.outliers.flag_outliers` compares the reps.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from revops.coaching.outliers import COMPANY, GROUP, flag_outliers
from revops.coaching.result import CoachingTable

if TYPE_CHECKING:
    import pandas as pd

    from revops.metrics import Metrics, Scope

Against = Literal["team", "company"]
"""Whose reps a rep is compared with."""
BENCHMARKS = (
    ("win_rate", "closed_deals"),
    ("sales_cycle_days", "won_deals"),
    ("average_deal_size", "won_deals"),
    ("activities_per_won_deal", "won_deals"),
)
"""Each benchmarked metric and the count of deals it rests on (its sample)."""
STAGE_BENCHMARK = ("stage_conversion", "stage_entries")
"""Conversion by stage, benchmarked per stage."""
REP_COLUMNS = ("owner", "owner_label", "team", "team_label", "metric", "stage", "value", "sample")


def rep_benchmarks(
    metrics: Metrics,
    window: str | None,
    *,
    as_of: date,
    scope: Scope | None = None,
    threshold: float = 2.0,
    fence: float = 1.5,
    min_sample: int = 3,
    outliers_only: bool = False,
    against: Against = "team",
) -> CoachingTable:
    """Every rep's benchmarked metrics in `window` against their team (or, `against`
    ``company``, every rep), flagged where the rep is more than `threshold` standard
    deviations from the rest or outside their quartiles -/+ `fence` IQR (see
    :func:`flag_outliers`)."""
    period = metrics.window(window, as_of)
    values = rep_values(metrics, period.label, as_of=as_of, scope=scope)
    flagged = flag_outliers(
        values,
        threshold=threshold,
        fence=fence,
        min_sample=min_sample,
        group=GROUP if against == "team" else COMPANY,
    )
    if outliers_only:
        flagged = flagged[flagged["is_outlier"]]
    flagged = flagged.sort_values(
        ["is_outlier", "team_label", "metric", "stage", "owner_label"],
        ascending=[False, True, True, True, True],
        na_position="last",
    ).reset_index(drop=True)
    parameters = {
        "threshold": threshold,
        "fence": fence,
        "min_sample": min_sample,
        "against": against,
    }
    return CoachingTable("reps", period.label, as_of, flagged, parameters)


def rep_values(
    metrics: Metrics, window: str, *, as_of: date, scope: Scope | None = None
) -> pd.DataFrame:
    """A row per rep (deal owner), benchmarked metric and stage: :data:`REP_COLUMNS`."""
    import pandas as pd

    names = list(dict.fromkeys(name for pair in BENCHMARKS for name in pair))
    overall = metrics.compute(names, window, by=("owner", "team"), as_of=as_of, scope=scope)
    by_stage = metrics.compute(
        list(STAGE_BENCHMARK), window, by=("owner", "team", "stage"), as_of=as_of, scope=scope
    )
    parts = [_pair(overall.frame, metric, sample, ()) for metric, sample in BENCHMARKS]
    parts.append(_pair(by_stage.frame, *STAGE_BENCHMARK, ("stage",)))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["owner"].notna() & frame["value"].notna()]
    if "stage" not in frame.columns:
        frame["stage"] = None
    return frame.reindex(columns=list(REP_COLUMNS)).reset_index(drop=True)


def _pair(frame: pd.DataFrame, metric: str, sample: str, extra: tuple[str, ...]) -> pd.DataFrame:
    """The rows of `metric` with the value of `sample` of the same slice beside them."""
    keys = ["owner", "team", *extra]
    values = frame[frame["metric"] == metric]
    counts = frame[frame["metric"] == sample][[*keys, "value"]].rename(columns={"value": "sample"})
    labelled = [c for c in ("owner_label", "team_label") if c in values.columns]
    return values[[*keys, *labelled, "metric", "value"]].merge(counts, on=keys, how="left")
