"""Several tables loaded as one, and a replace narrowed to a scope."""

import pytest

from revops.warehouse import LoadSpec, Warehouse

from support import DEAL, DEAL_HISTORY, SimulatedCrashError, crash_at, deals, history, rows


def test_tables_loaded_together_share_one_load_id(warehouse: Warehouse) -> None:
    warehouse.init([DEAL, DEAL_HISTORY])
    results = warehouse.load_many(
        [
            LoadSpec("deal", deals(("1", "Prospecting", "10.00", "2024-03-31"))),
            LoadSpec(
                "deal_history",
                history(("h1", "d-1", "2024-01-01T00:00:00", "Prospecting")),
                "history",
                "append",
            ),
        ]
    )
    assert [r.inserted for r in results] == [1, 1]
    assert results[0].load_id == results[1].load_id
    assert set(warehouse.table("deal_history", "history").load_id.execute()) == {results[0].load_id}


def test_a_crash_inside_a_joint_load_leaves_every_table_as_it_was(warehouse: Warehouse) -> None:
    if warehouse.backend == "spark":
        pytest.skip("Spark has no transaction across tables; each swaps atomically on its own")
    warehouse.init([DEAL, DEAL_HISTORY])
    warehouse.load("deal", deals(("1", "Prospecting", "10.00", "2024-03-31")))
    before = rows(warehouse.table("deal"), drop=())
    specs = [
        LoadSpec("deal", deals(("1", "Closed Won", "12.00", "2024-03-31"))),
        LoadSpec(
            "deal_history",
            history(("h1", "d-1", "2024-02-01T00:00:00", "Closed Won")),
            "history",
            "append",
        ),
    ]
    with pytest.raises(SimulatedCrashError):
        warehouse.load_many(specs, progress=crash_at("inserted"))
    assert rows(warehouse.table("deal"), drop=()) == before
    assert warehouse.table("deal_history", "history").count().execute() == 0


def test_a_scoped_replace_swaps_only_the_rows_in_its_scope(warehouse: Warehouse) -> None:
    warehouse.init([DEAL])
    warehouse.load(
        "deal",
        deals(("1", "A", "1.00", "2024-01-01"), ("2", "B", "2.00", "2024-01-01")),
        mode="append",
    )
    result = warehouse.load(
        "deal",
        deals(("3", "A", "3.00", "2024-01-01")),
        mode="replace",
        scope={"stage": ["A"]},
    )
    assert result.inserted == 1
    assert [r[:2] for r in rows(warehouse.table("deal"))] == [("d-2", "B"), ("d-3", "A")]
    # An empty batch still clears its scope: that is how quarantine rows are released.
    warehouse.load("deal", deals(), mode="replace", scope={"stage": ["A"]})
    assert [r[:2] for r in rows(warehouse.table("deal"))] == [("d-2", "B")]
