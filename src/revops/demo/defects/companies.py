"""Companies entered twice: "Acme Inc." beside "ACME", "Acme, Inc", "Acme Corp" or a
typo, often with the website typed another way or not at all."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from revops.demo.defects.duplicates import copy_rows, log_copies, place_copies
from revops.demo.defects.log import DefectLog
from revops.demo.defects.names import typos
from revops.demo.defects.selection import blank, column_text, is_blank, pick, put

# A legal-form suffix at the end of a company name, with its comma and space.
LEGAL_SUFFIX = (
    r",?\s+(?:Inc\.?|Incorporated|Corp\.?|Corporation|Co\.?|Company|LLC|L\.L\.C\.|Ltd\.?"
    r"|Limited|GmbH|AG|PLC|S\.A\.|SA|SAS|B\.V\.|BV|N\.V\.|NV|Pty\.? Ltd\.?|Oy|AB)"
)
NAME_VARIANTS = ("upper", "bare", "comma_inc", "inc", "incorporated", "corp", "lower", "typo")
P_DOMAIN = 0.5  # share of copies whose website is typed another way or left out
DOMAIN_VARIANTS = ("www", "url", "missing")
_DOMAIN_WEIGHTS = (0.4, 0.2, 0.4)


def duplicate_accounts(
    df: pd.DataFrame,
    *,
    id_column: str,
    new_ids: Callable[[int], Sequence[str]],
    name: str,
    domain: str | None,
    rate: float,
    rng: np.random.Generator,
    log: DefectLog,
    system: str,
    object: str,
) -> pd.DataFrame:
    """`df` with `round(rate × len(df))` of its companies entered a second time.

    Each copy gets a new id from `new_ids(n)`, shares a cluster with its original in
    `log`, and keeps the other fields; its name is always a variant (`NAME_VARIANTS`:
    "ACME", "Acme", "Acme, Inc", "Acme Inc.", "Acme Incorporated", "Acme Corp",
    "acme inc.", or a typo in the name proper), and for half the copies the domain becomes
    "www.acme.com", "https://www.acme.com/" or empty. Copies are placed after their
    originals (see `revops.demo.defects.duplicates`).

    Examples:
        >>> df = pd.DataFrame({"Id": ["a1", "a2"], "Name": ["Acme Inc.", "Initech"],
        ...                    "Website": ["acme.com", "initech.com"]})
        >>> log = DefectLog()
        >>> out = duplicate_accounts(df, id_column="Id", new_ids=lambda n: ["a3"][:n],
        ...                          name="Name", domain="Website", rate=0.5,
        ...                          rng=np.random.default_rng(0), log=log,
        ...                          system="salesforce", object="Account")
        >>> log.clusters()["record_id"].tolist()
        ['a2', 'a3']
    """
    rows = pick(rng, np.ones(len(df), dtype=bool), rate)
    if len(rows) == 0:
        return df.reset_index(drop=True)
    k = len(rows)
    copies = copy_rows(df, rows, id_column, new_ids)
    names = column_text(df, name, rows)
    parts = names.str.extract(rf"^(?P<base>.*?)(?P<suffix>{LEGAL_SUFFIX})?$", flags=re.IGNORECASE)
    base, suffix = parts["base"].fillna(""), parts["suffix"].fillna("")
    typoed = pd.Series(typos(list(base), rng), dtype="O") + suffix
    candidates = [
        base.str.upper(),
        base,
        base + ", Inc",
        base + " Inc.",
        base + " Incorporated",
        base + " Corp",
        names.str.lower(),
        typoed,
    ]
    variant = rng.integers(0, len(candidates), k)
    new_names = np.choose(variant, [c.to_numpy(dtype="O") for c in candidates])
    same = new_names == names.to_numpy(dtype="O")
    new_names[same] = typoed.to_numpy(dtype="O")[same]
    put(copies, name, np.arange(k), new_names)

    fields = [name]
    if domain is not None:
        domains = column_text(df, domain, rows)
        changed = (rng.random(k) < P_DOMAIN) & ~is_blank(df[domain])[rows]
        kind = rng.choice(len(DOMAIN_VARIANTS), size=k, p=_DOMAIN_WEIGHTS)
        bare = domains.str.replace(r"^(?:https?://)?(?:www\.)?", "", regex=True)
        new_domains = np.choose(
            kind,
            [
                ("www." + bare).to_numpy(dtype="O"),
                ("https://www." + bare + "/").to_numpy(dtype="O"),
                np.full(k, "", dtype="O"),
            ],
        )
        missing = changed & (kind == DOMAIN_VARIANTS.index("missing"))
        retyped = changed & ~missing
        put(copies, domain, np.flatnonzero(retyped), new_domains[retyped])
        blank(copies, domain, missing)
        fields.append(domain)
    log_copies(
        log,
        df=df,
        rows=rows,
        copies=copies,
        id_column=id_column,
        fields=fields,
        defect="duplicate_account",
        system=system,
        object=object,
    )
    return place_copies(df, copies, rows, rng)
