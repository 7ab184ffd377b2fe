"""The model of one kind for one run: the configured (or shipped) comparisons and rules,
less those the data cannot use.

A comparison whose columns are empty on every record would only add a level nobody is
at; a blocking rule over such a column finds nothing. Leaving them out is what lets one
default configuration serve CRM data of emails and names and data of names, addresses
and birth dates alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import pyarrow as pa
import pyarrow.compute as pc

from revops.errors import IdentityError
from revops.identity.comparisons import build_comparisons, comparison_columns
from revops.identity.splinkmodel import ModelSpec

if TYPE_CHECKING:
    from revops.config import IdentityKindSettings, IdentitySettings

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def kind_settings(settings: IdentitySettings, kind: str) -> IdentityKindSettings:
    """The settings of `kind` with the shipped comparisons and rules where none are set."""
    from revops.identity.companies import company_settings
    from revops.identity.people import person_settings

    if kind == "person":
        return person_settings(settings.person)
    return company_settings(settings.company)


def select_sources(records: pa.Table, configured: IdentityKindSettings) -> pa.Table:
    """The records of the configured source systems (all when none are named)."""
    if not configured.sources:
        return records
    systems = pa.array(list(configured.sources))
    return records.filter(pc.is_in(records.column("source_system"), value_set=systems))


def build_spec(
    kind: Literal["person", "company"],
    settings: IdentitySettings,
    records: pa.Table,
) -> ModelSpec:
    """The model of `kind` for `records`, from `settings`.

    Raises:
        IdentityError: a comparison or rule names a column the records do not have.
    """
    from revops.identity.companies import COMPANY_BLOCK_ORDER, COMPANY_RECALL, COMPANY_TRAINING
    from revops.identity.people import PERSON_BLOCK_ORDER, PERSON_RECALL, PERSON_TRAINING

    configured = kind_settings(settings, kind)
    filled = {c for c in records.column_names if records.column(c).null_count < records.num_rows}
    known = set(records.column_names)
    comparisons = configured.comparisons or ()
    for comparison in comparisons:
        for column in (*comparison_columns(comparison), comparison.swap_with):
            if column is not None and column not in known:
                raise IdentityError(
                    f"identity.{kind}.comparisons: no column {column!r} in {kind} records "
                    f"(one of {', '.join(sorted(known))})"
                )
    used = [c for c in comparisons if any(col in filled for col in comparison_columns(c))]
    if not used:
        raise IdentityError(f"no {kind} record has a value in any compared field")
    blocking = _usable(configured.blocking or (), filled, known, kind, "blocking")
    shipped_training = PERSON_TRAINING if kind == "person" else COMPANY_TRAINING
    training_rules = (
        shipped_training
        if settings_blocking_is_shipped(configured, kind)
        else (configured.blocking or ())
    )
    return ModelSpec(
        kind=kind,
        comparisons=build_comparisons(used),
        blocking=blocking,
        training=_usable(training_rules, filled, known, kind, "blocking"),
        deterministic=_usable(configured.deterministic or (), filled, known, kind, "deterministic"),
        recall=PERSON_RECALL if kind == "person" else COMPANY_RECALL,
        mode=configured.mode,
        expected_duplicate_rate=configured.expected_duplicate_rate,
        max_block_size=settings.max_block_size,
        max_pairs_per_record=settings.max_pairs_per_record,
        predict_chunk_records=settings.predict_chunk_records,
        block_order=PERSON_BLOCK_ORDER if kind == "person" else COMPANY_BLOCK_ORDER,
    )


def settings_blocking_is_shipped(configured: IdentityKindSettings, kind: str) -> bool:
    from revops.identity.companies import COMPANY_BLOCKING
    from revops.identity.people import PERSON_BLOCKING

    return configured.blocking == (PERSON_BLOCKING if kind == "person" else COMPANY_BLOCKING)


def _usable(
    rules: Sequence[Sequence[str]], filled: set[str], known: set[str], kind: str, key: str
) -> list[tuple[str, ...]]:
    """The rules whose plain columns all have values somewhere (expressions are kept)."""
    kept = []
    for rule in rules:
        plain = [part for part in rule if _NAME.match(part)]
        unknown = [p for p in plain if p not in known]
        if unknown:
            raise IdentityError(
                f"identity.{kind}.{key}: no column {unknown[0]!r} in {kind} records "
                f"(one of {', '.join(sorted(known))})"
            )
        if all(p in filled for p in plain):
            kept.append(tuple(rule))
    return kept
