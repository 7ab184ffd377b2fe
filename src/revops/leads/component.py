"""`ws.leads`: score leads (rules and a learned model, with reasons), evaluate the scores
against later outcomes, qualify leads by the lifecycle stages' entry criteria, and record
sales's acceptance. Routing attaches here as `ws.leads.routing`."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from revops.config import RevOpsConfig
from revops.errors import LeadsError
from revops.leads import store
from revops.leads.evaluate import Evaluation, evaluate_frame
from revops.leads.model import LeadModel, snapshot, train, with_age
from revops.leads.qualify import (
    QualifyPlan,
    conversions,
    current_stages,
    plan_rows,
    rejected,
)
from revops.leads.rules import LeadRules, load_lead_rules
from revops.leads.scoring import check_rules, rule_scores

if TYPE_CHECKING:
    import pandas as pd

    from revops.routing import Routing
    from revops.warehouse import Warehouse

Decision = Literal["accepted", "rejected", "recycled"]
DECISIONS: tuple[Decision, ...] = ("accepted", "rejected", "recycled")
QUEUE_COLUMNS = (
    "lead_id", "name", "company", "owner_id", "owner_name", "fit", "engagement",
    "model_score", "reasons", "model_version", "as_of",
)  # fmt: skip


def end_of(day: date | datetime | None) -> datetime:
    """The instant a day's data is complete: its last microsecond, UTC (now for None)."""
    if day is None:
        return datetime.now(UTC)
    if isinstance(day, datetime):
        return day if day.tzinfo else day.replace(tzinfo=UTC)
    return datetime.combine(day, time.max, UTC)


@dataclass(frozen=True)
class ScoreRun:
    """A scoring run: how many leads, as of when, by which model."""

    as_of: datetime
    leads: int
    model_version: str
    trained_rows: int
    trained_outcomes: int


