"""The demo company's defects: injected at the configured rates, all recorded as truth,
recognisable as what they are, and nothing else changed."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import count
from typing import Any

import numpy as np
import pandas as pd
import pytest

from revops.demo.defects import (
    COUNTRY_VARIANTS,
    COUNTRY_VARIANTS_REVERSED,
    DEFECT_COLUMNS,
    INDUSTRY_VARIANTS,
    INDUSTRY_VARIANTS_REVERSED,
    NICKNAMES,
    DefectLog,
    blank_required,
    corrupt_emails,
    corrupt_phones,
    duplicate_accounts,
    duplicate_people,
    orphan_references,
    respell_countries,
    respell_industries,
)
from revops.demo.defects.people import PERSONAL_DOMAINS

N = 5_000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
FIRST_NAMES = [*list(NICKNAMES)[:40], "Bob", "Liz", "Mike", "Zoltan", "Priya", "José", "Wei"]
LAST_NAMES = ["Smith", "Lee", "O'Brien", "García", "Nguyen", "Johnson", "Müller", "Kowalski"]
COMPANIES = ["Acme", "Initech", "Globex", "Umbrella", "Hooli", "Stark Industries", "Wayne"]
SUFFIXES = ["", " Inc.", ", Inc", " LLC", " GmbH", " Ltd", " Corporation"]
LEGAL = re.compile(
    r",?\s+(inc\.?|incorporated|corp\.?|corporation|llc|gmbh|ltd\.?)$", re.IGNORECASE
)


def fresh_ids(prefix: str) -> Callable[[int], list[str]]:
    numbers = count(1)
    return lambda n: [f"{prefix}{next(numbers):07d}" for _ in range(n)]


def people_frame(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    first = np.asarray(FIRST_NAMES, dtype="O")[rng.integers(0, len(FIRST_NAMES), N)]
    last = np.asarray(LAST_NAMES, dtype="O")[rng.integers(0, len(LAST_NAMES), N)]
    company = np.asarray(["acme.com", "initech.io", "globex.co.uk"])[rng.integers(0, 3, N)]
    local = pd.Series(first).str.lower() + "." + pd.Series(last).str.lower().str[:3]
    return pd.DataFrame(
        {
            "Id": [f"per-{i:07d}" for i in range(N)],
            "FirstName": first,
            "LastName": last,
            "Email": (local + pd.Series(np.arange(N)).astype(str) + "@" + company).to_numpy(),
            "Phone": [f"+1415{n:07d}" for n in rng.integers(2_000_000, 9_999_999, N)],
            "Country": np.asarray(list(COUNTRY_VARIANTS), dtype="O")[rng.integers(0, 22, N)],
            "Industry": np.asarray(list(INDUSTRY_VARIANTS), dtype="O")[rng.integers(0, 16, N)],
            "AccountId": [f"acc-{n:06d}" for n in rng.integers(0, 800, N)],
            "Score": rng.integers(0, 100, N),
        }
    )


def accounts_frame(seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = np.asarray(COMPANIES, dtype="O")[rng.integers(0, len(COMPANIES), N)] + np.char.mod(
        " %d", np.arange(N)
    ).astype("O")
    suffix = np.asarray(SUFFIXES, dtype="O")[rng.integers(0, len(SUFFIXES), N)]
    domain = pd.Series(base).str.lower().str.replace(" ", "", regex=False) + ".com"
    return pd.DataFrame(
        {
            "Id": [f"acc-{i:06d}" for i in range(N)],
            "Name": base + suffix,
            "Website": domain.to_numpy(),
        }
    )


Apply = Callable[[pd.DataFrame, np.random.Generator, DefectLog], pd.DataFrame]
FIELD_RATES = {
    "blank_required": 0.013,
    "corrupt_emails": 0.01,
    "corrupt_phones": 0.02,
    "respell_countries": 0.05,
    "respell_industries": 0.05,
    "orphan_references": 0.005,
}
WHERE = {"system": "salesforce", "object": "Contact"}
RATES = {**FIELD_RATES, "duplicate_people": 0.04, "duplicate_accounts": 0.03}
FRAMES = dict.fromkeys(RATES, people_frame) | {"duplicate_accounts": accounts_frame}


def defect(name: str, rate: float | None = None) -> Apply:
    """The defect `name` at `rate` (its usual rate in these tests if not given)."""

    def apply(df: pd.DataFrame, rng: np.random.Generator, log: DefectLog) -> pd.DataFrame:
        common: dict[str, Any] = {
            "rate": RATES[name] if rate is None else rate,
            "rng": rng,
            "log": log,
            "id_column": "Id",
            "system": "salesforce",
            "object": "Contact",
        }
        match name:
            case "blank_required":
                return blank_required(df, ["Email", "LastName", "Score"], **common)
            case "corrupt_emails":
                return corrupt_emails(df, "Email", **common)
            case "corrupt_phones":
                return corrupt_phones(df, "Phone", **common)
            case "respell_countries":
                return respell_countries(df, "Country", **common)
            case "respell_industries":
                return respell_industries(df, "Industry", **common)
            case "orphan_references":
                return orphan_references(df, "AccountId", new_ids=fresh_ids("acc-9"), **common)
            case "duplicate_people":
                return duplicate_people(
                    df, new_ids=fresh_ids("dup-"), first="FirstName", last="LastName",
                    email="Email", phone="Phone", **common,
                )  # fmt: skip
            case _:
                return duplicate_accounts(
                    df, new_ids=fresh_ids("dup-"), name="Name", domain="Website", **common
                )

    return apply


def run(apply: Apply, df: pd.DataFrame, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    log = DefectLog()
    out = apply(df, np.random.default_rng(seed), log)
    return out, log.to_frame()


def text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype("O").where(frame.notna(), "").astype(str)


def distance(a: str, b: str) -> int:
    """Levenshtein edit distance."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def pairs(out: pd.DataFrame, log: DefectLog) -> list[tuple[pd.Series[Any], pd.Series[Any]]]:
    """(original, copy) rows of every duplicate cluster."""
    by_id = out.set_index("Id")
    clusters = log.clusters()
    originals = clusters[clusters["is_original"]].set_index("cluster_id")["record_id"]
    copies = clusters[~clusters["is_original"]].set_index("cluster_id")["record_id"]
    return [(by_id.loc[originals[c]], by_id.loc[copies[c]]) for c in originals.index]


