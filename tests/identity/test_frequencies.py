"""u of exact levels that random sampling never saw agree, counted from the values."""

from __future__ import annotations

import logging

import pyarrow as pa
import pytest

from revops.identity.frequencies import agreement_rate, fill_unobserved_u


def test_agreement_rate_is_the_share_of_equal_pairs() -> None:
    # 5 phones: a×3, b×2 (and one missing): 3 + 1 equal pairs of 10.
    values = pa.array(["a", "a", "a", "b", "b", None])
    assert agreement_rate(values) == pytest.approx(4 / 10)
    assert agreement_rate(pa.array(["a", "b", "c"])) == 0.0
    assert agreement_rate(pa.array([None, None], pa.string())) == 0.0


def test_an_unobserved_exact_level_gets_u_from_the_values() -> None:
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    # 400 people, 20 phones shared by two records each: one agreeing pair in about 4,000,
    # which a sample of 50 pairs does not hold.
    size = 400
    phones = [f"+1555{i:04d}" for i in range(size - 20)] + [f"+1555{i:04d}" for i in range(20)]
    records = pa.table(
        {
            "unique_id": [str(i) for i in range(size)],
            "phone": phones,
            "last_name": [f"name{i % 5}" for i in range(size)],
        }
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.ExactMatch("phone"), cl.ExactMatch("last_name")],
        blocking_rules_to_generate_predictions=[block_on("phone")],
    )
    db_api = DuckDBAPI(connection=duckdb.connect())
    linker = Linker(
        db_api.register(records, table_name="people"), settings, log_level=logging.ERROR
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=50, seed=1)
    phone = linker._settings_obj.comparisons[0]._comparison_levels_excluding_null[0]
    assert not phone._u_is_trained  # the sample saw no two equal phones

    filled = fill_unobserved_u(linker, records)

    expected = 20 * 2 / (size * (size - 1))
    assert phone.u_probability == pytest.approx(expected)
    assert len(filled) == 1
    assert filled[0].startswith("phone")
    # A level the sample did see keeps its estimate.
    last = linker._settings_obj.comparisons[1]._comparison_levels_excluding_null[0]
    assert last._u_is_trained
