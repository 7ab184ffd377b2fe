"""Website analytics: sessions, where they landed, where they came from, and whether
they converted (a form submitted, which is how a web lead is born)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.demo.frames import FRAMES

WEB_CHANNELS = ("paid_search", "paid_social", "organic", "referral")
# channel → (source, medium) as analytics tools record them
SOURCE_MEDIUM = {
    "paid_search": ("google", "cpc"),
    "paid_social": ("linkedin", "paid_social"),
    "organic": ("google", "organic"),
    "referral": ("g2.com", "referral"),
    "direct": ("(direct)", "(none)"),
    "email": ("newsletter", "email"),
}
# landing page → how much more likely a visit there converts than the average page
LANDING_PAGES = {
    "/": 0.6,
    "/pricing": 2.2,
    "/demo": 3.0,
    "/product": 1.0,
    "/blog/revenue-operations-guide": 0.35,
    "/blog/pipeline-metrics": 0.3,
    "/customers": 0.9,
    "/integrations": 0.8,
}
COLUMNS = list(FRAMES["web_sessions"])


def simulate_web(
    people: pd.DataFrame, accounts: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Sessions of the people who came through the website, and of anonymous visitors.

    Each web-sourced person converted in a session at the moment they became a lead,
    after a few earlier visits that did not convert; anonymous visitors never convert.
    Sessions of people at a known account carry its id, as reverse-IP lookup would.
    """
    web = people[people["channel"].isin(WEB_CHANNELS)]
    earlier = rng.poisson(1.5, len(web))
    converting = _sessions(
        web["person_id"].to_numpy(),
        web["account_id"].fillna("").to_numpy(),
        web["created_at"].to_numpy("datetime64[s]"),
        web["channel"].to_numpy(),
        converted=True,
        rng=rng,
    )
    repeat = np.repeat(np.arange(len(web)), earlier)
    before = _sessions(
        web["person_id"].to_numpy()[repeat],
        web["account_id"].fillna("").to_numpy()[repeat],
        web["created_at"].to_numpy("datetime64[s]")[repeat]
        - rng.integers(3_600, 60 * 86_400, repeat.size).astype("timedelta64[s]"),
        _drift(web["channel"].to_numpy()[repeat], rng),
        converted=False,
        rng=rng,
    )
    anonymous_count = 3 * len(web) + 100
    start = people["created_at"].min().to_datetime64().astype("datetime64[s]")
    span = int((people["created_at"].max() - people["created_at"].min()).total_seconds()) or 1
    known = accounts["account_id"].to_numpy()
    revealed = rng.random(anonymous_count) < 0.15
    anonymous = _sessions(
        np.full(anonymous_count, ""),
        np.where(revealed, rng.choice(known, anonymous_count), ""),
        start + rng.integers(0, span, anonymous_count).astype("timedelta64[s]"),
        rng.choice(np.array([*WEB_CHANNELS, "direct", "email"]), anonymous_count),
        converted=False,
        rng=rng,
    )
    sessions = pd.concat([converting, before, anonymous], ignore_index=True)
    sessions = sessions[sessions["started_at"] >= start].sort_values(
        ["started_at", "visitor_id"], kind="stable"
    )
    sessions.insert(0, "session_id", [f"ses-{i:09d}" for i in range(1, len(sessions) + 1)])
    ordered: pd.DataFrame = sessions.reindex(columns=COLUMNS).reset_index(drop=True)
    return ordered


def _sessions(
    person: np.ndarray,
    account: np.ndarray,
    started: np.ndarray,
    channel: np.ndarray,
    *,
    converted: bool,
    rng: np.random.Generator,
) -> pd.DataFrame:
    count = person.size
    pages = np.array(list(LANDING_PAGES))
    lift = np.array(list(LANDING_PAGES.values()))
    # Converting visits land on high-intent pages more often: that is what makes the
    # conversion rate differ by landing page in the data.
    weights = lift if converted else 1 / lift
    landing = rng.choice(pages, count, p=weights / weights.sum())
    visitor = np.where(
        person != "", np.char.add("v-", person.astype(str)), _anonymous_ids(count, rng)
    )
    return pd.DataFrame(
        {
            "visitor_id": visitor,
            "person_id": person,
            "account_id": account,
            "started_at": started,
            "landing_page": landing,
            "source": pd.Series(channel).map({c: sm[0] for c, sm in SOURCE_MEDIUM.items()}),
            "medium": pd.Series(channel).map({c: sm[1] for c, sm in SOURCE_MEDIUM.items()}),
            "channel": channel,
            "device": rng.choice(
                np.array(["desktop", "mobile", "tablet"]), count, p=[0.7, 0.27, 0.03]
            ),
            "pageviews": rng.integers(1, 4, count) + (rng.poisson(2, count) if converted else 0),
            "converted": converted,
        }
    )


def _drift(channel: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Earlier visits of a person often came another way than the converting one."""
    other = rng.choice(np.array([*WEB_CHANNELS, "direct"]), channel.size)
    return np.where(rng.random(channel.size) < 0.4, other, channel)


def _anonymous_ids(count: int, rng: np.random.Generator) -> np.ndarray:
    numbers = rng.integers(10**9, 10**10, count)
    return np.char.add("v-anon-", numbers.astype(str))
