"""Blocking keys that bound the pairs each record is compared in.

A blocking rule scores every pair of records that share its key, so a key shared by
`n` records costs `n²/2` pairs: a first-name-only mailbox (`olivia@…`) shared by 1,200
people at 20,000 demo accounts is 720,000 pairs alone, and two hundred such names took a
run past 23 GB. Each rule's key is computed once per record as one column
(`_block_<i>`). A key more than `max_block_size` records share is split: its records are
sorted by the other fields that tell people apart (`order`: the company domain, the
mailbox name, …) and cut into consecutive chunks of `max_block_size`, each a key of its
own (`_block_<i>`), and once more into chunks offset by half a chunk (`_block_<i>_shift`),
so every record still meets its nearest neighbours in that order, also across a cut,
and at most `2 × (max_block_size - 1)` others per rule, whatever the size of the data.
Rules that are not split (`split=False`: the deterministic rules the prior is counted
on, where a chunk's pairs would count as matches) leave such a key empty instead. The
keys are computed by an embedded DuckDB over the records' Arrow table (the same bounded
modelling frame Splink receives).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa

SEPARATOR = "chr(31)"


@dataclass(frozen=True)
class BlockingKeys:
    """The records with key columns per rule, and what the cap changed.

    Attributes:
        records: the input records plus `_block_<i>` per rule and `_block_<i>_shift` per
            split rule.
        columns: per rule, in rule order, its key columns: (`_block_<i>`,
            `_block_<i>_shift`) for a split rule, (`_block_<i>`,) otherwise.
        skipped: per rule not split (as written), the keys over the cap, left empty, and
            the records they hold.
        split: per split rule, the keys over the cap, split, and the records they hold.
        pairs: per rule (in rule order), the pairs its keys block: `n(n-1)/2` per key of
            `n` records, chunks included (a pair two keys both block counts in each).
    """

    records: pa.Table
    columns: tuple[tuple[str, ...], ...]
    skipped: dict[str, tuple[int, int]]
    pairs: tuple[int, ...] = ()
    split: dict[str, tuple[int, int]] = field(default_factory=dict)


def rule_name(rule: Sequence[str]) -> str:
    """How a rule reads in messages: its columns joined by ` + `."""
    return " + ".join(rule)


def block_keys(
    records: pa.Table,
    rules: Sequence[Sequence[str]],
    max_block_size: int,
    *,
    order: Sequence[str] = (),
    split: Sequence[bool] | None = None,
) -> BlockingKeys:
    """`records` with bounded key columns per blocking rule.

    Args:
        records: one row per record, with `unique_id` and the rules' columns.
        rules: the blocking rules (columns or SQL over one record).
        max_block_size: most records one key may hold.
        order: the columns a split key's records are sorted by (those of the rule
            itself left out; `unique_id` last, so runs repeat).
        split: per rule, whether a key over the cap is split (default) or left empty.

    Examples:
        >>> records = pa.table({"unique_id": ["a", "b", "c", "d", "e"],
        ...     "name": ["ann", "ann", "ann", "ann", "bo"], "city": ["w", "x", "y", "z", "y"]})
        >>> keys = block_keys(records, [["name"], ["name", "city"]], 2, order=["city"],
        ...     split=[True, False])
        >>> keys.columns
        (('_block_0', '_block_0_shift'), ('_block_1',))
        >>> def shown(column):
        ...     keyed = keys.records.column(column).to_pylist()
        ...     return [k and k.replace("\x1f", "|") for k in keyed]
        >>> shown("_block_0")
        ['ann|0', 'ann|0', 'ann|1', 'ann|1', 'bo']
        >>> shown("_block_0_shift")
        ['ann|0', 'ann|1', 'ann|1', 'ann|2', None]
        >>> keys.split, keys.skipped
        ({'name': (1, 4)}, {})
        >>> keys.pairs
        (3, 0)
    """
    import duckdb

    chunked = [True] * len(rules) if split is None else list(split)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET threads TO 2")
        con.register("records", records)
        keys = []
        for i, rule in enumerate(rules):
            joined = f" || {SEPARATOR} || ".join(f"CAST(({e}) AS VARCHAR)" for e in rule)
            keys.append(f"{joined} AS _key_{i}")
        con.execute(f"CREATE TABLE keyed AS SELECT *, {', '.join(keys)} FROM records")
        capped: list[str] = []
        columns: list[tuple[str, ...]] = []
        skipped: dict[str, tuple[int, int]] = {}
        divided: dict[str, tuple[int, int]] = {}
        pairs = []
        cap = max_block_size
        for i, rule in enumerate(rules):
            sizes = con.execute(
                "SELECT count(*) FILTER (WHERE n > $cap), "
                "coalesce(sum(n) FILTER (WHERE n > $cap), 0), "
                "coalesce(sum(n * (n - 1) // 2) FILTER (WHERE n <= $cap), 0) FROM ("
                f"SELECT count(*) AS n FROM keyed WHERE _key_{i} IS NOT NULL GROUP BY _key_{i})",
                {"cap": cap},
            ).fetchone()
            over, held, blocked = (int(v) for v in sizes) if sizes else (0, 0, 0)
            if over:
                (divided if chunked[i] else skipped)[rule_name(rule)] = (over, held)
            size = f"count(_key_{i}) OVER (PARTITION BY _key_{i})"
            if not (chunked[i] and over):
                capped.append(f"CASE WHEN {size} <= {cap} THEN _key_{i} END AS _block_{i}")
                columns.append((f"_block_{i}",))
                pairs.append(blocked)
                continue
            sort = [c for c in order if c not in rule and c in records.column_names]
            by = ", ".join([*(f'"{c}" NULLS LAST' for c in sort), "unique_id"])
            rank = f"(row_number() OVER (PARTITION BY _key_{i} ORDER BY {by}) - 1)"
            chunk = f"_key_{i} || {SEPARATOR} || CAST({rank} // {cap} AS VARCHAR)"
            shift = f"_key_{i} || {SEPARATOR} || CAST(({rank} + {cap // 2}) // {cap} AS VARCHAR)"
            capped.append(f"CASE WHEN {size} <= {cap} THEN _key_{i} ELSE {chunk} END AS _block_{i}")
            capped.append(f"CASE WHEN {size} > {cap} THEN {shift} END AS _block_{i}_shift")
            columns.append((f"_block_{i}", f"_block_{i}_shift"))
            pairs.append(blocked + _chunk_pairs(con, i, cap))
        names = ", ".join(f'"{c}"' for c in records.column_names)
        result = con.execute(
            f"SELECT {names}, {', '.join(capped)} FROM keyed ORDER BY unique_id"
        ).fetch_arrow_table()
    finally:
        con.close()
    return BlockingKeys(
        records=result,
        columns=tuple(columns),
        skipped=skipped,
        pairs=tuple(pairs),
        split=divided,
    )


def _chunk_pairs(con: object, i: int, cap: int) -> int:
    """The pairs the chunks and the offset chunks of rule `i`'s split keys block."""
    import duckdb

    assert isinstance(con, duckdb.DuckDBPyConnection)
    row = con.execute(
        "SELECT coalesce(sum(c * (c - 1) // 2), 0) FROM ("
        f"SELECT count(*) AS c FROM (SELECT _key_{i} AS k, row_number() OVER (PARTITION BY "
        f"_key_{i} ORDER BY unique_id) - 1 AS r, count(*) OVER (PARTITION BY _key_{i}) AS n "
        f"FROM keyed WHERE _key_{i} IS NOT NULL) WHERE n > $cap GROUP BY k, r // $cap "
        f"UNION ALL SELECT count(*) FROM (SELECT _key_{i} AS k, row_number() OVER (PARTITION "
        f"BY _key_{i} ORDER BY unique_id) - 1 AS r, count(*) OVER (PARTITION BY _key_{i}) AS n "
        f"FROM keyed WHERE _key_{i} IS NOT NULL) WHERE n > $cap GROUP BY k, (r + $half) // $cap)",
        {"cap": cap, "half": cap // 2},
    ).fetchone()
    return int(row[0]) if row else 0
