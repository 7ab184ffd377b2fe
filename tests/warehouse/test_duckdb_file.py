"""One DuckDB file opened twice in one process: a reader shares the writer's database."""

from pathlib import Path

import pytest

from revops.errors import WarehouseError
from revops.warehouse import connect

from support import DEAL, deals, rows


def test_a_reader_in_the_writers_process_sees_the_writers_rows(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/wh.duckdb"
    writer = connect(url, tmp_path)
    writer.init([DEAL])
    writer.load("deal", deals(("1", "Prospecting", "100.00", "2024-03-31")))
    reader = connect(url, tmp_path, read_only=True)
    try:
        assert rows(reader.table("deal")) == rows(writer.table("deal"))
        assert len(rows(reader.table("deal"))) == 1
    finally:
        reader.close()
        writer.close()


def test_a_writer_next_to_an_open_reader_is_told_to_close_it(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/wh.duckdb"
    connect(url, tmp_path).close()
    reader = connect(url, tmp_path, read_only=True)
    try:
        with pytest.raises(WarehouseError, match="open read-only in this process"):
            connect(url, tmp_path)
    finally:
        reader.close()
