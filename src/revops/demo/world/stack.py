"""The go-to-market tech stack and sales enablement: tools, seats, usage, content.

Some tools are barely used (low latent adoption) and several overlap in capabilities,
which is what a tech-stack audit should find. Enablement content is used more in deals
that were won, so win rates with and without content differ as they do in real data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# name, category, owner team, annual list cost per seat, capabilities, typical adoption
CATALOGUE = [
    ("Salesforce Sales Cloud", "crm", "sales", 1_980, "pipeline;forecasting;reporting", 0.92),
    (
        "HubSpot Marketing Hub",
        "marketing_automation",
        "marketing",
        1_200,
        "email;forms;lead_scoring;reporting",
        0.85,
    ),
    ("Outreach", "sales_engagement", "sales", 1_300, "sequences;dialer;email_tracking", 0.7),
    ("Salesloft", "sales_engagement", "sales", 1_250, "sequences;dialer;email_tracking", 0.25),
    (
        "Gong",
        "conversation_intelligence",
        "sales",
        1_600,
        "call_recording;forecasting;coaching",
        0.6,
    ),
    ("Chorus", "conversation_intelligence", "sales", 1_100, "call_recording;coaching", 0.15),
    ("Clari", "forecasting", "revops", 1_400, "forecasting;pipeline;reporting", 0.45),
    ("ZoomInfo", "data_enrichment", "sales", 2_400, "enrichment;prospecting", 0.55),
    ("Apollo", "data_enrichment", "sales", 600, "enrichment;prospecting;sequences", 0.3),
    ("LeanData", "routing", "revops", 900, "lead_routing;matching", 0.8),
    ("Highspot", "enablement", "marketing", 700, "content;training", 0.5),
    ("Seismic", "enablement", "marketing", 800, "content", 0.12),
    ("Gainsight", "customer_success", "success", 1_500, "health_scores;playbooks;reporting", 0.65),
    ("Zendesk", "support", "success", 1_100, "ticketing;csat", 0.9),
    ("Calendly", "scheduling", "sales", 144, "scheduling", 0.75),
    ("Chili Piper", "scheduling", "sales", 360, "scheduling;lead_routing", 0.2),
    ("DocuSign", "contracts", "sales", 480, "e_signature", 0.6),
    ("Tableau", "bi", "revops", 840, "reporting;dashboards", 0.35),
    ("Looker", "bi", "revops", 1_200, "reporting;dashboards", 0.4),
    ("Slack", "collaboration", "revops", 150, "messaging", 0.97),
]
CONTENT_TYPES = np.array(
    ["deck", "case_study", "battlecard", "video", "one_pager", "roi_calculator"]
)
TOPICS = np.array(
    ["Security", "ROI", "Onboarding", "Integrations", "Pricing", "Competitor", "Analytics"]
)


def simulate_stack(
    users: pd.DataFrame, as_of: np.datetime64, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tool inventory and monthly usage per seat holder.

    Every tool licenses seats for part of its owner team (all of GTM for shared tools);
    each seat holder is active in a month with the tool's latent adoption.
    """
    size = len(CATALOGUE)
    catalogue = pd.DataFrame(
        CATALOGUE,
        columns=["name", "category", "owner_team", "seat_cost", "capabilities", "adoption"],
    )
    seat_share = rng.uniform(0.4, 1.0, size)
    team_sizes = users.groupby(_team_of(users)).size()
    audience = catalogue["owner_team"].map(team_sizes).fillna(len(users)).to_numpy()
    audience = np.where(catalogue["category"].isin(["crm", "collaboration"]), len(users), audience)
    seats = np.maximum(3, np.ceil(audience * seat_share * 1.1)).astype(int)
    end_offsets = rng.integers(15, 400, size)
    tools = pd.DataFrame(
        {
            "tool_id": [f"tool-{i:03d}" for i in range(1, size + 1)],
            "name": catalogue["name"],
            "category": catalogue["category"],
            "owner_team": catalogue["owner_team"],
            "annual_cost": (seats * catalogue["seat_cost"].to_numpy()).astype(float),
            "seats": seats,
            "contract_end_date": as_of.astype("datetime64[D]") + end_offsets,
            "capabilities": catalogue["capabilities"],
            "adoption": np.clip(catalogue["adoption"] + rng.normal(0, 0.05, size), 0.02, 0.99),
        }
    )
    return tools, _usage(tools, users, as_of, rng)