class Leads:
    """Lead scoring and qualification of a workspace.

    Args:
        root: the workspace folder (its `rules/leads.yaml`).
        config: the workspace config (lifecycle stages).
        warehouse: returns the warehouse to read and write.
        routing: returns the workspace's lead routing (:attr:`routing`).
    """

    def __init__(
        self,
        root: Path | None,
        config: RevOpsConfig,
        warehouse: Callable[[], Warehouse],
        routing: Callable[[], Routing] | None = None,
    ) -> None:
        self.root = root
        self.config = config
        self._warehouse = warehouse
        self._routing = routing

    @property
    def routing(self) -> Routing:
        """Routing of the leads by `rules/routing.yaml`, its simulation and audit, and
        speed to lead (:class:`revops.routing.Routing`).

        Raises:
            LeadsError: these leads were made without a workspace's routing.
        """
        if self._routing is None:
            raise LeadsError("no routing: open the leads through a workspace (ws.leads)")
        return self._routing()

    @property
    def warehouse(self) -> Warehouse:
        """The warehouse of the workspace."""
        return self._warehouse()

    @cached_property
    def rules(self) -> LeadRules:
        """The scoring rules: `rules/leads.yaml` over the shipped defaults.

        Raises:
            ConfigError: the file is invalid (names the file and the key).
        """
        rules = load_lead_rules(self.root)
        check_rules(rules, self.root)
        return rules

    def train(self, as_of: date | datetime | None = None) -> LeadModel:
        """The learned model, trained only on what was known at `as_of`."""
        return train(self.warehouse, end_of(as_of), self.rules)

    def compute(
        self, as_of: date | datetime | None = None, model: LeadModel | None = None
    ) -> tuple[pd.DataFrame, LeadModel]:
        """Every open lead at `as_of` with its features, fit, engagement, learned score
        and reasons (not stored); the model trained as of `as_of` unless given."""
        import json

        at = end_of(as_of)
        fitted = model or train(self.warehouse, at, self.rules)
        frame = with_age(rule_scores(self.warehouse, at, self.rules).to_pandas(), at)
        probability, reasons = fitted.predict(frame)
        return (
            frame.assign(
                model_score=probability.round(4),
                reasons=[json.dumps(r) for r in reasons],
                rule_score=(frame["fit"] + frame["engagement"]) / 2,
            ),
            fitted,
        )

    def score(self, as_of: date | datetime | None = None) -> ScoreRun:
        """Score every open lead as of `as_of` and store the scores (`leads.score`)."""
        at = end_of(as_of)
        frame, model = self.compute(at)
        rows = frame[["lead_id", "fit", "engagement", "model_score", "reasons"]].assign(
            as_of=at, model_version=model.version, scored_at=datetime.now(UTC)
        )
        store.append(self.warehouse, store.SCORE, rows)
        return ScoreRun(at, len(rows), model.version, model.rows, model.positives)

    def queue(
        self, *, limit: int = 100, owners: Collection[str] | None = None
    ) -> list[dict[str, Any]]:
        """The leads of the latest scoring run, best learned score first, with names,
        owner and reasons; `owners` keeps the leads those users own."""
        import json

        latest = store.latest_scores(self.warehouse)
        if latest is None:
            return []
        lead = self.warehouse.table("lead")
        user = self.warehouse.table("user").select(user_key="user_id", owner_name="name")
        joined = latest.join(
            lead.select("lead_id", "first_name", "last_name", "company", "owner_id"), "lead_id"
        )
        joined = joined.left_join(user, joined.owner_id == user.user_key)
        if owners is not None:
            joined = joined.filter(joined.owner_id.isin(sorted(owners)))
        rows = joined.order_by([joined.model_score.desc(), joined.lead_id]).limit(limit)
        found = []
        for row in rows.to_pyarrow().to_pylist():
            name = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
            found.append(
                {
                    **{c: row.get(c) for c in QUEUE_COLUMNS},
                    "name": name or row["lead_id"],
                    "reasons": json.loads(row["reasons"] or "[]"),
                }
            )
        return found

    def backtest(
        self, as_of: date | datetime | None = None, *, snapshots: int = 8
    ) -> tuple[pd.DataFrame, LeadModel]:
        """The model trained on what was known at a cutoff, and the leads open at
        `snapshots` weekly instants from the cutoff on, scored by it (frozen) and
        labelled by what became of them; every outcome window closes by `as_of`."""
        import pandas as pd

        at = end_of(as_of)
        settings = self.rules.model
        step = timedelta(days=settings.snapshot_days)
        cutoff = at - timedelta(days=settings.window_days) - step * (snapshots - 1)
        model = train(self.warehouse, cutoff, self.rules)
        parts = []
        for i in range(snapshots):
            frame = snapshot(self.warehouse, cutoff + step * i, self.rules)
            probability, _ = model.predict(frame)
            parts.append(
                frame.assign(
                    model_score=probability,
                    window_probability=model.window_probability(frame),
                    snapshot_at=cutoff + step * i,
                )
            )
        frame = pd.concat(parts, ignore_index=True)
        return frame.assign(rule_score=(frame["fit"] + frame["engagement"]) / 2), model

    def evaluate(
        self, as_of: date | datetime | None = None, *, snapshots: int = 8, save: bool = False
    ) -> Evaluation:
        """AUC, lift and calibration of the scores of :meth:`backtest` against what
        became of the leads: trained only on what was known then; `save` keeps it in
        `leads.evaluation` for the cockpit."""
        import json

        frame, model = self.backtest(as_of, snapshots=snapshots)
        result = evaluate_frame(frame, model.trained_as_of, end_of(as_of), model.version)
        if save:
            row = {
                "model_version": result.model_version,
                "document": json.dumps(result.to_dict()),
                "evaluated_at": datetime.now(UTC),
            }
            store.append(self.warehouse, store.EVALUATION, [row])
        return result

    def evaluation(self) -> dict[str, Any] | None:
        """The latest stored evaluation (JSON form), or None."""
        return store.latest_evaluation(self.warehouse)

    def plan(self, as_of: date | datetime | None = None) -> QualifyPlan:
        """Who would enter which lifecycle stage as of `as_of`, and by which rule."""
        at = end_of(as_of)
        stages = self.config.lifecycle_stages
        criteria = [c for s in stages for c in s.entry]
        if not criteria:
            raise LeadsError("no lifecycle stage has entry criteria in revops.yaml")
        needs_model = any(c.model_min is not None for c in criteria)
        if needs_model:
            frame, _ = self.compute(at)
        else:
            frame = rule_scores(self.warehouse, at, self.rules).to_pandas()
        current = current_stages(self.warehouse, at).to_pandas()
        frame = frame.merge(current, on="lead_id", how="left")
        refused = rejected(self.warehouse, at)
        if refused is not None:
            frame = frame[~frame["lead_id"].isin(refused.to_pandas()["lead_id"])]
        kinds = {k for c in criteria for k in c.conversions}
        converted: dict[str, set[str]] = {}
        if kinds:
            for row in conversions(self.warehouse, at, kinds).to_pyarrow().to_pylist():
                converted.setdefault(row["lead_id"], set()).add(row["conversion_type"])
        return QualifyPlan(at, plan_rows(frame, stages, converted), len(frame))

    def apply(self, as_of: date | datetime | None = None, *, by: str = "revops") -> QualifyPlan:
        """Record the plan's stage changes as lifecycle events (`leads.lifecycle_event`),
        each with the rule that fired."""
        found = self.plan(as_of)
        now = datetime.now(UTC)
        rows = [
            {
                "lead_id": r["lead_id"],
                "from_stage": r["from_stage"],
                "stage": r["to_stage"],
                "rule": r["rule"],
                "fit": r["fit"],
                "engagement": r["engagement"],
                "entered_at": found.as_of,
                "recorded_at": now,
                "recorded_by": by,
            }
            for r in found.rows
        ]
        store.append(self.warehouse, store.LIFECYCLE, rows)
        return found

    def accept(
        self,
        lead_id: str,
        decision: Decision,
        *,
        reason: str | None = None,
        by: str = "revops",
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Record sales's decision on a lead: accepted, rejected (a reason is required)
        or recycled (back to the `lead` stage, a lifecycle event with rule `recycled`).

        Raises:
            LeadsError: an unknown lead or decision, or a rejection without a reason.
        """
        if decision not in DECISIONS:
            raise LeadsError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
        if decision != "accepted" and not (reason or "").strip():
            raise LeadsError(f"a lead {decision} needs a reason")
        lead = self.warehouse.table("lead")
        if int(lead.filter(lead.lead_id == lead_id).count().execute()) == 0:
            raise LeadsError(f"no lead {lead_id!r} in the warehouse")
        when = at or datetime.now(UTC)
        row = {
            "lead_id": lead_id,
            "decision": decision,
            "reason": (reason or "").strip() or None,
            "decided_by": by,
            "decided_at": when,
        }
        store.append(self.warehouse, store.ACCEPTANCE, [row])
        if decision == "recycled":
            stage = current_stages(self.warehouse, when).filter(lambda t: t.lead_id == lead_id)
            before = stage.to_pyarrow().to_pylist()
            event = {
                "lead_id": lead_id,
                "from_stage": before[0]["stage"] if before else None,
                "stage": "lead",
                "rule": "recycled",
                "fit": None,
                "engagement": None,
                "entered_at": when,
                "recorded_at": when,
                "recorded_by": by,
            }
            store.append(self.warehouse, store.LIFECYCLE, [event])
        return row

    def acceptance(self, lead_id: str | None = None) -> list[dict[str, Any]]:
        """Acceptance decisions, newest first (of one lead when given)."""
        table = store.stored(self.warehouse, store.ACCEPTANCE)
        if table is None:
            return []
        if lead_id is not None:
            table = table.filter(table.lead_id == lead_id)
        rows: list[dict[str, Any]] = (
            table.order_by(table.decided_at.desc()).to_pyarrow().to_pylist()
        )
        return rows

    def events(self, lead_id: str | None = None) -> list[dict[str, Any]]:
        """Lifecycle events qualification recorded, newest first."""
        table = store.stored(self.warehouse, store.LIFECYCLE)
        if table is None:
            return []
        if lead_id is not None:
            table = table.filter(table.lead_id == lead_id)
        rows: list[dict[str, Any]] = (
            table.order_by([table.recorded_at.desc(), table.lead_id]).to_pyarrow().to_pylist()
        )
        return rows
