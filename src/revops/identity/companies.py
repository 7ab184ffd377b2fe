"""The shipped model of companies (CRM accounts, billing customers, support
organisations), used where `identity.company` configures none.

Copies of a company carry its name another way ("ACME", "Acme, Inc", "Acme Incorporated",
a typo) and often its website typed another way or not at all; the normal forms of
:mod:`revops.identity.normalise` take care of legal forms, case and URL decoration, and
the comparisons grade what is left.
"""

from __future__ import annotations

from revops.config import IdentityComparison as Compare
from revops.config import IdentityKindSettings

COMPANY_COMPARISONS: tuple[Compare, ...] = (
    # The joined-up name (`name_key`) decides exact and one-typo agreement, the spaced
    # name the Jaro-Winkler level; see :func:`revops.identity.comparisons.build_comparison`.
    Compare(field="name", preset="company_name"),
    Compare(field="domain"),
    Compare(field="country"),
)

COMPANY_BLOCKING: tuple[tuple[str, ...], ...] = (
    ("domain",),
    ("name_key",),
    ("substr(name_key, 1, 4)",),
    ("right(name_key, 4)",),
)

# How the records of a blocking key too common to compare whole are sorted before it is
# cut into chunks (revops.identity.blocking).
COMPANY_BLOCK_ORDER: tuple[str, ...] = ("domain", "name_key", "country")

COMPANY_TRAINING: tuple[tuple[str, ...], ...] = (("domain",), ("name_key",))

# The prior is counted on the domain alone: a company's name is no identifier. At 200,000
# demo accounts 206,000 accounts share 72,381 names, and counting every pair of one name as
# a match made the prior a hundred times too high; trained with it, EM took namesakes at
# two domains for copies (pair precision 0.38).
COMPANY_DETERMINISTIC: tuple[tuple[str, ...], ...] = (("domain",),)

COMPANY_RECALL = 0.8


def company_settings(configured: IdentityKindSettings) -> IdentityKindSettings:
    """`configured` with the shipped comparisons and rules where it gives none."""
    return configured.model_copy(
        update={
            "comparisons": configured.comparisons or COMPANY_COMPARISONS,
            "blocking": configured.blocking or COMPANY_BLOCKING,
            "deterministic": configured.deterministic or COMPANY_DETERMINISTIC,
        }
    )
