"""Splink comparisons built from the `identity:` configuration (`IdentityComparison`).

Each configured field becomes one Splink comparison whose levels run from the strongest
agreement to "different", so EM learns how much each kind of agreement says. Two shipped
comparisons weigh more than one column and keep their own levels: `email` (same
address, same mailbox name at a free provider, the same mailbox name at the same company
but another number, another mailbox at the same company) and
`company` (same company domain or name).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from revops.config import IdentityComparison


def comparison_columns(comparison: IdentityComparison) -> tuple[str, ...]:
    """Record columns a comparison reads: one of them non-empty somewhere makes it useful."""
    if comparison.preset == "email":
        return ("email",)
    if comparison.preset == "company":
        return ("company_domain", "company_key")
    if comparison.preset == "company_name":
        return ("name",)
    return (comparison.field,)


def build_comparisons(configured: Iterable[IdentityComparison]) -> list[Any]:
    """The Splink comparisons of `configured`, in order, swap comparisons after them."""
    built = [build_comparison(c) for c in configured]
    return built + [_swapped(c.field, c.swap_with) for c in configured if c.swap_with]


def _swapped(field: str, other: str) -> Any:
    """Both values of `field` and `other` swapped between the records (first and last
    name entered the other way round)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=f"{field}_swapped_{other}",
        comparison_levels=[
            cll.CustomLevel(
                f"{field}_l IS NULL OR {field}_r IS NULL OR {other}_l IS NULL OR {other}_r IS NULL"
            ).configure(is_null_level=True, label_for_charts="unknown"),
            cll.CustomLevel(
                f"{field}_l = {other}_r AND {other}_l = {field}_r AND {field}_l <> {other}_l"
            ).configure(label_for_charts=f"{field} and {other} swapped"),
            cll.ElseLevel(),
        ],
    )


def build_comparison(comparison: IdentityComparison) -> Any:
    """One Splink comparison from its configuration.

    A `swap_with` field becomes a comparison of its own (`<field>_swapped_<other>`):
    inside the field's comparison its reference to the other column would keep EM from
    learning the field's levels on the pairs blocked on the other column.
    """
    import splink.comparison_library as cl

    if comparison.preset == "email":
        return _email()
    if comparison.preset == "company":
        return _company()
    if comparison.preset == "company_name":
        return _company_name()
    return cl.CustomComparison(
        output_column_name=comparison.field,
        comparison_levels=list(_levels(comparison)),
    )


def _levels(c: IdentityComparison) -> Iterable[Any]:
    import splink.comparison_level_library as cll

    from revops.identity.levels import SimilarLevel, TypoLevel

    field = c.field
    yield cll.NullLevel(field)
    if c.exact:
        yield cll.ExactMatchLevel(field, term_frequency_adjustments=c.term_frequency).configure(
            label_for_charts=f"same {field.replace('_', ' ')}"
        )
    if c.nickname:
        yield cll.ArrayIntersectLevel("first_forms", 1).configure(
            label_for_charts="nickname of the same name"
        )
    if c.date:
        # YYYY-MM-DD: the same year with day and month read the other way round.
        yield cll.CustomLevel(
            f"substr({field}_l, 1, 4) = substr({field}_r, 1, 4) "
            f"AND substr({field}_l, 6, 2) = substr({field}_r, 9, 2) "
            f"AND substr({field}_l, 9, 2) = substr({field}_r, 6, 2)"
        ).configure(label_for_charts="day and month transposed")
        yield TypoLevel(field, 1).configure(label_for_charts="one digit wrong or two swapped")
    for distance in sorted(c.damerau_levenshtein):
        plural = "typo" if distance == 1 else "typos"
        yield TypoLevel(field, distance).configure(label_for_charts=f"{distance} {plural} apart")
    for similarity in sorted(c.jaro_winkler, reverse=True):
        yield SimilarLevel(field, similarity).configure(
            label_for_charts=f"Jaro-Winkler >= {similarity}"
        )
    if c.prefix:
        yield cll.CustomLevel(
            f"substr({field}_l, 1, {c.prefix}) = substr({field}_r, 1, {c.prefix})"
        ).configure(label_for_charts=f"same first {c.prefix} characters")
    if c.suffix:
        yield cll.CustomLevel(
            f"right({field}_l, {c.suffix}) = right({field}_r, {c.suffix})"
        ).configure(label_for_charts=f"same last {c.suffix} characters")
    yield cll.ElseLevel()


