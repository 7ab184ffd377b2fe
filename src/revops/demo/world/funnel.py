"""Marketing and the lead funnel: spend by channel, the campaigns it buys, the people it
brings in, and how far each of them gets (lead → MQL → SQL → opportunity).

Each channel's monthly spend grows over the years and wanders from month to month; the
leads it brings grow only as spend to the power 0.6 (diminishing returns: the cheapest
clicks and the keenest prospects are reached first). Channels differ in volume, in the
mix of segments they reach and in the latent quality of their leads; quality decides
how likely a lead is to move on at each step, after a lognormal delay. Outbound
prospects are contacts at companies the CRM already knows; inbound leads work at one
too, though for some the match is only made once sales takes them on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from revops.demo.frames import FRAMES
from revops.demo.params import DemoParams, history_start
from revops.demo.world.org import (
    FIRST_NAMES,
    LAST_NAMES,
    Array,
    Floats,
    Ints,
    day_numbers,
    make_ids,
    pick_employed,
    segment_codes,
    stamps,
    unique_locals,
)

CHANNELS = np.array(
    ["paid_search", "paid_social", "organic", "events", "outbound", "partner", "referral"],
    dtype=object,
)
SPEND = np.array([14_000, 9_000, 5_000, 7_000, 6_000, 3_000, 2_000.0])  # a month per 1k accounts
SPEND_GROWTH = np.array([0.65, 0.75, 0.6, 0.5, 0.6, 0.7, 0.55])  # a year
LEAD_SHARE = np.array([0.25, 0.2, 0.2, 0.08, 0.15, 0.05, 0.07])
LEADS_PER_ACCOUNT = 0.13  # a month, at the spend of the first month
RETURNS = 0.6  # leads grow as spend ** RETURNS
QUALITY = np.array([0.42, 0.3, 0.45, 0.5, 0.35, 0.58, 0.65])  # mean latent quality
SEGMENT_MIX = np.array(
    [[0.7, 0.25, 0.05], [0.72, 0.23, 0.05], [0.6, 0.3, 0.1], [0.35, 0.4, 0.25],
     [0.3, 0.4, 0.3], [0.45, 0.35, 0.2], [0.5, 0.35, 0.15]]
)  # fmt: skip
UNMATCHED = np.array([0.4, 0.45, 0.35, 0.2, 0.0, 0.1, 0.1])  # company not yet matched
WITH_CAMPAIGN = np.array([0.95, 0.95, 0.5, 1.0, 0.7, 0.8, 0.3])
CAMPAIGNS_PER_MONTH = np.array([1, 2, 2, 1, 1, 1, 1])
CAMPAIGN_TYPES = np.array(
    ["paid_ad", "paid_ad", "webinar", "event", "email", "webinar", "email"], dtype=object
)
LABELS = np.array(
    ["Search", "Social", "Content", "Event", "Outbound", "Partner", "Referral"], dtype=object
)
TITLES = np.array(
    ["CEO", "Chief Revenue Officer", "VP Sales", "VP Marketing", "Head of Revenue Operations",
     "Director of Sales", "Sales Operations Manager", "Marketing Operations Manager",
     "Sales Manager", "Account Executive", "Business Analyst", "Marketing Coordinator"],
    dtype=object,
)  # fmt: skip
# Touch statuses as codes into one array of them, so millions of touches share three strings.
TOUCH_STATUSES = np.array(["sent", "responded", "attended"], dtype=object)
SENT, RESPONDED, ATTENDED = range(3)
CALLING = {"US": "1", "CA": "1", "GB": "44", "DE": "49", "FR": "33", "NL": "31", "IE": "353",
           "ES": "34", "IT": "39", "SE": "46", "CH": "41", "IL": "972", "DK": "45", "NO": "47",
           "BE": "32", "AU": "61", "JP": "81", "SG": "65", "IN": "91", "NZ": "64", "BR": "55",
           "MX": "52"}  # fmt: skip


def simulate_funnel(
    params: DemoParams, accounts: pd.DataFrame, users: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """People, campaigns, touches (FRAMES columns) and the monthly spend by channel
    (`month`, `channel`, `amount`). `customer_at` is left empty: deals decide it."""
    start = day_numbers(np.array([history_start(params)], dtype="M8[D]"))[0]
    now = day_numbers(np.array([params.as_of], dtype="M8[D]"))[0]
    months = np.arange(
        np.datetime64(history_start(params), "M"), np.datetime64(params.as_of, "M") + 1
    )
    first = day_numbers(months.astype("M8[D]"))
    days = day_numbers((months + 1).astype("M8[D]")) - first
    elapsed = np.clip(now - first, 0, days)
    base = SPEND[:, None] * params.accounts / 1_000
    years = (first - start)[None, :] / 365.25
    spend = base * (1 + SPEND_GROWTH[:, None]) ** years * rng.lognormal(0, 0.35, (7, months.size))
    expected = params.accounts * LEADS_PER_ACCOUNT * LEAD_SHARE[:, None] * (spend / base) ** RETURNS
    count = rng.poisson(expected * elapsed / days).ravel()
    cell = np.repeat(np.arange(count.size), count)
    channel, month = np.divmod(cell, months.size)
    created = first[month] + rng.random(cell.size) * elapsed[month]
    campaigns, first_campaign, per_cell = _campaigns(months, first, elapsed, spend, params, rng)
    has = rng.random(cell.size) < WITH_CAMPAIGN[channel]
    slot = first_campaign[month * 7 + channel] + rng.integers(0, per_cell[channel])
    campaign = np.where(has, slot, -1)
    event = has & (channel == 3)
    window = campaigns["_start"].to_numpy()[campaign], campaigns["_end"].to_numpy()[campaign]
    created = np.where(event, window[0] + rng.random(cell.size) * (window[1] - window[0]), created)
    segment = (rng.random((cell.size, 1)) > SEGMENT_MIX[channel].cumsum(1)).sum(1).clip(0, 2)
    account, created = _companies(accounts, segment, np.minimum(created, now - 1e-4), rng)
    order = np.argsort(created, kind="stable")
    channel, campaign, created, account = (
        channel[order],
        campaign[order],
        created[order],
        account[order],
    )
    people = _lifecycle(channel, account, created, now, accounts, users, rng)
    people["campaign_id"] = np.append(campaigns["campaign_id"].to_numpy(object), "")[campaign]
    touches = _touches(people, campaign, created, campaigns, first, now, rng)
    spend_rows = pd.DataFrame(
        {
            "month": np.tile(months.astype("M8[D]"), 7),
            "channel": np.repeat(CHANNELS, months.size),
            "amount": np.round((spend * elapsed / days).ravel(), 2),
        }
    )
    return (
        people[list(FRAMES["people"])],
        campaigns[list(FRAMES["campaigns"])],
        touches,
        spend_rows,
    )


def _campaigns(
    months: Array,
    first: Floats,
    elapsed: Floats,
    spend: Floats,
    params: DemoParams,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, Ints, Ints]:
    """Campaigns month by month (events last one to three days, the rest the month), the
    position of the first campaign of each month × 7 + channel, and campaigns a month by
    channel."""
    per = np.maximum(1, np.round(CAMPAIGNS_PER_MONTH * np.sqrt(params.accounts / 2_000)))
    per = per.astype(np.int64)
    cells = np.arange(7 * months.size)
    month, channel = np.divmod(cells, 7)
    count = per[channel]
    first_campaign = np.cumsum(count) - count
    row = np.repeat(cells, count)
    c, m = channel[row], month[row]
    number = np.arange(row.size) - first_campaign[row]
    length = np.where(c == 3, rng.integers(1, 4, row.size), elapsed[m])
    begin = np.where(
        c == 3, first[m] + np.floor(rng.random(row.size) * (elapsed[m] - 3).clip(0)), first[m]
    )
    end = np.minimum(begin + length, first[m] + elapsed[m])
    label = pd.Series(np.datetime_as_string(months[m], unit="M"))
    suffix = np.where(number > 0, " " + (number + 1).astype(str), "")
    campaigns = pd.DataFrame(
        {
            "campaign_id": make_ids("cmp", row.size, 4),
            "name": (label + " " + LABELS[c] + " - " + CAMPAIGN_TYPES[c] + suffix).to_numpy(object),
            "channel": CHANNELS[c],
            "type": CAMPAIGN_TYPES[c],
            "start_date": stamps(begin).astype("M8[D]"),
            "end_date": stamps(np.maximum(end - 1, begin)).astype("M8[D]"),
            "budget": np.round(spend[c, m] / count[row] * rng.lognormal(0, 0.1, row.size), -2),
            "_start": begin,
            "_end": end,
            "_month": m,
        }
    )
    return campaigns, first_campaign, per


def _companies(
    accounts: pd.DataFrame, segment: Ints, created: Floats, rng: np.random.Generator
) -> tuple[Ints, Floats]:
    """For each lead, a company of its segment already in the CRM when the lead arrived
    (accounts are numbered in arrival order); the first of them if none had arrived yet,
    the lead then arriving just after it."""
    arrived = day_numbers(accounts["created_at"].to_numpy("datetime64[s]"))
    codes = segment_codes(accounts["segment"].to_numpy())
    account = np.zeros(segment.size, dtype=np.int64)
    for s in range(3):
        pool = np.flatnonzero(codes == s)
        pool = pool if pool.size else np.arange(codes.size)
        mine = np.flatnonzero(segment == s)
        known = np.searchsorted(arrived[pool], created[mine], side="right")
        account[mine] = pool[
            np.floor(rng.random(mine.size) * np.maximum(known, 1)).astype(np.int64)
        ]
    late = arrived[account] >= created
    created = np.where(late, arrived[account] + rng.uniform(0.01, 1, segment.size), created)
    return account, created


def _lifecycle(
    channel: Ints,
    account: Ints,
    created: Floats,
    now: float,
    accounts: pd.DataFrame,
    users: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """People with their latent quality, lifecycle stamps, owner and contact details."""
    n = channel.size
    q = rng.beta(QUALITY[channel] * 6, (1 - QUALITY[channel]) * 6)
    mql = np.where(
        rng.random(n) < 0.05 + 0.55 * q, created + rng.lognormal(np.log(4), 1.0, n), np.nan
    )
    sql = np.where(rng.random(n) < 0.12 + 0.6 * q, mql + rng.lognormal(np.log(5), 0.8, n), np.nan)
    opp = np.where(rng.random(n) < 0.35 + 0.45 * q, sql + rng.lognormal(np.log(7), 0.7, n), np.nan)
    mql, sql, opp = (np.where(stamp <= now, stamp, np.nan) for stamp in (mql, sql, opp))
    sql[np.isnan(mql)] = np.nan
    opp[np.isnan(sql)] = np.nan
    matched = ~np.isnan(sql) | (rng.random(n) >= UNMATCHED[channel])
    segment = segment_codes(accounts["segment"].to_numpy())[account]
    user_ids = pd.Index(users["user_id"])
    sales = ~np.isnan(sql)
    owner = pick_employed(users, "SDR", segment, created, rng)
    at = np.where(np.isnan(opp), sql, opp)[sales]
    owner[sales] = pick_employed(users, "AE", segment[sales], at, rng)  # round robin
    first = FIRST_NAMES[rng.integers(0, FIRST_NAMES.size, n)]
    last = LAST_NAMES[rng.integers(0, LAST_NAMES.size, n)]
    f = pd.Series(first, dtype=str).str.lower()
    l_ = pd.Series(last, dtype=str).str.lower()
    style = account % 4
    local = f.where(style == 3, (f.str[0] + l_).where(style == 2, f + "." + l_))
    domain = pd.Series(accounts["domain"].to_numpy(object)[account])
    local = unique_locals(local, local + "@" + domain)
    country = accounts["country"].to_numpy(object)[account]
    calling = pd.Series(country).map(CALLING).fillna("1")
    digits = pd.Series(rng.integers(200_000_000, 999_999_999, n).astype(str))
    phone = ("+" + calling + np.where(calling == "1", "4", "") + digits).where(
        rng.random(n) < 0.65, ""
    )
    rank = np.clip((1 - q + rng.normal(0, 0.25, n)) * TITLES.size, 0, TITLES.size - 1)
    return pd.DataFrame(
        {
            "person_id": make_ids("per", n, 7),
            "account_id": np.where(matched, accounts["account_id"].to_numpy(object)[account], ""),
            "first_name": first,
            "last_name": last,
            "email": (local + "@" + domain).to_numpy(object),
            "phone": phone.to_numpy(object),
            "title": TITLES[rank.astype(np.int64)],
            "channel": CHANNELS[channel],
            "created_at": stamps(created),
            "mql_at": stamps(mql),
            "sql_at": stamps(sql),
            "opportunity_at": stamps(opp),
            "customer_at": stamps(np.full(n, np.nan)),
            "owner_id": user_ids.to_numpy(object)[owner],
            "quality": np.round(q, 4),
        }
    )


def _touches(
    people: pd.DataFrame,
    campaign: Ints,
    created: Floats,
    campaigns: pd.DataFrame,
    first: Floats,
    now: float,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The campaign that brought each person in, then campaigns of the months after it."""
    kind = campaigns["type"].to_numpy(object)
    begin, end = campaigns["_start"].to_numpy(), campaigns["_end"].to_numpy()
    bounds = np.searchsorted(campaigns["_month"].to_numpy(), np.arange(first.size + 1))
    extra = rng.poisson(1.3, created.size)
    person = np.repeat(np.arange(created.size), extra)
    at = created[person] + rng.random(person.size) * np.minimum(150, now - created[person])
    month = np.searchsorted(first, at, side="right") - 1
    lo, hi = bounds[month], bounds[month + 1]
    pick = lo + np.floor(rng.random(person.size) * (hi - lo)).astype(np.int64)
    at = np.clip(at, begin[pick], end[pick] - 1e-3)
    keep = (at >= created[person]) & (at <= now)
    status = np.where(
        np.isin(kind[pick], ("event", "webinar")) & (rng.random(person.size) < 0.4),
        ATTENDED,
        np.where(rng.random(person.size) < 0.25, RESPONDED, SENT),
    )
    came = np.flatnonzero(campaign >= 0)
    touches = pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy(object)[np.concatenate([came, person[keep]])],
            "campaign_id": campaigns["campaign_id"].to_numpy(object)[
                np.concatenate([campaign[came], pick[keep]])
            ],
            "touched_at": stamps(np.concatenate([created[came], at[keep]])),
            "status": TOUCH_STATUSES[
                np.concatenate(
                    [np.where(kind[campaign[came]] == "event", ATTENDED, RESPONDED), status[keep]]
                )
            ],
        }
    )
    touches = touches.sort_values(["touched_at", "person_id"], kind="stable")
    return touches.reset_index(drop=True)[list(FRAMES["touches"])]


def mark_customers(people: pd.DataFrame, opportunities: pd.DataFrame) -> pd.DataFrame:
    """`people` with `customer_at` set for the contacts of won deals: when the first closed."""
    won = opportunities[opportunities["is_won"].to_numpy(bool)]
    first_win = won.groupby("contact_id")["closed_at"].min()
    return people.assign(customer_at=people["person_id"].map(first_win).to_numpy("datetime64[s]"))
