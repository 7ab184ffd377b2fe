"""Blocking bounds the pairs each record is compared in, whatever the size of the data:
a key too common to compare whole is cut into chunks of neighbours, not dropped."""

from __future__ import annotations

import random
from collections import defaultdict
from itertools import combinations

import pyarrow as pa

from revops.identity.blocking import block_keys

RULE = ("first_key", "last_name")


def _namesakes(n: int, seed: int = 5) -> pa.Table:
    """`n` records of one name (two by two at one company) and a few of other names; ids
    shuffled, so the id order says nothing of who is who."""
    rng = random.Random(seed)
    ids = [f"r{i:05d}" for i in range(n + 3)]
    rng.shuffle(ids)
    return pa.table(
        {
            "unique_id": ids,
            "first_key": ["john"] * n + ["ann", "ann", "bo"],
            "last_name": ["smith"] * n + ["lee", "lee", "kay"],
            "company_domain": [f"c{i // 2:04d}.com" for i in range(n)] + ["x.com"] * 3,
        }
    )


def _pairs(records: pa.Table, columns: tuple[str, ...]) -> set[tuple[str, str]]:
    """The pairs that share a value of any of `columns`."""
    pairs = set()
    ids = records.column("unique_id").to_pylist()
    for column in columns:
        groups: dict[str, list[str]] = defaultdict(list)
        for uid, key in zip(ids, records.column(column).to_pylist(), strict=True):
            if key is not None:
                groups[key].append(uid)
        for members in groups.values():
            pairs |= {tuple(sorted(p)) for p in combinations(members, 2)}  # type: ignore[misc]
    return pairs


def test_a_common_key_is_split_into_chunks_of_neighbours() -> None:
    records = _namesakes(1_000)
    keys = block_keys(records, [RULE], 50, order=["company_domain"])
    pairs = _pairs(keys.records, keys.columns[0])
    met: dict[str, int] = defaultdict(int)
    for a, b in pairs:
        met[a] += 1
        met[b] += 1
    # Each record meets at most 2 × 49 others, not the 999 of its name: 1,000 records
    # give at most 1,000 × 49 pairs (all of them compared would be 499,500).
    assert max(met.values()) <= 2 * 49
    assert len(pairs) <= 1_000 * 49
    assert keys.pairs[0] >= len(pairs)
    assert keys.split == {"first_key + last_name": (1, 1_000)}
    # The two namesakes at one company sit side by side in the order, so they still meet.
    ids = records.column("unique_id").to_pylist()
    domain = dict(zip(ids, records.column("company_domain").to_pylist(), strict=True))
    colleagues = {
        tuple(sorted(p))
        for p in combinations(domain, 2)
        if domain[p[0]] == domain[p[1]] and domain[p[0]] != "x.com"
    }
    assert len(colleagues) == 500
    assert colleagues <= pairs
    # Small keys are compared whole.
    ann = {u for u, d in domain.items() if d == "x.com"}
    assert sum(1 for a, b in pairs if a in ann and b in ann) == 1


def test_a_rule_that_is_not_split_leaves_a_common_key_out() -> None:
    records = _namesakes(120)
    keys = block_keys(records, [RULE], 50, split=[False])
    assert keys.columns == (("_block_0",),)
    assert keys.skipped == {"first_key + last_name": (1, 120)}
    assert keys.split == {}
    assert _pairs(keys.records, keys.columns[0]) == {
        tuple(sorted(u for u, k in zip(records.column("unique_id").to_pylist(),
                                       records.column("first_key").to_pylist(), strict=True)
                     if k == "ann"))
    }  # fmt: skip
    assert keys.pairs == (1,)
