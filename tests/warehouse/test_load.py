from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from revops.errors import LoadError, WarehouseError
from revops.model.base import BOOL, DATE, FLOAT, INT, MONEY, TEXT, TIMESTAMP, Column, Entity
from revops.warehouse import Warehouse

from conftest import open_warehouse
from support import DEAL, DEAL_HISTORY, SimulatedCrashError, crash_at, deals, rows

FIRST = deals(
    ("1", "Prospecting", "100.00", "2024-03-31"),
    ("2", "Proposal", "250.50", "2024-06-30"),
    ("3", "Closed Won", "75.25", "2024-02-15"),
)


def test_init_creates_the_namespaces_and_tables_once(warehouse: Warehouse) -> None:
    created, present = warehouse.init([DEAL, DEAL_HISTORY])
    assert (created, present) == (["core.deal", "history.deal_history"], [])
    assert warehouse.init([DEAL, DEAL_HISTORY]) == ([], ["core.deal", "history.deal_history"])
    assert warehouse.list_tables("core") == ["deal"]
    assert list(warehouse.table("deal").columns) == [c.name for c in DEAL.all_columns]


def test_reading_a_missing_table_says_to_init_the_warehouse(warehouse: Warehouse) -> None:
    with pytest.raises(WarehouseError, match=r"no table core\.deal .* `revops warehouse init`"):
        warehouse.table("deal")


def test_the_same_batch_loaded_twice_leaves_one_copy(warehouse: Warehouse) -> None:
    warehouse.init([DEAL])
    first = warehouse.load("deal", FIRST)
    second = warehouse.load("deal", FIRST)
    assert (first.inserted, first.updated, first.unchanged) == (3, 0, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 3)
    table = warehouse.table("deal")
    assert table.count().execute() == 3
    # Nothing was rewritten: every row still carries the first load's id.
    assert set(table.load_id.execute()) == {first.load_id}


def test_an_upsert_replaces_changed_rows_and_inserts_new_ones(warehouse: Warehouse) -> None:
    warehouse.init([DEAL])
    warehouse.load("deal", FIRST)
    update = deals(
        ("2", "Negotiation", "300.00", "2024-06-30"),
        ("3", "Closed Won", "75.25", "2024-02-15"),
        ("4", "Prospecting", "10.00", "2024-09-30"),
    )
    result = warehouse.load("deal", update)
    assert (result.rows_in, result.inserted, result.updated, result.unchanged) == (3, 1, 1, 1)
    assert [r[:3] for r in rows(warehouse.table("deal"))] == [
        ("d-1", "Prospecting", "100.00"),
        ("d-2", "Negotiation", "300.00"),
        ("d-3", "Closed Won", "75.25"),
        ("d-4", "Prospecting", "10.00"),
    ]


def test_a_change_from_a_value_to_null_counts_as_a_change(warehouse: Warehouse) -> None:
    warehouse.init([DEAL])
    warehouse.load("deal", FIRST)
    blanked = FIRST.slice(0, 1).set_column(
        FIRST.schema.get_field_index("stage"), "stage", pa.array([None], pa.string())
    )
    result = warehouse.load("deal", blanked)
    assert result.updated == 1
    stages = warehouse.table("deal").filter(lambda t: t.source_id == "1").stage.execute()
    assert stages.isna().all()


def test_rows_given_as_dicts_keep_keys_the_first_row_lacks(warehouse: Warehouse) -> None:
    warehouse.init([DEAL])
    warehouse.load(
        "deal",
        [
            {"deal_id": "d-1", "source_system": "crm", "source_id": "1"},
            {"deal_id": "d-2", "source_system": "crm", "source_id": "2", "stage": "Won"},
        ],
    )
    stages = warehouse.table("deal").order_by("source_id").stage.execute().tolist()
    assert stages == [None, "Won"]


def test_append_adds_every_row_and_replace_makes_the_batch_the_table(
    warehouse: Warehouse,
) -> None:
    warehouse.init([DEAL])
    warehouse.load("deal", FIRST, mode="append")
    warehouse.load("deal", FIRST.slice(0, 1), mode="append")
    assert warehouse.table("deal").count().execute() == 4
    result = warehouse.load("deal", FIRST.slice(1, 1), mode="replace")
    assert result.inserted == 1
    assert [r[0] for r in rows(warehouse.table("deal"))] == ["d-2"]


def test_exact_duplicates_in_a_batch_collapse_to_one_row(warehouse: Warehouse) -> None:
    warehouse.init([DEAL])
    doubled = pa.concat_tables([FIRST, FIRST.slice(0, 1)])
    result = warehouse.load("deal", doubled)
    assert (result.rows_in, result.duplicates, result.inserted) == (4, 1, 3)
    assert warehouse.table("deal").count().execute() == 3


