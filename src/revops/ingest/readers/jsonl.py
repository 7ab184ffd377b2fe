"""Read JSON Lines: one JSON object per line.

Nested objects become dotted columns (``satisfaction_rating.score``), lists stay as
compact JSON text, numbers become their shortest text (``125000``, ``1.5``), booleans
``true`` / ``false``. A line that is not a JSON object is a problem; blank lines are not
records.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from revops.ingest.readers.base import ReadProblem, SourceRows, clip, string_table, unreadable
from revops.ingest.readers.encoding import NotTextError, decode


def text_of(value: Any) -> str | None:
    """A JSON value as the text a string column holds.

    Examples:
        >>> [text_of(v) for v in (125000, 125000.0, 1.5, True, None, "x", [{"id": 1}])]
        ['125000', '125000', '1.5', 'true', None, 'x', '[{"id":1}]']
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and math.fabs(value) < 2**53:
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, str | None]:
    """A JSON object as flat text fields, nested objects joined with dots.

    Examples:
        >>> flatten({"id": 7, "rating": {"score": "good", "by": {"id": 2}}, "tags": ["a"]})
        {'id': '7', 'rating.score': 'good', 'rating.by.id': '2', 'tags': '["a"]'}
    """
    flat: dict[str, str | None] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = None if isinstance(value, Mapping) else text_of(value)
    return flat


def columns_of(records: list[dict[str, str | None]]) -> dict[str, list[str | None]]:
    """Records as columns, in the order fields first appear; missing fields are null.

    Examples:
        >>> columns_of([{"a": "1"}, {"b": "2", "a": "3"}])
        {'a': ['1', '3'], 'b': [None, '2']}
    """
    names = dict.fromkeys(name for record in records for name in record)
    return {name: [record.get(name) for record in records] for name in names}


def read_jsonl(path: Path) -> list[SourceRows]:
    """The objects of a JSON Lines file, as one object named after the file; Stripe API
    objects as :mod:`revops.ingest.readers.stripe` names them.

    Examples:
        >>> import tempfile
        >>> file = Path(tempfile.mkdtemp()) / "Ticket.jsonl"
        >>> _ = file.write_text('{"id": 1, "rating": {"score": "good"}}\\n\\n[1]\\n')
        >>> [source] = read_jsonl(file)
        >>> source.rows.to_pylist(), [(p.row, p.reason) for p in source.problems]
        ([{'id': '1', 'rating.score': 'good', '__row': 1}], [(3, 'not a JSON object but an array')])
    """
    from revops.ingest.readers.stripe import is_stripe_object, read_records

    name = path.stem
    try:
        raw = path.read_bytes()
    except OSError as error:
        return [unreadable(path, name, "jsonl", f"cannot read the file: {error.strerror}")]
    if not raw.strip():
        return [unreadable(path, name, "jsonl", "file is empty")]
    try:
        text = decode(raw)
    except NotTextError as error:
        return [unreadable(path, name, "jsonl", str(error))]
    values: list[tuple[int, dict[str, Any]]] = []
    problems: list[ReadProblem] = []
    lossy = len(text.replaced) > 0
    for number, line in enumerate(text.data.decode().split("\n"), start=1):
        if not line.strip():
            continue
        if lossy and "\ufffd" in line:
            problems.append(ReadProblem(path, number, text.reason, clip(line)))
            continue
        try:
            value = json.loads(line)
        except ValueError as error:
            problems.append(ReadProblem(path, number, f"not valid JSON: {error}", clip(line)))
            continue
        if not isinstance(value, dict):
            reason = f"not a JSON object but {_kind(value)}"
            problems.append(ReadProblem(path, number, reason, clip(line)))
            continue
        values.append((number, value))
    if values and is_stripe_object(values[0][1]):
        return read_records(path, list(values), problems, "jsonl", text.encoding)
    table = string_table(columns_of([flatten(v) for _, v in values]), [n for n, _ in values])
    return [SourceRows(path, name, table, tuple(problems), "jsonl", text.encoding)]


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "null"
