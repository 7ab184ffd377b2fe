"""What HubSpot contacts did: form submissions and marketing email events, and the forms
and email campaigns they name.

`form_submissions.csv` has one row per form a contact submitted, as HubSpot's form
submissions API gives it (`conversionId`, `submittedAt`, `formGuid`, `pageUrl`): the form
that made a web visitor a contact, and the registration or download form of each webinar,
ebook or event they responded to. `email_events.csv` has the email events API's events
(`SENT`, `DELIVERED`, `BOUNCE`, `OPEN`, `CLICK`) of the email, webinar and event
campaigns' sends; events carry the recipient's address, not a contact id, so joining them
to contacts is left to the address, as with the real API.

A HubSpot export also lists what those rows point at, as a real portal would: `forms.csv`
(the forms API, `/marketing/v3/forms`: `id`, `name`, `formType`, `createdAt`,
`updatedAt`, `archived`) holds every form a submission names (`formGuid`), and
`email_campaigns.csv` (the email campaigns API, `/email/public/v1/campaigns/{id}`: `id`,
`appId`, `appName`, `name`, `subject`, `type`, `lastProcessingFinishedAt`) every email
campaign an event names (`emailCampaignId`), so no touch refers to a campaign the export
does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from revops.demo.exports.files import LazyRows
from revops.demo.exports.salesforce_format import as_datetime64, by_number, frame_of, sf_text
from revops.demo.frames import World
from revops.demo.ids import (
    canonical_number,
    hubspot_id,
    random_uuid,
    random_uuid_bytes,
    uuid_text,
)

SITE = "https://www.revops-demo.com"
FORM_COLUMNS = [
    "conversionId", "submittedAt", "formGuid", "formName", "pageUrl", "contactId", "email",
]  # fmt: skip
EMAIL_EVENT_COLUMNS = ["id", "created", "type", "recipient", "emailCampaignId", "url"]
FORMS_COLUMNS = ["id", "name", "formType", "createdAt", "updatedAt", "archived"]
EMAIL_CAMPAIGN_COLUMNS = [
    "id", "appId", "appName", "name", "subject", "type", "lastProcessingFinishedAt",
]  # fmt: skip
# The portal's site forms exist from before the company's first campaign.
SITE_FORMS_CREATED = np.datetime64("2020-01-06T09:00:00", "s")
# The site's own forms: key → (name, page).
SITE_FORMS = {
    "demo": ("Demo Request", "/demo"),
    "trial": ("Free Trial", "/pricing"),
    "contact": ("Contact Us", "/"),
    "newsletter": ("Newsletter Signup", "/blog/revenue-operations-guide"),
}
# Channel → the form a visitor from it converts on, and the query string of the visit.
FIRST_FORM = {
    "paid_search": ("demo", "?utm_source=google&utm_medium=cpc"),
    "paid_social": ("trial", "?utm_source=linkedin&utm_medium=paid_social"),
    "organic": ("contact", ""),
    "referral": ("contact", "?utm_source=g2.com&utm_medium=referral"),
}
# Campaign type → (form name suffix, site section) for campaigns with a form.
CAMPAIGN_FORMS = {
    "webinar": ("Registration", "webinars"),
    "ebook": ("Download", "resources"),
    "event": ("Registration", "events"),
}
EMAILED = {"email": "blog", "webinar": "webinars", "event": "events"}
BOUNCE_RATE = 0.01
OPEN_RATE = 0.3  # of delivered emails the recipient did not respond to
EVENT_ORDER = {"SENT": 0, "DELIVERED": 1, "BOUNCE": 1, "OPEN": 2, "CLICK": 3}
VALID_EMAIL = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"


@dataclass(frozen=True)
class FormGuids:
    """The guid of each site form (key of :data:`SITE_FORMS`) and campaign form."""

    site: dict[str, str]
    campaign: pd.Series


def draw_form_guids(world: World, rng: np.random.Generator) -> FormGuids:
    """A guid per site form and per campaign: the forms submissions name and the forms
    export lists."""
    campaigns = _campaigns(world)
    site = dict(zip(SITE_FORMS, random_uuid(rng, len(SITE_FORMS)), strict=True))
    campaign = pd.Series(random_uuid(rng, len(campaigns)), index=campaigns["campaign_id"])
    return FormGuids(site, campaign)


def build_forms(world: World, guids: FormGuids) -> pd.DataFrame:
    """The portal's forms: the site's own, and the registration or download form of each
    webinar, ebook and event campaign (created two weeks before it starts)."""
    campaigns = _campaigns(world)
    if len(campaigns):
        campaigns = campaigns[campaigns["type"].isin(list(CAMPAIGN_FORMS))]
    suffix = campaigns["type"].map({k: v[0] for k, v in CAMPAIGN_FORMS.items()})
    start = (
        as_datetime64(campaigns["start_date"], "s")
        if len(campaigns)
        else np.array([], dtype="datetime64[s]")
    )
    created = np.concatenate(
        [
            np.full(len(SITE_FORMS), SITE_FORMS_CREATED),
            start - np.timedelta64(14, "D") + np.timedelta64(9, "h"),
        ]
    )
    stamps = hubspot_time(created, np.zeros(len(created), dtype=np.int64)).to_numpy()
    names = [name for name, _ in SITE_FORMS.values()]
    return pd.DataFrame(
        {
            "id": [guids.site[k] for k in SITE_FORMS]
            + list(campaigns["campaign_id"].map(guids.campaign)),
            "name": names + list(campaigns["name"] + " - " + suffix),
            "formType": "hubspot",
            "createdAt": stamps,
            "updatedAt": stamps,
            "archived": "false",
        },
        columns=FORMS_COLUMNS,
    )


def build_email_campaigns(world: World) -> pd.DataFrame:
    """An email campaign (HubSpot's batch email) per email, webinar and event campaign:
    the `emailCampaignId` of its sends' events."""
    campaigns = _campaigns(world)
    if len(campaigns):
        campaigns = campaigns[campaigns["type"].isin(list(EMAILED))]
    start = (
        as_datetime64(campaigns["start_date"], "s")
        if len(campaigns)
        else np.array([], dtype="datetime64[s]")
    )
    finished = (start + np.timedelta64(10, "h")).astype("datetime64[ms]").astype(np.int64)
    return pd.DataFrame(
        {
            "id": hubspot_id(canonical_number(campaigns["campaign_id"]), lead=2),
            "appId": "113",
            "appName": "Batch",
            "name": campaigns["name"].to_numpy(),
            "subject": campaigns["name"].to_numpy(),
            "type": "BATCH_EMAIL",
            "lastProcessingFinishedAt": finished.astype(str),
        },
        columns=EMAIL_CAMPAIGN_COLUMNS,
    )


def build_form_submissions(
    world: World,
    people: pd.DataFrame,
    crosswalk: pd.DataFrame,
    millis: npt.NDArray[np.int64],
    rng: np.random.Generator,
    guids: FormGuids,
) -> pd.DataFrame:
    """Form submissions, sorted by time; a contact's first one is at its `createdate`;
    `guids` as :func:`draw_form_guids` drew them from `rng` just before."""
    site_guids, campaign_guids = guids.site, guids.campaign
    first_form = people["channel"].map({k: v[0] for k, v in FIRST_FORM.items()})
    first_form = first_form.where(~is_subscriber(world, people), "newsletter")
    joined = first_form.notna() & (sf_text(people["campaign_id"]) == "")
    joined &= people["created_at"].notna()
    form = first_form[joined]
    query = people.loc[joined, "channel"].map({k: v[1] for k, v in FIRST_FORM.items()})
    first = pd.DataFrame(
        {
            "at": as_datetime64(people.loc[joined, "created_at"], "s"),
            "millis": millis[joined.to_numpy()],
            "guid": form.map(site_guids),
            "name": form.map({k: v[0] for k, v in SITE_FORMS.items()}),
            "page": SITE + form.map({k: v[1] for k, v in SITE_FORMS.items()}) + query,
            "person_id": people.loc[joined, "person_id"],
        }
    )
    responses = _members(world, set(crosswalk["person_id"]))
    responses = responses[responses["responded"].notna()]
    responses = responses[responses["type"].isin(list(CAMPAIGN_FORMS))].reset_index(drop=True)
    suffix = responses["type"].map({k: v[0] for k, v in CAMPAIGN_FORMS.items()})
    section = responses["type"].map({k: v[1] for k, v in CAMPAIGN_FORMS.items()})
    later = pd.DataFrame(
        {
            "at": as_datetime64(responses["responded"], "s"),
            "millis": rng.integers(0, 1000, len(responses)),
            "guid": responses["campaign_id"].map(campaign_guids),
            "name": responses["name"] + " - " + suffix,
            "page": SITE + "/" + section + "/" + responses["slug"],
            "person_id": responses["person_id"],
        }
    )
    rows = pd.concat([first, later], ignore_index=True)
    moment = _with_millis(rows["at"].to_numpy(), rows["millis"].to_numpy())
    order = np.lexsort((canonical_number(rows["person_id"]), moment))
    rows = rows.iloc[order].reset_index(drop=True)
    contact = crosswalk.set_index("person_id")
    return pd.DataFrame(
        {
            "conversionId": random_uuid(rng, len(rows)),
            "submittedAt": hubspot_time(rows["at"].to_numpy(), rows["millis"]).to_numpy(),
            "formGuid": rows["guid"].to_numpy(),
            "formName": rows["name"].to_numpy(),
            "pageUrl": rows["page"].to_numpy(),
            "contactId": rows["person_id"].map(contact["hubspot_id"]).to_numpy(),
            "email": rows["person_id"].map(contact["hubspot_email"]).to_numpy(),
        },
        columns=FORM_COLUMNS,
    )


def build_email_events(world: World, crosswalk: pd.DataFrame, rng: np.random.Generator) -> LazyRows:
    """The events of each campaign email sent to a contact, sorted by time.

    Every send is `SENT`, then `DELIVERED` or (for a malformed address, or now and then)
    `BOUNCE`; recipients who responded to the campaign `OPEN` and `CLICK` just before
    they responded, and some who did not respond still `OPEN`.
    """
    members = _members(world, set(crosswalk["person_id"]))
    members = members[members["type"].isin(list(EMAILED))]
    recipient = sf_text(members["person_id"].map(crosswalk.set_index("person_id")["hubspot_email"]))
    members = members[recipient != ""].reset_index(drop=True)
    recipient = recipient[recipient != ""].reset_index(drop=True)
    size = len(members)
    bounce_draw, open_draw = rng.random(size), rng.random(size)
    second = np.timedelta64(1, "s")
    deliver_delay = rng.integers(1, 31, size) * second
    open_delay = (rng.exponential(6 * 3600, size).astype(np.int64) + 1) * second
    sent = as_datetime64(members["sent"], "s")
    responded = as_datetime64(members["responded"], "s")
    replied = ~np.isnat(responded)
    valid = recipient.str.match(VALID_EMAIL).to_numpy(dtype=bool)
    bounced = ~valid | ((bounce_draw < BOUNCE_RATE) & ~replied)
    delivered = sent + deliver_delay
    opened = ~bounced & (replied | (open_draw < OPEN_RATE))
    open_at = np.where(
        replied, np.maximum(responded - 60 * second, delivered + second), delivered + open_delay
    )
    click_at = np.maximum(responded, open_at + second)
    parts = [
        ("SENT", np.ones(size, dtype=bool), sent),
        ("DELIVERED", ~bounced, delivered),
        ("BOUNCE", bounced, delivered),
        ("OPEN", opened, open_at),
        ("CLICK", ~bounced & replied, click_at),
    ]
    member = np.concatenate([np.flatnonzero(mask) for _, mask, _ in parts])
    kind = np.concatenate(
        [np.full(int(mask.sum()), code, dtype=np.int8) for code, (_, mask, _) in enumerate(parts)]
    )
    names = np.array([name for name, _, _ in parts], dtype=object)
    at = np.concatenate([stamps[mask] for _, mask, stamps in parts])
    millis = rng.integers(0, 1000, len(member))
    rank = np.array([EVENT_ORDER[name] for name in names])[kind]
    order = np.lexsort((member, rank, _with_millis(at, millis)))
    member, kind, at, millis = member[order], kind[order], at[order], millis[order]
    ids = random_uuid_bytes(rng, len(member))
    recipients = recipient.to_numpy()
    campaigns = canonical_number(members["campaign_id"])
    links = (SITE + "/" + members["type"].map(EMAILED) + "/" + members["slug"]).to_numpy()

    def rows(part: slice) -> pd.DataFrame:
        sent_to, name = member[part], names[kind[part]]
        return pd.DataFrame(
            {
                "id": uuid_text(ids[part]),
                "created": hubspot_time(at[part], millis[part]).to_numpy(),
                "type": name,
                "recipient": recipients[sent_to],
                "emailCampaignId": hubspot_id(campaigns[sent_to], lead=2),
                "url": np.where(name == "CLICK", links[sent_to], ""),
            },
            columns=EMAIL_EVENT_COLUMNS,
        )

    return LazyRows(len(member), rows)


def is_subscriber(world: World, people: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Blog subscribers: organic sign-ups from no campaign who never went further, nor
    responded to a campaign (a campaign form would have made them a lead)."""
    stages = ("mql_at", "sql_at", "opportunity_at", "customer_at")
    never = np.logical_and.reduce([people[c].isna().to_numpy() for c in stages])
    touches = frame_of(world, "touches")
    responded = touches.loc[touches["status"].isin(["responded", "attended"]), "person_id"]
    quiet = ~people["person_id"].isin(responded).to_numpy()
    organic = (people["channel"] == "organic").to_numpy()
    subscriber: npt.NDArray[np.bool_] = never & quiet & organic
    return subscriber & (sf_text(people["campaign_id"]) == "").to_numpy()


def hubspot_time(stamps: npt.NDArray[np.datetime64], millis: npt.ArrayLike) -> pd.Series:
    """HubSpot's ISO timestamps (`2024-03-01T14:05:00.123Z`) of `stamps` (whole seconds
    are kept) and `millis` (0 to 999); `""` for NaT.

    Examples:
        >>> when = np.array(["2024-03-01T14:05:00", "NaT"], dtype="datetime64[s]")
        >>> hubspot_time(when, [123, 0]).tolist()
        ['2024-03-01T14:05:00.123Z', '']
    """
    moments = _with_millis(stamps.astype("datetime64[s]"), np.asarray(millis, dtype=np.int64))
    text = np.char.add(np.datetime_as_string(moments, unit="ms"), "Z").astype(object)
    text[np.isnat(moments)] = ""
    return pd.Series(text, dtype=object)


def _with_millis(
    stamps: npt.NDArray[np.datetime64], millis: npt.NDArray[np.int64]
) -> npt.NDArray[np.datetime64]:
    moments: npt.NDArray[np.datetime64] = stamps.astype("datetime64[ms]") + millis.astype(
        "timedelta64[ms]"
    )
    return moments


def _campaigns(world: World) -> pd.DataFrame:
    campaigns = by_number(frame_of(world, "campaigns"), "campaign_id")
    slug = sf_text(campaigns["name"]).str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True)
    return campaigns.assign(slug=slug.str.strip("-"))


def _members(world: World, persons: set[str]) -> pd.DataFrame:
    """Each campaign and person touched: first touch, first response, campaign details."""
    touches = frame_of(world, "touches")
    touches = touches[touches["person_id"].isin(persons)]
    at = as_datetime64(touches["touched_at"], "s")
    responding = touches["status"].isin(["responded", "attended"]).to_numpy()
    touches = touches.assign(sent=at, responded=np.where(responding, at, np.datetime64("NaT")))
    members = (
        touches.groupby(["campaign_id", "person_id"], sort=True)
        .agg(sent=("sent", "min"), responded=("responded", "min"))
        .reset_index()
    )
    campaigns = _campaigns(world).drop_duplicates("campaign_id").set_index("campaign_id")
    details = {
        c: sf_text(members["campaign_id"].map(campaigns[c])) for c in ("type", "name", "slug")
    }
    return members.assign(**details)
