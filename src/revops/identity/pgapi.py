"""Splink on PostgreSQL: records uploaded with COPY, the string functions the comparisons
need, all inside one work schema (see :mod:`revops.identity.engines`).

Splink's PostgreSQL dialect has `levenshtein` (the fuzzystrmatch extension) but no
Jaro-Winkler or Damerau-Levenshtein; :func:`install_functions` creates both in the work
schema as PL/pgSQL, computed the way DuckDB computes them, and :mod:`revops.identity.levels`
guards each call with fuzzystrmatch's fast `levenshtein` so the slow function only runs on
pairs that can pass.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from splink.internals.postgres.database_api import PostgresAPI

from revops.errors import IdentityError

# Jaro-Winkler as DuckDB (rapidfuzz) computes it: matches within half the longer length
# less one, the prefix bonus (up to 4 characters, weight 0.1) only above a Jaro of 0.7.
_JARO_WINKLER = """
CREATE FUNCTION {schema}.jaro_winkler(a text, b text) RETURNS float8 AS $$
DECLARE
  la int := length(a); lb int := length(b); win int; m int := 0; t int := 0;
  i int; j int; k int := 1; fa bool[]; fb bool[]; sim float8; p int := 0;
BEGIN
  IF la = 0 AND lb = 0 THEN RETURN 1.0; END IF;
  IF la = 0 OR lb = 0 THEN RETURN 0.0; END IF;
  win := greatest(greatest(la, lb) / 2 - 1, 0);
  fa := array_fill(false, ARRAY[la]);
  fb := array_fill(false, ARRAY[lb]);
  FOR i IN 1..la LOOP
    FOR j IN greatest(1, i - win)..least(lb, i + win) LOOP
      IF NOT fb[j] AND substr(a, i, 1) = substr(b, j, 1) THEN
        fa[i] := true; fb[j] := true; m := m + 1; EXIT;
      END IF;
    END LOOP;
  END LOOP;
  IF m = 0 THEN RETURN 0.0; END IF;
  FOR i IN 1..la LOOP
    IF fa[i] THEN
      WHILE NOT fb[k] LOOP k := k + 1; END LOOP;
      IF substr(a, i, 1) <> substr(b, k, 1) THEN t := t + 1; END IF;
      k := k + 1;
    END IF;
  END LOOP;
  sim := (m::float8 / la + m::float8 / lb + (m - t / 2.0) / m) / 3;
  IF sim > 0.7 THEN
    WHILE p < least(4, la, lb) AND substr(a, p + 1, 1) = substr(b, p + 1, 1) LOOP
      p := p + 1;
    END LOOP;
    sim := sim + p * 0.1 * (1 - sim);
  END IF;
  RETURN sim;
END $$ LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
"""

# Optimal string alignment: insertions, deletions, substitutions and swaps of adjacent
# characters. It equals DuckDB's Damerau-Levenshtein up to distance 2, more than any level
# asks for.
_DAMERAU_LEVENSHTEIN = """
CREATE FUNCTION {schema}.damerau_levenshtein(a text, b text) RETURNS int AS $$
DECLARE
  la int := length(a); lb int := length(b); d int[]; i int; j int; cost int; w int;
BEGIN
  w := lb + 1;
  d := array_fill(0, ARRAY[(la + 1) * w]);
  FOR i IN 0..la LOOP d[i * w + 1] := i; END LOOP;
  FOR j IN 0..lb LOOP d[j + 1] := j; END LOOP;
  FOR i IN 1..la LOOP
    FOR j IN 1..lb LOOP
      cost := CASE WHEN substr(a, i, 1) = substr(b, j, 1) THEN 0 ELSE 1 END;
      d[i * w + j + 1] := least(
        d[(i - 1) * w + j + 1] + 1, d[i * w + j] + 1, d[(i - 1) * w + j] + cost);
      IF i > 1 AND j > 1 AND substr(a, i, 1) = substr(b, j - 1, 1)
         AND substr(a, i - 1, 1) = substr(b, j, 1) THEN
        d[i * w + j + 1] := least(d[i * w + j + 1], d[(i - 2) * w + j - 1] + 1);
      END IF;
    END LOOP;
  END LOOP;
  RETURN d[la * w + lb + 1];
