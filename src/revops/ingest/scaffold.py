"""`revops ingest mapping new`: a first mapping for a file, guessed from its header."""

from __future__ import annotations

import difflib
import re

import yaml

from revops.model import get_entity

# Source field names that mean a canonical column, beyond the column's own name.
_SYNONYMS = {
    "source_id": ("id", "record id", "key", "uuid"),
    "name": ("account name", "company", "company name", "full name"),
    "email": ("email address", "e-mail", "mail"),
    "first_name": ("firstname", "given name"),
    "last_name": ("lastname", "surname", "family name"),
    "phone": ("phone number", "telephone", "mobile"),
    "owner_id": ("owner", "ownerid", "account owner", "assigned to"),
    "amount": ("value", "deal value", "total"),
    "close_date": ("closedate", "expected close date"),
    "stage": ("stagename", "deal stage", "status"),
    "created_at": ("createddate", "created", "create date", "created date"),
    "updated_at": ("lastmodifieddate", "last modified", "updated", "modified"),
    "country": ("billing country", "country code"),
    "domain": ("website", "web site", "url"),
}


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.casefold()).strip()


def guess_field(column: str, fields: list[str]) -> str | None:
    """The source field most likely to hold `column`, or None when nothing is close."""
    normal = {_normal(f): f for f in fields}
    for candidate in (column, column.replace("_", " "), *_SYNONYMS.get(column, ())):
        if _normal(candidate) in normal:
            return normal[_normal(candidate)]
    close = difflib.get_close_matches(_normal(column), list(normal), n=1, cutoff=0.8)
    return normal[close[0]] if close else None


def scaffold(source: str, object_name: str, entity_name: str, fields: list[str]) -> str:
    """The YAML of a mapping from `fields` to `entity_name`, with every guess marked.

    Columns nothing matched are left as comments to fill in; fields nothing used are
    listed at the end, so the user sees what the file holds that the mapping ignores.
    """
    entity = get_entity(entity_name)
    used: set[str] = set()

    def pick(column: str) -> str | None:
        found = guess_field(column, [f for f in fields if f not in used])
        if found:
            used.add(found)
        return found

    key = pick("source_id") or fields[0]
    used.add(key)
    head = {"source": source, "object": object_name, "entity": entity.name, "key": key}
    lines = [
        f"# Mapping of {source} {object_name} to {entity.name}, guessed from the file's header.",
        "# Check every line; see docs/ingest.md for transforms, maps and checks.",
        yaml.safe_dump(head, sort_keys=False, allow_unicode=True).rstrip(),
    ]
    for lineage in ("created_at", "updated_at"):
        found = pick(lineage)
        if found:
            lines.append(yaml.safe_dump({lineage: found}, allow_unicode=True).rstrip())
    lines.append("columns:")
    for column in entity.columns:
        found = pick(column.name)
        required = "  (required)" if column.required else ""
        if found:
            lines.append(f"  {column.name}: {_scalar(found)}")
        else:
            lines.append(f"  # {column.name}: ?{required}  — {column.description}")
    unused = [f for f in fields if f not in used]
    if unused:
        lines.append(f"# Fields not mapped: {', '.join(unused)}")
    return "\n".join(lines) + "\n"


def _scalar(value: str) -> str:
    return yaml.safe_dump(value, allow_unicode=True).removesuffix("\n...\n").strip()
