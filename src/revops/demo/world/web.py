"""Website analytics: sessions, where they landed, where they came from, and whether
they converted (a form submitted, which is how a web lead is born).

Sessions are the largest frame of the world (about 27 per account), so their text
columns repeat a few shared string objects (pages, channels, devices, a person's visitor
id) instead of holding a string of their own per session.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from revops.demo.frames import FRAMES
from revops.demo.world.org import Array, Ints

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
PAGES = np.array(list(LANDING_PAGES), dtype=object)
PAGE_LIFT = np.array(list(LANDING_PAGES.values()))
DEVICES = np.array(["desktop", "mobile", "tablet"], dtype=object)
ANONYMOUS_CHANNELS = np.array([*WEB_CHANNELS, "direct", "email"], dtype=object)
DRIFT_CHANNELS = np.array([*WEB_CHANNELS, "direct"], dtype=object)


def simulate_web(
    people: pd.DataFrame, accounts: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Sessions of the people who came through the website, and of anonymous visitors.

    Each web-sourced person converted in a session at the moment they became a lead,
    after a few earlier visits that did not convert; anonymous visitors never convert.
    Sessions of people at a known account carry its id, as reverse-IP lookup would.
    """
    web = people[people["channel"].isin(WEB_CHANNELS)]
    person = web["person_id"].to_numpy(dtype=object)
    visitor = np.array([f"v-{name}" for name in person], dtype=object)
    account = web["account_id"].fillna("").to_numpy(dtype=object)
    created = web["created_at"].to_numpy("datetime64[s]")
    channel = web["channel"].to_numpy(dtype=object)
    earlier = rng.poisson(1.5, len(web))
    converting = _sessions(person, visitor, account, created, channel, converted=True, rng=rng)
    repeat = np.repeat(np.arange(len(web)), earlier)
    before = _sessions(
        person[repeat],
        visitor[repeat],
        account[repeat],
        created[repeat] - rng.integers(3_600, 60 * 86_400, repeat.size).astype("timedelta64[s]"),
        _drift(channel[repeat], rng),
        converted=False,
        rng=rng,
    )
    anonymous_count = 3 * len(web) + 100
    start = people["created_at"].min().to_datetime64().astype("datetime64[s]")
    span = int((people["created_at"].max() - people["created_at"].min()).total_seconds()) or 1
    known = accounts["account_id"].to_numpy(dtype=object)
    revealed = rng.random(anonymous_count) < 0.15
    nobody = np.full(anonymous_count, "", dtype=object)
    anonymous = _sessions(
        nobody,
        nobody,
        np.where(revealed, rng.choice(known, anonymous_count), ""),
        start + rng.integers(0, span, anonymous_count).astype("timedelta64[s]"),
        ANONYMOUS_CHANNELS[rng.choice(ANONYMOUS_CHANNELS.size, anonymous_count)],
        converted=False,
        rng=rng,
    )
    columns = {
        name: np.concatenate([part[name] for part in (converting, before, anonymous)])
        for name in converting
    }
    del converting, before, anonymous
    kept = np.flatnonzero(columns["started_at"] >= start)
    order = kept[_chronological(columns["started_at"][kept], columns["visitor_id"][kept])]
    return _numbered(columns, order)


def _numbered(columns: dict[str, Array], order: Ints) -> pd.DataFrame:
    """The sessions frame: `columns` (emptied on the way) at the positions `order`, with
    ids `ses-000000001`… in that order.

    Built column by column, each unordered column let go before the next: a frame built
    from every column at once would hold two copies of them all.
    """
    sessions = pd.DataFrame(index=pd.RangeIndex(order.size))
    for name in COLUMNS:
        if name == "session_id":
            ids = [f"ses-{i:09d}" for i in range(1, order.size + 1)]
            sessions[name] = np.array(ids, dtype=object)
        else:
            sessions[name] = columns.pop(name)[order]
    return sessions


def _sessions(
    person: Array,
    visitor: Array,
    account: Array,
    started: npt.NDArray[np.datetime64],
    channel: Array,
    *,
    converted: bool,
    rng: np.random.Generator,
) -> dict[str, Array]:
    """The columns (all but `session_id`) of one session of each `person`; anonymous
    visitors (person `""`) get a cookie id of their own."""
    count = person.size
    # Converting visits land on high-intent pages more often: that is what makes the
    # conversion rate differ by landing page in the data.
    weights = PAGE_LIFT if converted else 1 / PAGE_LIFT
    landing = PAGES[rng.choice(PAGES.size, count, p=weights / weights.sum())]
    anonymous_ids = _anonymous_ids(count, rng)
    unknown = person == ""
    visitor = visitor.copy()
    visitor[unknown] = anonymous_ids[unknown]
    device = DEVICES[rng.choice(DEVICES.size, count, p=[0.7, 0.27, 0.03])]
    pageviews = rng.integers(1, 4, count) + (rng.poisson(2, count) if converted else 0)
    source, medium = (
        pd.Series(channel).map({c: sm[i] for c, sm in SOURCE_MEDIUM.items()}).to_numpy()
        for i in (0, 1)
    )
    return {
        "visitor_id": visitor,
        "person_id": person,
        "account_id": account,
        "started_at": started,
        "landing_page": landing,
        "source": source,
        "medium": medium,
        "channel": channel,
        "device": device,
        "pageviews": pageviews,
        "converted": np.full(count, converted),
    }


def _chronological(started: npt.NDArray[np.datetime64], visitor: Array) -> Ints:
    """Positions of sessions by start, then visitor id; stable.

    Sorting millions of visitor ids is slow, so only the few sessions that start in the
    same second as another are ordered by visitor id.
    """
    order: Ints = np.argsort(started, kind="stable")
    at = started[order]
    same = at[1:] == at[:-1]
    tied = np.zeros(at.size, dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    rows = order[tied]
    ties = pd.DataFrame({"at": started[rows], "visitor": visitor[rows]})
    order[tied] = rows[ties.sort_values(["at", "visitor"], kind="stable").index.to_numpy()]
    return order


def _drift(channel: Array, rng: np.random.Generator) -> Array:
    """Earlier visits of a person often came another way than the converting one."""
    other = DRIFT_CHANNELS[rng.choice(DRIFT_CHANNELS.size, channel.size)]
    drifted: Array = np.where(rng.random(channel.size) < 0.4, other, channel)
    return drifted


def _anonymous_ids(count: int, rng: np.random.Generator) -> Array:
    numbers = rng.integers(10**9, 10**10, count)
    ids: Array = np.char.add("v-anon-", numbers.astype(str))
    return ids
