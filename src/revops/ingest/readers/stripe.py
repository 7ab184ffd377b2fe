"""Read Stripe API objects: a list envelope ``{"object": "list", "data": [...]}`` in a
``.json`` file (what ``stripe subscriptions list`` or one API page returns), a JSON array
of Stripe objects, or JSON Lines of them.

Each record is named by its ``object`` (``subscription``, ``invoice``, ``event``,
``customer``, ``coupon``). A list nested in a record (``items`` of a subscription, ``lines``
of an invoice, ``data.object.items`` of a ``customer.subscription.updated`` event) becomes
an object of its own, named after the record's object and the path of the list
(``subscription.items``, ``invoice.lines``, ``event.data.object.items``; and a
subscription schedule's ``phases`` and their ``items``, plain arrays), whose rows carry
``parent_id`` (the id of the record holding them), ``position`` (0 for the first) and
the holding record's fields prefixed ``parent.`` (``parent.customer``,
``parent.data.object.status``), so a mapping of the nested rows reads them directly.
Nested objects become dotted columns (``price.recurring.interval_count``), other lists
compact JSON text, as in JSON Lines.

A top-level record's row is its position in the list (JSON) or its line (JSON Lines); a
nested record's row is its ordinal among the records of its object in the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from revops.ingest.readers.base import ReadProblem, SourceRows, clip, string_table, unreadable
from revops.ingest.readers.jsonl import columns_of, text_of

STRIPE_OBJECTS = frozenset(
    {
        "balance_transaction",
        "charge",
        "coupon",
        "credit_note",
        "customer",
        "discount",
        "dispute",
        "event",
        "invoice",
        "invoiceitem",
        "line_item",
        "payment_intent",
        "plan",
        "price",
        "product",
        "promotion_code",
        "refund",
        "subscription",
        "subscription_item",
        "subscription_schedule",
        "tax_rate",
    }
)
"""Values of ``object`` that mark a record as a Stripe API object."""

PARENT_ID = "parent_id"
POSITION = "position"
PARENT = "parent."
PLAIN_LISTS: Mapping[str, tuple[str, ...]] = {
    "subscription_schedule": ("phases",),
    "subscription_schedule.phases": ("items",),
}
"""Plain JSON arrays (not list envelopes) that are records of their own: a subscription
schedule's phases and each phase's items. A phase item's ``parent.`` fields are its
phase's, the schedule's as ``parent.parent.``."""


def is_stripe_object(value: Any) -> bool:
    """Whether a JSON value is a Stripe API object.

    Examples:
        >>> is_stripe_object({"id": "sub_1", "object": "subscription"})
        True
        >>> is_stripe_object({"id": "1", "object": "ticket"})
        False
    """
    return isinstance(value, Mapping) and value.get("object") in STRIPE_OBJECTS


def is_list_envelope(value: Any) -> bool:
    """Whether a JSON value is a Stripe list: ``{"object": "list", "data": [...]}``.

    Examples:
        >>> is_list_envelope({"object": "list", "data": [], "has_more": False})
        True
    """
    return (
        isinstance(value, Mapping)
        and value.get("object") == "list"
        and isinstance(value.get("data"), list)
    )


def holds_stripe_objects(path: Path) -> bool:
    """Whether a JSON Lines file's first record is a Stripe object (it then holds several
    objects: its records and their nested lists)."""
    if path.suffix.lower() not in (".jsonl", ".ndjson"):
        return False
    try:
        with path.open("rb") as handle:
            for line in handle:
                if line.strip():
                    return is_stripe_object(json.loads(line.decode("utf-8-sig")))
    except (OSError, ValueError):
        return False
    return False


def stripe_records(document: Any) -> list[Any] | None:
    """The Stripe objects of a parsed ``.json`` document: a Stripe list, an array of Stripe
    objects or one Stripe object; None when it is none of these.

    Examples:
        >>> stripe_records({"object": "list", "data": [{"id": "cus_1", "object": "customer"}]})
        [{'id': 'cus_1', 'object': 'customer'}]
        >>> stripe_records({"tickets": []}) is None
        True
    """
    if is_list_envelope(document):
        return list(document["data"])
    if isinstance(document, list) and document and all(map(is_stripe_object, document)):
        return document
    if is_stripe_object(document):
        return [document]
    return None


@dataclass
class _Object:
    records: list[dict[str, str | None]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)


def read_records(
    path: Path,
    records: list[tuple[int, Any]],
    problems: list[ReadProblem],
    fmt: str,
    encoding: str | None,
) -> list[SourceRows]:
    """The objects of Stripe `records` (row, JSON value), with the reader's `problems`."""
    if not records and not problems:
        return [unreadable(path, path.stem, fmt, "file holds no records")]
    found: dict[str, _Object] = {}
    for row, record in records:
        if not isinstance(record, Mapping):
            target = found.setdefault(path.stem, _Object())
            target.problems.append(ReadProblem(path, row, "not a JSON object", _text(record)))
            continue
        name = record.get("object")
        _add(path, found, name if isinstance(name, str) and name else path.stem, record, row, {})
    if problems:
        found.setdefault(path.stem, _Object()).problems.extend(problems)
    return [
        SourceRows(
            path,
            name,
            string_table(columns_of(o.records), o.rows),
            tuple(o.problems),
            fmt,
            encoding,
        )
        for name, o in found.items()
    ]


def _add(
    path: Path,
    found: dict[str, _Object],
    name: str,
    record: Mapping[str, Any],
    row: int,
    extra: dict[str, str | None],
) -> None:
    flat: dict[str, str | None] = {}
    nested: list[tuple[str, list[Any]]] = []
    _split(record, "", flat, nested)
    for key in PLAIN_LISTS.get(name, ()):
        if isinstance(record.get(key), list):
            flat.pop(key, None)
            nested.append((key, record[key]))
    target = found.setdefault(name, _Object())
    target.records.append({**flat, **extra})
    target.rows.append(row)
    inherited = {f"{PARENT}{name}": value for name, value in {**flat, **extra}.items()}
    for list_path, items in nested:
        child = f"{name}.{list_path}"
        holder = found.setdefault(child, _Object())
        for position, item in enumerate(items):
            ordinal = len(holder.records) + len(holder.problems) + 1
            if not isinstance(item, Mapping):
                reason = f"an entry of {list_path} of {flat.get('id')} is not a JSON object"
                holder.problems.append(ReadProblem(path, ordinal, reason, _text(item)))
                continue
            link = {PARENT_ID: flat.get("id"), POSITION: str(position), **inherited}
            _add(path, found, child, item, ordinal, link)


def _split(
    record: Mapping[str, Any],
    prefix: str,
    flat: dict[str, str | None],
    nested: list[tuple[str, list[Any]]],
) -> None:
    """Flatten `record` into `flat`, setting its Stripe lists aside in `nested`."""
    for key, value in record.items():
        name = f"{prefix}{key}"
        if is_list_envelope(value):
            nested.append((name, value["data"]))
        elif isinstance(value, Mapping) and value:
            _split(value, f"{name}.", flat, nested)
        else:
            flat[name] = None if isinstance(value, Mapping) else text_of(value)


def _text(value: Any) -> str:
    return clip(json.dumps(value, ensure_ascii=False))
