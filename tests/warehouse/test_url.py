from pathlib import Path

import pytest

from revops.errors import WarehouseError
from revops.warehouse import WarehouseURL

ROOT = Path("/ws")


def test_a_relative_duckdb_file_lives_in_the_workspace() -> None:
    assert WarehouseURL.parse("duckdb:///data/wh.duckdb", ROOT).path == Path("/ws/data/wh.duckdb")


def test_an_absolute_duckdb_file_keeps_its_path() -> None:
    assert WarehouseURL.parse("duckdb:////srv/wh.duckdb", ROOT).path == Path("/srv/wh.duckdb")


def test_duckdb_in_memory_has_no_file() -> None:
    assert WarehouseURL.parse("duckdb://", ROOT).path is None


def test_spark_takes_its_folder_and_cores_from_the_url() -> None:
    url = WarehouseURL.parse("spark://local?dir=engine&cores=4", ROOT)
    assert (url.backend, url.path, url.master) == ("spark", Path("/ws/engine"), "local[4]")


@pytest.mark.parametrize("raw", ["spark://cluster:7077", "spark://local?cores=many"])
def test_an_unsupported_spark_url_is_refused(raw: str) -> None:
    with pytest.raises(WarehouseError, match="unsupported Spark URL"):
        WarehouseURL.parse(raw, ROOT)


def test_messages_never_show_the_password() -> None:
    url = WarehouseURL.parse("postgresql://revops:s3cret@db:5432/gtm", ROOT)
    assert url.backend == "postgres"
    assert url.display == "postgresql://revops:***@db:5432/gtm"


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(WarehouseError, match="unsupported warehouse URL 'mysql://x'"):
        WarehouseURL.parse("mysql://x", ROOT)
