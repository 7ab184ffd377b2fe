"""Read a large delimited file in parts, so memory holds one part and not the file.

A file larger than twice the part size is read part by part when one pass over its bytes
(a block at a time) shows that reading it whole would cut its records in the same
places: it is UTF-8 (with or without a byte-order mark) and valid all through, no
carriage return stands alone, and its quoting is regular (see
:mod:`revops.ingest.readers.delimited`). Parts end at line feeds outside quotes, so no
record is cut; each part is read as the header followed by its records, and its line
numbers are shifted to the file's. Any other file is read whole: a broken file reads the
same either way, and such files are small ones written by hand.

The first part is read at once (a mapping screens a file by its header); the rest are
read as they are asked for, each time the parts are iterated.
"""

from __future__ import annotations

import codecs
import csv
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from revops.ingest.readers.base import ROW, ReadProblem, SourceRows, repeated_headers
from revops.ingest.readers.delimited import (
    _CR,
    _LF,
    _QUOTE,
    _SAMPLE,
    Int64s,
    _Parsed,
    _quotes_regular,
    _read_careful,
    _read_fast,
    read_delimited,
    sniff_delimiter,
)
from revops.ingest.readers.encoding import Decoded, NotTextError, decode

log = logging.getLogger(__name__)

PART_BYTES = 64 << 20
"""Bytes of records per part (``ingest.part_mb`` sets it for a workspace)."""

_BLOCK = 16 << 20
_NO_REPLACEMENT: Int64s = np.empty(0, np.int64)


@dataclass(frozen=True)
class _Plan:
    """Where the parts of a file start: byte offsets, and the line each starts on."""

    encoding: str
    skip: int  # bytes of a byte-order mark
    header: bytes  # the header record as written
    delimiter: str
    offsets: tuple[int, ...]  # start of each part (the first right after the header)
    lines: tuple[int, ...]  # line of the file each part starts on
    size: int


def read_delimited_parts(path: Path, part_bytes: int = PART_BYTES) -> list[SourceRows]:
    """The records of a delimited file, as :func:`read_delimited` reads them, with a file
    of more than two parts read in parts: `rows` holds the first part's records and
    `later` gives the others.

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> lines = ["Id,Name"] + [f'{i},"Acme, {i}"' for i in range(1, 2001)]
        >>> _ = (folder / "Account.csv").write_text("\\n".join(lines) + "\\n")
        >>> [source] = read_delimited_parts(folder / "Account.csv", part_bytes=4096)
        >>> parts = [source.rows, *(rows for rows, _ in source.later())]
        >>> len(parts) > 2, sum(p.num_rows for p in parts)
        (True, 2000)
        >>> parts[-1].to_pylist()[-1]
        {'Id': '2000', 'Name': 'Acme, 2000', '__row': 2001}
    """
    try:
        size = path.stat().st_size
    except OSError:
        return read_delimited(path)
    if size <= 2 * part_bytes:
        return read_delimited(path)
    found = _plan(path, part_bytes, size)
    if found is None:
        return read_delimited(path)
    first, *_ = _parts(path, found, range(1))
    rows, problems = first
    header_cells = next(csv.reader([found.header.decode()], delimiter=found.delimiter))
    return [
        SourceRows(
            path,
            path.stem,
            rows,
            problems,
            "csv",
            found.encoding,
            found.delimiter,
            repeated_headers(header_cells),
            later=lambda: _parts(path, found, range(1, len(found.offsets))),
        )
    ]


def _parts(
    path: Path, found: _Plan, which: range
) -> Iterator[tuple[pa.Table, tuple[ReadProblem, ...]]]:
    """The records and problems of the parts `which`, read one at a time."""
    header_lines = found.header.count(b"\n") + 1
    ends = (*found.offsets[1:], found.size)
    with path.open("rb") as file:
        for index in which:
            file.seek(found.offsets[index])
            body = file.read(ends[index] - found.offsets[index])
            text = Decoded(found.header + b"\n" + body, found.encoding, _NO_REPLACEMENT)
            del body
            parsed = _read_fast(path, text, found.delimiter) or _read_careful(
                path, text, found.delimiter
            )
            shift = found.lines[index] - header_lines - 1
            yield _shifted(parsed, shift)


