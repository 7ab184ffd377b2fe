"""Compile a mapping into one DuckDB query that types, normalises and checks every row.

The query reads the source rows (table `src`, all text) and the lookups, and returns per
canonical column its typed value (named as the column), the source text it came from
(`__raw_<column>`) and why it is invalid (`__error_<column>`, null when it is fine).
Doing this in SQL keeps ingest vectorised and multi-threaded: no Python per row.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingOf
from dataclasses import dataclass, field, replace

from revops.ingest.mapping import FieldRule, Mapping, Parse
from revops.ingest.reference import EMAIL_PATTERN, PHONE_PATTERN
from revops.ingest.vocabulary import Vocabulary
from revops.model import get_entity
from revops.model.base import Column

SOURCE = "src"
ROW = "__row"
FILE = "__file"

_PARSE_BY_TYPE: dict[str, Parse] = {
    "string": "text",
    "int64": "int",
    "float64": "float",
    "boolean": "bool",
    "date": "date",
}
_SQL_TYPE = {
    "text": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "decimal": "DECIMAL(18, 2)",
    "cents": "DECIMAL(18, 2)",
    "bool": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMPTZ",
    "unix": "TIMESTAMPTZ",
    "unix_ms": "TIMESTAMPTZ",
}
_KIND = {
    "int": "a whole number",
    "float": "a number",
    "decimal": "an amount",
    "cents": "an amount in cents",
    "bool": "true or false",
    "date": "a date",
    "datetime": "a date and time",
    "unix": "a Unix timestamp (or ISO 8601)",
    "unix_ms": "a Unix timestamp in milliseconds",
}
_CHECK_BY_COLUMN = {
    "email": "email",
    "phone": "phone",
    "country": "country",
    "currency": "currency",
}
_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")


def ident(name: str) -> str:
    """`name` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """`value` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _listing(values: list[str], limit: int = 8) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" … ({len(values)} in all)" if len(values) > limit else "")


@dataclass(frozen=True)
class CompiledColumn:
    """One output column: its typed value and its error, as SQL over the source."""

    name: str
    origin: str
    raw: str
    value: str
    error: str


@dataclass(frozen=True)
class CompiledMapping:
    """The query of a mapping against one set of source columns."""

    mapping: Mapping
    columns: tuple[CompiledColumn, ...]
    source_sql: str
    joins: str
    missing_fields: tuple[str, ...]

    def select_sql(self) -> str:
        """Typed values, raw text and errors of every row, with its file and position."""
        parts = [f"{SOURCE}.{ident(FILE)}", f"{SOURCE}.{ident(ROW)}"]
        for column in self.columns:
            parts += [
                f"{column.value} AS {ident(column.name)}",
                f"{column.raw} AS {ident('__raw_' + column.name)}",
                f"{column.error} AS {ident('__error_' + column.name)}",
            ]
        return f"SELECT {', '.join(parts)} FROM {self.source_sql} {self.joins}"


def expression_fields(mapping: Mapping, table: str = "") -> set[str]:
    """Source fields the mapping's SQL (`expr` rules and `where`) reads, unqualified, or
    those of the lookup named `table` (`"sub"."ended_at"`)."""
    import sqlglot
    from sqlglot import exp

    texts = [rule.expr for rule in mapping.rules().values() if rule.expr is not None]
    texts += [mapping.where] if mapping.where and not table else []
    names: set[str] = set()
    for text in texts:
        try:
            tree = sqlglot.parse_one(text, read="duckdb")
        except sqlglot.errors.ParseError:
            continue  # DuckDB reports it, with its own words, when the query runs
        names |= {c.name for c in tree.find_all(exp.Column) if c.table == table}
    return names


def compile_mapping(
    mapping: Mapping,
    source_fields: list[str],
    lookup_fields: MappingOf[str, list[str]] | None = None,
    allowed: MappingOf[str, Vocabulary] | None = None,
) -> CompiledMapping:
    """The query that maps rows with `source_fields` (and lookups) to `mapping.entity`.

    Args:
        mapping: the mapping.
        source_fields: columns of the source rows.
        lookup_fields: for each lookup, the columns of its rows.
        allowed: column → the workspace's vocabulary (stages, types): source values
            become the workspace's; a strict one refuses the others unless the rule
            declares its own `allowed`.

    Fields the mapping reads that the source lacks are read as empty and listed in
    `missing_fields`, so one missing column does not stop the other columns loading.
    """
    lookup_fields = lookup_fields or {}
    fields = _Fields(
        source=set(source_fields) | ({"__name", "__value"} if mapping.unpivot else set()),
        lookups={f"{name}.{field}" for name, names in lookup_fields.items() for field in names},
    )
    entity = get_entity(mapping.entity)
    columns = [
        _compile_rule(
            mapping,
            "source_id" if name == "key" else name,
            _column_for(entity.name, name),
            rule,
            fields,
            (allowed or {}).get(name),
        )
        for name, rule in mapping.rules().items()
    ]
    if mapping.unpivot is not None:
        # One source row makes a row per label: the label makes their ids unique.
        columns[0] = replace(columns[0], value=f"({columns[0].value}) || ':' || __name")
    if entity.name == "opportunity" and allowed and "stage" in allowed:
        columns = _derive_from_stage(columns, allowed["stage"])
    key = columns[0]
    canonical_id = f"{literal(mapping.source + ':')} || ({key.value})"
    columns += [
        CompiledColumn(entity.id_column, key.origin, "NULL", canonical_id, "NULL"),
        CompiledColumn("source_system", "", "NULL", literal(mapping.source), "NULL"),
    ]
    return CompiledMapping(
        mapping=mapping,
        columns=tuple(columns),
        source_sql=_source_sql(mapping, fields),
        joins=_joins(mapping),
        missing_fields=tuple(dict.fromkeys(fields.missing)),
    )


@dataclass
class _Fields:
    """The fields a rule may read, and those it asked for that are not there."""

    source: set[str]
    lookups: set[str]
    missing: list[str] = field(default_factory=list)

    def sql(self, name: str) -> str:
        if name in self.source:
            return f"{SOURCE}.{ident(name)}"
        if name in self.lookups:
            lookup, _, column = name.partition(".")
            return f"{ident(lookup)}.{ident(column)}"
        self.missing.append(name)
        return "CAST(NULL AS VARCHAR)"


def _column_for(entity: str, name: str) -> Column:
    if name == "key":
        return Column("source_id", "string", "source id", required=True)
    return get_entity(entity).column(name)


def _source_sql(mapping: Mapping, fields: _Fields) -> str:
    if mapping.unpivot is None:
        return SOURCE
    present = {f: label for f, label in mapping.unpivot.fields.items() if f in fields.source}
    fields.missing += [f for f in mapping.unpivot.fields if f not in present]
    branches = [
        f"SELECT *, {literal(label)} AS __name, {ident(field)} AS __value FROM {SOURCE} "
        f"WHERE {ident(field)} IS NOT NULL"
        for field, label in present.items()
    ] or [f"SELECT *, NULL AS __name, NULL AS __value FROM {SOURCE} WHERE FALSE"]
    return f"({' UNION ALL '.join(branches)}) AS {SOURCE}"


def lookup_sql(mapping: Mapping, name: str, rows: str) -> str:
    """The rows of lookup `name` a mapping joins, from the table `rows`: the first row of
    each key in file order, so a repeated key picks the same row."""
    key = ident(mapping.lookups[name].key)
    return f"SELECT DISTINCT ON ({key}) * FROM {rows} ORDER BY {key}, {ident(FILE)}, {ident(ROW)}"


def _joins(mapping: Mapping) -> str:
    joins = []
    for name, lookup in mapping.lookups.items():
        # `on` names a field of the source, or of a lookup joined before this one.
        before, _, field = lookup.on.partition(".")
        joined = list(mapping.lookups)
        if field and before in joined[: joined.index(name)]:
            on = f"{ident(before)}.{ident(field)}"
        else:
            on = f"{SOURCE}.{ident(lookup.on)}"
        # The caller's `lookup_<name>` holds one row per key (see `lookup_sql`).
        table = ident(f"lookup_{name}")
        joins.append(
            f"LEFT JOIN {table} AS {ident(name)} ON {ident(name)}.{ident(lookup.key)} = {on}"
        )
    return " ".join(joins)


def _compile_rule(
    mapping: Mapping,
    name: str,
    column: Column,
    rule: FieldRule,
    fields: _Fields,
    vocabulary: Vocabulary | None,
) -> CompiledColumn:
    if rule.field is not None:
        # Of alternatives (`[customer, customer.id]`), those the file lacks are not missing
        # while one of them is there.
        present = [f for f in rule.fields if f in fields.source or f in fields.lookups]
        if present or not rule.optional:
            texts = [f"NULLIF(trim({fields.sql(f)}), '')" for f in present or rule.fields]
            raw = texts[0] if len(texts) == 1 else f"coalesce({', '.join(texts)})"
        else:
            raw = "CAST(NULL AS VARCHAR)"
    elif rule.value is not None:
        raw = literal(rule.value)
    else:
        raw = f"CAST(({rule.expr}) AS VARCHAR)"

    text = raw
    for transform in rule.transforms:
        text = _transform(transform, text)
    errors: list[tuple[str, str]] = []
    if rule.map is not None:
        keys = [k.casefold() for k in rule.map]
        cases = " ".join(
            f"WHEN {literal(k.casefold())} THEN {literal(v) if v is not None else 'NULL'}"
            for k, v in rule.map.items()
        )
        otherwise = {"error": text, "keep": text, "null": "NULL"}[rule.unmapped]
        mapped = f"CASE lower({text}) {cases} ELSE {otherwise} END"
        if rule.unmapped == "error":
            known = ", ".join(literal(k) for k in keys)
            errors.append(
                (
                    f"{text} IS NOT NULL AND lower({text}) NOT IN ({known})",
                    f"not a value the mapping knows ({_listing(list(rule.map))})",
                )
            )
        text = mapped
    text = f"NULLIF({text}, {literal('')})"
    if rule.default is not None:
        text = f"coalesce({text}, {literal(rule.default)})"
    same_source_id = name == "source_id" or (rule.ref is not None and rule.ref_source is None)
    if mapping.ids == "salesforce" and same_source_id:
        text = salesforce_id18(text)
    if vocabulary is not None and vocabulary.canonical:
        cases = " ".join(
            f"WHEN {literal(k)} THEN {literal(v)}" for k, v in vocabulary.canonical.items()
        )
        text = f"CASE lower({text}) {cases} ELSE {text} END"

    parse = rule.parse or _default_parse(column.type)
    value = _parse(parse, text, rule.format)
    if parse != "text":
        formats = rule.format if isinstance(rule.format, tuple) else (rule.format,)
        expected = f" (expected {' or '.join(f for f in formats if f)})" if rule.format else ""
        errors.append((f"{text} IS NOT NULL AND {value} IS NULL", f"not {_KIND[parse]}{expected}"))
    if rule.ref is not None:
        source = rule.ref_source or mapping.source
        value = f"{literal(source + ':')} || {value}"
    required = rule.required if rule.required is not None else column.required
    if required:
        errors.append((f"{value} IS NULL", "required but empty"))
    allowed = rule.allowed or (vocabulary.values if vocabulary and vocabulary.strict else None)
    if allowed:
        listed = ", ".join(literal(a) for a in allowed)
        errors.append(
            (
                f"{value} IS NOT NULL AND {value} NOT IN ({listed})",
                f"not one of {_listing(list(allowed))}",
            )
        )
    check = rule.check or _CHECK_BY_COLUMN.get(name)
    if check is not None and parse == "text":
        # A transform may empty a value ("-" as a phone): check what the source said then.
        checked = f"coalesce({value}, {raw})"
        errors.append(
            (f"{checked} IS NOT NULL AND NOT ({_check(check, checked)})", _CHECK_MESSAGE[check])
        )
    error = "CASE " + " ".join(f"WHEN {c} THEN {literal(m)}" for c, m in errors) + " END"
    return CompiledColumn(
        name=name,
        origin=rule.origin,
        raw=raw,
        value=f"CAST({value} AS {_target_type(column.type, parse)})",
        error=error if errors else "CAST(NULL AS VARCHAR)",
    )


def _derive_from_stage(columns: list[CompiledColumn], stages: Vocabulary) -> list[CompiledColumn]:
    """`is_closed`, `is_won`, `closed_at` and `probability` from the stage's category
    and default probability where the source gives none (a CRM export without IsWon)."""
    by_name = {c.name: c for c in columns}
    stage = by_name.get("stage")
    if stage is None:
        return columns

    def among(values: tuple[str, ...]) -> str:
        listed = ", ".join(literal(v) for v in values) or "NULL"
        return f"CASE WHEN {stage.value} IS NULL THEN NULL ELSE {stage.value} IN ({listed}) END"

    closed = among(stages.with_category("won", "lost"))
    probabilities = " ".join(
        f"WHEN {stage.value} = {literal(s)} THEN {p}" for s, p in stages.probabilities.items()
    )
    derived = {
        "is_closed": ("BOOLEAN", closed),
        "is_won": ("BOOLEAN", among(stages.with_category("won"))),
        "probability": ("DOUBLE", f"CASE {probabilities} END" if probabilities else "NULL"),
    }
    if "close_date" in by_name:
        # Closed as the source says, else as the stage says: then the close date is the day.
        source_closed = by_name["is_closed"].value if "is_closed" in by_name else "NULL"
        derived["closed_at"] = (
            "TIMESTAMPTZ",
            f"CASE WHEN coalesce({source_closed}, {closed}) "
            f"THEN CAST({by_name['close_date'].value} AS TIMESTAMPTZ) END",
        )
    result = list(columns)
    for name, (sql_type, sql) in derived.items():
        value = f"CAST(({sql}) AS {sql_type})"
        own = by_name.get(name)
        if own is not None:
            result[result.index(own)] = replace(own, value=f"coalesce({own.value}, {value})")
        else:
            origin = f"derived from stage ({stage.origin})"
            result.append(CompiledColumn(name, origin, "NULL", value, "NULL"))
    return result


def salesforce_id18(text: str) -> str:
    """SQL turning a 15-character Salesforce id into its 18-character form (the case of
    each block of five characters spelled as one more character); other values as they
    are."""
    alphabet = literal("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")
    blocks = []
    for block in range(3):
        bits = " + ".join(
            f"CAST(regexp_matches(substr({text}, {block * 5 + i + 1}, 1), '[A-Z]') AS INT) * {2**i}"
            for i in range(5)
        )
        blocks.append(f"substr({alphabet}, 1 + {bits}, 1)")
    return f"CASE WHEN length({text}) = 15 THEN {text} || {' || '.join(blocks)} ELSE {text} END"


def _default_parse(column_type: str) -> Parse:
    if column_type.startswith("decimal"):
        return "decimal"
    if column_type.startswith("timestamp"):
        return "datetime"
    return _PARSE_BY_TYPE[column_type]


def _target_type(column_type: str, parse: Parse) -> str:
    if column_type.startswith("decimal"):
        return "DECIMAL" + column_type.removeprefix("decimal")
    if column_type.startswith("timestamp"):
        return "TIMESTAMPTZ"
    return {
        "string": "VARCHAR",
        "int64": "BIGINT",
        "float64": "DOUBLE",
        "boolean": "BOOLEAN",
        "date": "DATE",
    }.get(column_type, _SQL_TYPE[parse])


def _transform(transform: str, text: str) -> str:
    if transform == "trim":
        return f"trim({text})"
    if transform == "lower":
        return f"lower({text})"
    if transform == "upper":
        return f"upper({text})"
    if transform == "email":
        return f"lower(trim({text}))"
    if transform == "phone":
        return f"regexp_replace({text}, '[\\s().-]', '', 'g')"
    if transform == "domain":
        bare = f"regexp_replace(lower(trim({text})), '^[a-z]+://', '')"
        return f"regexp_replace({bare}, '^www\\.|[/:?#].*$', '', 'g')"
    if transform == "first":
        # Several associated records in one cell, as HubSpot exports them: `a;b`.
        return f"NULLIF(trim(split_part({text}, ';', 1)), '')"
    if transform == "country":
        return f"coalesce(country_code({text}), {text})"
    raise ValueError(f"unknown transform {transform}")  # pragma: no cover - pydantic checks


def _parse(parse: Parse, text: str, format_: str | tuple[str, ...] | None) -> str:
    formats = (format_,) if isinstance(format_, str) else (format_ or ())
    if parse == "text":
        return text
    if parse == "int":
        number = f"TRY_CAST({text} AS DOUBLE)"
        return f"CASE WHEN {number} = floor({number}) THEN TRY_CAST({number} AS BIGINT) END"
    if parse == "float":
        return f"TRY_CAST({text} AS DOUBLE)"
    if parse == "decimal":
        return f"TRY_CAST(replace({text}, ',', '') AS DECIMAL(18, 2))"
    if parse == "cents":
        return f"TRY_CAST(TRY_CAST({text} AS DECIMAL(18, 0)) * 0.01 AS DECIMAL(18, 2))"
    if parse == "bool":
        true = ", ".join(literal(v) for v in _TRUE)
        false = ", ".join(literal(v) for v in _FALSE)
        return (
            f"CASE WHEN lower({text}) IN ({true}) THEN true "
            f"WHEN lower({text}) IN ({false}) THEN false END"
        )
    if parse == "unix":
        # Sigma and Data Pipeline exports write the same instants as ISO 8601 text.
        seconds = f"to_timestamp(TRY_CAST({text} AS DOUBLE))"
        return f"coalesce({seconds}, TRY_CAST({text} AS TIMESTAMPTZ))"
    if parse == "unix_ms":
        return f"to_timestamp(TRY_CAST({text} AS DOUBLE) / 1000)"
    if formats:
        target = "DATE" if parse == "date" else "TIMESTAMPTZ"
        tries = ", ".join(f"CAST(TRY_STRPTIME({text}, {literal(f)}) AS {target})" for f in formats)
        return f"coalesce({tries})"
    if parse == "date":
        return f"coalesce(TRY_CAST({text} AS DATE), CAST(TRY_CAST({text} AS TIMESTAMPTZ) AS DATE))"
    return f"TRY_CAST({text} AS TIMESTAMPTZ)"


def _check(check: str, value: str) -> str:
    if check == "email":
        return f"regexp_full_match({value}, {literal(EMAIL_PATTERN)})"
    if check == "phone":
        digits = f"regexp_replace({value}, '[\\s().-]', '', 'g')"
        return f"regexp_full_match({digits}, {literal(PHONE_PATTERN)})"
    if check == "country":
        return f"{value} IN (SELECT code FROM __countries)"
    return f"{value} IN (SELECT code FROM __currencies)"


_CHECK_MESSAGE = {
    "email": "not a valid email address",
    "phone": "not a valid phone number",
    "country": "not a known country (ISO 3166 code or name)",
    "currency": "not an ISO 4217 currency code",
}
