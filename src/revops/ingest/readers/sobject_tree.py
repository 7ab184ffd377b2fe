"""Read Salesforce sObject tree JSON, as ``sf data export tree`` writes it and
``sf data import tree`` reads it.

A tree is ``{"records": [...]}``; each record has ``attributes`` (``type``,
``referenceId``) and its fields; a field whose value is ``{"records": [...]}`` holds child
records (``"Contacts"`` of an Account). Each record type becomes one object:

* ``Id`` is the record's ``Id`` if it has one, else its ``referenceId``;
* a child record gets ``ParentReferenceId`` (the parent's ``referenceId``) and, unless it
  has the field already, the lookup field to its parent, named by Salesforce's
  convention: ``AccountId`` for a standard parent type, ``Invoice__c`` for a custom one;
* a reference ``@AccountRef1`` in a lookup field (a name ending in ``Id`` or ``__c``)
  becomes ``AccountRef1``, the ``Id`` the referenced record got;
* nested objects become dotted columns, lists compact JSON text, as in JSON Lines.

A plan file (a JSON list of ``{"sobject", "files"}``, such as ``data-plan.json``) names the
tree files to import and holds no records: it is recognised and gives no objects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from revops.ingest.readers.base import ReadProblem, SourceRows, clip, string_table, unreadable
from revops.ingest.readers.encoding import NotTextError, decode
from revops.ingest.readers.jsonl import columns_of, flatten

PARENT = "ParentReferenceId"
_REFERENCE = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)")


@dataclass
class _Type:
    records: list[dict[str, str | None]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    seen: int = 0


def read_sobject_tree(path: Path) -> list[SourceRows]:
    """The records of an sObject tree file, one object per record type.

    Examples:
        >>> import tempfile
        >>> file = Path(tempfile.mkdtemp()) / "Accounts.json"
        >>> tree = {"records": [{"attributes": {"type": "Account", "referenceId": "A1"},
        ...     "Name": "Acme", "Contacts": {"records": [
        ...         {"attributes": {"type": "Contact", "referenceId": "C1"}, "LastName": "Li"}]}}]}
        >>> _ = file.write_text(json.dumps(tree))
        >>> account, contact = read_sobject_tree(file)
        >>> account.object, account.rows.to_pylist()
        ('Account', [{'Id': 'A1', 'Name': 'Acme', '__row': 1}])
        >>> links = contact.rows.select(["Id", "ParentReferenceId", "AccountId"])
        >>> contact.object, links.to_pylist()
        ('Contact', [{'Id': 'C1', 'ParentReferenceId': 'A1', 'AccountId': 'A1'}])
    """
    name = path.stem
    try:
        raw = path.read_bytes()
    except OSError as error:
        return [unreadable(path, name, "sobject_tree", f"cannot read the file: {error.strerror}")]
    if not raw.strip():
        return [unreadable(path, name, "sobject_tree", "file is empty")]
    try:
        document = json.loads(decode(raw).data)
    except NotTextError as error:
        return [unreadable(path, name, "sobject_tree", str(error))]
    except ValueError as error:
        return [unreadable(path, name, "sobject_tree", f"not valid JSON: {error}")]
    if _is_plan(document):
        return []
    if not isinstance(document, dict) or not isinstance(document.get("records"), list):
        reason = "not a Salesforce sObject tree (no records list)"
        return [unreadable(path, name, "sobject_tree", reason)]
    types: dict[str, _Type] = {}
    walked = [0]
    for record in document["records"]:
        _walk(path, record, None, types, (name, walked))
    return [
        SourceRows(
            path,
            kind,
            string_table(columns_of(t.records), t.rows),
            tuple(t.problems),
            "sobject_tree",
        )
        for kind, t in types.items()
    ]


def _is_plan(document: Any) -> bool:
    return (
        isinstance(document, list)
        and bool(document)
        and all(
            isinstance(step, dict) and "sobject" in step and "files" in step for step in document
        )
    )


@dataclass(frozen=True)
class _Parent:
    type: str
    id: str | None
    reference: str | None


def _walk(
    path: Path,
    record: Any,
    parent: _Parent | None,
    types: dict[str, _Type],
    untyped: tuple[str, list[int]],
) -> None:
    """Add `record` and its children to `types`. A record without a type is a problem of
    its parent's type, or of an object named after the file; its position is its
    ordinal among all the records of the file (`untyped` holds the name and a count)."""
    untyped[1][0] += 1
    attributes = record.get("attributes") if isinstance(record, dict) else None
    kind = attributes.get("type") if isinstance(attributes, dict) else None
    if not isinstance(kind, str) or not kind:
        target = types.setdefault(parent.type if parent else untyped[0], _Type())
        reason = "record has no attributes.type"
        text = json.dumps(record, ensure_ascii=False)
        target.problems.append(ReadProblem(path, untyped[1][0], reason, clip(text)))
        return
    assert isinstance(attributes, dict)
    target = types.setdefault(kind, _Type())
    target.seen += 1
    reference = attributes.get("referenceId")
    reference = reference if isinstance(reference, str) else None
    fields: dict[str, Any] = {}
    children: list[Any] = []
    for key, value in record.items():
        if key == "attributes":
            continue
        if isinstance(value, Mapping) and isinstance(value.get("records"), list):
            children.extend(value["records"])
        elif isinstance(value, Mapping):
            fields[key] = {k: v for k, v in value.items() if k != "attributes"}
        else:
            fields[key] = _dereference(key, value)
    flat = flatten(fields)
    own_id = flat.pop("Id", None) or reference
    row: dict[str, str | None] = {"Id": own_id, **flat}
    if parent is not None:
        row[PARENT] = parent.reference or parent.id
        row.setdefault(_lookup_field(parent.type), parent.id)
    target.records.append(row)
    target.rows.append(target.seen)
    here = _Parent(kind, own_id, reference)
    for child in children:
        _walk(path, child, here, types, untyped)


def _dereference(key: str, value: Any) -> Any:
    """`@AccountRef1` in a lookup field as `AccountRef1`.

    Examples:
        >>> _dereference("AccountId", "@AccountRef1"), _dereference("Twitter", "@acme")
        ('AccountRef1', '@acme')
    """
    if isinstance(value, str) and key.endswith(("Id", "__c")):
        match = _REFERENCE.fullmatch(value)
        if match:
            return match.group(1)
    return value


def _lookup_field(parent_type: str) -> str:
    """The field of a child that points to a parent of `parent_type`.

    Examples:
        >>> _lookup_field("Account"), _lookup_field("Invoice__c")
        ('AccountId', 'Invoice__c')
    """
    return parent_type if parent_type.endswith("__c") else f"{parent_type}Id"
