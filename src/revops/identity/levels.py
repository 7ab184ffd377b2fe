"""String-similarity comparison levels that run on every engine Splink computes on.

Splink's PostgreSQL dialect has no Jaro-Winkler or Damerau-Levenshtein function. There
these levels call the PL/pgSQL versions :mod:`revops.identity.pgapi` creates in the work
schema, each behind fuzzystrmatch's `levenshtein` (C, fast), so that the slow function only
runs on pairs that can pass. DuckDB and Spark get Splink's own SQL.
"""

from __future__ import annotations

from typing import Any

from splink.internals.comparison_level_library import (
    DamerauLevenshteinLevel,
    JaroWinklerLevel,
)

# fuzzystrmatch's levenshtein refuses arguments longer than this.
_LEVENSHTEIN_MAX = 255


def _is_postgres(dialect: Any) -> bool:
    return str(dialect.sql_dialect_str) == "postgres"


class TypoLevel(DamerauLevenshteinLevel):
    """Damerau-Levenshtein distance at most `distance_threshold`.

    On PostgreSQL: within `distance_threshold` edits by Levenshtein, or within twice
    that (a swap of two adjacent characters is two Levenshtein edits) and within the
    threshold by optimal string alignment, which equals Damerau-Levenshtein up to a
    distance of 2 — the same pairs as on DuckDB.
    """

    def create_sql(self, sql_dialect: Any) -> str:
        if not _is_postgres(sql_dialect):
            return str(super().create_sql(sql_dialect))
        self.col_expression.sql_dialect = sql_dialect
        left, right = self.col_expression.name_l, self.col_expression.name_r
        d = self.distance_threshold
        return (
            f"CASE WHEN greatest(length({left}), length({right})) > {_LEVENSHTEIN_MAX} "
            f"THEN damerau_levenshtein({left}, {right}) <= {d} "
            f"WHEN levenshtein({left}, {right}) <= {d} THEN true "
            f"WHEN levenshtein({left}, {right}) <= {2 * d} "
            f"THEN damerau_levenshtein({left}, {right}) <= {d} ELSE false END"
        )


class SimilarLevel(JaroWinklerLevel):
    """Jaro-Winkler similarity at least `distance_threshold`.

    On PostgreSQL only pairs at most half the longer value's length apart in
    Levenshtein edits are scored, which keeps the slow PL/pgSQL function off almost
    every random pair: on the 300-account demo company no pair of distinct names,
    last names or company names at or above the thresholds the models use is further
    apart (docs/identity.md, Engines).
    """

    def create_sql(self, sql_dialect: Any) -> str:
        if not _is_postgres(sql_dialect):
            return str(super().create_sql(sql_dialect))
        self.col_expression.sql_dialect = sql_dialect
        left, right = self.col_expression.name_l, self.col_expression.name_r
        longest = f"greatest(length({left}), length({right}))"
        similar = f"jaro_winkler({left}, {right}) >= {self.distance_threshold}"
        return (
            f"CASE WHEN {longest} > {_LEVENSHTEIN_MAX} THEN {similar} "
            f"WHEN levenshtein({left}, {right}) <= {longest} / 2 THEN {similar} "
            "ELSE false END"
        )
