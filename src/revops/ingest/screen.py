"""Whether a mapping can read a file at all, before any row is mapped.

A file is refused, as a whole, when it could not be read (empty, binary, not the format
its extension says), when it is not the object the mapping reads (none of the fields the
mapping reads is in its header: a wrong export, junk under a known name), or when a field
the mapping reads appears twice in its header (which of the two columns holds the value
would be a guess). A header name that appears twice but that the mapping does not read
is only a warning. Refused files load nothing; the other files of the run load.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from revops.ingest.compile import expression_fields

if TYPE_CHECKING:
    from revops.ingest.mapping import Mapping
    from revops.ingest.readers import SourceRows

_SHOWN = 6


@dataclass(frozen=True)
class Verdict:
    """What screening one object of one file found: `refusal` when it must not load,
    `warnings` when it loads."""

    source: SourceRows
    refusal: str = ""
    warnings: tuple[str, ...] = ()


def fields_read(mapping: Mapping) -> set[str]:
    """The source fields of its own object a mapping reads (lookups' fields left out).

    Examples:
        >>> from revops.ingest.mapping import parse_mappings
        >>> from pathlib import Path
        >>> [m] = parse_mappings(
        ...     "source: crm\\nobject: Deal\\nentity: opportunity\\nkey: Id\\n"
        ...     "columns:\\n  name: [Title, Name]\\n  amount: {expr: 'Cents / 100'}\\n",
        ...     Path("deal.yaml"),
        ... )
        >>> sorted(fields_read(m))
        ['Cents', 'Id', 'Name', 'Title']
    """
    read = {field for rule in mapping.rules().values() for field in rule.fields}
    read |= expression_fields(mapping)
    read |= {lookup.on for lookup in mapping.lookups.values()}
    if mapping.unpivot is not None:
        read |= set(mapping.unpivot.fields)
    own = {f for f in read if f.split(".", 1)[0] not in mapping.lookups}
    return own - {"__name", "__value"}


def screen(mapping: Mapping, source: SourceRows) -> Verdict:
    """Whether `mapping` may read `source`, and what to warn about if it may."""
    unreadable = [p.reason for p in source.problems if p.row is None]
    if unreadable:
        return Verdict(source, refusal="; ".join(unreadable))
    read = fields_read(mapping)
    header = [c for c in source.rows.column_names if not c.startswith("__")]
    if header and read and not read & set(header):
        wanted = ", ".join(sorted(read)[:_SHOWN]) + (", …" if len(read) > _SHOWN else "")
        return Verdict(
            source,
            refusal=(
                f"not a {mapping.source} {mapping.object} file: none of the fields "
                f"{mapping.name} reads ({wanted}) is in its header"
            ),
        )
    refusals, warnings = [], []
    for repeat in source.repeated:
        where = f"header {repeat.name!r} appears in columns {_positions(repeat.columns)}"
        if repeat.name in read:
            refusals.append(
                f"{where} and {mapping.name} reads it: which column holds the value "
                "would be a guess; rename or remove one"
            )
        else:
            warnings.append(f"{where} (read as {', '.join(repeat.names)}; the mapping uses none)")
    if refusals:
        return Verdict(source, refusal="; ".join(refusals))
    return Verdict(source, warnings=tuple(warnings))


def _positions(columns: tuple[int, ...]) -> str:
    """
    Examples:
        >>> _positions((2, 5)), _positions((1, 3, 4))
        ('2 and 5', '1, 3 and 4')
    """
    text = [str(c) for c in columns]
    return f"{', '.join(text[:-1])} and {text[-1]}"
