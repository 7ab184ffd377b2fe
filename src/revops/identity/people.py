"""Splink model of people (leads and contacts of every system): blocking rules and
comparisons tuned for CRM data.

Duplicates of a person differ the way a second form fill or a hasty rep's entry does: a
nickname (Bob for Robert), a typo in the last name, capitals, another address (a free
mailbox or another alias at the same company), no phone. Each comparison has a level for
each of those, so EM learns how much each kind of agreement says.
"""

from __future__ import annotations

from typing import Any

from revops.identity.splinkmodel import ModelSpec


def person_model() -> ModelSpec:
    """The blocking rules, comparisons and training plan for people."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import block_on

    from revops.identity.levels import SimilarLevel, TypoLevel

    comparisons: list[Any] = [
        cl.CustomComparison(
            output_column_name="email",
            comparison_levels=[
                cll.NullLevel("email"),
                cll.ExactMatchLevel("email").configure(label_for_charts="same address"),
                # The same name at a free provider (ann.lee@acme.com, annlee@gmail.com);
                # at one domain, two mailbox names are two people (charles.brown and
                # charles.brown2). A common mailbox name says less (term frequencies:
                # the u probability of each name is its own share of records).
                cll.CustomLevel(
                    "email_local_l = email_local_r AND mailbox_domain_l <> mailbox_domain_r "
                    "AND (email_domain_l IS NULL OR email_domain_r IS NULL)"
                ).configure(
                    label_for_charts="same mailbox name, one at a free provider",
                    tf_adjustment_column="email_local",
                    tf_adjustment_weight=1.0,
                    disable_tf_exact_match_detection=True,
                ),
                # The same mailbox name at two company domains (j.smith@a.com,
                # j.smith@b.com) falls to "different": the mailbox name is made of the
                # person's name, so it only repeats what the name comparisons weigh, and
                # EM, trained on pairs of one name, would learn namesakes at two companies
                # as matches (precision 0.57 at 200k synthetic people with that level).
                # Another alias at one company: a colleague, or the person again.
                cll.CustomLevel(
                    "mailbox_domain_l = mailbox_domain_r AND email_domain_l IS NOT NULL"
                ).configure(label_for_charts="other mailbox at the same company"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="first_name",
            comparison_levels=[
                cll.NullLevel("first_name"),
                cll.ExactMatchLevel("first_name").configure(label_for_charts="same"),
                cll.ArrayIntersectLevel("first_forms", 1).configure(
                    label_for_charts="nickname of the same name"
                ),
                SimilarLevel("first_name", 0.9).configure(label_for_charts="Jaro-Winkler >= 0.9"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="last_name",
            comparison_levels=[
                cll.NullLevel("last_name"),
                cll.ExactMatchLevel("last_name", term_frequency_adjustments=True).configure(
                    label_for_charts="same"
                ),
                TypoLevel("last_name", 1).configure(label_for_charts="one typo apart"),
                SimilarLevel("last_name", 0.9).configure(label_for_charts="Jaro-Winkler >= 0.9"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="phone",
            comparison_levels=[
                cll.NullLevel("phone"),
                cll.ExactMatchLevel("phone").configure(label_for_charts="same number"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
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
        ),
    ]
    return ModelSpec(
        kind="person",
        comparisons=comparisons,
        blocking=[
            block_on("email"),
            block_on("first_key", "last_name"),
            block_on("phone"),
            block_on("email_local"),
            block_on("company_domain", "first_key"),
            block_on("company_domain", "last_name"),
        ],
        training=[
            block_on("email"),
            block_on("first_key", "last_name"),
            block_on("phone"),
        ],
        deterministic=[block_on("email"), block_on("first_key", "last_name", "phone")],
        recall=0.6,
    )
