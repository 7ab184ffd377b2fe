"""SQL reused across queries of one shape is the SQL the compiler writes, on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from revops.warehouse import Warehouse
from revops.warehouse.compiled import CompiledQueries


def _fresh(warehouse: Warehouse, expr: Any) -> str:
    """The compiler's own SQL for `expr`, past the cache."""
    return str(type(warehouse.con).compile(warehouse.con, expr))


@pytest.fixture
def deals() -> Any:
    import ibis

    rows = pa.table(
        {
            "deal_id": ["d1", "d2", "d3", "d4"],
            "owner_id": ["u1", "u1", "u2", "u3"],
            "amount": [100.0, 250.0, 40.0, 75.0],
            "close_date": [date(2026, 1, 5), date(2026, 2, 9), date(2026, 2, 20), date(2026, 3, 1)],
            "closed_at": [
                datetime(2026, 1, 5, 9, tzinfo=UTC),
                datetime(2026, 2, 9, 23, 59, tzinfo=UTC),
                datetime(2026, 2, 20, tzinfo=UTC),
                datetime(2026, 3, 1, 12, tzinfo=UTC),
            ],
        }
    )
    return ibis.memtable(rows)


def _won_in(deals: Any, start: date, end: date, owners: tuple[str, ...] = ("u1", "u2")) -> Any:
    import ibis

    at = deals.closed_at.type()
    first = ibis.literal(datetime(start.year, start.month, start.day, tzinfo=UTC), type=at)
    later = ibis.literal(datetime(end.year, end.month, end.day, tzinfo=UTC), type=at)
    window = (deals.close_date >= start) & (deals.close_date < end)
    rows = deals.filter(window & (deals.closed_at >= first) & (deals.closed_at < later))
    rows = rows.filter(rows.owner_id.isin(owners))
    return rows.aggregate(won=rows.amount.sum(), deals=rows.count())


MONTHS = [(date(2026, 1, 1), date(2026, 2, 1)), (date(2026, 2, 1), date(2026, 3, 1)),
          (date(2026, 3, 1), date(2026, 4, 1)), (date(2025, 12, 1), date(2026, 1, 1))]  # fmt: skip


def test_a_series_of_one_shape_is_compiled_twice_and_answers_as_compiled(
    warehouse: Warehouse, deals: Any
) -> None:
    cache = warehouse.compiled
    hits, compiles = cache.hits, cache.compiles
    answers = []
    for start, end in MONTHS:
        expr = _won_in(deals, start, end)
        assert warehouse.con.compile(expr) == _fresh(warehouse, expr)
        answers.append(warehouse.con.execute(expr).iloc[0].tolist())
    # The first month is compiled, the second makes the template, the rest are filled in
    # (and running a query compiles it again: its SQL is known by then).
    assert (cache.compiles - compiles, cache.hits - hits) == (2, 7)
    assert [[0.0 if pd.isna(won) else float(won), int(n)] for won, n in answers] == [
        [100.0, 1], [290.0, 2], [0.0, 0], [0.0, 0],
    ]  # fmt: skip


def test_another_literal_than_a_date_makes_another_shape(warehouse: Warehouse, deals: Any) -> None:
    for start, end in MONTHS:
        warehouse.con.compile(_won_in(deals, start, end))
    other = _won_in(deals, date(2026, 2, 1), date(2026, 3, 1), owners=("u2",))
    hits = warehouse.compiled.hits
    assert warehouse.con.compile(other) == _fresh(warehouse, other)
    assert warehouse.compiled.hits == hits
    assert warehouse.con.execute(other).iloc[0].tolist()[1] == 1


def test_a_self_join_numbered_anew_is_the_same_shape(warehouse: Warehouse, deals: Any) -> None:
    def pairs(day: date) -> Any:
        early = deals.filter(deals.close_date < day)
        later = deals.view()
        joined = early.join(later, early.owner_id == later.owner_id)
        return joined.aggregate(n=joined.count())

    for day in (date(2026, 1, 10), date(2026, 2, 15), date(2026, 3, 1)):
        expr = pairs(day)
        assert warehouse.con.compile(expr) == _fresh(warehouse, expr)
    assert warehouse.compiled.hits >= 1


def test_a_template_that_does_not_give_the_compilers_sql_is_never_used() -> None:
    """A compiler whose SQL depends on a date otherwise than by writing it: each query is
    compiled, none filled in."""
    import ibis

    con = ibis.duckdb.connect()
    cache = CompiledQueries()
    calls: list[str] = []

    def odd(expr: Any, **kw: Any) -> str:
        sql = str(type(con).compile(con, expr, **kw))
        calls.append(sql)
        weekend = "SUM" in sql and "2026, 3, 7" in sql
        return sql + (" /* weekend */" if weekend else "")

    table = ibis.table({"day": "date", "amount": "float64"}, name="t")
    days = [date(2026, 3, 7), date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    for day in days:
        expr = table.filter(table.day < day).aggregate(total=table.amount.sum())
        sql = cache.compile(con, odd, expr, None)
        assert sql == odd(expr)
    assert cache.hits == 0


def test_a_date_is_written_in_each_backends_own_sql_by_one_cache() -> None:
    """One cache serves the warehouses of a process: a date rendered for DuckDB is never
    written into PostgreSQL's SQL, whichever backend asks first."""
    import ibis

    from conftest import POSTGRES_URL

    duck = ibis.duckdb.connect()
    postgres = ibis.connect(POSTGRES_URL.replace("postgresql://", "postgres://", 1))
    try:
        cache = CompiledQueries()
        for con in (duck, postgres):
            cache.install(con)
        table = ibis.table({"day": "date", "amount": "float64"}, name="t")
        for day in (date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)):
            for con in (duck, postgres) if day.day % 2 else (postgres, duck):
                expr = table.filter(table.day < day).aggregate(total=table.amount.sum())
                assert con.compile(expr) == type(con).compile(con, expr), (con.name, day)
        assert cache.hits >= 4
    finally:
        postgres.disconnect()
