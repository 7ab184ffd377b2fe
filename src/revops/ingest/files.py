"""Source files read on demand and released when no load needs them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from revops.ingest.readers import (
    SourceRows,
    holds_stripe_objects,
    read_file,
)

if TYPE_CHECKING:
    pass

from revops.ingest.report import FileNote


def source_of(path: Path, sources: Iterable[str]) -> str | None:
    """The source a file belongs to: the nearest folder named after a known source."""
    known = set(sources)
    return next((p.name for p in path.parents if p.name in known), None)


class SourceFiles:
    """Files read on demand, each once, and released when no load still needs them.

    A 200k-account company exports gigabytes of text: holding every file at once would
    cost several times that in memory, so only the files of the load at hand (and its
    lookups) are held.
    """

    SINGLE_OBJECT = frozenset({".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".parquet"})

    def __init__(self, part_bytes: int | None = None) -> None:
        self._read: dict[Path, list[SourceRows]] = {}
        self.part_bytes = part_bytes
        """Large delimited files are read in parts of about this many bytes, each
        part when a load maps it (:mod:`revops.ingest.readers.parts`)."""
        self.notes: list[FileNote] = []

    def objects(self, path: Path) -> list[SourceRows]:
        """The objects of the file at `path`, read on first use."""
        if path not in self._read:
            objects = read_file(path, self.part_bytes)
            self._read[path] = objects
            self.notes += [
                FileNote(str(path), p.reason, "error")
                for o in objects
                for p in o.problems
                if p.row is None
            ]
        return self._read[path]

    def unreadable(self, path: Path) -> bool:
        """Whether the file was read and could not be."""
        return any(p.row is None for o in self._read.get(path, ()) for p in o.problems)

    def object_names(self, path: Path) -> set[str]:
        """The object names a file holds; a one-object format is named by its file."""
        if path.suffix.lower() in self.SINGLE_OBJECT and not holds_stripe_objects(path):
            return {path.stem}
        return {o.object for o in self.objects(path)}

    def keep_only(self, needed: set[Path]) -> None:
        """Forget the files not in `needed`."""
        for path in [p for p in self._read if p not in needed]:
            del self._read[path]