def test_a_batch_with_one_key_twice_and_different_values_is_refused(
    warehouse: Warehouse,
) -> None:
    warehouse.init([DEAL])
    warehouse.load("deal", FIRST)
    clash = deals(
        ("1", "Proposal", "1.00", "2024-01-01"), ("1", "Closed Lost", "1.00", "2024-01-01")
    )
    with pytest.raises(LoadError, match=r"core.deal: 1 key\(s\) .* source_id='1'"):
        warehouse.load("deal", clash)
    assert warehouse.table("deal").count().execute() == 3


@pytest.mark.parametrize(
    ("batch", "problem"),
    [
        (FIRST.append_column("colour", pa.array(["red"] * 3)), "unknown column"),
        (FIRST.drop_columns(["source_id"]), "key column.* missing"),
        (
            FIRST.set_column(2, "source_id", pa.array(["1", None, "3"], pa.string())),
            "key column source_id is empty in 1 row",
        ),
        (
            FIRST.set_column(
                FIRST.schema.get_field_index("amount"), "amount", pa.array(["a", "b", "c"])
            ),
            "column amount cannot be read as decimal",
        ),
    ],
    ids=["unknown-column", "missing-key", "null-key", "bad-amount"],
)
def test_a_batch_that_does_not_fit_is_refused_and_the_table_is_untouched(
    warehouse: Warehouse, batch: pa.Table, problem: str
) -> None:
    warehouse.init([DEAL])
    warehouse.load("deal", FIRST)
    before = rows(warehouse.table("deal"), drop=())
    with pytest.raises(LoadError, match=problem):
        warehouse.load("deal", batch)
    assert rows(warehouse.table("deal"), drop=()) == before
    assert warehouse.table("deal").amount.sum().execute() == Decimal("425.75")


def test_status_counts_the_rows_of_every_table(warehouse: Warehouse) -> None:
    warehouse.init([DEAL, DEAL_HISTORY])
    warehouse.load("deal", FIRST)
    assert [(t.namespace, t.name, t.rows) for t in warehouse.status()] == [
        ("core", "deal", 3),
        ("history", "deal_history", 0),
    ]


def test_a_load_that_fails_half_way_changes_nothing_and_the_next_one_succeeds(
    warehouse: Warehouse,
) -> None:
    warehouse.init([DEAL])
    warehouse.load("deal", FIRST)
    before = rows(warehouse.table("deal"), drop=())
    # On transactional backends `deleted` is inside the transaction; Spark never emits it
    # and fails after writing its next version, before the swap.
    step = "staged" if warehouse.backend == "spark" else "deleted"
    update = deals(("1", "Closed Lost", "0.00", "2024-03-31"))
    with pytest.raises(SimulatedCrashError):
        warehouse.load("deal", update, progress=crash_at(step))
    assert rows(warehouse.table("deal"), drop=()) == before

    assert warehouse.load("deal", update).updated == 1
    assert warehouse.table("deal").count().execute() == 3
    if warehouse.backend == "spark":
        versions = warehouse.con.list_tables(database=warehouse.schema_name("core"))
        assert len([t for t in versions if t.startswith("deal__v")]) == 1


