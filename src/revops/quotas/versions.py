"""The YAML file of an applied quota version: `plans/quota_versions/FY2027-v3.yaml`, so a
quota plan is reviewed in git like code. It records what was applied (target, every
rep's quota per quarter, names beside ids); the warehouse rows are what attainment reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from revops.quotas.config import VERSIONS_DIR

if TYPE_CHECKING:
    from revops.quotas.component import QuotaPlan


def version_path(year: int, number: int) -> Path:
    """Workspace-relative path of a version's file."""
    return VERSIONS_DIR / f"FY{year}-v{number}.yaml"


def write_version_file(
    root: Path | None, year: int, number: int, found: QuotaPlan, note: str | None
) -> str:
    """Write the version's file (when the workspace has a folder); its relative path."""
    import yaml

    relative = version_path(year, number)
    if root is None:
        return str(relative)
    document = {
        "version": number, "fiscal_year": f"FY{year}", "target": str(found.target),
        "currency": found.currency, "as_of": found.as_of.isoformat(), "note": note,
        "seasonality": {p.label: round(s, 6) for p, s in zip(found.quarters, found.season,
                                                              strict=True)},
        "quotas": [
            {"user_id": q.rep.user_id, "rep": q.rep.name, "team": q.rep.team,
             "quarters": {p.label: str(q.top_down[i]) for i, p in enumerate(found.quarters)},
             "bottom_up": str(sum(q.bottom_up))}
            for q in found.quotas
        ],
    }  # fmt: skip
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    return str(relative)
