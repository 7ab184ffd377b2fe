"""Running a Splink model: train without labels, score pairs, cluster.

Training needs no labels: u probabilities from random pairs (almost all non-matches), the
prior from deterministic rules with an assumed recall, m probabilities by expectation
maximisation on pairs from each training blocking rule (each session learns the
comparisons its rule does not fix).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa

if TYPE_CHECKING:
    from revops.identity.engines import SplinkEngine

log = logging.getLogger(__name__)

# Pairs scored below this probability are kept out of the pair table: they explain
# nothing a user would ask about and would make it as large as all blocked pairs.
PAIR_FLOOR = 0.01


@dataclass(frozen=True)
class ModelSpec:
    """What Splink needs to resolve one kind of entity.

    Args:
        kind: `person` or `company`.
        comparisons: Splink comparison creators.
        blocking: rules that generate the candidate pairs to score.
        training: rules whose pairs EM trains m probabilities on.
        deterministic: rules for the prior (share of random pairs that match).
        recall: assumed share of true matches the deterministic rules find.
    """

    kind: Literal["person", "company"]
    comparisons: list[Any]
    blocking: list[Any]
    training: list[Any]
    deterministic: list[Any]
    recall: float


@dataclass(frozen=True)
class Resolution:
    """The outcome of one model run.

    Attributes:
        clusters: one row per record: `unique_id`, `cluster_id`.
        pairs: scored pairs at or above :data:`PAIR_FLOOR`: `unique_id_l`, `unique_id_r`,
            `match_weight`, `match_probability`, `detail` (JSON per comparison: level
            label, weight, both values).
        model: the trained Splink settings, as Splink saves them.
    """

    clusters: pa.Table
    pairs: pa.Table
    model: dict[str, Any]


def resolve(
    spec: ModelSpec,
    records: pa.Table,
    threshold: float,
    seed: int = 42,
    engine: SplinkEngine | None = None,
) -> Resolution:
    """Train `spec` on `records`, score candidate pairs, and cluster them at `threshold`.

    Args:
        spec: the model.
        records: one row per record, with `unique_id` and the compared columns.
        threshold: match probability at or above which two records are one entity.
        seed: seed of the random pairs u is estimated on, for repeatable runs.
        engine: where Splink computes (see :mod:`revops.identity.engines`); an embedded
            DuckDB opened for this call when not given.
    """
    if engine is None:
        from revops.identity.engines import embedded_engine

        with embedded_engine() as embedded:
            return resolve(spec, records, threshold, seed, embedded)
    from splink import Linker, SettingsCreator

    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=spec.comparisons,
        blocking_rules_to_generate_predictions=spec.blocking,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )
    data = engine.db_api.register(records, table_name=engine.table_name(f"{spec.kind}_records"))
    linker = Linker(data, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        spec.deterministic, recall=spec.recall
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=2e6, seed=seed, num_chunks=engine.u_chunks
    )
    for rule in spec.training:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except Exception as exc:  # a small company may give a rule no pairs to learn from
            log.warning("EM on %s skipped: %s", rule, exc)
    predictions = linker.inference.predict(threshold_match_probability=PAIR_FLOOR)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    model = linker.misc.save_model_to_json()
    pairs = _pairs(engine.frame(predictions), model)
    cluster_rows = engine.arrow(clusters, ["unique_id", "cluster_id"])
    return Resolution(clusters=cluster_rows, pairs=pairs, model=model)


def comparison_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Comparison name → comparison vector value → the label of that level."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        named: dict[int, str] = {}
        value = sum(1 for level in levels if not level.get("is_null_level")) - 1
        for level in levels:
            label = level.get("label_for_charts") or level["sql_condition"]
            if level.get("is_null_level"):
                named[-1] = "unknown on one side"
            else:
                named[value] = "different" if label.upper() == "ALL OTHER COMPARISONS" else label
                value -= 1
        labels[comparison["output_column_name"]] = named
    return labels


def _pairs(frame: Any, model: dict[str, Any]) -> pa.Table:
    """The pair table: ids, weight, probability and a JSON detail per pair."""
    labels = comparison_labels(model)
    columns = {c["output_column_name"]: c for c in model["comparisons"]}
    records = frame.to_dict("records")
    details = []
    for row in records:
        detail = {}
        for name in columns:
            gamma = int(row[f"gamma_{name}"])
            weight = _number(row.get(f"mw_{name}")) + _number(row.get(f"mw_tf_adj_{name}"))
            detail[name] = {
                "level": labels[name].get(gamma, str(gamma)),
                "weight": round(weight, 3),
                "left": _value(row, name, "l"),
                "right": _value(row, name, "r"),
            }
        details.append(json.dumps(detail, sort_keys=True))
    return pa.table(
        {
            "unique_id_l": [str(r["unique_id_l"]) for r in records],
            "unique_id_r": [str(r["unique_id_r"]) for r in records],
            "match_weight": pa.array([float(r["match_weight"]) for r in records], pa.float64()),
            "match_probability": pa.array(
                [float(r["match_probability"]) for r in records], pa.float64()
            ),
            "detail": pa.array(details, pa.string()),
        }
    )


def _number(value: Any) -> float:
    """A match weight column's value; a level without one (null) weighs nothing."""
    return 0.0 if value is None or _nan(value) else float(value)


def _nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _value(row: dict[str, Any], name: str, side: str) -> Any:
    """The compared value on one side of a pair, as JSON can hold it."""
    for column in (f"{name}_{side}", f"{name}_key_{side}", f"company_domain_{side}"):
        if column in row:
            value = row[column]
            if value is None or _nan(value):
                return None
            return value.tolist() if hasattr(value, "tolist") else value
    return None
