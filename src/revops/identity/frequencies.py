"""u of the exact levels random sampling cannot see: counted from the values themselves.

Splink estimates u (how often two records that are not one entity agree at a level) on
two million random pairs. An identifier nearly unique per person (the e-mail address, the
phone) agrees in about one pair of a few billion at a million records, so the sample holds
none, the level is "not observed", and Splink weighs it with a stand-in: at 400,000
synthetic people the same phone weighed 9.4 instead of about 16, and copies that shared
nothing else but their names were no longer linked. For an exact level on one column the
share of agreeing pairs is known without sampling: with `n_v` records of each value `v`
among the `M` records that have one, `Σ n_v (n_v − 1) / (M (M − 1))` — like random sampling
it counts true matches too, a bias towards u too high, i.e. towards fewer merges.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc


def agreement_rate(values: pa.ChunkedArray | pa.Array) -> float:
    """The share of pairs of non-empty values that are equal.

    Examples:
        >>> agreement_rate(pa.array(["a", "a", "b", None]))  # 1 equal pair of 3
        0.3333333333333333
        >>> agreement_rate(pa.array(["a", None]))
        0.0
    """
    present = pc.drop_null(values)
    size = len(present)
    if size < 2:
        return 0.0
    counts = pc.value_counts(present).field("counts").to_numpy().astype("float64")
    return float((counts * (counts - 1)).sum() / (size * (size - 1.0)))


def fill_unobserved_u(linker: Any, records: pa.Table) -> list[str]:
    """Give every exact level on one column of `records` that random sampling never saw
    agree its u from :func:`agreement_rate` (when some pair agrees); the levels given one,
    as `comparison: level (u)`."""
    filled = []
    for comparison in linker._settings_obj.comparisons:
        for level in comparison._comparison_levels_excluding_null:
            if level._u_is_trained or level._is_else_level or not level._is_exact_match:
                continue
            columns = level._exact_match_colnames
            if len(columns) != 1 or columns[0] not in records.column_names:
                continue
            rate = agreement_rate(records.column(columns[0]))
            if rate > 0:
                level.u_probability = rate
                name = level.label_for_charts or level.sql_condition
                filled.append(f"{comparison.output_column_name}: {name} ({rate:.3g})")
    return filled
