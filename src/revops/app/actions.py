"""What each job does with the workspace opened for writing: the same engine calls the
CLI makes (`revops ingest`, `revops quality run`, `revops identity run`, `revops forecast
backtest`, `revops quality assign`), returning a summary to store with the job."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from revops.app.db import AppDatabase

if TYPE_CHECKING:
    import pandas as pd

    from revops.workspace import Workspace


@dataclass(frozen=True)
class Ingest:
    """Load one uploaded file (:mod:`revops.app.uploads`) from `source`, then score data
    quality as of `as_of` (`revops ingest run FILE --source SOURCE`)."""

    path: Path
    source: str
    as_of: date | None

    def __call__(self, ws: Workspace) -> dict[str, Any]:
        from revops.ingest.runner import ingest

        report = ingest(ws, [str(self.path)], source=self.source, as_of=self.as_of)
        loads = [load.as_row() for load in report.loads]
        refused = [{"file": self.path.name, "message": n.message} for n in report.refused]
        if not any(load.status == "loaded" for load in report.loads):
            from revops.ingest.readers.base import ReadError

            reasons = [r["message"] for r in refused] + [str(x["message"]) for x in loads]
            raise ReadError("nothing loaded: " + ("; ".join(reasons) or "no rows"))
        quality = report.quality.totals() if report.quality is not None else None
        return {
            "run_id": report.run_id,
            "loads": loads,
            "refused": refused,
            "quality_run_id": report.quality.run_id if report.quality is not None else None,
            "quality": {"records": quality[0], "passing": quality[1]} if quality else None,
        }


@dataclass(frozen=True)
class QualityRun:
    """Score every rule, stored as a run (`revops quality run`)."""

    as_of: date | None
    entities: tuple[str, ...] = ()

    def __call__(self, ws: Workspace) -> dict[str, Any]:
        ws.init_warehouse()
        result = ws.quality.run(self.as_of, entities=list(self.entities) or None)
        return {
            "run_id": result.run_id,
            "as_of": str(result.as_of),
            "entities": [
                {"entity": name, "records": records, "passing": passing}
                for name, (records, passing) in result.by_entity().items()
            ],
        }


@dataclass(frozen=True)
class AssignFixes:
    """A task for each owner per record of theirs failing a rule (`revops quality assign`)."""

    entity: str
    rule: str
    owner: str | None = None

    def __call__(self, ws: Workspace) -> dict[str, Any]:
        from revops.automate.fixes import assign_fixes

        result = assign_fixes(ws.quality, ws.automate, self.entity, self.rule, owner=self.owner)
        statuses = [a["status"] for a in result.actions]
        return {
            "automation_run_id": result.run["run_id"],
            "records": len(statuses),
            "tasks": statuses.count("ok"),
            "skipped": len(statuses) - statuses.count("ok"),
        }


@dataclass(frozen=True)
class IdentityRun:
    """Store the cockpit's review decisions, then resolve (`revops identity run`)."""

    db: AppDatabase
    kinds: tuple[Literal["person", "company"], ...]
    threshold: float | None

    def __call__(self, ws: Workspace) -> dict[str, Any]:
        from revops.app.review import move_decisions, pending

        moved = move_decisions(self.db, ws.identity) if pending(self.db) else 0
        thresholds: dict[str, float] | None = (
            dict.fromkeys(self.kinds, self.threshold) if self.threshold is not None else None
        )
        summaries = ws.identity.run(self.kinds, thresholds=thresholds)
        return {"decisions_stored": moved, "runs": [s.as_row() for s in summaries]}


@dataclass(frozen=True)
class Backtest:
    """Backtest the forecast methods, stored in core.forecast_backtest
    (`revops forecast backtest`)."""

    as_of: date | None
    periods: int
    monthly: bool

    def __call__(self, ws: Workspace) -> dict[str, Any]:
        result = ws.forecast.backtest(
            periods=self.periods, as_of=self.as_of, kind="month" if self.monthly else "quarter"
        )
        return {
            "periods": int(result.runs["period"].nunique()),
            "warning": result.warning or "",
            "summary": _records(result.summary),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A small result frame as JSON rows (NaN as null)."""
    rows: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return rows