@pytest.mark.parametrize(("name", "rate"), FIELD_RATES.items())
def test_field_defects_change_exactly_the_logged_cells_at_the_configured_rate(
    name: str, rate: float
) -> None:
    df = people_frame()
    out, defects = run(defect(name), df)
    assert len(defects) == round(rate * N)
    assert defects["record_id"].is_unique
    assert out.index.equals(df.index)
    before, after = text(df).set_index("Id"), text(out).set_index("Id")
    changed = (before != after).stack()
    changed_cells = {cell for cell, differs in changed.items() if differs}
    assert changed_cells == set(zip(defects["record_id"], defects["field"], strict=True))
    for row in defects.itertuples():
        assert before.at[row.record_id, row.field] == row.original
        assert after.at[row.record_id, row.field] == row.injected


@pytest.mark.parametrize("name", RATES)
def test_every_defect_is_deterministic_and_leaves_its_input_alone(name: str) -> None:
    df = FRAMES[name]()
    pristine = df.copy(deep=True)
    out, defects = run(defect(name), df, seed=11)
    again, defects_again = run(defect(name), df, seed=11)
    other, _ = run(defect(name), df, seed=12)
    pd.testing.assert_frame_equal(df, pristine)
    pd.testing.assert_frame_equal(out, again)
    pd.testing.assert_frame_equal(defects, defects_again)
    assert list(defects.columns) == DEFECT_COLUMNS
    assert not out.equals(other)


@pytest.mark.parametrize("name", RATES)
def test_a_zero_rate_changes_nothing(name: str) -> None:
    df = FRAMES[name]()
    out, defects = run(defect(name, 0.0), df)
    assert defects.empty
    pd.testing.assert_frame_equal(out, df)


def test_a_rate_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        run(defect("duplicate_people", 1.5), people_frame())


