"""The shipped model of people (leads and contacts of every system): the fields compared,
the blocking rules and the training plan, used where `identity.person` configures none.

Duplicates of a person differ the way a second form fill, a hasty rep's entry or another
system's record does: a nickname (Bob for Robert), a typo, first and last name entered the
other way round, capitals, another address (a free mailbox or another alias at the same
company), no phone, a birth date with day and month transposed, a postcode one digit off.
Each comparison has a level for each of those, so EM learns how much each kind of
agreement says. A comparison whose field is empty on every record is left out of a run,
so the same defaults serve CRM data of emails and names and data of names, addresses
and birth dates.
"""

from __future__ import annotations

from revops.config import IdentityComparison as Compare
from revops.config import IdentityKindSettings

PERSON_COMPARISONS: tuple[Compare, ...] = (
    Compare(field="email", preset="email"),
    Compare(
        field="first_name",
        nickname=True,
        swap_with="last_name",
        jaro_winkler=(0.9,),
    ),
    Compare(
        field="last_name",
        term_frequency=True,
        damerau_levenshtein=(1,),
        jaro_winkler=(0.9,),
    ),
    Compare(field="phone"),
    Compare(field="company", preset="company"),
    Compare(field="birth_date", date=True),
    Compare(field="postcode", damerau_levenshtein=(1,)),
    Compare(field="address_line1", jaro_winkler=(0.9, 0.7)),
    Compare(field="address_line2", jaro_winkler=(0.9,)),
    Compare(field="city", term_frequency=True, jaro_winkler=(0.9,)),
    Compare(field="state"),
)

PERSON_BLOCKING: tuple[tuple[str, ...], ...] = (
    ("email",),
    ("first_key", "last_name"),
    ("phone",),
    ("email_local",),
    ("company_domain", "first_key"),
    ("company_domain", "last_name"),
    ("birth_date",),
    ("postcode",),
    ("first_key", "city"),
    ("last_name", "city"),
)

# EM learns each comparison on the pairs of a rule that does not fix it.
PERSON_TRAINING: tuple[tuple[str, ...], ...] = (
    ("email",),
    ("first_key", "last_name"),
    ("phone",),
    ("birth_date",),
    ("postcode",),
)

# How the records of a blocking key too common to compare whole are sorted before it is
# cut into chunks (revops.identity.blocking): where the same person's records sit close.
PERSON_BLOCK_ORDER: tuple[str, ...] = (
    "company_domain", "last_name", "first_key", "email_local", "phone", "postcode",
    "birth_date", "city",
)  # fmt: skip

PERSON_DETERMINISTIC: tuple[tuple[str, ...], ...] = (
    ("email",),
    ("first_key", "last_name", "phone"),
    ("first_name", "last_name", "birth_date"),
)


def person_settings(configured: IdentityKindSettings) -> IdentityKindSettings:
    """`configured` with the shipped comparisons and rules where it gives none."""
    return configured.model_copy(
        update={
            "comparisons": configured.comparisons or PERSON_COMPARISONS,
            "blocking": configured.blocking or PERSON_BLOCKING,
            "deterministic": configured.deterministic or PERSON_DETERMINISTIC,
        }
    )


# The recall assumed of the deterministic rules (share of true pairs they find).
PERSON_RECALL = 0.6
