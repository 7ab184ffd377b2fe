"""Pair and cluster precision and recall, worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from revops.errors import IdentityError
from revops.identity.evaluate import score, truth_entities


def test_a_perfect_crosswalk_scores_one() -> None:
    truth = {"a": "1", "b": "1", "c": "2"}
    result = score("person", truth, {"a": "x", "b": "x", "c": "y"})
    assert (result.pair_f1, result.cluster_f1) == (1.0, 1.0)


def test_a_wrong_merge_costs_precision_and_a_missed_one_recall() -> None:
    # Truth: {a, b, c} and {d}; found: {a, b} and {c, d}.
    truth = {"a": "1", "b": "1", "c": "1", "d": "2"}
    found = {"a": "x", "b": "x", "c": "y", "d": "y"}
    result = score("person", truth, found)
    assert (result.true_pairs, result.predicted_pairs, result.correct_pairs) == (3, 2, 1)
    assert result.pair_precision == pytest.approx(1 / 2)
    assert result.pair_recall == pytest.approx(1 / 3)
    assert result.pair_f1 == pytest.approx(0.4)
    # No found cluster is exactly a true one.
    assert (result.true_clusters, result.predicted_clusters, result.correct_clusters) == (1, 2, 0)


def test_records_the_truth_does_not_cover_are_not_scored() -> None:
    result = score("company", {"a": "1", "b": "1"}, {"a": "x", "b": "x", "z": "x"})
    assert result.records == 2
    assert result.pair_precision == 1.0


def test_a_folder_without_truth_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(IdentityError, match="truth"):
        truth_entities(tmp_path)
