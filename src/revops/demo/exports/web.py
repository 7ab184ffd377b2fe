"""Web analytics sessions, shaped like a GA4 exploration export of session dimensions."""

from __future__ import annotations

import pandas as pd

from revops.demo.exports.files import LazyRows

CHANNEL_GROUPS = {
    "paid_search": "Paid Search",
    "paid_social": "Paid Social",
    "organic": "Organic Search",
    "referral": "Referral",
    "direct": "Direct",
    "email": "Email",
}
COLUMNS = [
    "Session ID",
    "Client ID",
    "User ID",
    "Session start (UTC)",
    "Landing page",
    "Session source",
    "Session medium",
    "Session default channel group",
    "Device category",
    "Views",
    "Key events",
    "Company domain",
]


def build_sessions(
    sessions: pd.DataFrame, accounts: pd.DataFrame, user_ids: pd.Series | None = None
) -> pd.DataFrame:
    """GA4-style rows. `user_ids` maps person_id → the id the site sends as GA4 User-ID
    (the marketing-automation contact id); the company domain comes from IP reveal."""
    domains = sessions["account_id"].map(accounts.set_index("account_id")["domain"])
    users = sessions["person_id"].map(user_ids) if user_ids is not None else None
    return pd.DataFrame(
        {
            "Session ID": sessions["session_id"].str.removeprefix("ses-").str.lstrip("0"),
            "Client ID": sessions["visitor_id"],
            "User ID": users.fillna("") if users is not None else "",
            "Session start (UTC)": sessions["started_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            "Landing page": sessions["landing_page"],
            "Session source": sessions["source"],
            "Session medium": sessions["medium"],
            "Session default channel group": sessions["channel"].map(CHANNEL_GROUPS),
            "Device category": sessions["device"],
            "Views": sessions["pageviews"],
            "Key events": sessions["converted"].astype(int),
            "Company domain": domains.fillna(""),
        },
        columns=COLUMNS,
    )


def session_rows(
    sessions: pd.DataFrame, accounts: pd.DataFrame, user_ids: pd.Series | None = None
) -> LazyRows:
    """:func:`build_sessions` a slice of sessions at a time: each row is its session's."""
    return LazyRows(
        len(sessions), lambda part: build_sessions(sessions.iloc[part], accounts, user_ids)
    )
