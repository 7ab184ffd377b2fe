"""Reps against their team's benchmarks, worked out by hand on every backend."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.conftest import MetricWorld
from revops.coaching import flag_outliers, rep_benchmarks

Q1 = "FY2025-Q1"  # calendar fiscal year: January to March 2025
AS_OF = date(2030, 1, 1)
# Closed deals per rep: (won, lost). Team t1's win rates are 0.75, 0.75, 0.5, 0.75, 0;
# u6, alone in t2, wins all three.
RECORD = {"u1": (3, 1), "u2": (3, 1), "u3": (2, 2), "u4": (3, 1), "u5": (0, 4), "u6": (3, 0)}


def _company(world: MetricWorld) -> None:
    world.add("team", {"team_id": "t1", "name": "East"}, {"team_id": "t2", "name": "West"})
    world.add(
        "user",
        *[
            {"user_id": u, "name": f"Rep {u}", "role": "AE", "team_id": "t2" if u == "u6" else "t1"}
            for u in RECORD
        ],
    )
    world.add("account", {"account_id": "a1", "name": "A", "segment": "smb"})
    deals = []
    for user, (won, lost) in RECORD.items():
        for i in range(won + lost):
            deals.append(
                {"account_id": "a1", "owner_id": user, "amount": 1000, "type": "new",
                 "stage": "Closed Won" if i < won else "Closed Lost", "is_closed": True,
                 "is_won": i < won, "created_at": "2025-02-01", "closed_at": "2025-02-11"}
            )  # fmt: skip
    world.add("opportunity", *deals)


def _win_rates(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["metric"] == "win_rate"].set_index("owner")


def test_a_rep_far_below_the_rest_of_the_team_is_flagged_with_the_metric(
    world: MetricWorld,
) -> None:
    _company(world)
    result = rep_benchmarks(world.metrics(), Q1, as_of=AS_OF)
    rates = _win_rates(result.frame)
    assert rates.loc["u5", "value"] == 0
    assert rates.loc["u5", "owner_label"] == "Rep u5"
    assert rates.loc["u5", "team_label"] == "East"
    assert rates.loc["u5", "sample"] == 4
    # The rest of East: 0.75, 0.75, 0.5, 0.75 - mean 0.6875, sample deviation 0.125.
    assert rates.loc["u5", "others_mean"] == pytest.approx(0.6875)
    assert rates.loc["u5", "others_std"] == pytest.approx(0.125)
    assert rates.loc["u5", "z_score"] == pytest.approx(-5.5)
    # East's quartiles 0.5 and 0.75: fences 0.125 and 1.125.
    assert rates.loc["u5", "fence_low"] == pytest.approx(0.125)
    assert rates.loc["u5", "fence_high"] == pytest.approx(1.125)
    assert bool(rates.loc["u5", "is_outlier"])
    assert rates.loc["u5", "direction"] == "below"
    assert "win_rate" in rates.loc["u5", "explanation"]
    # u3: the others 0.75, 0.75, 0.75, 0 - mean 0.5625, deviation 0.375: z -1/6, inside.
    assert rates.loc["u3", "z_score"] == pytest.approx(-1 / 6)
    assert not bool(rates.loc["u3", "is_outlier"])
    # u6 is alone in West: nothing to compare with.
    assert pd.isna(rates.loc["u6", "z_score"])
    assert not bool(rates.loc["u6", "is_outlier"])
    flagged = result.frame[result.frame["is_outlier"]]
    assert flagged[["owner", "metric"]].values.tolist() == [["u5", "win_rate"]]


def test_against_the_company_every_rep_is_the_benchmark(world: MetricWorld) -> None:
    _company(world)
    result = rep_benchmarks(world.metrics(), Q1, as_of=AS_OF, against="company")
    rates = _win_rates(result.frame)
    # u6 against 0.75, 0.75, 0.5, 0.75, 0: mean 0.55, deviation sqrt(0.425 / 4).
    assert rates.loc["u6", "z_score"] == pytest.approx(0.45 / (0.425 / 4) ** 0.5)
    # Six reps: quartiles 0.5625 and 0.75, fences 0.28125 and 1.03125.
    assert rates.loc["u6", "fence_low"] == pytest.approx(0.28125)
    assert rates.loc["u6", "fence_high"] == pytest.approx(1.03125)
    assert not bool(rates.loc["u6", "is_outlier"])
    assert bool(rates.loc["u5", "is_outlier"])


def test_a_rep_with_too_few_deals_is_shown_but_not_judged() -> None:
    rows = pd.DataFrame({"team": "t", "metric": "win_rate", "stage": None,
                         "owner": list("abcde"), "value": [0.3, 0.4, 0.6, 0.7, 0.0],
                         "sample": [10, 10, 10, 10, 2]})  # fmt: skip
    flagged = flag_outliers(rows, min_sample=3).set_index("owner")
    assert not flagged["is_outlier"].any()
    assert pd.isna(flagged.loc["e", "z_score"])
    # The four judged reps: d's others 0.3, 0.4, 0.6 - mean 0.4333, deviation 0.1528 (z
    # 1.75); quartiles 0.375 and 0.625, fences 0 and 1.
    assert flagged.loc["d", "others_mean"] == pytest.approx(1.3 / 3)
    assert flagged.loc["d", "z_score"] == pytest.approx((0.7 - 1.3 / 3) / (0.07 / 3) ** 0.5)
    assert flagged.loc["d", "fence_low"] == pytest.approx(0.0)
    assert flagged.loc["a", "team_reps"] == 4