_FREE_PROVIDER_MAILBOX = (
    "email_local_l = email_local_r AND mailbox_domain_l <> mailbox_domain_r "
    "AND (email_domain_l IS NULL OR email_domain_r IS NULL)"
)
"""The same mailbox name at two providers, one of them free (ann.lee@acme.com,
annlee@gmail.com)."""


_NUMBERED_U = 1e-3
"""u of "same mailbox name at the same company, other number"; only m/u counts."""


def _email() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="email",
        comparison_levels=[
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email").configure(label_for_charts="same address"),
            # The same mailbox name at a free provider made of the person's names
            # (john.smith@acme.com, johnsmith42@gmail.com) repeats the name comparisons:
            # a namesake has it too. Weighed as well, it counted the names twice, and
            # linked a personal-address copy of one of two namesakes to the other
            # (precision 0.964 at 1M synthetic people). It weighs nothing.
            cll.CustomLevel(
                f"{_FREE_PROVIDER_MAILBOX} AND (mailbox_named_l OR mailbox_named_r)"
            ).configure(
                is_null_level=True,
                label_for_charts="same mailbox name made of the names, one at a free provider",
            ),
            # The same name at a free provider (ann.lee@acme.com, annlee@gmail.com); at
            # one domain, two mailbox names are two people (charles.brown and
            # charles.brown2). A common mailbox name says less (term frequencies: the u
            # probability of each name is its own share of records).
            cll.CustomLevel(_FREE_PROVIDER_MAILBOX).configure(
                label_for_charts="same mailbox name, one at a free provider",
                tf_adjustment_column="email_local",
                tf_adjustment_weight=1.0,
                disable_tf_exact_match_detection=True,
            ),
            # The same mailbox name at two company domains (j.smith@a.com, j.smith@b.com)
            # falls to "different": the mailbox name is made of the person's name, so it
            # only repeats what the name comparisons weigh, and EM, trained on pairs of
            # one name, would learn namesakes at two companies as matches (precision
            # 0.57 at 200k synthetic people with that level). Another alias at one
            # company: a colleague, or the person again.
            # One mailbox name at one company but another number (susan.parker@acme.com,
            # susan.parker2@acme.com): the company numbered a second person of that
            # name. Its weight is set, not learnt: EM, trained on pairs of one name, sees
            # namesake colleagues agree on names and company and took them for copies
            # (+8.1 learnt; 66 of the 76 wrong pairs of the 2,000-account demo, a fifth
            # at 200,000). m/u = 2⁻¹⁰ outweighs the names and company agreeing.
            cll.CustomLevel(
                "mailbox_domain_l = mailbox_domain_r AND email_domain_l IS NOT NULL "
                "AND email_local_l = email_local_r AND email_number_l <> email_number_r"
            ).configure(
                label_for_charts="same mailbox name at the same company, other number",
                m_probability=_NUMBERED_U / 2**10,
                u_probability=_NUMBERED_U,
                fix_m_probability=True,
                fix_u_probability=True,
            ),
            cll.CustomLevel(
                "mailbox_domain_l = mailbox_domain_r AND email_domain_l IS NOT NULL"
            ).configure(label_for_charts="other mailbox at the same company"),
            cll.ElseLevel(),
        ],
    )


def _company() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name="company",
        comparison_levels=[
            cll.CustomLevel(
                "(company_domain_l IS NULL OR company_domain_r IS NULL) "
                "AND (company_key_l IS NULL OR company_key_r IS NULL)"
            ).configure(is_null_level=True, label_for_charts="unknown"),
            cll.CustomLevel(
                "company_domain_l = company_domain_r OR company_key_l = company_key_r"
            ).configure(label_for_charts="same company"),
            cll.ElseLevel(),
        ],
    )


def _company_name() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    from revops.identity.levels import SimilarLevel, TypoLevel

    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name"),
            cll.ExactMatchLevel("name_key", term_frequency_adjustments=True).configure(
                label_for_charts="same name"
            ),
            TypoLevel("name_key", 1).configure(label_for_charts="one typo apart"),
            SimilarLevel("name", 0.92).configure(label_for_charts="Jaro-Winkler >= 0.92"),
            cll.ElseLevel(),
        ],
    )
