"""The demo company's marketing automation, exported as HubSpot gives it.

`hubspot/contacts.csv` holds contacts with HubSpot's internal property names
(`hs_object_id`, `lifecyclestage`, `hs_lifecyclestage_<stage>_date`…) and ISO timestamps
with milliseconds (`2024-03-01T14:05:00.123Z`); `form_submissions.csv` and
`email_events.csv` hold what contacts did (see :mod:`revops.demo.exports.hubspot_events`).

HubSpot knows the same people as Salesforce except outbound prospects marketing never
touched, and nothing links the two but email and name. As in real life the two disagree
now and then: a name typed with a typo, a personal address instead of the work one, an
address in other letter case. :func:`hubspot_crosswalk` draws those differences and
returns them, so the ground truth can keep them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from revops.demo.defects.addresses import PersonalAddresses
from revops.demo.defects.names import TYPO_KINDS, typo
from revops.demo.exports.files import LazyRows, write_csv
from revops.demo.exports.hubspot_events import (
    build_email_campaigns,
    build_email_events,
    build_form_submissions,
    build_forms,
    draw_form_guids,
    hubspot_time,
    is_subscriber,
)
from revops.demo.exports.salesforce_format import as_datetime64, frame_of, sf_text
from revops.demo.exports.salesforce_people import person_records
from revops.demo.frames import World
from revops.demo.ids import canonical_number, hubspot_id

# Address, birth date and primary company properties a real export has; the demo company
# leaves them blank (its companies are Salesforce's, not HubSpot's).
POSTAL_COLUMNS = [
    "address",
    "city",
    "zip",
    "state",
    "country",
    "date_of_birth",
    "associatedcompanyid",
]
CONTACT_COLUMNS = [
    "hs_object_id", "email", "firstname", "lastname", "company", "phone", "jobtitle",
    "lifecyclestage", "hs_analytics_source", "hs_lifecyclestage_subscriber_date",
    "hs_lifecyclestage_lead_date", "hs_lifecyclestage_marketingqualifiedlead_date",
    "hs_lifecyclestage_salesqualifiedlead_date", "hs_lifecyclestage_opportunity_date",
    "hs_lifecyclestage_customer_date", "createdate", "lastmodifieddate", *POSTAL_COLUMNS,
]  # fmt: skip
CROSSWALK_COLUMNS = [
    "person_id", "hubspot_id", "salesforce_id", "kind_of_difference",
    "hubspot_firstname", "hubspot_lastname", "hubspot_email",
]  # fmt: skip
# Shares of HubSpot contacts whose name or email differs from Salesforce's.
NAME_TYPO_RATE = 0.03
PERSONAL_EMAIL_RATE = 0.03
EMAIL_CASE_RATE = 0.02
PERSONAL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com"]
DIFFERENCES = np.array(["none", "name_typo", "personal_email", "email_case"], dtype=object)
# Channel → Original Source; organic visitors split across the sources HubSpot sees.
ANALYTICS_SOURCE = {
    "paid_search": "PAID_SEARCH",
    "paid_social": "PAID_SOCIAL",
    "events": "OFFLINE",
    "outbound": "OFFLINE",
    "partner": "REFERRALS",
    "referral": "REFERRALS",
}
ORGANIC_SOURCES = {
    "ORGANIC_SEARCH": 0.6,
    "DIRECT_TRAFFIC": 0.2,
    "SOCIAL_MEDIA": 0.1,
    "EMAIL_MARKETING": 0.1,
}
# Lifecycle stage → the world's timestamp of reaching it, from the furthest down.
STAGES = {
    "customer": "customer_at",
    "opportunity": "opportunity_at",
    "salesqualifiedlead": "sql_at",
    "marketingqualifiedlead": "mql_at",
}


def hubspot_crosswalk(
    world: World, rng: np.random.Generator, addresses: PersonalAddresses | None = None
) -> pd.DataFrame:
    """Who each HubSpot contact is, and how HubSpot's copy differs from Salesforce's.

    One row per HubSpot contact, sorted by id: `person_id`, `hubspot_id`,
    `salesforce_id` (the Contact id, else the Lead id), `kind_of_difference` (`none`,
    `name_typo`, `personal_email`, `email_case`) and the name and email as HubSpot holds
    them. Personal addresses are claimed in `addresses` (a fresh book without one), so
    two namesakes never share one.
    """
    return _draw_crosswalk(_hubspot_people(world), rng, addresses or PersonalAddresses())


def _draw_crosswalk(
    people: pd.DataFrame, rng: np.random.Generator, addresses: PersonalAddresses
) -> pd.DataFrame:
    first, last, email = (sf_text(people[c]) for c in ("first_name", "last_name", "email"))
    size = len(people)
    draw, side, op, spot, key = (rng.random(size) for _ in range(5))
    domain = rng.integers(0, len(PERSONAL_DOMAINS), size)
    digits = rng.integers(1, 100, size)
    kind = DIFFERENCES[
        np.select(
            [
                draw < NAME_TYPO_RATE,
                draw < NAME_TYPO_RATE + PERSONAL_EMAIL_RATE,
                draw < NAME_TYPO_RATE + PERSONAL_EMAIL_RATE + EMAIL_CASE_RATE,
            ],
            [1, 2, 3],
            0,
        )
    ]
    typo_last = (last.str.len() >= 2) & ((side < 0.5) | (first.str.len() < 2))
    typo_first = ~typo_last & (first.str.len() >= 2)
    kind[(kind == "name_typo") & ~(typo_last | typo_first)] = "none"
    is_typo = kind == "name_typo"
    new_last = _with_typos(last, is_typo & typo_last.to_numpy(), op, spot, key)
    new_first = _with_typos(first, is_typo & typo_first.to_numpy(), op, spot, key)
    # Recased and personal addresses are worked out only for the few contacts with one.
    new_email = email.copy()
    case = np.flatnonzero(kind == "email_case")
    cased = _recased(email.iloc[case]).to_numpy()
    kind[case[cased == email.iloc[case].to_numpy()]] = "none"
    new_email.iloc[case] = cased
    mine = np.flatnonzero(kind == "personal_email")
    given, family, work = (text.iloc[mine].reset_index(drop=True) for text in (first, last, email))
    personal = _personal_email(given, family, work, domain[mine], digits[mine])
    owners = people["person_id"].iloc[mine].astype(str).tolist()
    new_email.iloc[mine] = addresses.claim(personal.tolist(), owners)
    return pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy(),
            "hubspot_id": hubspot_id(canonical_number(people["person_id"])),
            "salesforce_id": people["sfid"].to_numpy(),
            "kind_of_difference": kind,
            "hubspot_firstname": new_first.to_numpy(),
            "hubspot_lastname": new_last.to_numpy(),
            "hubspot_email": new_email.to_numpy(),
        },
        columns=CROSSWALK_COLUMNS,
    )


def hubspot_files(
    world: World, rng: np.random.Generator, *, crosswalk: pd.DataFrame | None = None
) -> Iterator[tuple[str, pd.DataFrame | LazyRows]]:
    """HubSpot's files, one after the other: (file stem, rows), all values as text.

    Each file is built only when the iteration reaches it (they draw from one generator
    in turn), so a caller that writes each before taking the next holds one at a time.

    Without a `crosswalk`, it is drawn as :func:`hubspot_crosswalk` draws it from `rng`.
    Everything else is drawn from a child generator spawned from `rng`, independent of
    the crosswalk's draws: a crosswalk drawn beforehand from this `rng` or from a fresh
    generator of the same seed gives the same files as none.
    """
    people = _hubspot_people(world)
    events = rng.spawn(1)[0]
    if crosswalk is None:
        crosswalk = _draw_crosswalk(people, rng, PersonalAddresses())
    else:  # line it up with the contacts, whatever order it comes in
        crosswalk = crosswalk.set_index("person_id").loc[people["person_id"]].reset_index()
    millis = events.integers(0, 1000, len(people))
    yield "contacts", _contacts(world, people, crosswalk, millis, events)
    guids = draw_form_guids(world, events)
    yield "forms", build_forms(world, guids)
    yield (
        "form_submissions",
        build_form_submissions(world, people, crosswalk, millis, events, guids),
    )
    del people  # the email events, the largest file, do without: let them go first
    yield "email_campaigns", build_email_campaigns(world)
    yield "email_events", build_email_events(world, crosswalk, events)


def export_hubspot(
    world: World,
    out_dir: Path,
    rng: np.random.Generator,
    *,
    crosswalk: pd.DataFrame | None = None,
) -> dict[str, int]:
    """Write `out_dir/hubspot/<file>.csv`; file stem → rows written.

    The arguments are those of :func:`hubspot_files`.
    """
    return {
        name: write_csv(rows, out_dir, f"hubspot/{name}.csv")
        for name, rows in hubspot_files(world, rng, crosswalk=crosswalk)
    }


def _hubspot_people(world: World) -> pd.DataFrame:
    """The people HubSpot knows: all but outbound prospects marketing never touched."""
    people = person_records(world)
    touched = people["person_id"].isin(frame_of(world, "touches")["person_id"])
    untouched_outbound = (
        (people["channel"] == "outbound") & (sf_text(people["campaign_id"]) == "") & ~touched
    )
    return people[~untouched_outbound].reset_index(drop=True)


def _contacts(
    world: World,
    people: pd.DataFrame,
    crosswalk: pd.DataFrame,
    millis: npt.NDArray[np.int64],
    rng: np.random.Generator,
) -> pd.DataFrame:
    reached = {stage: as_datetime64(people[column], "s") for stage, column in STAGES.items()}
    created = as_datetime64(people["created_at"], "s")
    subscriber = is_subscriber(world, people)
    stage = np.select(
        [~np.isnat(stamps) for stamps in reached.values()] + [subscriber],
        [*reached, "subscriber"],
        "lead",
    )
    organic = rng.choice(list(ORGANIC_SOURCES), size=len(people), p=list(ORGANIC_SOURCES.values()))
    source = people["channel"].map(ANALYTICS_SOURCE).to_numpy(dtype=object)
    source = np.where(people["channel"] == "organic", organic, source)
    accounts = frame_of(world, "accounts").drop_duplicates("account_id").set_index("account_id")
    none = np.datetime64("NaT", "s")
    modified = np.fmax.reduce([created, *reached.values()])
    columns = {
        "hs_object_id": crosswalk["hubspot_id"],
        "email": crosswalk["hubspot_email"],
        "firstname": crosswalk["hubspot_firstname"],
        "lastname": crosswalk["hubspot_lastname"],
        "company": sf_text(people["account_id"].map(accounts["name"])),
        "phone": sf_text(people["phone"]),
        "jobtitle": sf_text(people["title"]),
        "lifecyclestage": pd.Series(stage, dtype=object),
        "hs_analytics_source": sf_text(pd.Series(source)),
        "hs_lifecyclestage_subscriber_date": hubspot_time(
            np.where(subscriber, created, none), millis
        ),
        "hs_lifecyclestage_lead_date": hubspot_time(np.where(subscriber, none, created), millis),
        **{
            f"hs_lifecyclestage_{name}_date": hubspot_time(reached[name], millis)
            for name in reversed(STAGES)
        },
        "createdate": hubspot_time(created, millis),
        "lastmodifieddate": hubspot_time(modified, millis),
        **{name: [""] * len(people) for name in POSTAL_COLUMNS},
    }
    return pd.DataFrame(
        {name: pd.Series(values).to_numpy(dtype=object) for name, values in columns.items()},
        columns=CONTACT_COLUMNS,
    )


def _with_typos(
    names: pd.Series,
    chosen: npt.NDArray[np.bool_],
    kind: npt.NDArray[np.float64],
    spot: npt.NDArray[np.float64],
    key: npt.NDArray[np.float64],
) -> pd.Series:
    """`names` with one typo in each chosen name (a Python loop over those few only).

    The first letter is kept: it is the one people get right.
    """
    out = names.copy()
    rows = np.flatnonzero(chosen)
    draws = zip(names.iloc[rows], kind[rows], spot[rows], key[rows], strict=True)
    out.iloc[rows] = [
        name[0] + typo(name[1:], TYPO_KINDS[int(k * len(TYPO_KINDS))], s, v)
        for name, k, s, v in draws
    ]
    return out


def _recased(email: pd.Series) -> pd.Series:
    """The address as someone typing it with capitals would: `Jane.Doe@acme.com`."""
    parts = email.str.extract(r"^(?P<local>[^@]*)(?P<rest>@.*)?$").fillna("")
    titled = parts["local"].str.title() + parts["rest"]
    return titled.where(titled != email, email.str.upper())


def _personal_email(
    first: pd.Series,
    last: pd.Series,
    email: pd.Series,
    domain: npt.NDArray[np.int64],
    digits: npt.NDArray[np.int64],
) -> pd.Series:
    """A personal address built from the name: `jane.doe@gmail.com`, `janedoe42@yahoo.com`…"""
    given, family = (_ascii_lower(name) for name in (first, last))
    number = pd.Series(digits).astype(str)
    host = pd.Series(np.array(PERSONAL_DOMAINS, dtype=object)[domain])
    patterns = np.select(
        [domain == 0, domain == 1, domain == 2],
        [given + "." + family, given + family + number, given.str[:1] + family],
        given + "_" + family,
    )
    local = pd.Series(patterns, dtype=object)
    local = local.where(local.str.strip("._") != "", "contact" + number)
    personal = local + "@" + host
    return personal.where(personal != email.str.lower(), local + number + "@" + host)


def _ascii_lower(names: pd.Series) -> pd.Series:
    ascii_names = names.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return ascii_names.str.lower().str.replace(r"[^a-z]", "", regex=True)
