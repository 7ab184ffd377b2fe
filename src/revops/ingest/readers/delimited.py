"""Read delimited text: CSV, TSV and the like.

The encoding is found by :func:`~revops.ingest.readers.encoding.decode`, the delimiter
(``,`` ``;`` tab or ``|``) from the first lines. Values may be quoted with ``"``; a quoted
value may hold delimiters, doubled quotes and line breaks. The first record that is not
blank is the header. Blank lines are not records.

Two ways to read, with the same result:

* The fast way, for a file whose quoting is regular (every quote that opens a value
  follows a delimiter or a line break, every quote that closes one is followed by a
  delimiter, a line break or the end of the file): one NumPy pass over the bytes finds
  the records (line breaks outside quotes) and their first lines, pyarrow parses the
  values on every core, and the two are matched record for record. Fields are counted
  only when pyarrow refuses records for their count; those records are then read one
  by one.
* The careful way, for any other file, record by record with Python's ``csv`` module in
  strict mode. Where quoting is broken — a quote never closed, text after a closing
  quote — or a record whose quoted value runs over several lines has the wrong number of
  fields, the first line of that record is reported as a problem and reading resumes on
  the line after it. An unterminated quote therefore costs its own line, not the rest
  of the file: the lines after it are read as records again.

A record with a different number of fields than the header is a problem ("has 5 fields,
the header has 7"), with one exception: a Salesforce report export (every header cell
``Object: Field``) leaves out the trailing columns of a related object that has no
record (an account without contacts), so a record there that stops exactly where an
object's columns end is read with the rest empty. A record holding bytes that were not
valid in the file's encoding is a problem too. A header cell that is blank is named by its position
(``column_3``), a repeated one numbered (``Name_2``).

Row positions are physical line numbers: the header is line 1, and a record after a
quoted value with a line break in it has the line it starts on.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from revops.ingest.readers.base import (
    ROW,
    ReadProblem,
    SourceRows,
    clip,
    column_names,
    repeated_headers,
    unreadable,
)
from revops.ingest.readers.encoding import Decoded, NotTextError, decode

log = logging.getLogger(__name__)

DELIMITERS = (",", ";", "\t", "|")
_QUOTE, _LF, _CR = 34, 10, 13
_CHUNK = 1 << 20
_SAMPLE = 1 << 16
_BLOCK = 1 << 24

Int64s = npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Parsed:
    names: list[str]
    values: pa.Table  # one string column per name, the good records only
    rows: Int64s  # line of each good record
    problems: list[ReadProblem]
    header: tuple[str, ...] = ()  # the header cells as written


def read_delimited(path: Path) -> list[SourceRows]:
    """The records of a delimited text file, as one object named after the file.

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "Account.csv").write_text('Id;Name\\n1;"Acme; Inc"\\n2;Beta\\n')
        >>> [source] = read_delimited(folder / "Account.csv")
        >>> source.delimiter, source.rows.to_pylist()[0]
        (';', {'Id': '1', 'Name': 'Acme; Inc', '__row': 2})
    """
    name = path.stem
    try:
        raw = path.read_bytes()
    except OSError as error:
        return [unreadable(path, name, "csv", f"cannot read the file: {error.strerror}")]
    if not raw.strip():
        return [unreadable(path, name, "csv", "file is empty")]
    try:
        text = decode(raw)
    except NotTextError as error:
        return [unreadable(path, name, "csv", str(error))]
    del raw
    if not text.data.strip():
        return [unreadable(path, name, "csv", "file is empty", encoding=text.encoding)]
    delimiter = sniff_delimiter(text.data[:_SAMPLE], path.suffix.lower())
    parsed = _read_fast(path, text, delimiter) or _read_careful(path, text, delimiter)
    rows = parsed.values.rename_columns(parsed.names).append_column(
        ROW, pa.array(parsed.rows, pa.int64())
    )
    problems = tuple(sorted(parsed.problems, key=lambda p: p.row or 0))
    repeated = repeated_headers(parsed.header)
    return [SourceRows(path, name, rows, problems, "csv", text.encoding, delimiter, repeated)]


def sniff_delimiter(sample: bytes, suffix: str = ".csv") -> str:
    """The delimiter of a file, from its first bytes: the candidate found the same
    number of times (outside quotes) in the most lines, the header's count breaking ties.

    Examples:
        >>> sniff_delimiter(b"a;b;c\\n1;2,5;3\\n")
        ';'
        >>> sniff_delimiter(b"name\\nAcme\\n", ".tsv")
        '\\t'
    """
    text = sample.decode("utf-8", errors="ignore")
    if len(sample) == _SAMPLE and "\n" in text:
        text = text[: text.rindex("\n")]
    text = re.sub(r'"(?:[^"]|"")*"', "", text)
    lines = [line for line in text.splitlines() if line.strip()][:100]
    default = "\t" if suffix == ".tsv" else ","
    best, best_score = default, (0.0, 0)
    for candidate in DELIMITERS:
        counts = [line.count(candidate) for line in lines]
        if not counts or counts[0] == 0:
            continue
        agreeing = sum(count == counts[0] for count in counts) / len(counts)
        score = (agreeing, counts[0])
        if score > best_score:
            best, best_score = candidate, score
    return best


# The fast way.


@dataclass(frozen=True)
class _Records:
    starts: Int64s
    ends: Int64s
    lines: Int64s
    multiline: bool  # whether a quoted value holds a line break


def _read_fast(path: Path, text: Decoded, delimiter: str) -> _Parsed | None:
    data = np.frombuffer(text.data, np.uint8)
    records = _scan(data, ord(delimiter))
    if records is None:
        log.debug("%s: irregular quoting, reading record by record", path)
        return None
    blank = (records.ends == records.starts) | (
        (records.ends - records.starts == 1)
        & (data[np.minimum(records.starts, len(data) - 1)] == _CR)
    )
    kept = np.flatnonzero(~blank)
    header, body = kept[0], kept[1:]
    header_text = text.data[records.starts[header] : records.ends[header]].decode()
    header_cells = next(csv.reader([header_text.rstrip("\r")], delimiter=delimiter))
    names = column_names(header_cells)
    width = len(names)
    first = records.starts[body[0]] if len(body) else None
    parsed = _parse_values(text.data, first, width, delimiter, multiline=records.multiline)
    if parsed is None:
        log.debug("%s: pyarrow cannot parse it, reading record by record", path)
        return None
    values, skipped = parsed
    fits = np.ones(len(body), bool)
    if skipped:
        fits = _field_counts(data, ord(delimiter), records)[body] == width
    if values.num_rows != int(fits.sum()) or skipped != len(body) - values.num_rows:
        log.debug("%s: pyarrow and the scan disagree, reading record by record", path)
        return None
    replaced = _holding(records, body, text.replaced)
    problems = [_problem(path, text.data, records, i, text.reason) for i in body[replaced]]
    keep = ~replaced[fits]
    rows = records.lines[body[fits]][keep]
    if not keep.all():
        values = values.filter(pa.array(keep))
    misfits = body[~fits & ~replaced]
    if len(misfits):
        shape = _shape(names)
        values, rows = _refit(
            path, text.data, delimiter, shape, records, misfits, (values, rows), problems
        )
    return _Parsed(names, values, rows, problems, tuple(header_cells))


def _refit(
    path: Path,
    data: bytes,
    delimiter: str,
    shape: _Shape,
    records: _Records,
    misfits: Int64s,
    good: tuple[pa.Table, Int64s],
    problems: list[ReadProblem],
) -> tuple[pa.Table, Int64s]:
    """Read the records pyarrow refused for their field count one by one: those that
    :func:`_fit` the header join `values` in line order, the others join `problems`."""
    values, rows = good
    width = values.num_columns
    fitted: list[list[str | None]] = []
    fitted_rows: list[int] = []
    for index in misfits:
        record = _text(data, records, index)
        fields = next(csv.reader(io.StringIO(record, newline=""), delimiter=delimiter))
        cells = _fit(fields, shape)
        line = int(records.lines[index])
        if cells is None:
            problems.append(ReadProblem(path, line, _miscount(len(fields), width), clip(record)))
        else:
            fitted.append(cells)
            fitted_rows.append(line)
    if not fitted:
        return values, rows
    extra = pa.table({f"f{i}": pa.array([r[i] for r in fitted], pa.string()) for i in range(width)})
    every = np.concatenate([rows, np.array(fitted_rows, np.int64)])
    order = np.argsort(every, kind="stable")
    return pa.concat_tables([values, extra]).take(pa.array(order)), every[order]


@dataclass(frozen=True)
class _Shape:
    """The fields a record may have: `width`, or in a Salesforce report export a count
    in `blocks`, where the fields of one object end."""

    width: int
    blocks: frozenset[int]


def _shape(names: list[str]) -> _Shape:
    """The shape of records under a header. A Salesforce report header names every
    column ``Object: Field``; the export leaves out the columns of a related object with
    no record (an account without contacts), so a record may stop where a block ends.

    Examples:
        >>> _shape(["Account: Name", "Account: Type", "Contact: Name", "Contact: Email"])
        _Shape(width=4, blocks=frozenset({2}))
        >>> _shape(["Id", "Name"])
        _Shape(width=2, blocks=frozenset())
    """
    objects = [name.split(": ", 1)[0] if ": " in name else None for name in names]
    if None in objects:
        return _Shape(len(names), frozenset())
    ends = {i for i in range(1, len(names)) if objects[i] != objects[i - 1]}
    return _Shape(len(names), frozenset(ends))


def _fit(fields: list[str], shape: _Shape) -> list[str | None] | None:
    """A record's cells under the header, empty values null; None if it does not fit.

    Examples:
        >>> report = _Shape(4, frozenset({2}))
        >>> _fit(["Acme", "", "Ana", "a@x.com"], report), _fit(["Acme", "Partner"], report)
        (['Acme', None, 'Ana', 'a@x.com'], ['Acme', 'Partner', None, None])
        >>> _fit(["Acme"], report), _fit(["1", "2", "3", "4", "5"], report)
        (None, None)
    """
    if len(fields) != shape.width and len(fields) not in shape.blocks:
        return None
    cells = [field or None for field in fields]
    return cells + [None] * (shape.width - len(cells))


def _holding(records: _Records, body: Int64s, offsets: Int64s) -> npt.NDArray[np.bool_]:
    """Which of the `body` records hold one of the byte `offsets`."""
    held = np.zeros(len(body), bool)
    if len(offsets) and len(body):
        starts, ends = records.starts[body], records.ends[body]
        holder = np.searchsorted(starts, offsets, side="right") - 1
        after_start = holder >= 0
        holder, offsets = holder[after_start], offsets[after_start]
        held[holder[offsets < ends[holder]]] = True
    return held


def _text(data: bytes, records: _Records, index: np.int64) -> str:
    return data[records.starts[index] : records.ends[index]].decode(errors="replace").rstrip("\r")


def _problem(
    path: Path, data: bytes, records: _Records, index: np.int64, reason: str
) -> ReadProblem:
    line = int(records.lines[index])
    return ReadProblem(path, line, reason, clip(_text(data, records, index)))


def _scan(data: npt.NDArray[np.uint8], delimiter: int) -> _Records | None:
    """The records of `data`, or None when its quoting is not regular.

    A line feed ends a record when an even number of quotes precede it. That holds
    only when quotes open and close values where they should, which is checked too.
    """
    size = len(data)
    feeds: list[Int64s] = []  # every line feed
    ends: list[Int64s] = []  # line feeds outside quotes
    quotes_before = 0
    for offset in range(0, size, _CHUNK):
        chunk = data[offset : offset + _CHUNK]
        chunk_feeds = np.flatnonzero(chunk == _LF) + offset
        feeds.append(chunk_feeds)
        if np.count_nonzero(chunk == _CR):
            returns = np.flatnonzero(chunk == _CR) + offset + 1
            if not np.all(data[np.minimum(returns, size - 1)] == _LF):
                return None  # a carriage return alone ends a line for pyarrow, not for us
        quotes = np.flatnonzero(chunk == _QUOTE) + offset
        if len(quotes) == 0 and quotes_before % 2 == 0:
            ends.append(chunk_feeds)
            continue
        if not _quotes_regular(data, quotes, quotes_before, delimiter):
            return None
        inside = (np.searchsorted(quotes, chunk_feeds) + quotes_before) % 2
        ends.append(chunk_feeds[inside == 0])
        quotes_before += len(quotes)
    if quotes_before % 2:
        return None
    end = np.concatenate([*ends, np.array([size], np.int64)])
    start = np.concatenate([np.array([0], np.int64), end[:-1] + 1])
    every_feed = np.concatenate(feeds)
    lines = np.searchsorted(every_feed, start) + 1
    return _Records(start, end, lines.astype(np.int64), len(every_feed) > len(end) - 1)


def _field_counts(data: npt.NDArray[np.uint8], delimiter: int, records: _Records) -> Int64s:
    """The number of fields of each record: delimiters outside quotes, plus one."""
    counts = np.ones(len(records.starts), np.int64)
    quotes_before = 0
    for offset in range(0, len(data), _CHUNK):
        chunk = data[offset : offset + _CHUNK]
        separators = np.flatnonzero(chunk == delimiter) + offset
        quotes = np.flatnonzero(chunk == _QUOTE) + offset
        if len(quotes) or quotes_before % 2:
            inside = (np.searchsorted(quotes, separators) + quotes_before) % 2
            separators = separators[inside == 0]
        quotes_before += len(quotes)
        if len(separators):
            holder = np.searchsorted(records.ends, separators)
            low = holder[0]
            counts[low : holder[-1] + 1] += np.bincount(holder - low)
    return counts


def _quotes_regular(
    data: npt.NDArray[np.uint8], quotes: Int64s, quotes_before: int, delimiter: int
) -> bool:
    """Whether every quote opens a value at its start, closes one before a delimiter or
    a line break, or is one of a doubled pair inside a quoted value."""
    size = len(data)
    opens = (np.arange(len(quotes)) + quotes_before) % 2 == 0
    before = np.where(quotes > 0, data[np.maximum(quotes - 1, 0)], _LF)
    after = np.where(quotes < size - 1, data[np.minimum(quotes + 1, size - 1)], _LF)
    opening_ok = (before == delimiter) | (before == _LF) | (before == _QUOTE)
    closing_ok = (after == delimiter) | (after == _LF) | (after == _CR) | (after == _QUOTE)
    return bool(np.all(np.where(opens, opening_ok, closing_ok)))


def _parse_values(
    data: bytes, start: np.int64 | None, width: int, delimiter: str, *, multiline: bool
) -> tuple[pa.Table, int] | None:
    """The records from byte `start` on, every column a string, and how many records
    were skipped for not having `width` fields; None if pyarrow cannot parse them."""
    names = [f"f{i}" for i in range(width)]
    if start is None:
        return pa.table({name: pa.array([], pa.string()) for name in names}), 0
    skipped = 0

    def skip(_row: object) -> str:
        nonlocal skipped
        skipped += 1
        return "skip"

    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(int(start))),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=_BLOCK),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=multiline, invalid_row_handler=skip
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return table, skipped


# The careful way.


class _LineReader:
    """Records of physical lines, with the index of the line each starts on; reading
    can start again on any line."""

    def __init__(self, lines: list[str], delimiter: str) -> None:
        self.lines = lines
        self.delimiter = delimiter
        self.restart(0)

    def restart(self, line: int) -> None:
        source = iter(self.lines)
        cast(Any, source).__setstate__(line)  # a list iterator jumps to `line` at once
        self.base = line
        self.reader = csv.reader(source, delimiter=self.delimiter, strict=True)

    @property
    def position(self) -> int:
        """The index of the next line to read."""
        return self.base + self.reader.line_num


def _read_careful(path: Path, text: Decoded, delimiter: str) -> _Parsed:
    lines = io.StringIO(text.data.decode(), newline="").readlines()
    lossy = len(text.replaced) > 0
    reader = _LineReader(lines, delimiter)
    names: list[str] | None = None
    header: list[str] = []
    width = 0
    shape = _Shape(0, frozenset())
    good: list[list[str]] = []
    rows: list[int] = []
    problems: list[ReadProblem] = []
    while True:
        first = reader.position
        try:
            fields = next(reader.reader)
        except StopIteration:
            break
        except csv.Error as error:
            record = lines[first].rstrip("\r\n")
            problems.append(ReadProblem(path, first + 1, _broken(str(error)), clip(record)))
            reader.restart(first + 1)
            continue
        if not fields:
            continue
        if names is None:
            names, header = column_names(fields), fields
            width = len(names)
            shape = _shape(names)
            continue
        if len(fields) == width and not lossy:
            good.append(fields)
            rows.append(first + 1)
            continue
        end = reader.position
        record = "".join(lines[first:end]).rstrip("\r\n")
        cells = _fit(fields, shape)
        if end - first > 1 and len(fields) != width and _fits(lines[first + 1], delimiter, width):
            # The record runs over several lines and its second line is a record of its
            # own: a quote opened on the first line swallowed the lines after it.
            reason = _miscount(len(fields), width)
            reason += " (a quote that is never closed?); reading resumed on the next line"
            problems.append(ReadProblem(path, first + 1, reason, clip(lines[first].rstrip("\r\n"))))
            reader.restart(first + 1)
        elif cells is None:
            problems.append(
                ReadProblem(path, first + 1, _miscount(len(fields), width), clip(record))
            )
        elif lossy and "\ufffd" in record:
            problems.append(ReadProblem(path, first + 1, text.reason, clip(record)))
        else:
            good.append([cell or "" for cell in cells])
            rows.append(first + 1)
    values = {
        f"f{i}": _nulls_for_empty(pa.array([record[i] for record in good], pa.string()))
        for i in range(width)
    }
    rows_at = np.array(rows, np.int64)
    return _Parsed(names or [], pa.table(values), rows_at, problems, tuple(header))


def _nulls_for_empty(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _miscount(fields: int, width: int) -> str:
    """
    Examples:
        >>> _miscount(1, 7)
        'has 1 field, the header has 7'
    """
    return f"has {fields} field{'s' * (fields != 1)}, the header has {width}"


def _fits(line: str, delimiter: str, width: int) -> bool:
    try:
        return len(next(csv.reader([line], delimiter=delimiter, strict=True), [])) == width
    except csv.Error:
        return False


def _broken(message: str) -> str:
    if "end of data" in message:
        detail = "a quoted value is not closed before the end of the file"
    elif "expected after" in message:
        detail = "text follows the closing quote of a quoted value"
    elif "field larger" in message:
        detail = "a value is longer than the limit (a quote not closed?)"
    else:
        detail = message
    return f"broken quoting: {detail}; reading resumed on the next line"
