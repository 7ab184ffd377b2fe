"""Realistic defects for the demo company's exports, each one kept as ground truth.

Every function takes an export-shaped frame (one row per record, text columns as the tool
exports them) and returns a new frame, leaving its input alone. It draws from the `rng`
it is given, so the same generator state gives the same output; it touches exactly
`round(rate × len(df))` records (fewer only when fewer can take the defect, e.g. blank
emails cannot be malformed); and it logs every change in a :class:`DefectLog`, whose
frames become `truth/defects.csv` and `truth/duplicate_clusters.csv`. Work is vectorised
over whole columns; string edits loop in Python only over the few chosen records.

`system` and `object` name the export (`salesforce`, `Contact`) as truth/defects.csv
does. Since `object` shadows the builtin inside these functions, the package spells
NumPy's object dtype `"O"` throughout.

Examples:
    >>> import numpy as np, pandas as pd
    >>> log = DefectLog()
    >>> contacts = pd.DataFrame({"Id": ["c1", "c2"], "Email": ["ann@acme.com", "bo@ini.com"]})
    >>> out = corrupt_emails(contacts, "Email", id_column="Id", rate=0.5,
    ...                      rng=np.random.default_rng(0), log=log,
    ...                      system="salesforce", object="Contact")
    >>> len(log), int((out["Email"] != contacts["Email"]).sum())
    (1, 1)
"""

from revops.demo.defects.companies import duplicate_accounts
from revops.demo.defects.fields import (
    EMAIL_CORRUPTIONS,
    PHONE_CORRUPTIONS,
    blank_required,
    corrupt_emails,
    corrupt_phones,
    orphan_references,
)
from revops.demo.defects.log import CLUSTER_COLUMNS, DEFECT_COLUMNS, Defect, DefectLog
from revops.demo.defects.names import NICKNAMES
from revops.demo.defects.people import duplicate_people
from revops.demo.defects.spellings import (
    COUNTRY_VARIANTS,
    COUNTRY_VARIANTS_REVERSED,
    INDUSTRY_VARIANTS,
    INDUSTRY_VARIANTS_REVERSED,
    respell_countries,
    respell_industries,
)

__all__ = [
    "CLUSTER_COLUMNS",
    "COUNTRY_VARIANTS",
    "COUNTRY_VARIANTS_REVERSED",
    "DEFECT_COLUMNS",
    "EMAIL_CORRUPTIONS",
    "INDUSTRY_VARIANTS",
    "INDUSTRY_VARIANTS_REVERSED",
    "NICKNAMES",
    "PHONE_CORRUPTIONS",
    "Defect",
    "DefectLog",
    "blank_required",
    "corrupt_emails",
    "corrupt_phones",
    "duplicate_accounts",
    "duplicate_people",
    "orphan_references",
    "respell_countries",
    "respell_industries",
]
