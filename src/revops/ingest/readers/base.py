"""What every reader returns, and how files are found.

A reader turns one file into one or more :class:`SourceRows`: the records it could read,
as an Arrow table of strings with the position of each record in `__row`, and the
records it could not, as :class:`ReadProblem` s. Every record ends up in exactly one of
the two: ``rows.num_rows + (problems with a row) == records in the file``.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow as pa

from revops.errors import RevOpsError

ROW = "__row"
TEXT_LIMIT = 500
LEFT_OUT: frozenset[str] = frozenset({"truth"})
"""Folders not read inside a folder unless asked for (``--include truth``)."""

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ".parquet", ".xlsx"}
)


class ReadError(RevOpsError):
    """A path to read names no file or folder, or a file of a type no reader knows."""


@dataclass(frozen=True)
class ReadProblem:
    """A record, or a whole file, that could not be read.

    Args:
        file: the file.
        row: position of the record as a user sees it when opening the file (line,
            spreadsheet row or ordinal); ``None`` when the whole file is unreadable.
        reason: what is wrong, in plain words a user can act on.
        text: the raw text of the record, at most 500 characters; ``""`` if none.
    """

    file: Path
    row: int | None
    reason: str
    text: str


@dataclass(frozen=True)
class RepeatedHeader:
    """A name that appears more than once in a file's header.

    Args:
        name: the name as the header has it.
        columns: the positions of its columns, from 1.
        names: the column names they were given (`Name`, `Name_2`).
    """

    name: str
    columns: tuple[int, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class SourceRows:
    """The records of one object read from one file.

    Args:
        file: the file read.
        object: the object the records are: the file stem for CSV, JSON Lines and
            Parquet, the sheet name in a workbook of several sheets, the record type
            in a Salesforce sObject tree.
        rows: one ``string`` column per field, named as in the file, empty cells null,
            then ``__row`` (int64), the position of each record.
        problems: the records that could not be read, and whole-file problems.
        format: ``csv``, ``jsonl``, ``parquet``, ``xlsx`` or ``sobject_tree``.
        encoding: the text encoding found (csv, jsonl).
        delimiter: the delimiter found (csv).
        repeated: header names that appear more than once (each column is kept, the
            repeats numbered: `Name`, `Name_2`).
        later: for a file read in parts (:mod:`revops.ingest.readers.parts`), the records
            and problems of the parts after the one `rows` and `problems` hold, read anew
            each time it is called; None when `rows` holds every record.
    """

    file: Path
    object: str
    rows: pa.Table
    problems: tuple[ReadProblem, ...]
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    repeated: tuple[RepeatedHeader, ...] = ()
    later: Callable[[], Iterator[tuple[pa.Table, tuple[ReadProblem, ...]]]] | None = None

    def parts(self) -> Iterator[tuple[pa.Table, tuple[ReadProblem, ...]]]:
        """Every part's records and problems, the first one first."""
        yield self.rows, self.problems
        if self.later is not None:
            yield from self.later()

    def whole(self) -> SourceRows:
        """These records with every part read into `rows` (the same object when the
        file was read whole)."""
        if self.later is None:
            return self
        parts = list(self.parts())
        rows = pa.concat_tables([rows for rows, _ in parts])
        problems = tuple(p for _, found in parts for p in found)
        return replace(self, rows=rows, problems=problems, later=None)


def clip(text: str) -> str:
    """`text` cut to the length a problem keeps.

    Examples:
        >>> len(clip("x" * 600))
        500
    """
    return text[:TEXT_LIMIT]


def string_table(columns: dict[str, list[str | None]], rows: Sequence[int]) -> pa.Table:
    """A table of string columns plus `__row`, from Python lists of equal length.

    Examples:
        >>> string_table({"Name": ["Acme", None]}, [2, 3]).to_pylist()
        [{'Name': 'Acme', '__row': 2}, {'Name': None, '__row': 3}]
    """
    arrays = [pa.array(values, pa.string()) for values in columns.values()]
    names = [*columns, ROW]
    return pa.Table.from_arrays([*arrays, pa.array(rows, pa.int64())], names=names)


