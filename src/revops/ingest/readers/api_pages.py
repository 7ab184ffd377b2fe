"""Read JSON files as vendors' list APIs return them: one page of records under the
object's name, with paging fields beside it.

* Zendesk's incremental exports and list endpoints: ``{"tickets": [...], "after_cursor":
  ..., "end_of_stream": true}``, ``{"satisfaction_ratings": [...], "next_page": null}``:
  the object is the list's key (``tickets``), whatever the file is called, so the pages
  ``tickets-0001.json``, ``tickets-0002.json`` are one object;
* HubSpot's CRM v3 lists: ``{"results": [{"id": ..., "properties": {...}}], "paging":
  ...}``: the object is the file's stem (``deals``), and each record's ``properties`` are
  its fields (beside ``id``); a deal pipelines response (results holding ``stages``) is
  the object ``pipelines``, read by `revops ingest inspect`.

Stripe's API objects (a ``{"object": "list", "data": [...]}`` page, an array of Stripe
objects) go to the Stripe reader (`revops.ingest.readers.stripe`). Anything else is
handed to the Salesforce sObject tree reader. Records are flattened as
in JSON Lines (``satisfaction_rating.score``); a list item that is not an object is a
problem of its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from revops.ingest.readers.base import ReadProblem, SourceRows, clip, string_table
from revops.ingest.readers.encoding import NotTextError, decode
from revops.ingest.readers.jsonl import columns_of, flatten
from revops.ingest.readers.sobject_tree import read_sobject_tree
from revops.ingest.readers.stripe import read_records, stripe_records


def read_json(path: Path) -> list[SourceRows]:
    """The records of one JSON file: Stripe objects, an API page, else a Salesforce
    sObject tree.

    Examples:
        >>> import tempfile
        >>> file = Path(tempfile.mkdtemp()) / "export-1.json"
        >>> page = {"tickets": [{"id": 1, "via": {"channel": "web"}}, 2], "end_of_stream": True}
        >>> _ = file.write_text(json.dumps(page))
        >>> [tickets] = read_json(file)
        >>> tickets.object, tickets.rows.to_pylist(), [p.row for p in tickets.problems]
        ('tickets', [{'id': '1', 'via.channel': 'web', '__row': 1}], [2])
    """
    document = _document(path)
    stripe = stripe_records(document)
    if stripe is not None:
        return read_records(path, list(enumerate(stripe, start=1)), [], "stripe_json", None)
    found = _records(path, document) if isinstance(document, dict) else None
    if found is None:
        return read_sobject_tree(path)
    name, items = found
    records: list[dict[str, str | None]] = []
    rows: list[int] = []
    problems: list[ReadProblem] = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            text = clip(json.dumps(item, ensure_ascii=False))
            problems.append(ReadProblem(path, position, "not a JSON object", text))
            continue
        if name != "pipelines" and isinstance(item.get("properties"), dict):
            item = {"id": item.get("id"), **item["properties"], **_associations(item)}
        records.append(flatten(item))
        rows.append(position)
    return [
        SourceRows(path, name, string_table(columns_of(records), rows), tuple(problems), "json")
    ]


def _associations(item: dict[str, Any]) -> dict[str, str]:
    """A HubSpot record's associations (`?associations=companies`), as its CSV export
    writes them: `associations.companies` = the ids joined by `;`, the primary first
    (type `contact_to_company`, say, rather than `..._unlabeled`).

    Examples:
        >>> _associations({"associations": {"companies": {"results": [
        ...     {"id": "7", "type": "contact_to_company_unlabeled"},
        ...     {"id": "3", "type": "contact_to_company"}]}}})
        {'associations.companies': '3;7'}
    """
    found: dict[str, str] = {}
    associations = item.get("associations")
    if not isinstance(associations, dict):
        return found
    for kind, listing in associations.items():
        results = listing.get("results") if isinstance(listing, dict) else None
        if not isinstance(results, list):
            continue
        linked = [r for r in results if isinstance(r, dict) and r.get("id") is not None]
        primary = sorted(linked, key=lambda r: str(r.get("type", "")).endswith("_unlabeled"))
        ids = dict.fromkeys(str(r["id"]) for r in primary)
        found[f"associations.{kind}"] = ";".join(ids)
    return found


def _document(path: Path) -> Any:
    try:
        return json.loads(decode(path.read_bytes()).data)
    except (OSError, NotTextError, ValueError):
        return None  # the sObject tree reader says what is wrong with it


def _records(path: Path, document: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """The object name and its records, when `document` is an API page."""
    if isinstance(document.get("records"), list):
        return None  # a Salesforce sObject tree
    results = document.get("results")
    if isinstance(results, list):
        pipelines = bool(results) and all(isinstance(r, dict) and "stages" in r for r in results)
        return ("pipelines" if pipelines else path.stem), results
    # The page's one list is its records (an empty last page too).
    lists = [(key, value) for key, value in document.items() if isinstance(value, list)]
    return lists[0] if len(lists) == 1 else None
