"""Which reader reads which file, by its extension."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from revops.ingest.readers.api_pages import read_json
from revops.ingest.readers.base import SUPPORTED_SUFFIXES, ReadError, SourceRows, find_files
from revops.ingest.readers.delimited import read_delimited
from revops.ingest.readers.excel import read_excel
from revops.ingest.readers.jsonl import read_jsonl
from revops.ingest.readers.parquet import read_parquet
from revops.ingest.readers.parts import read_delimited_parts

Reader = Callable[[Path], list[SourceRows]]

READERS: dict[str, Reader] = {
    ".csv": read_delimited,
    ".tsv": read_delimited,
    ".txt": read_delimited,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".json": read_json,
    ".parquet": read_parquet,
    ".xlsx": read_excel,
}
assert set(READERS) == SUPPORTED_SUFFIXES


def read_file(path: Path | str, part_bytes: int | None = None) -> list[SourceRows]:
    """The objects in one file. Bad content never raises: it becomes problems.

    With `part_bytes`, a large delimited file is read in parts of about that size
    (:func:`~revops.ingest.readers.parts.read_delimited_parts`).

    Raises:
        ReadError: there is no such file, or no reader for its extension.

    Examples:
        >>> read_file("notes.md")
        Traceback (most recent call last):
        ...
        revops.ingest.readers.base.ReadError: no such file: notes.md
    """
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"no such file: {path}")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise ReadError(f"{path}: cannot read {path.suffix or 'files without extension'} ({known})")
    if part_bytes is not None and reader is read_delimited:
        return read_delimited_parts(path, part_bytes)
    return reader(path)


def read_files(paths: Iterable[Path | str]) -> Iterator[SourceRows]:
    """The objects in every file :func:`find_files` finds under `paths`, file by file."""
    for path in find_files(paths):
        yield from read_file(path)