@pytest.mark.parametrize(
    "backend", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_loads_of_every_kind_leave_no_staged_batch_in_the_session(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """A batch written whole is read where it is (a view of the Arrow table on DuckDB,
    copied straight into the table on PostgreSQL); one compared is staged. Neither is
    left behind, by a load that succeeds or by one that fails."""
    warehouse = open_warehouse(backend, tmp_path, request)
    try:
        warehouse.init([DEAL, DEAL_HISTORY])
        changed = deals(("1", "Closed Lost", "0.00", "2024-03-31"))
        warehouse.load("deal", FIRST)  # into an empty table: written whole
        warehouse.load("deal", changed)  # compared with what is there
        warehouse.load("deal", changed, mode="replace")
        with pytest.raises(SimulatedCrashError):
            warehouse.load("deal", FIRST, progress=crash_at("deleted"))
        assert _session_tables(warehouse) == []
        assert rows(warehouse.table("deal"))[0][:3] == ("d-1", "Closed Lost", "0.00")
        assert warehouse.table("deal").count().execute() == 1
    finally:
        warehouse.drop()
        warehouse.close()


def _session_tables(warehouse: Warehouse) -> list[str]:
    """Tables and views private to the warehouse's session."""
    if warehouse.backend == "duckdb":
        query = (
            "SELECT table_name FROM duckdb_tables() WHERE temporary "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal"
        )
        return sorted(str(r[0]) for r in warehouse.con.con.execute(query).fetchall())
    with warehouse.con.con.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = pg_my_temp_schema()"
            " AND relkind IN ('r', 'v')"
        )
        return sorted(str(r[0]) for r in cursor.fetchall())


def test_init_refuses_a_table_that_does_not_match_the_model(warehouse: Warehouse) -> None:
    warehouse.init([DEAL])
    required = Column("region", TEXT, "Region.", required=True)
    grown = Entity(DEAL.name, DEAL.family, DEAL.description, (*DEAL.columns, required))
    with pytest.raises(
        WarehouseError, match=r"core\.deal does not match the model \(missing: region"
    ):
        warehouse.init([grown])
    shrunk = Entity(DEAL.name, DEAL.family, DEAL.description, DEAL.columns[1:])
    with pytest.raises(WarehouseError, match=r"not in the model: " + DEAL.columns[0].name):
        warehouse.init([shrunk])


def test_init_adds_a_new_optional_column_and_keeps_the_rows(warehouse: Warehouse) -> None:
    warehouse.init([DEAL])
    first = warehouse.load("deal", FIRST)
    region = Column("region", TEXT, "Region.")
    grown = Entity(DEAL.name, DEAL.family, DEAL.description, (*DEAL.columns, region))
    assert warehouse.init([grown]) == ([], ["core.deal"])
    table = warehouse.table("deal")
    assert list(table.columns) == [c.name for c in grown.all_columns]
    frame = table.order_by("source_id").execute()
    assert list(frame["source_id"]) == ["1", "2", "3"]
    assert list(frame["stage"]) == ["Prospecting", "Proposal", "Closed Won"]
    assert frame["region"].isna().all()
    assert set(frame["load_id"]) == {first.load_id}
    # The next load fills the new column like any other.
    again = deals(("1", "Prospecting", "100.00", "2024-03-31"))
    warehouse.load("deal", again.append_column("region", pa.array(["EMEA"])), mode="upsert")
    upgraded = warehouse.table("deal")
    assert upgraded.filter(upgraded.source_id == "1").region.execute().tolist() == ["EMEA"]


NOTE = Entity(
    "note",
    "test",
    "A note with a value of each kind, for the round trip of a load.",
    (
        Column("body", TEXT, "Free text."),
        Column("amount", MONEY, "Amount."),
        Column("ratio", FLOAT, "A ratio."),
        Column("done", BOOL, "Done."),
        Column("day", DATE, "A day."),
        Column("at", TIMESTAMP, "An instant."),
        Column("count", INT, "A count."),
    ),
)


LAST_SECOND = datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)


def test_every_kind_of_value_comes_back_as_it_was_loaded(warehouse: Warehouse) -> None:
    """Empty text is not null, and quotes, separators, line ends, backslashes and
    non-ASCII text, extreme numbers and instants survive the load (PostgreSQL's COPY)."""
    warehouse.init([NOTE])
    bodies = ["plain", "", None, 'say "hi", then\nleave', "C:\\temp\\new;x\ty", "Ünïcødé ✓ 日本",
              "\\N", "NULL"]  # fmt: skip
    n = len(bodies)
    batch = pa.table(
        {
            "source_system": ["test"] * n,
            "source_id": [str(i) for i in range(n)],
            "body": pa.array(bodies, pa.string()),
            "amount": pa.array(
                [Decimal("1234567890123456.78"), Decimal("-0.01"), None, *[Decimal("0")] * 5],
                pa.decimal128(18, 2),
            ),
            "ratio": pa.array([1e-300, -2.5, None, 1 / 3, 0.0, 1e300, None, 7.0]),
            "done": pa.array([True, False, None, True, False, True, None, False]),
            "day": pa.array([date(1970, 1, 1), date(2026, 12, 31), None, *[date(2024, 2, 29)] * 5]),
            "at": pa.array(
                [datetime(2024, 3, 1, 14, 5, 0, 123456, tzinfo=UTC), None, *[LAST_SECOND] * 6],
                pa.timestamp("us", tz="UTC"),
            ),
            "count": pa.array([0, -(2**62), None, 2**62, 1, 2, 3, 4], pa.int64()),
        }
    )
    warehouse.load("note", batch)
    back = warehouse.table("note").order_by("source_id").to_pyarrow()
    for name in batch.column_names:
        got = back.column(name).to_pylist()
        expected = batch.column(name).to_pylist()
        if name == "ratio":
            assert got == pytest.approx(expected, rel=1e-15), name
        else:
            assert got == expected, name
