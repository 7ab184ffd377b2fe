"""Splink model of companies (CRM accounts, billing customers, support organisations).

Copies of a company carry its name another way ("ACME", "Acme, Inc", "Acme Incorporated",
a typo) and often its website typed another way or not at all; the normal forms of
:mod:`revops.identity.normalise` take care of legal forms, case and URL decoration, and
the comparisons grade what is left.
"""

from __future__ import annotations

from typing import Any

from revops.identity.splinkmodel import ModelSpec


def company_model() -> ModelSpec:
    """The blocking rules, comparisons and training plan for companies."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import block_on

    from revops.identity.levels import SimilarLevel, TypoLevel

    comparisons: list[Any] = [
        cl.CustomComparison(
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
        ),
        cl.CustomComparison(
            output_column_name="domain",
            comparison_levels=[
                cll.NullLevel("domain"),
                cll.ExactMatchLevel("domain").configure(label_for_charts="same domain"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="country",
            comparison_levels=[
                cll.NullLevel("country"),
                cll.ExactMatchLevel("country").configure(label_for_charts="same country"),
                cll.ElseLevel(),
            ],
        ),
    ]
    return ModelSpec(
        kind="company",
        comparisons=comparisons,
        blocking=[
            block_on("domain"),
            block_on("name_key"),
            block_on("substr(name_key, 1, 4)"),
            block_on("right(name_key, 4)"),
        ],
        training=[block_on("domain"), block_on("name_key")],
        deterministic=[block_on("domain"), block_on("name_key")],
        recall=0.8,
    )
