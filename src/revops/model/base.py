"""Building blocks of the canonical model: typed columns and entity definitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import ibis.expr.schema as sch

# Column types, as ibis dtype strings, so one definition creates the same table on every
# backend. Money is a fixed-point decimal: revenue numbers must add up to the cent.
ID = "string"
TEXT = "string"
INT = "int64"
FLOAT = "float64"
BOOL = "boolean"
DATE = "date"
TIMESTAMP = "timestamp('UTC')"
MONEY = "decimal(18, 2)"
RATE = "decimal(18, 8)"
CURRENCY = "string"

Namespace = Literal["core", "history"]


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Args:
        name: column name (snake_case; `_at` timestamps, `_date` dates, `_id` ids,
            `is_`/`has_` booleans).
        type: ibis dtype string, one of the constants of this module.
        description: what the column means, for `revops model show` and the docs.
        required: whether every row must have a value.
        ref: the entities whose id the column holds (a reference), e.g. `("account",)`;
            `("lead", "contact")` for a person who is either. Merges re-point and the
            reference check reads these, and slices label them with the entity's name.
    """

    name: str
    type: str
    description: str
    required: bool = False
    ref: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entity:
    """A canonical table: its domain columns plus the lineage columns every table has.

    Args:
        name: entity name, also the table name.
        family: the module that defines it (accounts, sales, ...).
        description: one sentence on what a row is.
        columns: domain columns, without the id and lineage columns added here.
        namespace: `core` for current state, `history` for one-row-per-change tables.
        history_key: for history tables, the id of the tracked entity (rows of one key
            are versions of one record, each valid from its `valid_from`).
    """

    name: str
    family: str
    description: str
    columns: tuple[Column, ...]
    namespace: Namespace = "core"
    history_key: str | None = None
    lineage: tuple[Column, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lineage", _lineage_columns(self.name))
        if self.namespace == "history" and self.history_key is None:
            raise ValueError(f"history entity {self.name} needs a history_key")

    @property
    def id_column(self) -> str:
        """Name of the canonical identifier column."""
        return f"{self.name}_id"

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Every column in table order: id, domain columns, lineage columns."""
        return (self.lineage[0], *self.columns, *self.lineage[1:])

    def column(self, name: str) -> Column:
        """The column called `name`; raises KeyError when there is none."""
        for column in self.all_columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def schema(self) -> sch.Schema:
        """The ibis schema of the table."""
        import ibis

        return ibis.schema({c.name: c.type for c in self.all_columns})


def _lineage_columns(entity: str) -> tuple[Column, ...]:
    return (
        Column(f"{entity}_id", ID, f"Canonical identifier of the {entity}.", required=True),
        Column(
            "source_system",
            TEXT,
            "System the row came from (salesforce, hubspot, stripe, demo, ...).",
            required=True,
        ),
        Column("source_id", TEXT, "Identifier of the row in its source system.", required=True),
        Column("created_at", TIMESTAMP, "When the record was created in its source (UTC)."),
        Column("updated_at", TIMESTAMP, "When the record last changed in its source (UTC)."),
        Column("load_id", ID, "The load that wrote this row.", required=True),
    )
