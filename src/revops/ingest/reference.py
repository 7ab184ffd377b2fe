"""Reference data the mappings validate and normalise against: countries, currencies,
and the patterns of a well-formed email address and phone number."""

from __future__ import annotations

from functools import cache

import pycountry

EMAIL_PATTERN = r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
"""A plausible address: one @, no spaces, a domain with a top-level part."""

PHONE_PATTERN = r"^\+?[1-9][0-9]{7,14}$"
"""E.164 once spaces, dashes, dots and brackets are removed: 8 to 15 digits, no leading 0."""

# Spellings people type that pycountry's names, official names and codes do not cover.
_COUNTRY_ALIASES = {
    "america": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "u.s": "US",
    "united states of america": "US",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "great britain": "GB",
    "uk": "GB",
    "u.k.": "GB",
    "aus": "AU",
    "deutschland": "DE",
    "nederland": "NL",
    "holland": "NL",
    "the netherlands": "NL",
    "españa": "ES",
    "espana": "ES",
    "schweiz": "CH",
    "suisse": "CH",
    "brasil": "BR",
    "méxico": "MX",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "uae": "AE",
    "republic of singapore": "SG",
    "republic of ireland": "IE",
    "éire": "IE",
    "eire": "IE",
    "bharat": "IN",
    "belgië": "BE",
    "belgique": "BE",
    "belgien": "BE",
    "österreich": "AT",
    "sverige": "SE",
    "norge": "NO",
    "danmark": "DK",
    "suomi": "FI",
    "italia": "IT",
    "nihon": "JP",
    "nippon": "JP",
    "polska": "PL",
    "turkey": "TR",
    "svizzera": "CH",
    "mexico": "MX",
    "brazil": "BR",
    "the united states": "US",
    "the uk": "GB",
    "république française": "FR",
    "aotearoa": "NZ",
}


@cache
def country_aliases() -> dict[str, str]:
    """Lower-case spelling → ISO 3166-1 alpha-2 code, for every country."""
    aliases: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for spelling in (
            code,
            country.alpha_3,
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        ):
            if spelling:
                aliases.setdefault(spelling.casefold(), code)
    aliases.update(_COUNTRY_ALIASES)
    return aliases


@cache
def currency_codes() -> frozenset[str]:
    """Every ISO 4217 currency code."""
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)
