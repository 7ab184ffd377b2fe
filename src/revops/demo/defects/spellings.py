"""Countries and industries typed the many ways people type them, instead of canonically."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from revops.demo.defects.log import Defect, DefectLog
from revops.demo.defects.selection import column_text, pick, put

# ISO 3166 alpha-2 code → how people write the country instead (no variant is shared).
COUNTRY_VARIANTS: dict[str, tuple[str, ...]] = {
    "US": ("USA", "U.S.", "U.S.A.", "United States", "united states", "America", "us"),
    "GB": ("UK", "U.K.", "United Kingdom", "Great Britain", "England", "gb"),
    "DE": ("Germany", "Deutschland", "germany", "DEU"),
    "FR": ("France", "france", "FRA", "République française"),
    "CA": ("Canada", "canada", "CAN"),
    "AU": ("Australia", "australia", "AUS", "Aus"),
    "NL": ("Netherlands", "The Netherlands", "Holland", "Nederland", "NLD"),
    "IE": ("Ireland", "Republic of Ireland", "Éire", "IRL"),
    "ES": ("Spain", "España", "spain", "ESP"),
    "IT": ("Italy", "Italia", "italy", "ITA"),
    "SE": ("Sweden", "Sverige", "sweden", "SWE"),
    "CH": ("Switzerland", "Schweiz", "Suisse", "CHE"),
    "IN": ("India", "india", "IND", "Bharat"),
    "JP": ("Japan", "japan", "JPN", "Nippon"),
    "SG": ("Singapore", "singapore", "SGP", "Republic of Singapore"),
    "BR": ("Brazil", "Brasil", "brazil", "BRA"),
    "MX": ("Mexico", "México", "mexico", "MEX"),
    "IL": ("Israel", "israel", "ISR"),
    "DK": ("Denmark", "Danmark", "denmark", "DNK"),
    "NO": ("Norway", "Norge", "norway", "NOR"),
    "BE": ("Belgium", "Belgique", "België", "BEL"),
    "NZ": ("New Zealand", "new zealand", "NZL", "Aotearoa"),
}

# Canonical industry → how CRMs, enrichment tools and people label it instead.
INDUSTRY_VARIANTS: dict[str, tuple[str, ...]] = {
    "Software": ("software", "SaaS", "Computer Software", "Software & Services", "Tech"),
    "Financial Services": ("Finance", "Banking", "FinServ", "financial services", "Fintech"),
    "Healthcare": ("Health Care", "healthcare", "Hospital & Health Care", "Medical"),
    "Manufacturing": ("manufacturing", "Industrial", "Industrials", "Mfg"),
    "Retail": ("retail", "Retail & E-commerce", "E-Commerce", "Consumer Goods"),
    "Education": ("education", "EdTech", "Higher Education", "E-Learning"),
    "Media": ("media", "Media & Entertainment", "Publishing", "Entertainment"),
    "Telecommunications": ("Telecom", "telecommunications", "Telco", "Wireless"),
    "Professional Services": ("Consulting", "Management Consulting", "professional services"),
    "Logistics": ("logistics", "Transportation", "Supply Chain", "Logistics & Supply Chain"),
    "Energy": ("energy", "Oil & Energy", "Utilities", "Renewables"),
    "Real Estate": ("real estate", "Property", "Commercial Real Estate", "PropTech"),
    "Insurance": ("insurance", "InsurTech", "Insurance Services"),
    "Government": ("government", "Public Sector", "Government Administration"),
    "Nonprofit": ("Non-Profit", "nonprofit", "NGO", "Non-profit Organization Management"),
    "Hospitality": ("hospitality", "Travel & Hospitality", "Leisure, Travel & Tourism"),
}


def respell_countries(
    df: pd.DataFrame,
    column: str,
    *,
    id_column: str,
    rate: float,
    rng: np.random.Generator,
    log: DefectLog,
    system: str,
    object: str,
) -> pd.DataFrame:
    """A copy of `df` where `round(rate × len(df))` rows holding a known ISO country code
    spell it another way, drawn from `COUNTRY_VARIANTS` (US → "U.S.", GB → "England").

    Examples:
        >>> log = DefectLog()
        >>> df = pd.DataFrame({"Id": ["a", "b"], "Country": ["US", "GB"]})
        >>> out = respell_countries(df, "Country", id_column="Id", rate=1.0,
        ...                         rng=np.random.default_rng(3), log=log,
        ...                         system="salesforce", object="Account")
        >>> [COUNTRY_VARIANTS_REVERSED[value] for value in out["Country"]]
        ['US', 'GB']
    """
    return _respell(
        df,
        column,
        COUNTRY_VARIANTS,
        "inconsistent_country",
        id_column=id_column,
        rate=rate,
        rng=rng,
        log=log,
        system=system,
        object=object,
    )


def respell_industries(
    df: pd.DataFrame,
    column: str,
    *,
    id_column: str,
    rate: float,
    rng: np.random.Generator,
    log: DefectLog,
    system: str,
    object: str,
) -> pd.DataFrame:
    """A copy of `df` where `round(rate × len(df))` rows holding a canonical industry
    label it another way, drawn from `INDUSTRY_VARIANTS` (Software → "SaaS")."""
    return _respell(
        df,
        column,
        INDUSTRY_VARIANTS,
        "inconsistent_industry",
        id_column=id_column,
        rate=rate,
        rng=rng,
        log=log,
        system=system,
        object=object,
    )


def _reverse(variants: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {variant: canonical for canonical, alts in variants.items() for variant in alts}


COUNTRY_VARIANTS_REVERSED = _reverse(COUNTRY_VARIANTS)
INDUSTRY_VARIANTS_REVERSED = _reverse(INDUSTRY_VARIANTS)


def _respell(
    df: pd.DataFrame,
    column: str,
    variants: Mapping[str, tuple[str, ...]],
    defect: Defect,
    *,
    id_column: str,
    rate: float,
    rng: np.random.Generator,
    log: DefectLog,
    system: str,
    object: str,
) -> pd.DataFrame:
    out = df.copy()
    eligible = df[column].isin(list(variants)).to_numpy(dtype=bool)
    rows = pick(rng, eligible, rate)
    original = column_text(df, column, rows).to_numpy(dtype="O")
    injected = original.copy()
    draws = rng.random(len(rows))
    # One vectorised draw per canonical value: a handful of groups, not a loop over rows.
    for canonical, alternatives in variants.items():
        here = original == canonical
        choice = (draws[here] * len(alternatives)).astype(int)
        injected[here] = np.asarray(alternatives, dtype="O")[choice]
    put(out, column, rows, injected)
    log.record(
        system=system,
        object=object,
        defect=defect,
        field=column,
        record_ids=df[id_column].to_numpy()[rows],
        original=original,
        injected=injected,
    )
    return out
