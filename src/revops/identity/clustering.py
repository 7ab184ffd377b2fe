"""Clusters from scored pairs that do not chain through weak links.

Connected components at a threshold (Splink's clustering) chain: a copy at a free
mailbox provider of one of two namesakes (`ann.lee@a.com`, `ann.lee@b.com`,
`annlee@gmail.com`) links to both at the same weight, and the component then holds two
people. The pairs are merged strongest first instead, and a link merges two clusters
only when it is strong on its own (at or above `strong`) or when most pairs across the
two clusters link too (more than half at or above `threshold`): the two namesakes do not
link to each other, so the copy joins one of them and the other stays apart.

It runs on the pair table the model scored, after :func:`~revops.identity.splinkmodel.resolve`,
whatever engine scored it; clusters are small, so merging is a pass over the linked pairs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pyarrow as pa

AMBIGUITY_MARGIN = 1.0
"""A weak link is ambiguous when one of its records links about as well (within this
match weight, i.e. twice the odds) to a record the other one does not link to."""

STRONG_WEIGHT_MARGIN = 3.0
"""How much more match weight (log2 odds) than the threshold's a link needs to merge two
clusters on its own: 3 is 8 times the odds, 0.999 → about 0.99988. Chosen on 200k
synthetic people and the demo company of seed 1 (docs/identity.md)."""


def strong_threshold(threshold: float, margin: float = STRONG_WEIGHT_MARGIN) -> float:
    """The match probability `margin` match weight above `threshold`.

    Examples:
        >>> round(strong_threshold(0.5, 1.0), 4)
        0.6667
    """
    odds = threshold / (1 - threshold) * 2**margin
    return odds / (1 + odds)


def cluster_pairs(
    ids: Sequence[str],
    pairs: pa.Table,
    threshold: float,
    strong: float | None = None,
    ambiguity: float | None = AMBIGUITY_MARGIN,
) -> pa.Table:
    """One cluster per record from the pairs linked at `threshold`, without weak chains.

    Args:
        ids: every record's unique id (records without a link are clusters of one).
        pairs: scored pairs: `unique_id_l`, `unique_id_r`, `match_probability`.
        threshold: match probability at or above which a pair links.
        strong: probability at or above which a link merges clusters on its own
            (default :func:`strong_threshold` of `threshold`).
        ambiguity: weak links of a record that links about as well (this much match
            weight less, or more) to a record the other end does not link to are
            dropped: the copy at a free provider of one of two namesakes joins neither
            (None keeps them).

    Returns:
        `unique_id`, `cluster_id` (the cluster's smallest unique id), one row per id.

    Examples:
        A copy `b` links to two records that do not link to each other, one clearly
        better: it joins that one (`c` links about as well, and would be ambiguous).

        >>> pairs = pa.table({"unique_id_l": ["a", "c"], "unique_id_r": ["b", "b"],
        ...                   "match_probability": [0.99995, 0.9991],
        ...                   "match_weight": [14.3, 10.1]})
        >>> cluster_pairs(["a", "b", "c"], pairs, 0.999).column("cluster_id").to_pylist()
        ['a', 'a', 'c']
    """
    strong = strong_threshold(threshold) if strong is None else strong
    links = _links(pairs, threshold)
    cluster = {i: i for i in ids}
    members = {i: [i] for i in ids}
    neighbours: dict[str, set[str]] = {}
    weights: dict[str, dict[str, float]] = {}
    for left, right, _, weight in links:
        neighbours.setdefault(left, set()).add(right)
        neighbours.setdefault(right, set()).add(left)
        weights.setdefault(left, {})[right] = weight
        weights.setdefault(right, {})[left] = weight
    for left, right, probability, weight in links:
        a, b = cluster[left], cluster[right]
        if a == b:
            continue
        if probability < strong:
            if not _mostly_linked(members[a], members[b], neighbours):
                continue
            if ambiguity is not None and (
                _rival(left, right, weight - ambiguity, weights, neighbours)
                or _rival(right, left, weight - ambiguity, weights, neighbours)
            ):
                continue
        small, large = (a, b) if len(members[a]) <= len(members[b]) else (b, a)
        for member in members[small]:
            cluster[member] = large
        members[large] += members.pop(small)
    names = {c: min(records) for c, records in members.items()}
    return pa.table(
        {"unique_id": list(ids), "cluster_id": [names[cluster[i]] for i in ids]},
        schema=pa.schema([("unique_id", pa.string()), ("cluster_id", pa.string())]),
    )


def _links(pairs: pa.Table, threshold: float) -> list[tuple[str, str, float, float]]:
    """The linked pairs with probability and weight, strongest first (ties in id order,
    so runs repeat)."""
    rows: Iterable[tuple[str, str, float, float]] = zip(
        pairs.column("unique_id_l").to_pylist(),
        pairs.column("unique_id_r").to_pylist(),
        pairs.column("match_probability").to_pylist(),
        pairs.column("match_weight").to_pylist(),
        strict=True,
    )
    linked = [
        (str(left), str(right), float(p), float(w))
        for left, right, p, w in rows
        if p is not None and not math.isnan(p) and p >= threshold
    ]
    return sorted(linked, key=lambda link: (-link[2], link[0], link[1]))


def _rival(
    record: str,
    partner: str,
    floor: float,
    weights: dict[str, dict[str, float]],
    neighbours: dict[str, set[str]],
) -> bool:
    """Whether `record` links at `floor` or more to a record `partner` does not link to."""
    return any(
        other != partner and weight >= floor and other not in neighbours[partner]
        for other, weight in weights[record].items()
    )


def _mostly_linked(a: list[str], b: list[str], neighbours: dict[str, set[str]]) -> bool:
    """Whether more than half the pairs across clusters `a` and `b` link."""
    other = set(b)
    linked = sum(len(neighbours.get(member, set()) & other) for member in a)
    return 2 * linked > len(a) * len(b)