def test_duplicate_people_adds_the_configured_share_of_copies_after_untouched_originals() -> None:
    df = people_frame()
    log = DefectLog()
    out = defect("duplicate_people")(df, np.random.default_rng(3), log)
    copies = round(0.04 * N)
    assert len(out) == N + copies
    clusters = log.clusters()
    assert len(clusters) == 2 * copies
    assert clusters["cluster_id"].nunique() == copies
    is_copy = out["Id"].str.startswith("dup-")
    assert is_copy.sum() == copies
    pd.testing.assert_frame_equal(out[~is_copy].reset_index(drop=True), df)
    position = {record_id: i for i, record_id in enumerate(out["Id"])}
    originals = clusters[clusters["is_original"]]["record_id"].to_numpy()
    copy_ids = clusters[~clusters["is_original"]]["record_id"].to_numpy()
    assert all(position[c] > position[o] for o, c in zip(originals, copy_ids, strict=True))
    assert not is_copy.iloc[-copies:].all()


def test_a_person_copy_resembles_its_original_but_is_never_identical() -> None:
    df = people_frame()
    log = DefectLog()
    out = defect("duplicate_people")(df, np.random.default_rng(5), log)
    nick_pairs = {(f.casefold(), n.casefold()) for f, ns in NICKNAMES.items() for n in ns}
    nicknamed = retyped = reemailed = 0
    for original, copy in pairs(out, log):
        assert distance(original["LastName"].casefold(), copy["LastName"].casefold()) <= 2
        first, other_first = original["FirstName"].casefold(), copy["FirstName"].casefold()
        assert first == other_first or {(first, other_first), (other_first, first)} & nick_pairs
        fields = ["FirstName", "LastName", "Email", "Phone"]
        assert not original[fields].equals(copy[fields])
        assert (copy.drop(fields) == original.drop(fields)).all()
        nicknamed += first != other_first
        retyped += original["LastName"].casefold() != copy["LastName"].casefold()
        reemailed += original["Email"] != copy["Email"]
    assert min(nicknamed, retyped, reemailed) > 0


def test_namesakes_never_share_a_personal_address_across_systems() -> None:
    # 600 people called Jane Doe, each at her own company: a copy given a personal
    # mailbox gets one no other Jane Doe holds, in either export sharing the log.
    people = pd.DataFrame(
        {
            "Id": [f"per-{i:04d}" for i in range(600)],
            "FirstName": "Jane",
            "LastName": "Doe",
            "Email": [f"jane.doe@co{i}.com" for i in range(600)],
            "Phone": "",
        }
    )
    log = DefectLog()
    owner: dict[str, str] = {}
    for system, seed in (("salesforce", 1), ("hubspot", 2)):
        out = duplicate_people(
            people, new_ids=fresh_ids(f"{system}-"), first="FirstName", last="LastName",
            email="Email", phone="Phone", rate=1.0, rng=np.random.default_rng(seed), log=log,
            id_column="Id", system=system, object="Contact",
        )  # fmt: skip
        work = dict(zip(people["Id"], people["Email"], strict=True))
        clusters = log.clusters()
        clusters = clusters[clusters["system"] == system]
        original = clusters[clusters["is_original"]].set_index("cluster_id")["record_id"]
        person_of = {
            row.record_id: work[original[row.cluster_id]]
            for row in clusters[~clusters["is_original"]].itertuples()
        }
        for record_id, email in zip(out["Id"], out["Email"], strict=True):
            if record_id in person_of and email.rpartition("@")[2] in PERSONAL_DOMAINS:
                assert owner.setdefault(email, person_of[record_id]) == person_of[record_id]
    assert len(owner) > 200  # a personal mailbox for a good share of 1,200 copies


def test_an_account_copy_keeps_a_recognisable_name_and_domain() -> None:
    df = accounts_frame()
    log = DefectLog()
    out = defect("duplicate_accounts")(df, np.random.default_rng(9), log)
    assert len(out) == N + round(0.03 * N)

    def core(name: str) -> str:
        return re.sub(r"[^a-z0-9]", "", LEGAL.sub("", name).casefold())

    for original, copy in pairs(out, log):
        assert copy["Name"] != original["Name"]
        assert distance(core(original["Name"]), core(copy["Name"])) <= 2
        bare = re.sub(r"^(https?://)?(www\.)?|/$", "", copy["Website"])
        assert bare in ("", original["Website"])