def _shifted(parsed: _Parsed, shift: int) -> tuple[pa.Table, tuple[ReadProblem, ...]]:
    rows = parsed.values.rename_columns(parsed.names).append_column(
        ROW, pa.array(parsed.rows + shift, pa.int64())
    )
    problems = tuple(
        sorted(
            (replace(p, row=p.row + shift if p.row is not None else None) for p in parsed.problems),
            key=lambda p: p.row or 0,
        )
    )
    return rows, problems


def _plan(path: Path, part_bytes: int, size: int) -> _Plan | None:
    """The parts of the file at `path`, or None when it must be read whole."""
    with path.open("rb") as file:
        sample = file.read(_SAMPLE)
        try:
            encoding = decode(sample[: sample.rfind(b"\n") + 1] or sample).encoding
        except NotTextError:
            return None
        if encoding not in ("utf-8", "utf-8-sig"):
            return None
        skip = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
        delimiter = sniff_delimiter(sample[skip:], path.suffix.lower())
        scan = _Scan(ord(delimiter), skip, part_bytes)
        file.seek(skip)
        previous = b"\n"  # the byte before the block: a line start
        block = file.read(_BLOCK)
        while block:
            following = file.read(_BLOCK)
            if not scan.block(block, previous, following[:1]):
                log.debug("%s: not read in parts (encoding or quoting)", path)
                return None
            previous, block = block[-1:], following
    if not scan.finished() or scan.header is None:
        return None
    starts = [(s, n) for s, n in zip(scan.starts, scan.lines, strict=True) if s < size]
    if len(starts) < 2:
        return None
    offsets, lines = zip(*starts, strict=True)
    return _Plan(encoding, skip, scan.header, delimiter, offsets, lines, size)


class _Scan:
    """One pass over a file's bytes, block by block: whether they are valid UTF-8 with
    regular quoting and no lone carriage return; the header (the first record that is
    not blank); and where parts start, right after a record end (a line feed outside
    quotes) about `part_bytes` apart, with the line each starts on."""

    def __init__(self, delimiter: int, skip: int, part_bytes: int) -> None:
        self.delimiter = delimiter
        self.part_bytes = part_bytes
        self.offset = skip  # of the block in the file
        self.record_start = skip
        self.quotes = 0
        self.feeds = 0  # line feeds before the block
        self.header: bytes | None = None
        self.starts: list[int] = []
        self.lines: list[int] = []
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")

    def block(self, block: bytes, previous: bytes, following: bytes) -> bool:
        """Scan the next block; False when the file must be read whole."""
        try:
            self.decoder.decode(block)
        except UnicodeDecodeError:
            return False
        if not following and block.endswith(b"\r"):
            return False
        data = np.frombuffer(previous + block + (following or b"\n"), np.uint8)
        inner = data[1 : len(block) + 1]
        feeds = np.flatnonzero(inner == _LF) + 1
        returns = np.flatnonzero(inner == _CR) + 2
        if len(returns) and not np.all(data[returns] == _LF):
            return False
        quotes = np.flatnonzero(inner == _QUOTE) + 1
        if len(quotes) and not _quotes_regular(data, quotes, self.quotes, self.delimiter):
            return False
        inside = (np.searchsorted(quotes, feeds) + self.quotes) % 2
        ends = feeds[inside == 0] + self.offset - 1  # offsets in the file
        at = feeds + self.offset - 1
        if self.header is None:
            if not self._find_header(block, ends):
                return False
            if self.starts:
                end = self.starts[0] - 1
                self.lines = [self.feeds + int(np.searchsorted(at, end, side="right")) + 1]
        while self.starts:
            after = int(np.searchsorted(ends, self.starts[-1] + self.part_bytes))
            if after == len(ends):
                break
            end = int(ends[after])
            self.starts.append(end + 1)
            self.lines.append(self.feeds + int(np.searchsorted(at, end, side="right")) + 1)
        self.quotes += len(quotes)
        self.feeds += len(feeds)
        self.offset += len(block)
        return True

    def _find_header(self, block: bytes, ends: Int64s) -> bool:
        """Find the header among the records that end in this block; False when one
        starts in an earlier block (a header that long is not worth parts)."""
        for end in ends.tolist():
            if self.record_start < self.offset:
                return False
            record = block[self.record_start - self.offset : end - self.offset]
            self.record_start = end + 1
            if record.strip(b"\r"):
                self.header = record.rstrip(b"\r")
                self.starts = [end + 1]
                return True
        return self.record_start >= self.offset

    def finished(self) -> bool:
        """Whether the whole file scanned as one that may be read in parts."""
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return self.quotes % 2 == 0
