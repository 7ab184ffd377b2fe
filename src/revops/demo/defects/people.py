"""People entered twice: the copy differs the way a second form fill or a hasty rep's
manual entry does (nickname, typo, capitals, another email, no phone)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from revops.demo.defects.duplicates import copy_rows, log_copies, place_copies
from revops.demo.defects.log import DefectLog
from revops.demo.defects.names import has_nickname, nicknames, typos
from revops.demo.defects.selection import blank, column_text, is_blank, pick, put

# Share of copies that get each alteration (independently; a copy with none gets a typo).
P_NICKNAME = 0.35  # of those whose first name has a nickname
P_TYPO = 0.35
P_CASE = 0.15
P_EMAIL = 0.6
P_NO_PHONE = 0.3
PERSONAL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com")
_PERSONAL_WEIGHTS = (0.5, 0.15, 0.15, 0.1, 0.1)
# Of the copies with another email: a personal mailbox, another company alias, or the
# same address typed with different case.
_EMAIL_KIND_WEIGHTS = (0.45, 0.35, 0.2)


def duplicate_people(
    df: pd.DataFrame,
    *,
    id_column: str,
    new_ids: Callable[[int], Sequence[str]],
    first: str,
    last: str,
    email: str,
    rate: float,
    rng: np.random.Generator,
    log: DefectLog,
    system: str,
    object: str,
    phone: str | None = None,
) -> pd.DataFrame:
    """`df` with `round(rate × len(df))` of its people entered a second time.

    Each copy gets a new id from `new_ids(n)` and shares a cluster with its original in
    `log`; it keeps the original's other fields, but a nickname may replace the first
    name (Robert → Bob, Liz → Elizabeth, see `NICKNAMES`), the last name may carry a typo
    (transposition, deletion, keyboard-neighbour substitution, doubled letter), both
    names may be in capitals or lower case, the email may be a personal mailbox, another
    alias at the same company or the same address in other case, and the phone may be
    missing. Copies are placed after their originals (see `revops.demo.defects.duplicates`).

    Examples:
        >>> df = pd.DataFrame({"Id": ["p1", "p2"], "FirstName": ["Robert", "Ann"],
        ...                    "LastName": ["Smith", "Lee"],
        ...                    "Email": ["robert.smith@acme.com", "ann.lee@initech.com"]})
        >>> out = duplicate_people(df, id_column="Id", new_ids=lambda n: ["p3"][:n],
        ...                        first="FirstName", last="LastName", email="Email",
        ...                        rate=0.5, rng=np.random.default_rng(4), log=DefectLog(),
        ...                        system="hubspot", object="contact")
        >>> len(out), out["Id"].iloc[0]
        (3, 'p1')
    """
    rows = pick(rng, np.ones(len(df), dtype=bool), rate)
    if len(rows) == 0:
        return df.reset_index(drop=True)
    k = len(rows)
    copies = copy_rows(df, rows, id_column, new_ids)
    firsts = column_text(df, first, rows).to_numpy(dtype="O")
    lasts = column_text(df, last, rows).to_numpy(dtype="O")
    emails = column_text(df, email, rows)
    draws = rng.random((k, 5))

    nicked = (draws[:, 0] < P_NICKNAME) & has_nickname(list(firsts))
    new_firsts = np.where(nicked, np.asarray(nicknames(list(firsts), rng), dtype="O"), firsts)
    email_kind = _email_kinds(draws[:, 3], rng)
    new_emails = np.where(
        email_kind >= 0, _other_emails(new_firsts, lasts, emails, email_kind, rng), emails
    )
    new_emails = _claim_personal(new_emails, emails, column_text(df, id_column, rows), log)
    no_phone = draws[:, 4] < P_NO_PHONE
    if phone is not None:
        no_phone &= ~is_blank(df[phone])[rows]
    else:
        no_phone[:] = False
    # A copy with no other difference gets a typo: exact copies are what a CRM's own
    # duplicate rule blocks, so the ones that get through always differ somewhere.
    untouched = (new_firsts == firsts) & (new_emails == emails.to_numpy(dtype="O")) & ~no_phone
    typoed = (draws[:, 1] < P_TYPO) | untouched
    new_lasts = np.where(typoed, np.asarray(typos(list(lasts), rng), dtype="O"), lasts)
    cased = draws[:, 2] < P_CASE
    upper = rng.random(k) < 0.6
    for values in (new_firsts, new_lasts):
        text = pd.Series(values, dtype="O").astype(str)
        recased = np.where(upper, text.str.upper(), text.str.lower())
        values[cased] = recased[cased]

    everyone = np.arange(k)
    put(copies, first, everyone, new_firsts)
    put(copies, last, everyone, new_lasts)
    put(copies, email, everyone, new_emails)
    fields = [first, last, email]
    if phone is not None:
        blank(copies, phone, no_phone)
        fields.append(phone)
    log_copies(
        log,
        df=df,
        rows=rows,
        copies=copies,
        id_column=id_column,
        fields=fields,
        defect="duplicate_person",
        system=system,
        object=object,
    )
    return place_copies(df, copies, rows, rng)


def _email_kinds(draws: np.ndarray[Any, Any], rng: np.random.Generator) -> np.ndarray[Any, Any]:
    """-1 (same email) or the index of the other-email kind, per copy."""
    kinds = rng.choice(len(_EMAIL_KIND_WEIGHTS), size=len(draws), p=_EMAIL_KIND_WEIGHTS)
    return np.where(draws < P_EMAIL, kinds, -1)


def _other_emails(
    firsts: np.ndarray[Any, Any],
    lasts: np.ndarray[Any, Any],
    emails: pd.Series[str],
    kind: np.ndarray[Any, Any],
    rng: np.random.Generator,
) -> np.ndarray[Any, Any]:
    """Another address for each person, of `kind` 0 personal, 1 alias, 2 other case."""
    k = len(firsts)
    f, last = _slug(firsts), _slug(lasts)
    f = f.where(f != "", last)
    initial = f.str[0].fillna("")
    formats = [f + "." + last, f + last, f + "_" + last, initial + last, last + "." + f]
    style = rng.integers(0, len(formats), k)
    columns = [s.to_numpy(dtype="O") for s in formats]
    local = pd.Series(np.choose(style, columns))
    number = pd.Series(rng.integers(1, 100, k)).astype(str).where(rng.random(k) < 0.5, "")
    provider = rng.choice(len(PERSONAL_DOMAINS), size=k, p=_PERSONAL_WEIGHTS)
    personal = local + number + "@" + pd.Series(np.asarray(PERSONAL_DOMAINS)[provider])

    parts = emails.str.rpartition("@")
    old_local, domain = parts[0], parts[2]
    # The next format along, so the alias differs from the original local part.
    other = pd.Series(
        np.choose((style + 1) % len(formats), [s.to_numpy(dtype="O") for s in formats])
    )
    # A company that numbered a namesake's mailbox (susan.parker2@) numbers the alias too.
    numbered = old_local.str.replace(r"[^0-9]", "", regex=True)
    alias_local = local.where(local + numbered != old_local.str.lower(), other) + numbered
    alias = (alias_local + "@" + domain).where(domain != "", personal)

    titled = old_local.str.title() + "@" + domain
    recased = titled.where(titled != emails, emails.str.upper())

    choices = [personal, alias, recased]
    other_email = np.choose(np.clip(kind, 0, 2), [c.to_numpy(dtype="O") for c in choices])
    # Someone with no email on file gives a personal one the second time.
    return np.where(emails.to_numpy(dtype="O") == "", personal.to_numpy(dtype="O"), other_email)


def _claim_personal(
    new: np.ndarray[Any, Any], old: pd.Series[str], ids: pd.Series[str], log: DefectLog
) -> np.ndarray[Any, Any]:
    """`new` with each personal address it gives claimed in the log's book for its
    person (their address on the original record, else its id), so no two people share
    one."""
    domains = pd.Series(new, dtype="O").astype(str).str.rpartition("@")[2].str.lower()
    given = np.flatnonzero(
        domains.isin(PERSONAL_DOMAINS).to_numpy() & (new != old.to_numpy(dtype="O"))
    )
    if len(given) == 0:
        return new
    before = old.to_numpy(dtype="O")[given]
    owners = np.where(before != "", before, ids.to_numpy(dtype="O")[given])
    out = new.copy()
    out[given] = log.addresses.claim(list(new[given]), [str(o).lower() for o in owners])
    return out


def _slug(values: np.ndarray[Any, Any]) -> pd.Series[str]:
    """Names as they appear in an email address: ASCII, lower case, letters and digits."""
    text = pd.Series(values, dtype="O").astype(str).str.normalize("NFKD")
    ascii_text = text.str.encode("ascii", "ignore").str.decode("ascii")
    return ascii_text.str.lower().str.replace(r"[^a-z0-9]", "", regex=True)
