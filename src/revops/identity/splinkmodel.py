"""Running a Splink model: train without labels, score pairs, cluster.

Training needs no labels: the prior (share of random pairs that match) from deterministic
rules with an assumed recall, or, when they find no pair, from a conservative expected
share of duplicate records; u probabilities from random pairs (almost all non-matches);
m probabilities by expectation maximisation on pairs from each training blocking rule
(each session learns the comparisons its rule does not fix).

Splink changes the model's settings as a step runs and puts them back only when it
succeeds; here every step runs on a snapshot, a failed step restores it and is named in
the run's :class:`Training` report, so a failure never silently changes the model.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa

from revops.identity.blocking import block_keys, rule_name
from revops.identity.frequencies import fill_unobserved_u

if TYPE_CHECKING:
    from revops.config import IdentityMode
    from revops.identity.engines import SplinkEngine

log = logging.getLogger(__name__)

# Pairs scored below this probability are kept out of the pair table: they explain
# nothing a user would ask about and would make it as large as all blocked pairs.
PAIR_FLOOR = 0.01
# EM samples its pairs down to about this many on large data, so memory stays bounded.
EM_MAX_PAIRS = 2e6
EM_SAMPLE_ABOVE = 50_000


@dataclass(frozen=True)
class ModelSpec:
    """What Splink needs to resolve one kind of entity.

    Args:
        kind: `person` or `company`.
        comparisons: Splink comparison creators.
        blocking: rules (columns or SQL over one record that must be equal) that
            generate the candidate pairs to score.
        training: rules whose pairs EM trains m probabilities on.
        deterministic: rules for the prior (share of random pairs that match).
        recall: assumed share of true matches the deterministic rules find.
        mode: dedupe_only, link_only or link_and_dedupe.
        expected_duplicate_rate: share of records assumed to be copies when the
            deterministic rules find no pair.
        max_block_size: most records one blocking key may hold; a key more share is
            split into chunks (see :mod:`revops.identity.blocking`).
        block_order: the columns the records of a split key are sorted by.
        max_pairs_per_record: pairs kept per record below the threshold (its best).
        predict_chunk_records: records per chunk of the scoring (see :func:`predict_chunks`).
    """

    kind: Literal["person", "company"]
    comparisons: list[Any]
    blocking: Sequence[Sequence[str]]
    training: Sequence[Sequence[str]]
    deterministic: Sequence[Sequence[str]]
    recall: float
    mode: IdentityMode = "dedupe_only"
    expected_duplicate_rate: float = 0.01
    max_block_size: int = 25
    max_pairs_per_record: int = 10
    block_order: Sequence[str] = ()
    predict_chunk_records: int = 500_000


@dataclass(frozen=True)
class TrainingStep:
    """One step of training: what it did, and whether it changed the model."""

    step: str
    status: Literal["ok", "failed", "skipped"]
    message: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Training:
    """How the model was trained: the prior, each step, and the m and u estimates.

    Attributes:
        prior: the probability that two random records match, as used.
        prior_method: where the prior came from.
        steps: every training step, failed ones named with their error.
        parameters: one row per comparison level: m, u and the match weight.
        skipped_blocks: per deterministic rule, keys over the block-size cap, left out of
            the prior (keys, records).
        split_blocks: per blocking rule, keys over the block-size cap, split into chunks
            of neighbours (keys, records).
        candidate_pairs: the pairs the capped blocking rules bring together, summed over
            the rules (a pair two rules block counts twice; Splink scores it once).
    """

    prior: float
    prior_method: str
    steps: tuple[TrainingStep, ...]
    parameters: tuple[dict[str, Any], ...]
    skipped_blocks: dict[str, tuple[int, int]] = field(default_factory=dict)
    candidate_pairs: int = 0
    split_blocks: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        """The steps that failed, by name."""
        return [s.step for s in self.steps if s.status == "failed"]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Resolution:
    """The outcome of one model run.

    Attributes:
        clusters: one row per record: `unique_id`, `cluster_id`.
        pairs: scored pairs at or above :data:`PAIR_FLOOR`: `unique_id_l`, `unique_id_r`,
            `match_weight`, `match_probability`, `detail` (JSON per comparison: level
            label, weight, both values).
        model: the trained Splink settings, as Splink saves them, with the training
            report under `revops_training`.
        training: the training report.
    """

    clusters: pa.Table
    pairs: pa.Table
    model: dict[str, Any]
    training: Training | None = None


def resolve(
    spec: ModelSpec,
    records: pa.Table,
    threshold: float,
    seed: int = 42,
    engine: SplinkEngine | None = None,
    labels: pa.Table | None = None,
    sink: Callable[[pa.Table], None] | None = None,
    components: bool = True,
) -> Resolution:
    """Train `spec` on `records`, score candidate pairs, and cluster them at `threshold`.

    Args:
        spec: the model.
        records: one row per record, with `unique_id`, `source_system` and the compared
            columns.
        threshold: match probability at or above which two records are one entity.
        seed: seed of the random pairs u is estimated on, for repeatable runs.
        engine: where Splink computes (see :mod:`revops.identity.engines`); an embedded
            DuckDB opened for this call when not given.
        labels: pairs people accepted (`unique_id_l`, `unique_id_r`,
            `clerical_match_score`): the m probabilities are estimated from them after EM.
        sink: called with each batch of scored pairs (at most 100,000) as it is read out
            of the engine; then the result's `pairs` is empty, so the pairs of a large run
            never sit in memory together.
        components: whether to compute Splink's connected components at `threshold` (the
            result's `clusters`); without, `clusters` is every record on its own, for a
            caller that clusters the pairs itself (:mod:`revops.identity.clustering`).
    """
    if engine is None:
        from revops.identity.engines import embedded_engine

        with embedded_engine() as embedded:
            return resolve(spec, records, threshold, seed, embedded, labels, sink, components)
    from splink import Linker, SettingsCreator, block_on

    rules = [*spec.blocking, *spec.deterministic]
    split = [True] * len(spec.blocking) + [False] * len(spec.deterministic)
    keys = block_keys(records, rules, spec.max_block_size, order=spec.block_order, split=split)
    blocking: list[Any] = [
        block_on(column) for columns in keys.columns[: len(spec.blocking)] for column in columns
    ]
    deterministic = [block_on(*c) for c in keys.columns[len(spec.blocking) :]]
    # EM trains on a blocking rule's chunked key where the rule is one (bounded pairs).
    chunk_of = {
        tuple(r): c[0]
        for r, c in zip(spec.blocking, keys.columns[: len(spec.blocking)], strict=True)
    }
    settings = SettingsCreator(
        link_type=spec.mode,
        comparisons=spec.comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )
    linker = Linker(_inputs(engine, spec, keys.records), settings, log_level=logging.ERROR)
    steps: list[TrainingStep] = []
    prior_method = _estimate_prior(linker, spec, deterministic, keys.records, steps)
    _step(
        linker,
        steps,
        "u by random sampling",
        lambda: linker.training.estimate_u_using_random_sampling(
            max_pairs=2e6, seed=seed, num_chunks=engine.u_chunks
        ),
    )
    filled: list[str] = []
    if _step(
        linker,
        steps,
        "u of exact levels sampling never saw agree, from value frequencies",
        lambda: filled.extend(fill_unobserved_u(linker, keys.records)),
    ):
        steps[-1] = replace(steps[-1], message="; ".join(filled) or "none needed")
    sample = EM_MAX_PAIRS if records.num_rows > EM_SAMPLE_ABOVE else None
    for rule in spec.training:

        def em(rule: Sequence[str] = rule) -> Any:
            # The rule's own columns stay in it, so Splink still knows which comparisons
            # it fixes (and does not train them on it).
            chunk = chunk_of.get(tuple(rule))
            training = block_on(chunk, *rule) if chunk else block_on(*rule)
            return linker.training.estimate_parameters_using_expectation_maximisation(
                training, estimate_without_term_frequencies=True, max_pairs=sample
            )

        _step(linker, steps, f"m by EM on pairs of equal {rule_name(rule)}", em)
    if labels is not None:
        _step(
            linker,
            steps,
            f"m from {labels.num_rows} pairs accepted in review",
            lambda: _train_on_labels(linker, engine, spec, labels, keys.records),
        )
    chunks = predict_chunks(keys.records.num_rows, spec.predict_chunk_records)
    predictions = linker.inference.predict(
        threshold_match_probability=PAIR_FLOOR, num_chunks_left=chunks, num_chunks_right=1
    )
    clusters = (
        linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        )
        if components
        else None
    )
    model = linker.misc.save_model_to_json()
    training = Training(
        prior=float(model["probability_two_random_records_match"]),
        prior_method=prior_method,
        steps=tuple(steps),
        parameters=tuple(parameters(model)),
        skipped_blocks=keys.skipped,
        split_blocks=keys.split,
        candidate_pairs=sum(keys.pairs[: len(spec.blocking)]),
    )
    model["revops_training"] = training.as_dict()
    found = []
    for frame in engine.batches(predictions, _best_pairs(threshold, spec.max_pairs_per_record)):
        batch = _pairs(frame, model)
        if sink is None:
            found.append(batch)
        else:
            sink(batch)
    # With a sink the pairs went there: nothing is read back (reading the predictions
    # whole, even to keep none, held every candidate pair in memory at once).
    pairs = pa.concat_tables(found) if found else PAIR_SCHEMA.empty_table()
    if clusters is None:
        ids = records.column("unique_id")
        cluster_rows = pa.table({"unique_id": ids, "cluster_id": ids})
    else:
        cluster_rows = engine.arrow(clusters, ["unique_id", "cluster_id"])
    return Resolution(clusters=cluster_rows, pairs=pairs, model=model, training=training)


def predict_chunks(records: int, per_chunk: int) -> int:
    """How many chunks of left-hand records the pairs of `records` are scored in, at most
    `per_chunk` records each: Splink's predict otherwise compares every blocked pair in
    one query, which held more than 6 GB at 3 million people.

    Examples:
        >>> predict_chunks(312_008, 500_000), predict_chunks(3_100_000, 500_000)
        (1, 7)
    """
    return max(1, -(-records // per_chunk))


def _best_pairs(threshold: float, per_record: int) -> str:
    """The pairs kept: every pair at or above the threshold (clusters are made of them),
    and below it each record's `per_record` best, so a common name does not keep
    millions of weak namesake pairs."""
    return (
        f"match_probability >= {threshold!r} "
        f"OR row_number() OVER (PARTITION BY unique_id_l ORDER BY match_weight DESC, "
        f"unique_id_r) <= {per_record} "
        f"OR row_number() OVER (PARTITION BY unique_id_r ORDER BY match_weight DESC, "
        f"unique_id_l) <= {per_record}"
    )


def _train_on_labels(
    linker: Any, engine: SplinkEngine, spec: ModelSpec, labels: pa.Table, records: pa.Table
) -> None:
    """Estimate m from labelled pairs of records this run has (others are dropped)."""
    import pyarrow.compute as pc

    ids = records.column("unique_id")
    known = labels.filter(
        pc.and_(
            pc.is_in(labels.column("unique_id_l"), ids), pc.is_in(labels.column("unique_id_r"), ids)
        )
    )
    if known.num_rows == 0:
        raise ValueError("no accepted pair is between records of this run")
    if spec.mode != "dedupe_only":
        raise ValueError("review labels train the dedupe_only mode only")
    table = engine.db_api.register(known, table_name=engine.table_name(f"{spec.kind}_labels"))
    linker.training.estimate_m_from_pairwise_labels(table)


def _inputs(engine: SplinkEngine, spec: ModelSpec, records: pa.Table) -> Any:
    """The records as Splink input: one table, or one per source system to link."""
    if spec.mode == "dedupe_only":
        return engine.db_api.register(records, table_name=engine.table_name(f"{spec.kind}_r"))
    import pyarrow.compute as pc

    systems = sorted(set(records.column("source_system").to_pylist()))
    return [
        engine.db_api.register(
            records.filter(pc.equal(records.column("source_system"), system)),
            table_name=engine.table_name(f"{spec.kind}_{_safe(system)}"),
        )
        for system in systems
    ]


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def _step(linker: Any, steps: list[TrainingStep], name: str, run: Callable[[], Any]) -> bool:
    """Run one training step on a snapshot of the settings: restored when it fails."""
    settings = copy.deepcopy(linker._settings_obj)
    sessions = list(linker._em_training_sessions)
    began = time.perf_counter()
    try:
        run()
    except MemoryError:
        raise
    except Exception as exc:  # Splink raises plain exceptions of many kinds
        if "out of memory" in str(exc).lower():
            raise
        linker._settings_obj = settings
        linker._em_training_sessions = sessions
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        log.warning("training step %r failed, model left as before it: %s", name, message)
        seconds = round(time.perf_counter() - began, 2)
        steps.append(TrainingStep(name, "failed", message, seconds))
        return False
    seconds = round(time.perf_counter() - began, 2)
    log.info("training step %r took %.1f s", name, seconds)
    steps.append(TrainingStep(name, "ok", seconds=seconds))
    return True


def _estimate_prior(
    linker: Any,
    spec: ModelSpec,
    deterministic: list[Any],
    records: pa.Table,
    steps: list[TrainingStep],
) -> str:
    """Set the prior from the deterministic rules, else from the expected duplicate rate;
    how it was set."""
    names = "; ".join(rule_name(r) for r in spec.deterministic) or "none"
    step = f"prior from deterministic rules ({names})"
    if deterministic and _step(
        linker,
        steps,
        step,
        lambda: linker.training.estimate_probability_two_random_records_match(
            deterministic, recall=spec.recall
        ),
    ):
        prior = linker._settings_obj._probability_two_random_records_match
        if prior and prior > 0:
            return f"deterministic rules ({names}) at assumed recall {spec.recall}"
        steps[-1] = TrainingStep(step, "failed", "the rules found no pair")
    elif not deterministic:
        steps.append(TrainingStep(step, "skipped", "no rule has values to compare"))
    prior = fallback_prior(records, spec.mode, spec.expected_duplicate_rate)
    linker._settings_obj._probability_two_random_records_match = prior
    return (
        f"expected duplicate rate {spec.expected_duplicate_rate} of "
        f"{records.num_rows:,} records (no deterministic rule found pairs)"
    )


def fallback_prior(records: pa.Table, mode: str, rate: float) -> float:
    """The prior when no deterministic rule finds pairs: `rate` of the records are copies,
    each one matching pair, among all pairs the mode compares.

    Examples:
        >>> records = pa.table({"source_system": ["a"] * 100 + ["b"] * 100})
        >>> round(fallback_prior(records, "dedupe_only", 0.01), 8)
        0.0001005
        >>> round(fallback_prior(records, "link_only", 0.01), 8)
        0.0002
    """
    n = records.num_rows
    if mode == "link_only":
        counts = records.group_by("source_system").aggregate([([], "count_all")])
        sizes = counts.column("count_all").to_pylist()
        total = (n * n - sum(s * s for s in sizes)) / 2
    else:
        total = n * (n - 1) / 2
    if total <= 0:
        return 0.5
    return float(min(max(rate * n, 1.0) / total, 0.5))


def parameters(model: dict[str, Any]) -> list[dict[str, Any]]:
    """The m and u estimates of every comparison level, with its match weight."""
    rows = []
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            label = level.get("label_for_charts") or level["sql_condition"]
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            rows.append(
                {
                    "comparison": comparison["output_column_name"],
                    "level": "different" if label.upper() == "ALL OTHER COMPARISONS" else label,
                    "m": None if m is None else round(float(m), 6),
                    "u": None if u is None else round(float(u), 6),
                    "weight": None if weight is None else round(weight, 3),
                }
            )
    return rows


NEUTRAL = -2
"""Key of :func:`comparison_labels` for a comparison's second level that weighs nothing
(a null level past the first): Splink gives every such level the value -1, so a pair at
-1 with both values known is at that level, not unknown."""


def comparison_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Comparison name → comparison vector value → the label of that level (and at
    :data:`NEUTRAL` the label of a null level that is not the first)."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        named: dict[int, str] = {}
        value = sum(1 for level in levels if not level.get("is_null_level")) - 1
        for level in levels:
            label = level.get("label_for_charts") or level["sql_condition"]
            if level.get("is_null_level"):
                named[NEUTRAL if -1 in named else -1] = (
                    label if -1 in named else "unknown on one side"
                )
            else:
                named[value] = "different" if label.upper() == "ALL OTHER COMPARISONS" else label
                value -= 1
        labels[comparison["output_column_name"]] = named
    return labels


PAIR_SCHEMA = pa.schema(
    {
        "unique_id_l": pa.string(),
        "unique_id_r": pa.string(),
        "match_weight": pa.float64(),
        "match_probability": pa.float64(),
        "detail": pa.string(),
    }
)
"""The columns of the pair table :func:`_pairs` makes."""


def _pairs(frame: Any, model: dict[str, Any]) -> pa.Table:
    """The pair table: ids, weight, probability and a JSON detail per pair.

    Each comparison's detail holds its level, its weight (term-frequency adjustment
    included), that adjustment alone (`tf_adjustment`: how much less the same common
    value says than an average one), and both values. Read column by column: a frame of
    millions of pairs never becomes a dict per row.
    """
    labels = comparison_labels(model)
    names = [c["output_column_name"] for c in model["comparisons"]]
    size = len(frame)
    parts: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        gammas = frame[f"gamma_{name}"].tolist()
        base = _column(frame, f"mw_{name}", size)
        tf = _column(frame, f"mw_tf_adj_{name}", size)
        left, right = _side(frame, name, "l", size), _side(frame, name, "r", size)
        parts[name] = [
            {
                "level": _level(labels[name], int(g), lv, rv),
                "weight": round(_number(b) + _number(t), 3),
                "tf_adjustment": round(_number(t), 3),
                "left": lv,
                "right": rv,
            }
            for g, b, t, lv, rv in zip(gammas, base, tf, left, right, strict=True)
        ]
    details = [
        json.dumps({name: parts[name][i] for name in names}, sort_keys=True) for i in range(size)
    ]
    return pa.table(
        {
            "unique_id_l": pa.array(frame["unique_id_l"].astype(str).tolist(), pa.string()),
            "unique_id_r": pa.array(frame["unique_id_r"].astype(str).tolist(), pa.string()),
            "match_weight": pa.array(frame["match_weight"].astype(float).tolist(), pa.float64()),
            "match_probability": pa.array(
                frame["match_probability"].astype(float).tolist(), pa.float64()
            ),
            "detail": pa.array(details, pa.string()),
        },
        schema=PAIR_SCHEMA,
    )


def _level(labels: dict[int, str], gamma: int, left: Any, right: Any) -> str:
    """The label of a pair's level of one comparison (see :data:`NEUTRAL`)."""
    if gamma == -1 and NEUTRAL in labels and left is not None and right is not None:
        return labels[NEUTRAL]
    return labels.get(gamma, str(gamma))


def _column(frame: Any, name: str, size: int) -> list[Any]:
    return frame[name].tolist() if name in frame.columns else [None] * size


def _side(frame: Any, name: str, side: str, size: int) -> list[Any]:
    """The compared value on one side of each pair, as JSON can hold it; for a swap
    comparison (`first_name_swapped_last_name`) both names."""
    if "_swapped_" in name:
        field, _, other = name.partition("_swapped_")
        pairs = zip(_side(frame, field, side, size), _side(frame, other, side, size), strict=True)
        return [" ".join(str(v) for v in pair if v is not None) or None for pair in pairs]
    columns = [f"{name}_{side}", f"{name}_key_{side}"]
    if name == "company":
        columns.append(f"company_domain_{side}")
    for column in columns:
        if column in frame.columns:
            return [_plain(v) for v in frame[column].tolist()]
    return [None] * size


def _plain(value: Any) -> Any:
    if value is None or _nan(value):
        return None
    return value.tolist() if hasattr(value, "tolist") else value


def _number(value: Any) -> float:
    """A match weight column's value; a level without one (null) weighs nothing."""
    return 0.0 if value is None or _nan(value) else float(value)


def _nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
