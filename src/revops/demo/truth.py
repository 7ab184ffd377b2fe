"""The ground truth written beside the exports, in `truth/`. Engines never read it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from revops.demo.defects import DefectLog
from revops.demo.exports.files import write_csv
from revops.demo.frames import World
from revops.demo.ids import salesforce_ids
from revops.demo.params import DemoParams


def write_truth(
    world: World, params: DemoParams, defects: DefectLog, crosswalk: pd.DataFrame, out: Path
) -> dict[str, int]:
    """Write every truth file; file (relative to `out`) → rows."""
    folder = out / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "params.json").write_text(params.model_dump_json(indent=2) + "\n", encoding="utf-8")
    leads = world.people[["person_id", "channel", "quality"]].assign(
        salesforce_id=crosswalk.set_index("person_id")["salesforce_id"]
        .reindex(world.people["person_id"])
        .fillna("")
        .to_numpy()
    )
    accounts = world.accounts[["account_id", "segment", "health"]].assign(
        salesforce_id=salesforce_ids(world.accounts["account_id"], "001").to_numpy()
    )
    tables = {
        "truth/defects.csv": defects.to_frame(),
        "truth/duplicate_clusters.csv": defects.clusters(),
        "truth/hubspot_salesforce_crosswalk.csv": crosswalk,
        "truth/lead_quality.csv": leads,
        "truth/account_health.csv": accounts,
        "truth/request_value.csv": world.requests[
            [
                "request_id",
                "stated_urgency",
                "reach",
                "impact",
                "confidence",
                "effort",
                "true_value",
            ]
        ].assign(
            issue_key="REVOPS-"
            + world.requests["request_id"].str.removeprefix("req-").astype(int).astype(str)
        ),
        "truth/opportunity_win_probability.csv": world.opportunities[
            ["opportunity_id", "win_probability", "is_won"]
        ].assign(
            salesforce_id=salesforce_ids(world.opportunities["opportunity_id"], "006").to_numpy()
        ),
    }
    written = {name: write_csv(rows, out, name) for name, rows in tables.items()}
    return {"truth/params.json": 1, **written}