@pytest.mark.parametrize("name", ["duplicate_people", "duplicate_accounts"])
def test_every_logged_duplicate_change_is_visible_and_shares_the_cluster(name: str) -> None:
    log = DefectLog()
    out = defect(name)(FRAMES[name](), np.random.default_rng(13), log)
    defects, clusters = log.to_frame(), log.clusters()
    by_id = text(out).set_index("Id")
    cluster_of = dict(zip(clusters["record_id"], clusters["cluster_id"], strict=True))
    for row in defects.itertuples():
        assert row.cluster_id == cluster_of[row.record_id]
        if row.field == "Id":
            assert row.original in by_id.index
            assert row.injected == row.record_id
            assert cluster_of[row.original] == row.cluster_id
        else:
            assert by_id.at[row.record_id, row.field] == row.injected != row.original


def test_corrupted_emails_fail_an_email_check_and_the_others_pass() -> None:
    df = people_frame()
    out, defects = run(defect("corrupt_emails"), df)
    broken = out["Id"].isin(defects["record_id"])
    assert not out.loc[broken, "Email"].str.match(EMAIL).any()
    assert out.loc[~broken, "Email"].str.match(EMAIL).all()


def test_corrupted_phones_are_short_lettered_or_placeholders() -> None:
    df = people_frame()
    out, defects = run(defect("corrupt_phones"), df)
    broken = out.loc[out["Id"].isin(defects["record_id"]), "Phone"]
    digits = broken.str.replace(r"\D", "", regex=True)
    lettered = broken.str.contains(r"[A-Za-z]")
    valid = (digits.str.len() >= 10) & ~lettered & ~digits.str.fullmatch("0+")
    assert not valid.any()


@pytest.mark.parametrize(
    ("name", "column", "variants", "reverse"),
    [
        ("respell_countries", "Country", COUNTRY_VARIANTS, COUNTRY_VARIANTS_REVERSED),
        ("respell_industries", "Industry", INDUSTRY_VARIANTS, INDUSTRY_VARIANTS_REVERSED),
    ],
)
def test_respelled_values_map_back_to_their_canonical_value(
    name: str, column: str, variants: dict[str, Sequence[str]], reverse: dict[str, str]
) -> None:
    assert len(reverse) == sum(len(v) for v in variants.values())  # no variant is ambiguous
    assert not set(reverse) & set(variants)
    df = people_frame()
    _, defects = run(defect(name), df)
    assert (defects["injected"].map(reverse) == defects["original"]).all()
    assert defects["injected"].nunique() > len(variants)


def test_the_variant_tables_cover_the_common_countries_and_a_nickname_table_ships() -> None:
    assert len(COUNTRY_VARIANTS) >= 15
    assert {"US", "GB", "DE", "FR"} <= set(COUNTRY_VARIANTS)
    assert {"U.S.", "America", "England", "Deutschland"} <= set(COUNTRY_VARIANTS_REVERSED)
    assert sum(len(n) for n in NICKNAMES.values()) >= 60
    assert {("Robert", "Bob"), ("William", "Bill"), ("Elizabeth", "Liz")} <= {
        (f, n) for f, ns in NICKNAMES.items() for n in ns
    }


def test_orphaned_references_point_at_ids_that_exist_nowhere() -> None:
    df = people_frame()
    out, defects = run(defect("orphan_references"), df)
    known = set(df["AccountId"])
    orphaned = out.loc[out["Id"].isin(defects["record_id"]), "AccountId"]
    assert len(orphaned) == round(0.005 * N)
    assert not set(orphaned) & known


def test_blanking_a_non_text_column_leaves_it_missing() -> None:
    df = people_frame()
    log = DefectLog()
    rng = np.random.default_rng(1)
    out = blank_required(df, ["Score"], id_column="Id", rate=0.02, rng=rng, log=log, **WHERE)
    assert out["Score"].isna().sum() == round(0.02 * N)
    assert (log.to_frame()["injected"] == "").all()
