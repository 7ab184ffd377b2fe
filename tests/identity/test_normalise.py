"""Normal forms: the variants CRM data carries agree, different values stay different."""

from __future__ import annotations

import pytest

from revops.identity.normalise import (
    canonical_first_name,
    company_key,
    email_domain,
    email_local,
    first_name_forms,
    nickname_table,
    normal_company_name,
    normal_domain,
    normal_email,
    normal_phone,
)


@pytest.mark.parametrize(
    "variant",
    ["Acme Inc.", "ACME, Incorporated", "acme inc", "Acme, Inc", "ACME", "Acme Corp", "Acme LLC"],
)
def test_legal_suffixes_punctuation_and_case_do_not_change_a_company_name(variant: str) -> None:
    assert normal_company_name(variant) == "acme"


def test_a_legal_word_inside_a_name_is_kept() -> None:
    assert normal_company_name("The Company Store Ltd") == "the company store"
    assert normal_company_name("Acme Labs") != normal_company_name("Acme")


def test_spaced_and_dotted_legal_forms_are_removed() -> None:
    assert normal_company_name("Kinta Group S.A. de C.V.") == "kinta group"
    assert normal_company_name("Widgets L.L.C.") == "widgets"
    assert company_key("Velva Health GmbH") == company_key("VELVAHEALTH")


def test_websites_typed_another_way_give_one_domain() -> None:
    for typed in ("acme.com", "www.acme.com", "https://www.Acme.com/", "http://acme.com:443/x"):
        assert normal_domain(typed) == "acme.com"
    assert normal_domain("localhost") is None


def test_free_mailboxes_say_nothing_about_the_company() -> None:
    assert email_domain("ann@gmail.com") is None
    assert email_domain("Ann@Initech.com") == "initech.com"
    assert normal_email("ann(at)initech") is None


def test_mailbox_names_agree_across_dots_tags_and_numbers() -> None:
    assert email_local("robert.smith@acme.com") == email_local("robertsmith42@gmail.com")
    assert email_local("r.smith@acme.com") != email_local("robert.smith@acme.com")


def test_phone_numbers_compare_by_their_digits() -> None:
    assert normal_phone("+1 (415) 555-0100") == normal_phone("1-415-555-0100")
    assert normal_phone("123") is None


def test_nicknames_share_a_form_with_their_name() -> None:
    assert set(first_name_forms("Bob")) & set(first_name_forms("Robert"))
    assert set(first_name_forms("Liz")) & set(first_name_forms("Elizabeth"))
    assert not set(first_name_forms("Bob")) & set(first_name_forms("William"))
    assert canonical_first_name("Bill") == canonical_first_name("william")


def test_the_shipped_nickname_table_maps_nicknames_to_formal_names() -> None:
    table = nickname_table()
    assert len(table) > 100
    assert "patricia" in table["pat"]
    assert "patrick" in table["pat"]


def test_a_lead_whose_domain_is_a_free_provider_has_no_company_domain() -> None:
    import pyarrow as pa

    from revops.identity.records import person_records

    raw = pa.table(
        {
            "unique_id": ["lead:1", "lead:2"], "entity": ["lead"] * 2, "record_id": ["1", "2"],
            "source_system": ["crm"] * 2, "source_id": ["1", "2"],
            "first_name": ["Steve", "Ann"], "last_name": ["Taylor", "Lee"],
            "email": ["taylor.steve73@gmail.com", "ann@gmail.com"], "phone": [None, None],
            "company": ["Zenium Holdings", None], "company_domain": ["gmail.com", "acme.com"],
        }
    )  # fmt: skip
    rows = person_records(raw).to_pylist()
    assert [r["company_domain"] for r in rows] == [None, "acme.com"]
    assert rows[0]["company_key"] == company_key("Zenium Holdings")
    assert [r["email_number"] for r in rows] == ["73", ""]
