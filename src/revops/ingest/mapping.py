"""Mappings: how the rows of one source object become rows of one canonical entity.

A mapping is YAML, validated here. The package ships one file per source object for
every system the demo company exports (`revops/ingest/mappings/<source>/*.yaml`); a
workspace adds or overrides mappings in its own `mappings/` folder the same way. A file
holds one mapping, or a list of them when one object feeds several entities (HubSpot
contacts are contacts and lifecycle events). docs/ingest.md describes every key.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from revops.core.yamltext import parse_yaml
from revops.errors import ConfigError, ModelError
from revops.model import ENTITIES, get_entity

Parse = Literal[
    "text", "int", "float", "decimal", "bool", "date", "datetime", "unix", "unix_ms", "cents"
]
Transform = Literal["trim", "lower", "upper", "country", "domain", "phone", "email", "first"]
Check = Literal["email", "country", "currency", "phone"]

SHIPPED = "revops.ingest.mappings"
WORKSPACE_FOLDER = "mappings"
LINEAGE_FIELDS = ("key", "created_at", "updated_at")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldRule(_Frozen):
    """Where one canonical column's value comes from, and what makes it valid.

    The value is the source `field` (a list takes the first non-empty one), a constant
    `value`, or a DuckDB SQL `expr` over the source fields (quote names with spaces:
    `"Annual Cost (USD)"`). Then, in order: `transforms`, `map`, `default` for empty
    values, `parse` into the column's type, and `ref` turns a source id into the
    canonical id of the referenced record. A short form `column: Field Name` means
    `{field: Field Name}`.
    """

    field: str | tuple[str, ...] | None = Field(
        None, description="Source field, or a list of fields: the first non-empty wins."
    )
    value: str | None = Field(None, description="A constant for every row.")
    expr: str | None = Field(None, description="A DuckDB SQL expression over source fields.")
    transforms: tuple[Transform, ...] = Field(
        (),
        description="Applied in order: trim, lower, upper, country, domain, phone, email, "
        "first (the first of a `;`-separated list).",
    )
    map: dict[str, str | None] | None = Field(
        None, description="Value map, matched case-insensitively after the transforms."
    )
    unmapped: Literal["error", "keep", "null"] = Field(
        "error", description="What a value missing from `map` becomes: a row error, kept, null."
    )
    default: str | None = Field(None, description="Used when the value is empty.")
    parse: Parse | None = Field(
        None, description="How to read the text; default from the canonical column's type."
    )
    format: str | tuple[str, ...] | None = Field(
        None, description="strptime format(s) for date and datetime values."
    )
    ref: str | None = Field(
        None, description="Entity the value is a source id of; becomes its canonical id."
    )
    ref_source: str | None = Field(
        None, description="System whose ids `ref` holds, when not the mapping's own source."
    )
    check: Check | None = Field(None, description="Format the value must have.")
    allowed: tuple[str, ...] | None = Field(None, description="The only values accepted.")
    required: bool | None = Field(
        None, description="Whether an empty value rejects the row; default from the model."
    )
    optional: bool = Field(
        False,
        description="Whether exports may lack the field (one an installed package adds, "
        "such as Account Engagement's `pi__score__c`): then the column is empty and the "
        "load names no missing column.",
    )

    @model_validator(mode="after")
    def _one_origin(self) -> FieldRule:
        origins = [o for o in ("field", "value", "expr") if getattr(self, o) is not None]
        if len(origins) != 1:
            raise ValueError("give exactly one of field, value or expr")
        if self.ref is not None and self.ref not in ENTITIES:
            raise ValueError(f"ref names no entity of the model: {self.ref!r}")
        return self

    @property
    def fields(self) -> tuple[str, ...]:
        """The source fields read directly (not those inside an expression)."""
        if self.field is None:
            return ()
        return (self.field,) if isinstance(self.field, str) else self.field

    @property
    def origin(self) -> str:
        """How a message names where the value came from."""
        if self.field is not None:
            return " | ".join(self.fields)
        return f"= {self.value}" if self.value is not None else f"expr {self.expr}"


def _entity_name(name: str) -> str:
    """`name` when the model has such an entity (ValueError otherwise, for pydantic)."""
    try:
        return get_entity(name).name
    except ModelError as exc:
        raise ValueError(str(exc)) from None


def _short_form(value: Any) -> Any:
    return {"field": value} if isinstance(value, str | list) else value


class Lookup(_Frozen):
    """Another object of the same source joined in: its fields read as `<name>.<Field>`."""

    object: str = Field(description="Object name of the joined file (Salesforce type, file stem).")
    key: str = Field(description="Its field that identifies a row.")
    on: str = Field(
        description="Field of this object that holds that key, or `<lookup>.<field>` of a "
        "lookup listed before it (a subscription's coupon: `sub.discount_coupon_id`)."
    )
    optional: bool = Field(
        False,
        description="Whether the files may lack this object: then no row matches (an export "
        "without coupons), instead of the mapping refusing to run.",
    )

    @model_validator(mode="before")
    @classmethod
    def _yaml_on(cls, data: Any) -> Any:
        # YAML 1.1 reads a bare `on:` key as the boolean true.
        if isinstance(data, dict) and True in data:
            data = {("on" if k is True else k): v for k, v in data.items()}
        return data


class Unpivot(_Frozen):
    """One source row becomes a row per non-empty field of `fields` (wide to long).

    Rules read the field's label as `__name` and its value as `__value`; the source id
    is the mapping's key joined to the label with `:`.
    """

    fields: dict[str, str] = Field(min_length=1, description="Source field → label.")


class History(_Frozen):
    """Record a version in a history entity whenever a tracked column changes."""

    entity: str = Field(description="The history entity (opportunity_history).")
    track: tuple[str, ...] = Field(min_length=1, description="Columns whose change is recorded.")

    @field_validator("entity")
    @classmethod
    def _history_entity(cls, name: str) -> str:
        if get_entity(_entity_name(name)).history_key is None:
            raise ValueError(f"{name} is not a history entity")
        return name


class Mapping(_Frozen):
    """One source object → one canonical entity."""

    source: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Source system (salesforce).")
    object: str = Field(min_length=1, description="Object name: file stem or Salesforce type.")
    entity: str = Field(description="Canonical entity the rows become.")
    description: str = ""
    files: tuple[str, ...] = Field(
        (), description="Extra file-name globs this mapping reads, besides files of `object`."
    )
    where: str | None = Field(
        None, description="SQL condition a source row must meet to be loaded; others skipped."
    )
    key: FieldRule = Field(description="The row's id in its source (becomes source_id).")
    created_at: FieldRule | None = None
    updated_at: FieldRule | None = None
    columns: dict[str, FieldRule] = Field(description="Canonical column → rule.")
    lookups: dict[str, Lookup] = Field(default_factory=dict)
    unpivot: Unpivot | None = None
    history: History | None = None
    ids: Literal["salesforce"] | None = Field(
        None,
        description=(
            "The source's record ids are Salesforce ids: a 15-character one (as reports "
            "export them) is extended to its 18-character form in the key and the "
            "references, so both forms of an id meet."
        ),
    )
    path: Path | None = Field(None, exclude=True, description="File the mapping came from.")

    @field_validator("key", "created_at", "updated_at", mode="before")
    @classmethod
    def _short_lineage(cls, rule: Any) -> Any:
        return _short_form(rule)

    @field_validator("columns", mode="before")
    @classmethod
    def _short_columns(cls, columns: Any) -> Any:
        if isinstance(columns, dict):
            return {name: _short_form(rule) for name, rule in columns.items()}
        return columns

    @field_validator("entity")
    @classmethod
    def _known_entity(cls, name: str) -> str:
        return _entity_name(name)

    @model_validator(mode="after")
    def _fits_the_model(self) -> Mapping:
        entity = get_entity(self.entity)
        lineage = {c.name for c in entity.lineage}
        domain = {c.name for c in entity.columns}
        for column in self.columns:
            if column in lineage:
                raise ValueError(f"column {column!r} is set by the key and timestamp rules")
            if column not in domain:
                raise ValueError(
                    f"{self.entity} has no column {column!r} (it has {', '.join(sorted(domain))})"
                )
        if self.history is not None:
            history = get_entity(self.history.entity)
            names = {c.name for c in history.columns}
            missing = [c for c in self.history.track if c not in self.columns or c not in names]
            if missing:
                raise ValueError(f"history tracks columns it cannot fill: {', '.join(missing)}")
        return self

    @property
    def name(self) -> str:
        """`source.object.entity`, unique among mappings."""
        return f"{self.source}.{self.object}.{self.entity}"

    def rules(self) -> dict[str, FieldRule]:
        """Every rule, lineage ones (`key`, `created_at`, `updated_at`) included."""
        lineage = {"key": self.key, "created_at": self.created_at, "updated_at": self.updated_at}
        return {**{k: v for k, v in lineage.items() if v is not None}, **self.columns}


def parse_mappings(text: str, path: Path) -> list[Mapping]:
    """The mappings of one YAML file.

    Raises:
        ConfigError: naming the file, the key and the problem.
    """
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        raise ConfigError(path, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    documents = data if isinstance(data, list) else [data]
    mappings = []
    for index, document in enumerate(documents):
        prefix = f"[{index}]" if isinstance(data, list) else ""
        if not isinstance(document, dict):
            raise ConfigError(path, prefix or None, "a mapping must be a set of keys")
        if "extends" in document:
            document = _extended(document, path, prefix)
        try:
            mappings.append(Mapping.model_validate({**document, "path": path}))
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join(str(part) for part in error["loc"])
            problem = str(error["msg"]).removeprefix("Value error, ")
            raise ConfigError(path, f"{prefix}{'.' if prefix else ''}{key}", problem) from None
    return mappings


def _extended(document: dict[str, Any], path: Path, prefix: str) -> dict[str, Any]:
    """`document` laid over the shipped mapping it `extends` (`salesforce/Opportunity`,
    or `hubspot/contacts/contact` when one object feeds several entities).

    Its keys replace the shipped ones, but `columns` (and `lookups`) add to or replace
    the shipped ones column by column; a column set to null is dropped.
    """
    where = f"{prefix}{'.' if prefix else ''}extends"
    name = document["extends"]
    parts = name.split("/") if isinstance(name, str) else []
    if len(parts) not in (2, 3):
        raise ConfigError(path, where, "name a shipped mapping as source/object[/entity]")
    candidates = [
        m
        for m in shipped_mappings()
        if (m.source, m.object) == (parts[0], parts[1])
        and (len(parts) == 2 or m.entity == parts[2])
    ]
    if len(candidates) != 1:
        found = ", ".join(f"{m.source}/{m.object}/{m.entity}" for m in candidates)
        problem = (
            f"{len(candidates)} shipped mappings match ({found}): add the entity"
            if candidates
            else f"no shipped mapping {name!r} (`revops ingest mapping list`)"
        )
        raise ConfigError(path, where, problem)
    base = candidates[0].model_dump(exclude={"path"}, exclude_none=True, exclude_defaults=True)
    base = {
        **base,
        "columns": {
            column: candidates[0].columns[column].model_dump(exclude_defaults=True)
            for column in candidates[0].columns
        },
    }
    merged: dict[str, Any] = {**base}
    for key, value in document.items():
        if key == "extends":
            continue
        if key in ("columns", "lookups") and isinstance(value, dict):
            combined = {**base.get(key, {}), **value}
            merged[key] = {k: v for k, v in combined.items() if v is not None}
        else:
            merged[key] = value
    return merged


def load_mapping_file(path: Path) -> list[Mapping]:
    """The mappings of the YAML file at `path` (see :func:`parse_mappings`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, None, f"cannot be read ({exc.strerror})") from None
    return parse_mappings(text, path)


def shipped_mappings() -> list[Mapping]:
    """The mappings that come with revops, for every system the demo company exports."""
    found: list[Mapping] = []
    root = resources.files(SHIPPED)
    for folder in sorted(root.iterdir(), key=lambda p: p.name):
        if not folder.is_dir():
            continue
        for file in sorted(folder.iterdir(), key=lambda p: p.name):
            if file.name.endswith(".yaml"):
                found += parse_mappings(file.read_text(encoding="utf-8"), Path(str(file)))
    return found


def all_mappings(workspace_root: Path | None = None) -> list[Mapping]:
    """Shipped mappings, with the workspace's `mappings/*.yaml` added or overriding them.

    A workspace mapping replaces the shipped one with the same source, object and entity.
    """
    chosen = {m.name: m for m in shipped_mappings()}
    if workspace_root is not None:
        folder = workspace_root / WORKSPACE_FOLDER
        for path in sorted(folder.glob("**/*.yaml")) if folder.is_dir() else []:
            chosen.update({m.name: m for m in load_mapping_file(path)})
    return list(chosen.values())
