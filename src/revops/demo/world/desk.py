"""The RevOps team's request queue: what people ask for, how urgent they say it is, and
what it is really worth.

Each request has latent RICE inputs (reach, impact, confidence, effort) and a true value
reach × impact × confidence / effort. The urgency a requester states is only weakly tied
to that value (loud teams call everything critical), so sorting by stated urgency is a
poor way to prioritise: the point the request desk must prove it beats.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TYPES = np.array(
    [
        "report",
        "dashboard",
        "data_fix",
        "territory_change",
        "comp_question",
        "tool_request",
        "process_change",
        "integration",
    ]
)
TYPE_EFFORT = {  # median person-days
    "report": 2,
    "dashboard": 4,
    "data_fix": 1.5,
    "territory_change": 3,
    "comp_question": 0.5,
    "tool_request": 6,
    "process_change": 8,
    "integration": 15,
}
URGENCIES = np.array(["low", "medium", "high", "critical"])
IMPACTS = np.array([0.25, 0.5, 1.0, 2.0, 3.0])
TEAM_LOUDNESS = {"sales": 0.9, "marketing": 0.4, "success": 0.3, "revops": 0.0}
SUBJECTS = {
    "report": "Report on {} by {}",
    "dashboard": "Dashboard for {} by {}",
    "data_fix": "Fix {} values on {} records",
    "territory_change": "Move {} accounts to {}",
    "comp_question": "Commission question about {} in {}",
    "tool_request": "Request access to {} for {}",
    "process_change": "Change {} process for {}",
    "integration": "Sync {} into {}",
}
NOUNS = np.array(["pipeline", "bookings", "leads", "renewals", "quota", "churn", "campaigns"])
TARGETS = np.array(["region", "segment", "owner", "quarter", "product", "channel"])


def simulate_requests(
    users: pd.DataFrame, start: np.datetime64, as_of: np.datetime64, rng: np.random.Generator
) -> pd.DataFrame:
    """About three requests per GTM person per year, spread over the history."""
    days = int((as_of - start).astype("timedelta64[D]").astype(int))
    count = max(30, int(len(users) * 3 * days / 365))
    requester = rng.integers(0, len(users), count)
    team = _teams(users)[requester]
    kind = rng.choice(TYPES, count)
    reach = np.round(rng.lognormal(2.5, 1.0, count)).astype(int) + 1
    impact = rng.choice(IMPACTS, count, p=[0.25, 0.3, 0.25, 0.15, 0.05])
    confidence = np.round(rng.uniform(0.3, 1.0, count), 2)
    effort = np.round(
        pd.Series(kind).map(TYPE_EFFORT).to_numpy() * rng.lognormal(0, 0.5, count), 1
    ).clip(0.5)
    value = reach * impact * confidence / effort
    # Stated urgency: mostly the team's habit and noise, a little the real value.
    score = (
        0.25 * _rank(value)
        + 0.45 * pd.Series(team).map(TEAM_LOUDNESS).fillna(0.5).to_numpy()
        + 0.6 * rng.random(count)
    )
    urgency = URGENCIES[np.clip((score / score.max() * 4).astype(int), 0, 3)]
    requested = start + rng.integers(0, days * 86_400, count).astype("timedelta64[s]")
    took = (effort * rng.lognormal(1.0, 0.6, count) * 86_400).astype("timedelta64[s]")
    resolved = requested.astype("datetime64[s]") + took
    done = resolved <= as_of
    status = np.where(done, np.where(rng.random(count) < 0.1, "wont_do", "done"), "")
    status = np.where(done, status, np.where(rng.random(count) < 0.4, "in_progress", "open"))
    nouns, targets = rng.choice(NOUNS, count), rng.choice(TARGETS, count)
    frame = pd.DataFrame(
        {
            "requester_id": users["user_id"].to_numpy()[requester],
            "team": team,
            "type": kind,
            "summary": [
                SUBJECTS[k].format(n, t) for k, n, t in zip(kind, nouns, targets, strict=True)
            ],
            "stated_urgency": urgency,
            "requested_at": requested.astype("datetime64[s]"),
            "resolved_at": np.where(done, resolved, np.datetime64("NaT")).astype("datetime64[s]"),
            "status": status,
            "reach": reach,
            "impact": impact,
            "confidence": confidence,
            "effort": effort,
            "true_value": np.round(value, 3),
        }
    ).sort_values(["requested_at", "requester_id"], kind="stable")
    frame.insert(0, "request_id", [f"req-{i:05d}" for i in range(1, count + 1)])
    return frame.reset_index(drop=True)


def _teams(users: pd.DataFrame) -> np.ndarray:
    roles = {
        "AE": "sales",
        "SDR": "sales",
        "manager": "sales",
        "executive": "sales",
        "CSM": "success",
        "marketing": "marketing",
        "revops": "revops",
    }
    return users["role"].map(roles).fillna("sales").to_numpy()


def _rank(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values)) / max(1, values.size - 1)
