"""`revops ingest mapping new`: a first mapping for a file, guessed from its header and
a sample of its values.

Beyond which field fills which column, the values tell how to read them: dates written
`M/D/YYYY` (or `D/M/YYYY`) get their `format`, Unix timestamps `parse: unix`, amounts in
cents `parse: cents` (a field named so, or whole numbers beside a lower-case currency, as
Stripe writes them), lower-case currencies `transforms: [upper]`, and a field holding the
id of another object (`AccountId`, `customer_id`) a `ref:` to its entity.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

import yaml

from revops.model import ENTITIES, get_entity
from revops.model.base import DATE, MONEY, TIMESTAMP, Column, Entity

Sample = Mapping[str, Sequence[str | None]]
"""Source field → some of its values (the first rows of the file)."""

_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(:\d{2})?)?$")
_UNIX = re.compile(r"^1\d{9}$")
_WHOLE = re.compile(r"^-?\d+$")
_OWNERS = {"owner_id": "user", "manager_id": "user", "requester_id": "user"}

# Source field names that mean a canonical column, beyond the column's own name.
_SYNONYMS = {
    "source_id": ("id", "record id", "key", "uuid"),
    "name": ("account name", "company", "company name", "full name"),
    "email": ("email address", "e-mail", "mail"),
    "first_name": ("firstname", "given name"),
    "last_name": ("lastname", "surname", "family name"),
    "phone": ("phone number", "telephone", "mobile"),
    "owner_id": ("owner", "ownerid", "account owner", "assigned to"),
    "account_id": ("accountid", "customer", "customer id", "company id", "organization id"),
    "amount": ("value", "deal value", "total", "amount due", "total amount"),
    "close_date": ("closedate", "expected close date"),
    "stage": ("stagename", "deal stage", "status"),
    "created_at": ("createddate", "created", "create date", "created date"),
    "updated_at": ("lastmodifieddate", "last modified", "updated", "modified"),
    "country": ("billing country", "country code"),
    "domain": ("website", "web site", "url"),
    "currency": ("currencyisocode", "currency code", "iso currency"),
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


def scaffold(
    source: str,
    object_name: str,
    entity_name: str,
    fields: list[str],
    sample: Sample | None = None,
) -> str:
    """The YAML of a mapping from `fields` to `entity_name`, with every guess marked.

    Columns nothing matched are left as comments to fill in; fields nothing used are
    listed at the end, so the user sees what the file holds that the mapping ignores.
    `sample` (values of the fields) tells how to read them: see the module docstring.

    Examples:
        >>> text = scaffold("billing", "charges", "invoice",
        ...     ["id", "customer_id", "amount", "currency", "created"],
        ...     {"id": ["ch_1"], "customer_id": ["cu_9"], "amount": ["2000"],
        ...      "currency": ["usd"], "created": ["3/14/2024"]})
        >>> print("\\n".join(line for line in text.splitlines() if "{" in line))
        created_at: {field: created, format: "%m/%d/%Y"}
          account_id: {field: customer_id, ref: account}
          amount: {field: amount, parse: cents}
          currency: {field: currency, transforms: [upper]}
    """
    entity = get_entity(entity_name)
    values = sample or {}
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
    by_name = {c.name: c for c in entity.all_columns}
    for lineage in ("created_at", "updated_at"):
        found = pick(lineage)
        if found:
            rule = _rule(by_name[lineage], found, values, fields, entity)
            lines.append(f"{lineage}: {rule}")
    lines.append("columns:")
    for column in entity.columns:
        found = pick(column.name)
        required = "  (required)" if column.required else ""
        if found:
            lines.append(f"  {column.name}: {_rule(column, found, values, fields, entity)}")
        else:
            lines.append(f"  # {column.name}: ?{required}  — {column.description}")
    unused = [f for f in fields if f not in used]
    if unused:
        lines.append(f"# Fields not mapped: {', '.join(unused)}")
    return "\n".join(lines) + "\n"


def _rule(column: Column, field: str, sample: Sample, fields: list[str], entity: Entity) -> str:
    """The rule reading `field` into `column`: the field alone, or a flow mapping with
    what its values call for."""
    values = [v.strip() for v in sample.get(field, ()) if v is not None and v.strip()]
    extra: dict[str, str] = {}
    if column.type in (DATE, TIMESTAMP):
        extra.update(_date_rule(column, values))
    elif column.type == MONEY and _in_cents(field, values, fields, sample):
        extra["parse"] = "cents"
    elif column.name == "currency" and values and all(v.islower() for v in values):
        extra["transforms"] = "[upper]"
    target = _referenced(column, entity)
    if target is not None:
        extra["ref"] = target
    if not extra:
        return _scalar(field)
    parts = [f"field: {_scalar(field)}", *(f"{k}: {v}" for k, v in extra.items())]
    return "{" + ", ".join(parts) + "}"


def _date_rule(column: Column, values: list[str]) -> dict[str, str]:
    """`format` for slashed dates (month first unless a first number passes 12), or
    `parse: unix` for Unix timestamps."""
    if values and all(_UNIX.match(v) for v in values):
        return {"parse": "unix"}
    matches = [_SLASHED.match(v) for v in values]
    if not values or not all(matches):
        return {}
    day_first = any(int(m.group(1)) > 12 for m in matches if m)
    date = "%d/%m/%Y" if day_first else "%m/%d/%Y"
    timed = [m for m in matches if m and m.group(4)]
    if timed:
        seconds = ":%S" if all(m.group(6) for m in timed) else ""
        formats = [f"{date} %H:%M{seconds}"] + ([date] if len(timed) < len(values) else [])
    else:
        formats = [date]
    if column.type == DATE and not timed:
        return {"format": f'"{date}"'}
    quoted = [f'"{f}"' for f in formats]
    return {"format": quoted[0] if len(quoted) == 1 else f"[{', '.join(quoted)}]"}


def _in_cents(field: str, values: list[str], fields: list[str], sample: Sample) -> bool:
    """Whether an amount field holds cents: its name says so, or it holds whole numbers
    only, beside a currency written in lower case (Stripe's `amount` and `usd`)."""
    if "cent" in field.casefold():
        return True
    if not values or not all(_WHOLE.match(v) for v in values):
        return False
    currencies = [
        v
        for f in fields
        if "currency" in f.casefold()
        for v in sample.get(f, ())
        if v is not None and v.strip()
    ]
    return bool(currencies) and all(re.fullmatch(r"[a-z]{3}", c.strip()) for c in currencies)


def _referenced(column: Column, entity: Entity) -> str | None:
    """The entity a `..._id` column holds the id of (`account_id` → account), if any.

    Examples:
        >>> from revops.model import get_entity
        >>> opportunity = get_entity("opportunity")
        >>> [_referenced(c, opportunity) for c in opportunity.columns
        ...  if c.name in ("account_id", "owner_id", "type")]
        ['account', 'user', None]
    """
    if not column.name.endswith("_id") or column.name == entity.id_column:
        return None
    if column.name in _OWNERS:
        return _OWNERS[column.name]
    named = re.search(r"\(([a-z_]+)_id\)", column.description)
    if named and named.group(1) in ENTITIES:
        return named.group(1)
    words = column.name.removesuffix("_id").split("_")
    for start in range(len(words)):
        candidate = "_".join(words[start:])
        if candidate in ENTITIES:
            return candidate
    return None


def _scalar(value: str) -> str:
    return yaml.safe_dump(value, allow_unicode=True).removesuffix("\n...\n").strip()
