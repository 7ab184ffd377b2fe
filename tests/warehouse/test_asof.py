import pytest

from revops.warehouse import Warehouse, with_validity

from support import DEAL_HISTORY, at, history, rows

VERSIONS = history(
    ("h1", "d-1", "2024-01-01T00:00:00", "Prospecting"),
    ("h2", "d-1", "2024-02-01T00:00:00", "Proposal"),
    ("h3", "d-1", "2024-03-01T12:00:00", "Closed Won"),
    ("h4", "d-2", "2024-02-15T00:00:00", "Prospecting"),
    ("h5", "d-3", "2024-05-01T00:00:00", "Prospecting"),
)


def stages_at(warehouse: Warehouse, moment: str) -> list[tuple[str, str]]:
    current = warehouse.as_of("deal_history", at(moment), "deal_id")
    return [(r[0], r[1]) for r in rows(current.select("deal_id", "stage"))]


@pytest.fixture
def loaded(warehouse: Warehouse) -> Warehouse:
    warehouse.init([DEAL_HISTORY])
    warehouse.load("deal_history", VERSIONS, namespace="history")
    return warehouse


def test_as_of_returns_the_version_valid_at_that_moment(loaded: Warehouse) -> None:
    assert stages_at(loaded, "2024-02-20T00:00:00") == [("d-1", "Proposal"), ("d-2", "Prospecting")]


def test_a_version_is_valid_from_its_exact_start(loaded: Warehouse) -> None:
    assert stages_at(loaded, "2024-03-01T12:00:00")[0] == ("d-1", "Closed Won")
    assert stages_at(loaded, "2024-03-01T11:59:59")[0] == ("d-1", "Proposal")


def test_records_that_did_not_exist_yet_are_absent(loaded: Warehouse) -> None:
    assert stages_at(loaded, "2023-12-31T23:59:59") == []
    assert [d for d, _ in stages_at(loaded, "2024-06-01T00:00:00")] == ["d-1", "d-2", "d-3"]


def test_validity_intervals_end_where_the_next_version_starts(loaded: Warehouse) -> None:
    intervals = with_validity(loaded.table("deal_history", "history"), "deal_id")
    got = rows(intervals.select("deal_id", "valid_from", "valid_to"))
    assert got == [
        ("d-1", "2024-01-01T00:00:00+00:00", "2024-02-01T00:00:00+00:00"),
        ("d-1", "2024-02-01T00:00:00+00:00", "2024-03-01T12:00:00+00:00"),
        ("d-1", "2024-03-01T12:00:00+00:00", None),
        ("d-2", "2024-02-15T00:00:00+00:00", None),
        ("d-3", "2024-05-01T00:00:00+00:00", None),
    ]
