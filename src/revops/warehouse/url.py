"""Warehouse URLs: which backend, and where."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from revops.errors import WarehouseError

BackendName = Literal["duckdb", "postgres", "spark"]


@dataclass(frozen=True)
class WarehouseURL:
    """A parsed warehouse URL.

    Examples:
        >>> WarehouseURL.parse("duckdb:///warehouse.duckdb", Path("/ws")).path
        PosixPath('/ws/warehouse.duckdb')
        >>> WarehouseURL.parse("postgresql://postgres@127.0.0.1:5432/test", Path("/ws")).backend
        'postgres'
    """

    backend: BackendName
    raw: str
    path: Path | None = None
    master: str = "local[2]"

    @classmethod
    def parse(cls, url: str, root: Path) -> WarehouseURL:
        """Parse `url`; relative DuckDB and Spark paths are taken inside `root`."""
        parts = urlsplit(url)
        if parts.scheme == "duckdb":
            location = parts.netloc + parts.path
            if location in ("", "/", "/:memory:", ":memory:"):
                return cls("duckdb", url, None)
            # duckdb:///rel.duckdb is relative to the workspace, duckdb:////abs/x.duckdb absolute.
            relative = location.removeprefix("/")
            return cls("duckdb", url, (root / relative).resolve())
        if parts.scheme in ("postgres", "postgresql"):
            return cls("postgres", url)
        if parts.scheme == "spark":
            options = parse_qs(parts.query)
            directory = options.get("dir", ["spark"])[0]
            cores = options.get("cores", ["2"])[0]
            if parts.netloc != "local" or not cores.isdigit():
                raise WarehouseError(
                    f"unsupported Spark URL {url!r}; use spark://local or spark://local?cores=N"
                )
            return cls("spark", url, (root / directory).resolve(), f"local[{cores}]")
        raise WarehouseError(f"unsupported warehouse URL {url!r}")

    @property
    def display(self) -> str:
        """The URL without a password, for messages."""
        parts = urlsplit(self.raw)
        if parts.password:
            return self.raw.replace(f":{parts.password}@", ":***@")
        return self.raw