END $$ LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
"""


def install_functions(con: Any, schema: str) -> str:
    """Create the comparison functions in `schema`; the schema that has fuzzystrmatch.

    fuzzystrmatch is used where the database has it; else it is created in the schema
    `public`, where it stays. Not in the run's own work schema: the extension exists once
    per database, so a run running beside this one would find it there and lose it midway
    when this run drops its schema (`function levenshtein(text, text) does not exist`).
    One found in a work schema (left there by an earlier release's run) is moved to
    `public` for the same reason.

    Raises:
        IdentityError: the server has no fuzzystrmatch, or refuses to create it.
    """
    from sqlalchemy import text

    quoted = f'"{schema}"'
    found = _fuzzy_schema(con)
    if found is None or WORK_SCHEMA in found:
        _settle_fuzzy(con, moving=found is not None)
        found = _fuzzy_schema(con)
    for ddl in (_JARO_WINKLER, _DAMERAU_LEVENSHTEIN):
        con.execute(text(ddl.format(schema=quoted)))
    return str(found)


WORK_SCHEMA = "identity_work_"
"""What the name of a run's own work schema holds (`<prefix>identity_work_<hex>`)."""


def _fuzzy_schema(con: Any) -> str | None:
    from sqlalchemy import text

    found = con.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
            "ON n.oid = e.extnamespace WHERE e.extname = 'fuzzystrmatch'"
        )
    ).scalar()
    return None if found is None else str(found)


def _settle_fuzzy(con: Any, *, moving: bool) -> None:
    """Create fuzzystrmatch in `public` (or move it there); a run doing the same at the
    same moment may win the race, which leaves the extension where this run wanted it."""
    from sqlalchemy import exc, text

    statement = (
        "ALTER EXTENSION fuzzystrmatch SET SCHEMA public"
        if moving
        else "CREATE EXTENSION IF NOT EXISTS fuzzystrmatch SCHEMA public"
    )
    try:
        with con.begin_nested():
            con.execute(text(statement))
    except exc.DBAPIError as error:
        if _fuzzy_schema(con) == "public":
            return
        reason = str(error.orig).strip().splitlines()[0]
        raise IdentityError(
            "identity resolution on PostgreSQL needs the fuzzystrmatch extension "
            f"({reason}); install it or set identity.engine: duckdb"
        ) from None


class CopyPostgresAPI(PostgresAPI):
    """Splink's PostgresAPI confined to one schema, loading input tables with COPY.

    Splink's own registration goes through DuckDB's postgres extension, which it
    downloads, and falls back to pandas' row inserts.
    """

    def __init__(self, engine: Any, schema: str) -> None:
        super().__init__(engine, schema=schema)

    def _register_extensions(self) -> None:
        """fuzzystrmatch is found or created by :func:`install_functions`."""

    def _table_registration(self, input: Any, table_name: str) -> None:
        from splink.internals.misc import to_pyarrow_if_list_tuple_or_dict

        # Splink registers tables of its own too (lists of records, pandas frames).
        input = to_pyarrow_if_list_tuple_or_dict(input)
        if not isinstance(input, pa.Table):
            input = pa.Table.from_pandas(input, preserve_index=False)
        target = f'"{self._db_schema}"."{table_name}"'
        columns = ", ".join(f'"{f.name}" {_pg_type(f.type)}' for f in input.schema)
        names = ", ".join(f'"{name}"' for name in input.column_names)
        raw: Any = self._engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {target}")
                cursor.execute(f"CREATE TABLE {target} ({columns})")
                with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                    for batch in input.to_batches(max_chunksize=50_000):
                        for row in zip(*(c.to_pylist() for c in batch.columns), strict=True):
                            copy.write_row(row)
            raw.commit()
        finally:
            raw.close()

    def table_exists_in_database(self, table_name: str) -> bool:
        # Splink's check looks in every schema; another run's work schema must not count.
        sql = (
            "SELECT 1 FROM information_schema.tables "
            f"WHERE table_schema = '{self._db_schema}' AND table_name = '{table_name}'"
        )
        return bool(self._execute_sql_against_backend(sql).first())


def _pg_type(arrow: pa.DataType) -> str:
    """The PostgreSQL column type of an Arrow type of a record table."""
    if pa.types.is_list(arrow) or pa.types.is_large_list(arrow):
        return f"{_pg_type(arrow.value_type)}[]"
    if pa.types.is_integer(arrow):
        return "bigint"
    if pa.types.is_floating(arrow):
        return "double precision"
    if pa.types.is_boolean(arrow):
        return "boolean"
    if pa.types.is_timestamp(arrow):
        return "timestamptz" if arrow.tz else "timestamp"
    if pa.types.is_date(arrow):
        return "date"
    return "text"