def unreadable(
    path: Path, object_name: str, fmt: str, reason: str, **extra: str | None
) -> SourceRows:
    """A file that gives no rows, and one whole-file problem saying why."""
    return SourceRows(
        file=path,
        object=object_name,
        rows=string_table({}, []),
        problems=(ReadProblem(path, None, reason, ""),),
        format=fmt,
        encoding=extra.get("encoding"),
        delimiter=extra.get("delimiter"),
    )


def column_names(cells: Sequence[object]) -> list[str]:
    """Header cells as column names: stripped of whitespace and BOM, blanks named by
    position, repeats numbered, so every column has a distinct name.

    Examples:
        >>> column_names([" Name ", "\\ufeffId", "", "Name", None])
        ['Name', 'Id', 'column_3', 'Name_2', 'column_5']
    """
    names: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        name = "" if cell is None else str(cell).replace("\ufeff", "").strip()
        name = name or f"column_{position}"
        base, copy = name, 1
        while name in seen or name == ROW:
            copy += 1
            name = f"{base}_{copy}"
        seen.add(name)
        names.append(name)
    return names


def repeated_headers(cells: Sequence[object]) -> tuple[RepeatedHeader, ...]:
    """The names a header has more than once, with their positions and the names
    :func:`column_names` gives them.

    Examples:
        >>> [r] = repeated_headers(["Id", "Name", "Email", " Name"])
        >>> r.name, r.columns, r.names
        ('Name', (2, 4), ('Name', 'Name_2'))
        >>> repeated_headers(["Id", "", ""])
        ()
    """
    names = column_names(cells)
    positions: dict[str, list[int]] = {}
    for position, cell in enumerate(cells, start=1):
        name = "" if cell is None else str(cell).replace("\ufeff", "").strip()
        if name:
            positions.setdefault(name, []).append(position)
    return tuple(
        RepeatedHeader(name, tuple(columns), tuple(names[c - 1] for c in columns))
        for name, columns in positions.items()
        if len(columns) > 1
    )


def is_supported(path: Path) -> bool:
    """Whether a reader knows the file's type, by its extension (any case).

    Examples:
        >>> is_supported(Path("Accounts.CSV")), is_supported(Path("notes.md"))
        (True, False)
    """
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def find_files(paths: Iterable[Path | str], include: Collection[str] = ()) -> list[Path]:
    """The files to read, from files, folders (searched recursively) and glob patterns.

    Hidden files and folders (and the ``~$`` lock files Excel leaves beside an open
    workbook), files of unsupported types, and inside a folder the folders of
    :data:`LEFT_OUT` not named in `include` (``truth/``, the answers the demo generator
    writes beside its exports) are left out. A path given as such is read whatever its
    name. The result is sorted and has no repeats.

    Raises:
        ReadError: a path is neither a file, a folder nor a pattern that matches something.

    Examples:
        >>> find_files(["/no/such/folder"])
        Traceback (most recent call last):
        ...
        revops.ingest.readers.base.ReadError: no such file or folder: /no/such/folder
    """
    found: set[Path] = set()
    left_out = LEFT_OUT - set(include)
    for entry in paths:
        path = Path(entry)
        if path.exists():
            found.update(_expand(path, left_out))
        elif any(char in str(entry) for char in "*?["):
            matches = [Path(m) for m in glob.glob(str(entry), recursive=True)]
            if not matches:
                raise ReadError(f"no file or folder matches {entry}")
            for match in matches:
                # A folder the pattern names itself is asked for.
                skipped = left_out & set(match.parent.parts) - set(Path(entry).parts)
                if not _hidden(match) and not skipped:
                    found.update(_expand(match, left_out))
        else:
            raise ReadError(f"no such file or folder: {entry}")
    return sorted(found)


def _expand(path: Path, left_out: Collection[str]) -> list[Path]:
    if path.is_dir():
        return [
            p
            for p in path.rglob("*")
            if p.is_file()
            and is_supported(p)
            and not _hidden(p, path)
            and not set(left_out) & set(p.relative_to(path).parent.parts)
        ]
    return [path] if path.is_file() and is_supported(path) else []


def _hidden(path: Path, root: Path | None = None) -> bool:
    # "~$Book.xlsx" is the lock file Excel leaves beside an open workbook.
    parts = path.relative_to(root).parts if root else (path.name,)
    return any(part.startswith((".", "~$")) for part in parts)
