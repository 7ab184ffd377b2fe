"""Defects of single fields: required ones left empty, malformed emails and phones, and
references to records that do not exist.

Each function returns a copy of its frame (same index, same row order) and logs every
change; it touches `round(rate × len(df))` rows, drawn among those the defect can change
(a non-empty email to corrupt, a non-empty reference to break), or all of those if fewer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from revops.demo.defects.log import Defect, DefectLog
from revops.demo.defects.selection import blank, column_text, is_blank, pick, put

EMAIL_CORRUPTIONS = (
    "missing_at",  # john.smithacme.com
    "double_at",  # john.smith@@acme.com
    "space",  # john.smith @acme.com
    "trailing_dot",  # john.smith@acme.com.
    "no_tld",  # john.smith@acme
    "comma",  # john.smith@acme,com (the last dot)
)
PHONE_CORRUPTIONS = ("too_few_digits", "letters", "placeholder")
PHONE_PLACEHOLDERS = ("N/A", "000-000-0000", "n/a", "TBD", "-", "1234567", "none", "see email")
# Letters typed for the digits they look like; other digits get the "x" of a half-typed
# extension.
_LOOKALIKES = {"0": "O", "1": "l", "2": "Z", "5": "S", "6": "G", "8": "B"}


def blank_required(
    df: pd.DataFrame,
    columns: Sequence[str],
    *,
    id_column: str,
    rate: float,
    rng: np.random.Generator,
    log: DefectLog,
    system: str,
    object: str,
    defect: Defect = "missing_required",
) -> pd.DataFrame:
    """Empty one of the required `columns` (drawn among those filled) in each of
    `round(rate × len(df))` rows: text becomes "", other types become missing (see
    `selection.blank`). Logged as `defect`."""
    out = df.copy()
    filled = np.column_stack([~is_blank(df[column]) for column in columns])
    rows = pick(rng, np.asarray(filled.any(axis=1), dtype=bool), rate)
    # argmax over random scores masked to the filled cells: a uniform filled column per row
    scores = rng.random((len(rows), len(columns))) * filled[rows]
    which = scores.argmax(axis=1)
    for j, column in enumerate(columns):
        here = rows[which == j]
        if len(here) == 0:
            continue
        original = column_text(df, column, here)
        mask = np.zeros(len(df), dtype=bool)
        mask[here] = True
        blank(out, column, mask)
        log.record(
            system=system,
            object=object,
            defect=defect,
            field=column,
            record_ids=df[id_column].to_numpy()[here],
            original=original,
            injected=[""] * len(here),
        )
    return out


def corrupt_emails(
    df: pd.DataFrame,
    column: str,
    *,
    id_column: str,
    rate: float,
    rng: np.random.Generator,
    log: DefectLog,
    system: str,
    object: str,
) -> pd.DataFrame:
    """Malform `round(rate × len(df))` email addresses the ways forms and typists do
    (`EMAIL_CORRUPTIONS`); every result fails a plain `local@domain.tld` check."""
    out = df.copy()
    eligible = df[column].astype("string").str.contains("@", regex=False).fillna(False)
    rows = pick(rng, eligible.to_numpy(dtype=bool), rate)
    if len(rows) == 0:
        return out
    original = column_text(df, column, rows)
    parts = original.str.rpartition("@")
    local, domain = parts[0], parts[2]
    bare = domain.str.split(".", n=1).str[0]
    dotted = domain.str.rpartition(".")
    candidates = [
        local + domain,
        local + "@@" + domain,
        local + " @" + domain,
        original + ".",
        local + "@" + bare,
        local + "@" + dotted[0] + "," + dotted[2],
    ]
    kind = rng.integers(0, len(candidates), len(rows))
    injected = np.choose(kind, [c.to_numpy(dtype="O") for c in candidates])
    same = injected == original.to_numpy(dtype="O")
    injected[same] = (original[same] + ".").to_numpy(dtype="O")
    put(out, column, rows, injected)
    log.record(
        system=system,
        object=object,
        defect="invalid_email",
        field=column,
        record_ids=df[id_column].to_numpy()[rows],
        original=original,
        injected=injected,
    )
    return out


def corrupt_phones(
    df: pd.DataFrame,
    column: str,
    *,
    id_column: str,
    rate: float,
    rng: np.random.Generator,
    log: DefectLog,
    system: str,
    object: str,
) -> pd.DataFrame:
    """Malform `round(rate × len(df))` filled phone numbers: too few digits (the local
    number without its area code), letters for digits, or a placeholder ("N/A",
    "000-000-0000")."""
    out = df.copy()
    rows = pick(rng, ~is_blank(df[column]), rate)
    if len(rows) == 0:
        return out
    original = column_text(df, column, rows)
    digits = original.str.replace(r"\D", "", regex=True)
    short = digits.str[-7:-4] + "-" + digits.str[-4:]
    lettered = pd.Series(_lookalike_letters(list(original), rng), dtype="O")
    placeholder = np.asarray(PHONE_PLACEHOLDERS, dtype="O")[
        rng.integers(0, len(PHONE_PLACEHOLDERS), len(rows))
    ]
    kind = rng.integers(0, len(PHONE_CORRUPTIONS), len(rows))
    injected = np.choose(
        kind, [short.to_numpy(dtype="O"), lettered.to_numpy(dtype="O"), placeholder]
    )
    same = injected == original.to_numpy(dtype="O")
    injected[same] = "N/A"
    put(out, column, rows, injected)
    log.record(
        system=system,
        object=object,
        defect="invalid_phone",
        field=column,
        record_ids=df[id_column].to_numpy()[rows],
        original=original,
        injected=injected,
    )
    return out


def orphan_references(
    df: pd.DataFrame,
    column: str,
    *,
    new_ids: Callable[[int], Sequence[str]],
    id_column: str,
    rate: float,
    rng: np.random.Generator,
    log: DefectLog,
    system: str,
    object: str,
) -> pd.DataFrame:
    """Point `round(rate × len(df))` filled references in `column` at records that exist
    nowhere, as when the referenced record was hard-deleted. `new_ids(n)` gives ids in the
    referenced object's format that no record has (the caller's id allocator)."""
    out = df.copy()
    rows = pick(rng, ~is_blank(df[column]), rate)
    if len(rows) == 0:
        return out
    original = column_text(df, column, rows)
    injected = np.asarray(list(new_ids(len(rows))), dtype="O")
    put(out, column, rows, injected)
    log.record(
        system=system,
        object=object,
        defect="orphan_reference",
        field=column,
        record_ids=df[id_column].to_numpy()[rows],
        original=original,
        injected=injected,
    )
    return out


def _lookalike_letters(phones: list[str], rng: np.random.Generator) -> list[str]:
    """Each phone with one digit of its last seven typed as a letter (0 → O, 5 → S).
    A Python loop, but only over the few phones chosen."""
    out = []
    for phone, u in zip(phones, rng.random(len(phones)), strict=True):
        spots = [i for i, char in enumerate(phone) if char.isdigit()][-7:]
        if not spots:
            out.append(phone)
            continue
        i = spots[int(u * len(spots))]
        out.append(phone[:i] + _LOOKALIKES.get(phone[i], "x") + phone[i + 1 :])
    return out
