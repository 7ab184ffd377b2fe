"""Values that load but look wrong: flagged with their file, row and field.

Two kinds, checked on the rows a mapping accepts (refused rows are in quarantine anyway):

- a **control character** (U+0001-U+0008, U+000B, U+000C, U+000E-U+001F, U+007F) in a
  text column: an export that broke an encoding, or a paste from a terminal. Tabs and
  line breaks are not flagged: a description may hold them.
- a **negative amount** on a deal or an invoice that is not a credit: a deal whose `type`,
  or an invoice whose `status`, is not one of :data:`CREDITS` (the values the built-in
  rules `opportunity_amount_not_negative` and `invoice_amount_not_negative` exempt).

The rows load; each flag goes to `quarantine.flagged_value` (`revops ingest quarantine
--flagged`). The data-quality rules `*_no_control_characters` and `*_amount_not_negative`
score the same things in the warehouse, load after load.
"""

from __future__ import annotations

from collections.abc import Collection

from revops.ingest.compile import FILE, ROW, ident, literal
from revops.model import get_entity

CONTROL = r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]"
"""A control character that no text value should hold (RE2 syntax)."""
_DOWNGRADES = ("Existing Customer - Downgrade", "Existing Business - Downgrade")
CREDITS: dict[str, tuple[str, tuple[str, ...]]] = {
    "opportunity": (
        "type",
        ("credit", "credit_note", "contraction", "downgrade", "Credit", "Credit Note",
         "Contraction", "Downgrade", *_DOWNGRADES),
    ),
    "invoice": ("status", ("credit", "credit_note")),
}  # fmt: skip
"""Entity → the column and values that make a row a credit, whose amount may be negative."""


def flagged_sql(
    entity: str, columns: Collection[str], origins: dict[str, str], good: str
) -> str | None:
    """The query of the flags over the mapping's checked rows (`__checked`), or None.

    Args:
        entity: the canonical entity the rows become.
        columns: the canonical columns the mapping fills.
        origins: column → the source field it came from, as messages name it.
        good: the SQL condition of an accepted row.
    """
    spec = get_entity(entity)
    text = [
        c.name
        for c in spec.all_columns
        if c.name in columns and c.type == "string" and c.name != spec.id_column
    ]
    parts = [
        _select(
            column,
            origins.get(column, column),
            f"regexp_matches({ident(column)}, {literal(CONTROL)})",
            # The first control character, by its code point: U+0007.
            f"'control character in the text (U+' || upper(printf('%04x', "
            f"unicode(regexp_extract({ident(column)}, {literal(CONTROL)})))) || ')'",
        )
        for column in text
    ]
    # One pattern match per row over all its text, not one per value: few rows match.
    suspects = (
        [f"regexp_matches(concat_ws('', {', '.join(ident(c) for c in text)}), {literal(CONTROL)})"]
        if text
        else []
    )
    if entity in CREDITS and "amount" in columns:
        credit, values = CREDITS[entity]
        is_credit = (
            f"coalesce(CAST({ident(credit)} AS VARCHAR) IN "
            f"({', '.join(literal(v) for v in values)}), false)"
            if credit in columns
            else "false"
        )
        negative = f"{ident('amount')} < 0 AND NOT {is_credit}"
        suspects.append(negative)
        parts.append(
            _select(
                "amount",
                origins.get("amount", "amount"),
                negative,
                literal(
                    f"negative amount on {'a deal' if entity == 'opportunity' else 'an invoice'} "
                    f"that is not a credit (its {credit} is not a credit one)"
                ),
            )
        )
    if not parts:
        return None
    suspect = " OR ".join(f"coalesce({condition}, false)" for condition in suspects)
    return (
        f"WITH {_SUSPECTS} AS MATERIALIZED (SELECT * FROM __checked WHERE ({good}) "
        f"AND ({suspect})) " + " UNION ALL ".join(parts)
    )


_SUSPECTS = "__suspects"
"""The accepted rows with a value to flag, found in one pass; each kind reads them."""


def _select(column: str, origin: str, condition: str, reason_sql: str) -> str:
    return (
        f"SELECT {ident(FILE)} AS {ident('file')}, {ident(ROW)} AS {ident('row')}, "
        f"source_id AS {ident('source_id')}, {literal(origin)} AS {ident('field')}, "
        f"{literal(column)} AS {ident('column')}, "
        f"CAST({ident('__raw_' + column)} AS VARCHAR) AS {ident('value')}, "
        f"{reason_sql} AS {ident('reason')}, CAST(NULL AS VARCHAR) AS {ident('record')} "
        f"FROM {_SUSPECTS} WHERE coalesce({condition}, false)"
    )
