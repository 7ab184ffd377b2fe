"""The companies the demo company's CRM knows: who they are, how big, where, and when
they entered the CRM.

About 60% are small businesses, 30% mid-market and 10% enterprises, sized by head count
(under 200, under 2,000, above). A first list is imported when the CRM starts; after that
companies arrive ever faster as the company grows. Each is owned by an AE of its segment
employed when it arrived, handed to another when that AE leaves. Its latent health (how
well the product fits it) later drives usage, tickets and churn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.demo.frames import FRAMES
from revops.demo.params import DemoParams, history_start
from revops.demo.world.org import (
    Array,
    Floats,
    Ints,
    day_numbers,
    employment,
    make_ids,
    pick_employed,
    stamps,
    words,
)

SEGMENT_MIX = (0.6, 0.3, 0.1)
# segment → (fewest, most employees, Beta shape of where between on a log scale)
EMPLOYEES = ((5, 199, 2.0, 3.0), (200, 1_999, 1.5, 3.0), (2_000, 250_000, 1.2, 4.0))
IMPORTED = 0.15  # share of the companies loaded when the CRM started
GROWTH = 0.45  # yearly growth of the rate at which new companies arrive
INDUSTRIES = np.array(
    ["Software", "Financial Services", "Healthcare", "Manufacturing", "Retail", "Education",
     "Media", "Telecommunications", "Professional Services", "Logistics", "Energy",
     "Real Estate", "Insurance", "Government", "Nonprofit", "Hospitality"], dtype=object,
)  # fmt: skip
INDUSTRY_WEIGHTS = np.array([18, 12, 9, 9, 8, 5, 5, 4, 9, 5, 3, 4, 4, 1.5, 1.5, 2.0])
# country, region, share, web domain suffix, legal form
COUNTRIES = [
    ("US", "NA", 42, ".com", " Inc"), ("CA", "NA", 5, ".ca", " Inc"),
    ("GB", "EMEA", 10, ".co.uk", " Ltd"), ("DE", "EMEA", 7, ".de", " GmbH"),
    ("FR", "EMEA", 5, ".fr", " SA"), ("NL", "EMEA", 3, ".nl", " B.V."),
    ("IE", "EMEA", 2, ".ie", " Ltd"), ("ES", "EMEA", 2, ".es", " S.L."),
    ("IT", "EMEA", 2, ".it", " S.p.A."), ("SE", "EMEA", 2, ".se", " AB"),
    ("CH", "EMEA", 1.5, ".ch", " AG"), ("IL", "EMEA", 1.5, ".co.il", " Ltd"),
    ("DK", "EMEA", 1, ".dk", " A/S"), ("NO", "EMEA", 1, ".no", " AS"),
    ("BE", "EMEA", 1, ".be", " NV"), ("AU", "APAC", 4, ".com.au", " Pty Ltd"),
    ("JP", "APAC", 2, ".jp", " K.K."), ("SG", "APAC", 1.5, ".sg", " Pte Ltd"),
    ("IN", "APAC", 2, ".in", " Pvt Ltd"), ("NZ", "APAC", 1, ".co.nz", " Ltd"),
    ("BR", "LATAM", 2, ".com.br", " Ltda"), ("MX", "LATAM", 1.5, ".mx", " S.A. de C.V."),
]  # fmt: skip
HEADS = words(
    "Ac Bel Cor Dal Ev Fal Gal Hal Ist Jun Kel Lum Mar Nor Orb Pal Quin Ros Sol Tor Ul Vel "
    "Wes Xan Yor Zen Ark Bri Cas Dun Ell Fen Gr Hy Ion Kin Lor Mer Nex Ost"
)
MIDDLES = words("a e i o u ar el on is ur an ev")
TAILS = words("ix ex ara ora ium on io ity ent ics ly va ta nova gen tek wise ful ico ant ia")
NOUNS = np.array(
    ["", "", "", "", " Labs", " Systems", " Group", " Health", " Foods", " Logistics",
     " Capital", " Energy", " Media", " Analytics", " Solutions", " Partners", " Industries",
     " Networks", " Robotics", " Bank", " Retail", " Learning", " Software", " Holdings"],
    dtype=object,
)  # fmt: skip


def simulate_accounts(
    params: DemoParams, users: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """`params.accounts` companies (FRAMES columns), numbered in the order they arrived."""
    n = params.accounts
    start = day_numbers(np.array([history_start(params)], dtype="M8[D]"))[0]
    now = day_numbers(np.array([params.as_of], dtype="M8[D]"))[0]
    created = np.sort(_arrivals(n, start, now, rng))
    segment = rng.choice(3, n, p=SEGMENT_MIX)
    low, high, a, b = (
        np.array(column, dtype=float)[segment] for column in zip(*EMPLOYEES, strict=True)
    )
    employees = np.round(np.exp(np.log(low) + rng.beta(a, b) * np.log(high / low)))
    revenue = employees * rng.lognormal(np.log(180_000), 0.5, n)
    revenue = np.where(employees > 1_000, np.round(revenue, -5), np.round(revenue, -3))
    country = rng.choice(len(COUNTRIES), n, p=_shares([c[2] for c in COUNTRIES]))
    name, domain = _names(country, rng)
    owner = pick_employed(users, "AE", segment, created, rng)
    _, left = employment(users)
    gone = left[owner] < now
    owner[gone] = pick_employed(users, "AE", segment[gone], np.full(gone.sum(), now), rng)
    table = np.array(COUNTRIES, dtype=object)
    accounts = pd.DataFrame(
        {
            "account_id": make_ids("acc", n, 6),
            "name": name,
            "domain": domain,
            "industry": INDUSTRIES[rng.choice(INDUSTRIES.size, n, p=_shares(INDUSTRY_WEIGHTS))],
            "employees": employees.astype(np.int64),
            "annual_revenue": revenue,
            "country": table[country, 0],
            "region": table[country, 1],
            "segment": np.array(["smb", "mid_market", "enterprise"], dtype=object)[segment],
            "created_at": stamps(created),
            "owner_id": users["user_id"].to_numpy(object)[owner],
            "health": np.round(rng.beta(2.2, 1.6, n), 3),
        }
    )
    return accounts[list(FRAMES["accounts"])]


def _shares(weights: list[float] | Floats) -> Floats:
    w = np.asarray(weights, dtype=float)
    shares: Floats = w / w.sum()
    return shares


def _arrivals(n: int, start: float, now: float, rng: np.random.Generator) -> Floats:
    """Day numbers companies entered the CRM: an import in the first weeks, then a rate
    growing by GROWTH a year (drawn through the inverse of its cumulative share)."""
    imported = rng.random(n) < IMPORTED
    rate = np.log1p(GROWTH) / 365.25
    span = now - start
    u = rng.random(n)
    later = start + np.log1p(u * np.expm1(rate * span)) / rate
    arrived: Floats = np.where(imported, start + rng.uniform(0, 21, n), later)
    return np.minimum(arrived, now - 1 / 24)


def _names(country: Ints, rng: np.random.Generator) -> tuple[Array, Array]:
    """Company names (`Velora Analytics Inc`) and unique web domains (`veloraanalytics.com`)."""
    n = country.size
    head = pd.Series(HEADS[rng.integers(0, HEADS.size, n)])
    middle = np.where(rng.random(n) < 0.3, MIDDLES[rng.integers(0, MIDDLES.size, n)], "")
    root = head + middle + TAILS[rng.integers(0, TAILS.size, n)]
    noun = pd.Series(NOUNS[rng.integers(0, NOUNS.size, n)])
    table = np.array(COUNTRIES, dtype=object)
    legal = np.where(rng.random(n) < 0.55, table[country, 4], "")
    name = root + noun + legal
    suffix = np.where(
        rng.random(n) < 0.4,
        table[country, 3],
        np.array([".com", ".com", ".com", ".io", ".co"], dtype=object)[rng.integers(0, 5, n)],
    )
    slug = (root + noun).str.lower().str.replace(" ", "", regex=False)
    repeat = slug.groupby(slug.to_numpy(), sort=False).cumcount().to_numpy()
    slug = slug.where(repeat == 0, slug + "-" + (repeat + 1).astype(str))
    return name.to_numpy(object), (slug + suffix).to_numpy(object)