def _team_of(users: pd.DataFrame) -> pd.Series:
    roles = users["role"].map(
        {
            "AE": "sales",
            "SDR": "sales",
            "manager": "sales",
            "executive": "sales",
            "CSM": "success",
            "marketing": "marketing",
            "revops": "revops",
        }
    )
    return roles.fillna("sales")


def _usage(
    tools: pd.DataFrame, users: pd.DataFrame, as_of: np.datetime64, rng: np.random.Generator
) -> pd.DataFrame:
    hired = users["hire_date"].to_numpy("datetime64[M]")
    left = users["termination_date"].to_numpy("datetime64[M]")
    end = as_of.astype("datetime64[M]")
    first = hired.min()
    months = np.arange(max(first, end - 23), end + 1)
    parts = []
    seat_share = np.minimum(1.0, tools["seats"].to_numpy() / len(users))
    adoption = tools["adoption"].to_numpy()
    for index, tool_id in enumerate(tools["tool_id"]):
        holders = np.flatnonzero(rng.random(len(users)) < seat_share[index])
        for month in months:
            employed = holders[
                (hired[holders] <= month) & (np.isnat(left[holders]) | (left[holders] >= month))
            ]
            active = rng.random(employed.size) < adoption[index]
            days = np.where(active, rng.integers(1, 21, employed.size), 0)
            parts.append(
                pd.DataFrame(
                    {
                        "tool_id": tool_id,
                        "user_id": users["user_id"].to_numpy()[employed],
                        "month": month.astype("datetime64[D]"),
                        "active_days": days,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def simulate_content(
    users: pd.DataFrame, opportunities: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Enablement assets and their use in deals; won deals used content more often."""
    marketers = users.loc[users["role"] == "marketing", "user_id"].to_numpy()
    if marketers.size == 0:
        marketers = users["user_id"].to_numpy()
    count = max(20, len(opportunities) // 200)
    start = opportunities["created_at"].min()
    span = (opportunities["created_at"].max() - start).days or 1
    types = rng.choice(CONTENT_TYPES, count)
    content = pd.DataFrame(
        {
            "content_id": [f"cnt-{i:04d}" for i in range(1, count + 1)],
            "title": [
                f"{t} {k.replace('_', ' ')}"
                for t, k in zip(rng.choice(TOPICS, count), types, strict=True)
            ],
            "type": types,
            "created_at": start + pd.to_timedelta(rng.integers(0, span, count), unit="D"),
            "owner_id": rng.choice(marketers, count),
        }
    )
    won = opportunities["is_won"].to_numpy(bool)
    uses_content = rng.random(len(opportunities)) < np.where(won, 0.7, 0.35)
    deals = opportunities[uses_content]
    uses = rng.integers(1, 4, len(deals))
    rows = deals.loc[deals.index.repeat(uses)]
    lifetime = (rows["closed_at"].fillna(rows["created_at"]) - rows["created_at"]).dt.days.clip(
        lower=1
    )
    offsets = (rng.random(len(rows)) * lifetime.to_numpy()).astype(int)
    usage = pd.DataFrame(
        {
            "content_id": rng.choice(content["content_id"].to_numpy(), len(rows)),
            "user_id": rows["owner_id"].to_numpy(),
            "opportunity_id": rows["opportunity_id"].to_numpy(),
            "action": rng.choice(
                np.array(["viewed", "shared", "presented"]), len(rows), p=[0.5, 0.35, 0.15]
            ),
            "used_at": rows["created_at"].to_numpy()
            + pd.to_timedelta(offsets, unit="D").to_numpy(),
        }
    )
    return content, usage.sort_values(["used_at", "content_id"], kind="stable").reset_index(
        drop=True
    )
