"""Blocking keys with a bounded block size.

A blocking rule scores every pair of records that share its key, so a key shared by
`n` records costs `n²/2` pairs: a first-name-only mailbox (`olivia@…`) shared by 1,200
people at 20,000 demo accounts is 720,000 pairs alone, and two hundred such names took a
run past 23 GB. Each rule's key is computed once per record as one column
(`_block_<i>`), left empty on records whose key more than `max_block_size` records
share: such a key says too little to compare on (another rule still brings true
duplicates together), and every record meets at most `max_block_size - 1` others per
rule. The keys are computed by an embedded DuckDB over the records' Arrow table (the
same bounded modelling frame Splink receives).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

SEPARATOR = "chr(31)"


@dataclass(frozen=True)
class BlockingKeys:
    """The records with one key column per rule, and what the cap left out.

    Attributes:
        records: the input records plus `_block_<i>` per rule.
        columns: the key column of each rule, in rule order.
        skipped: per rule (as written), the keys over the cap and the records they hold.
    """

    records: pa.Table
    columns: tuple[str, ...]
    skipped: dict[str, tuple[int, int]]


def rule_name(rule: Sequence[str]) -> str:
    """How a rule reads in messages: its columns joined by ` + `."""
    return " + ".join(rule)


def block_keys(
    records: pa.Table, rules: Sequence[Sequence[str]], max_block_size: int
) -> BlockingKeys:
    """`records` with a capped key column per blocking rule.

    Examples:
        >>> records = pa.table({"unique_id": ["a", "b", "c", "d"],
        ...     "email_local": ["ann", "ann", "ann", "bo"], "city": ["x", "x", None, "y"]})
        >>> keys = block_keys(records, [["email_local"], ["email_local", "city"]], 2)
        >>> keys.records.column("_block_0").to_pylist()
        [None, None, None, 'bo']
        >>> keys.records.column("_block_1").to_pylist()[:3]
        ['ann\\x1fx', 'ann\\x1fx', None]
        >>> keys.skipped
        {'email_local': (1, 3)}
    """
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.execute("SET threads TO 2")
        con.register("records", records)
        keys = []
        for i, rule in enumerate(rules):
            joined = f" || {SEPARATOR} || ".join(f"CAST(({e}) AS VARCHAR)" for e in rule)
            keys.append(f"{joined} AS _key_{i}")
        con.execute(f"CREATE TABLE keyed AS SELECT *, {', '.join(keys)} FROM records")
        capped = []
        skipped: dict[str, tuple[int, int]] = {}
        for i, rule in enumerate(rules):
            over = con.execute(
                f"SELECT count(*), coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM keyed "
                f"WHERE _key_{i} IS NOT NULL GROUP BY _key_{i} HAVING count(*) > ?)",
                [max_block_size],
            ).fetchone()
            if over and over[0]:
                skipped[rule_name(rule)] = (int(over[0]), int(over[1]))
            capped.append(
                f"CASE WHEN count(_key_{i}) OVER (PARTITION BY _key_{i}) <= {max_block_size} "
                f"THEN _key_{i} END AS _block_{i}"
            )
        names = ", ".join(f'"{c}"' for c in records.column_names)
        result = con.execute(
            f"SELECT {names}, {', '.join(capped)} FROM keyed ORDER BY unique_id"
        ).fetch_arrow_table()
    finally:
        con.close()
    return BlockingKeys(
        records=result, columns=tuple(f"_block_{i}" for i in range(len(rules))), skipped=skipped
    )
