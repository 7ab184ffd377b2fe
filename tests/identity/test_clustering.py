"""Clusters from scored pairs: strongest first, no chains through weak links."""

from __future__ import annotations

import math

import pyarrow as pa

from revops.identity.clustering import cluster_pairs, strong_threshold

THRESHOLD = 0.999


def _pairs(*links: tuple[str, str, float]) -> pa.Table:
    return pa.table(
        {
            "unique_id_l": [a for a, _, _ in links],
            "unique_id_r": [b for _, b, _ in links],
            "match_probability": [p for _, _, p in links],
            "match_weight": [math.log2(p / (1 - p)) for _, _, p in links],
        }
    )


def _clusters(ids: list[str], pairs: pa.Table, **options: float | None) -> list[set[str]]:
    table = cluster_pairs(ids, pairs, THRESHOLD, **options)  # type: ignore[arg-type]
    found: dict[str, set[str]] = {}
    for record, cluster in zip(ids, table.column("cluster_id").to_pylist(), strict=True):
        found.setdefault(cluster, set()).add(record)
    return sorted(found.values(), key=min)


def test_a_copy_linking_equally_to_two_namesakes_joins_neither() -> None:
    # gmail copy g of a; b is a's namesake at another company; a and b do not link.
    pairs = _pairs(("a", "g", 0.9995), ("b", "g", 0.9995))
    assert _clusters(["a", "b", "g"], pairs) == [{"a"}, {"b"}, {"g"}]


def test_a_copy_clearly_closer_to_one_namesake_joins_it_only() -> None:
    pairs = _pairs(("a", "g", 0.99995), ("b", "g", 0.9992))
    assert _clusters(["a", "b", "g"], pairs) == [{"a", "g"}, {"b"}]


def test_without_the_ambiguity_rule_the_first_link_wins_but_the_chain_is_cut() -> None:
    pairs = _pairs(("a", "g", 0.9995), ("b", "g", 0.9995))
    assert _clusters(["a", "b", "g"], pairs, ambiguity=None) == [{"a", "g"}, {"b"}]


def test_records_all_linked_to_each_other_are_one_cluster() -> None:
    pairs = _pairs(("a", "b", 0.9995), ("b", "c", 0.9993), ("a", "c", 0.9991), ("c", "d", 0.5))
    assert _clusters(["a", "b", "c", "d"], pairs) == [{"a", "b", "c"}, {"d"}]


def test_a_strong_link_merges_clusters_on_its_own() -> None:
    pairs = _pairs(("a", "b", 0.99999999), ("c", "d", 0.99999999), ("b", "c", 0.9999999))
    assert _clusters(["a", "b", "c", "d"], pairs) == [{"a", "b", "c", "d"}]
    weak = _pairs(("a", "b", 0.99999999), ("c", "d", 0.99999999), ("b", "c", 0.9995))
    assert _clusters(["a", "b", "c", "d"], weak) == [{"a", "b"}, {"c", "d"}]


def test_the_strong_threshold_is_the_margin_above_the_threshold_in_match_weight() -> None:
    weight = math.log2(THRESHOLD / (1 - THRESHOLD))
    strong = strong_threshold(THRESHOLD, 6.0)
    assert abs(math.log2(strong / (1 - strong)) - (weight + 6.0)) < 1e-9


def test_records_without_links_are_clusters_of_one_and_bad_scores_are_ignored() -> None:
    pairs = pa.table(
        {
            "unique_id_l": ["a", "a"],
            "unique_id_r": ["b", "c"],
            "match_probability": [float("nan"), None],
            "match_weight": [float("nan"), None],
        }
    )
    assert _clusters(["a", "b", "c"], pairs) == [{"a"}, {"b"}, {"c"}]
