"""Web analytics sessions: conversion by landing page and channel, and the GA4-shaped export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from revops.demo.exports.web import COLUMNS, build_sessions
from revops.demo.frames import FRAMES
from revops.demo.world.web import simulate_web


def make_people(rng: np.random.Generator, count: int = 4000) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": [f"per-{i:07d}" for i in range(count)],
            "account_id": np.where(
                rng.random(count) < 0.5, [f"acc-{i % 300:06d}" for i in range(count)], ""
            ),
            "channel": rng.choice(
                ["paid_search", "organic", "events", "outbound", "referral"], count
            ),
            "created_at": pd.Timestamp("2024-02-01")
            + pd.to_timedelta(rng.integers(0, 900 * 86_400, count), unit="s"),
        }
    )


ACCOUNTS = pd.DataFrame(
    {
        "account_id": [f"acc-{i:06d}" for i in range(300)],
        "domain": [f"co{i}.example" for i in range(300)],
    }
)


@pytest.fixture(scope="module")
def sessions() -> pd.DataFrame:
    return simulate_web(make_people(np.random.default_rng(3)), ACCOUNTS, np.random.default_rng(4))


def test_sessions_have_the_frame_columns_and_unique_ids(sessions: pd.DataFrame) -> None:
    assert list(sessions.columns) == list(FRAMES["web_sessions"])
    assert sessions["session_id"].is_unique


def test_every_web_lead_converted_in_exactly_one_session(sessions: pd.DataFrame) -> None:
    people = make_people(np.random.default_rng(3))
    web = people[people["channel"].isin(["paid_search", "organic", "referral"])]
    converted = sessions[sessions["converted"]]
    assert sorted(converted["person_id"]) == sorted(web["person_id"])
    assert not sessions.loc[sessions["person_id"] == "", "converted"].any()


def test_conversion_rate_differs_by_landing_page(sessions: pd.DataFrame) -> None:
    rate = sessions.groupby("landing_page")["converted"].mean()
    assert rate["/demo"] > 3 * rate["/blog/pipeline-metrics"]
    assert rate["/pricing"] > rate["/"]


def test_the_export_uses_ga4_dimension_names(sessions: pd.DataFrame) -> None:
    people = make_people(np.random.default_rng(3))
    user_ids = pd.Series([f"51{i:09d}" for i in range(len(people))], index=people["person_id"])
    rows = build_sessions(sessions, ACCOUNTS, user_ids)
    assert list(rows.columns) == COLUMNS
    assert set(rows["Session default channel group"]) <= {
        "Paid Search",
        "Paid Social",
        "Organic Search",
        "Referral",
        "Direct",
        "Email",
    }
    known = rows[sessions["person_id"] != ""]
    assert (known["User ID"] != "").all()
    assert rows["Session start (UTC)"].str.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$").all()
    revealed = sessions["account_id"] != ""
    assert rows.loc[revealed, "Company domain"].str.endswith(".example").all()
