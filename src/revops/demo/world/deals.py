"""Deals: opportunities moving through stages, their history, and the work done on them.

Every person who reached the opportunity stage opens a new-business deal; customers later
open expansion deals and, each year, a renewal. A deal's cycle and size depend on its
segment; its chance of winning on segment, source, the owner's skill and ramp, the
lead's quality and how engaged the buyer is (which also sets how many calls, emails,
meetings and demos the deal sees). Lost deals drop out stage by stage. Reps name an
optimistic close date, often the quarter's last day, and push it when it passes; many
deals are dragged to the end of their fiscal quarter, and fiscal Q4 closes more and
bigger deals. A market regime (`DemoParams.regimes`: a slowdown, a recovery) scales the
chance of every deal that would close from its first day. Some lost deals are left open
long after anyone worked them (stale). When the owner leaves, open deals go to another AE
of the segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from revops.core import FiscalCalendar
from revops.demo.frames import FRAMES
from revops.demo.params import DemoParams, history_start
from revops.demo.world.org import (
    Array,
    Floats,
    Ints,
    dates,
    day_numbers,
    employment,
    make_ids,
    pick_employed,
    segment_codes,
    stamps,
)

STAGES = np.array(["Prospecting", "Qualification", "Discovery", "Proposal", "Negotiation",
                   "Closed Won", "Closed Lost"], dtype=object)  # fmt: skip
CATEGORIES = np.array(["Pipeline", "Pipeline", "Pipeline", "Best Case", "Commit", "Closed",
                       "Omitted"], dtype=object)  # fmt: skip
WON, LOST = 5, 6
LOST_AT = np.array([0.3, 0.26, 0.2, 0.14, 0.1])  # where lost deals drop out
AMOUNT_CHANGE = np.array([0.0, 0.15, 0.3, 0.6, 0.5])  # chance the amount changes at the stage
CYCLE_DAYS = np.array([30.0, 75.0, 160.0])  # median, by segment
DEAL_SIZE = np.array([9_000.0, 36_000.0, 150_000.0])  # median annual value, by segment
WIN_RATE = np.array([0.36, 0.26, 0.16])
SOURCE_LIFT = {"paid_search": -0.1, "paid_social": -0.35, "organic": 0.0, "events": 0.1,
               "outbound": -0.3, "partner": 0.4, "referral": 0.6}  # fmt: skip
QUARTER_END_PULL = 0.5  # chance a deal is dragged to the last two weeks of its quarter
Q4_LIFT, Q4_SIZE = 0.45, 1.15  # fiscal Q4: log-odds of winning, amount
RUSH = 0.4  # chance a deal due in the first 45 days of fiscal Q1 closes in Q4 instead
ACTIVITY_RATE = np.array([1.3, 1.1, 0.9])  # a week, by segment
ACTIVITY_TYPES = np.array(["call", "email", "meeting", "demo", "task"], dtype=object)
CALL_OUTCOMES = np.array(["completed", "no_answer", "left_voicemail"], dtype=object)
MEETING_OUTCOMES = np.array(["held", "no_show"], dtype=object)
LOST_REASONS = np.array(["No Decision", "Budget", "Timing", "Lost to Competitor", "Price",
                         "Missing Feature"], dtype=object)  # fmt: skip
SALES_PLAYS = np.array(["MEDDICC", "Challenger", "SPIN", "Value Selling", ""], dtype=object)
"""Plays a deal is worked with; the last (none recorded) for about one deal in seven."""
PLAY_ODDS = np.array([
    [0.34, 0.22, 0.16, 0.16, 0.12],  # won: MEDDICC deals win more often
    [0.18, 0.26, 0.22, 0.18, 0.16],  # lost
    [0.24, 0.24, 0.19, 0.19, 0.14],  # open
])  # fmt: skip


_Batch = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]  # deals, history, activities


@dataclass(frozen=True)
class _Context:
    users: pd.DataFrame
    hired: Floats
    left: Floats
    quarter_start: Floats  # day numbers of consecutive fiscal quarters' first days
    quarter_index: Ints  # 1..4
    now: float
    rng: np.random.Generator
    regime_start: Floats  # day numbers of the regimes' first days, in order
    regime_win_rate: Floats  # factor on win chances from each; 1 before the first

    def win_rate(self, days: Floats) -> Floats:
        """The regime's factor on the chance of a deal closing on each day."""
        factors = np.concatenate([[1.0], self.regime_win_rate])
        found: Floats = factors[np.searchsorted(self.regime_start, days, "right")]
        return found

    def quarter_end(self, days: Floats) -> Floats:
        """The first day after the fiscal quarter of each day."""
        ends: Floats = self.quarter_start[np.searchsorted(self.quarter_start, days, "right")]
        return ends

    def fiscal_quarter(self, days: Floats) -> Ints:
        return self.quarter_index[np.searchsorted(self.quarter_start, days, "right") - 1]

    def rep_lift(self, owner: Ints, created: Floats) -> Floats:
        """Log-odds of winning from the owner's skill, less while still ramping."""
        tenure = (created - self.hired[owner]) / 30.44
        ramp = self.users["ramp_months"].to_numpy(float)[owner]
        ramping = np.clip(1 - tenure / np.maximum(ramp, 1), 0, 1)
        skill = self.users["skill"].to_numpy(float)[owner]
        lift: Floats = 4.0 * (skill - 0.5) - 1.0 * ramping
        return lift


def simulate_deals(
    params: DemoParams,
    accounts: pd.DataFrame,
    people: pd.DataFrame,
    users: pd.DataFrame,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Opportunities, opportunity history and activities (FRAMES columns) up to as_of."""
    ctx = _context(params, users, rng)
    health = accounts["health"].to_numpy(float)
    batches = [_simulate(_new_business(accounts, people, ctx), ctx)]
    new = batches[0][0]
    won_at = np.where(new["won"], new["closed_at"], np.nan)
    first_win = pd.Series(won_at).groupby(new["account"].to_numpy()).min()
    account_win = first_win.reindex(new["account"]).to_numpy()
    later = (new["created"] > account_win) | (new["won"] & (new["closed_at"] > account_win))
    new["kind"] = np.where(later, "expansion", "new")
    base = new[new["won"] & (new["kind"] == "new")]
    batches.append(_simulate(_expansions(base, health, ctx), ctx))
    previous = base
    for _ in range(params.years + 1):
        spec = _renewals(previous, base, health, ctx)
        if spec.empty:
            break
        batches.append(_simulate(spec, ctx))
        previous = batches[-1][0][batches[-1][0]["won"]]
    return _assemble(batches, accounts, people, ctx)


def _context(params: DemoParams, users: pd.DataFrame, rng: np.random.Generator) -> _Context:
    calendar = FiscalCalendar(params.fiscal_year_start_month)
    start = history_start(params) - timedelta(days=400)
    quarters = calendar.periods_between(start, params.as_of + timedelta(days=4_000), "quarter")
    hired, left = employment(users)
    return _Context(
        users=users,
        hired=hired,
        left=left,
        quarter_start=day_numbers(np.array([q.start for q in quarters], dtype="M8[D]")),
        quarter_index=np.array([q.index for q in quarters], dtype=np.int64),
        now=day_numbers(np.array([params.as_of], dtype="M8[D]"))[0],
        rng=rng,
        regime_start=day_numbers(np.array([r.start for r in params.regimes], dtype="M8[D]")),
        regime_win_rate=np.array([r.win_rate for r in params.regimes], dtype=float),
    )


def _logit(p: Floats) -> Floats:
    out: Floats = np.log(p / (1 - p))
    return out


def _new_business(accounts: pd.DataFrame, people: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    sold = people[people["opportunity_at"].notna()]
    account = pd.Index(accounts["account_id"]).get_indexer(pd.Index(sold["account_id"]))
    segment = segment_codes(accounts["segment"].to_numpy())[account]
    created = day_numbers(sold["opportunity_at"].to_numpy("datetime64[s]"))
    preferred = pd.Index(ctx.users["user_id"]).get_indexer(pd.Index(sold["owner_id"]))
    owner = pick_employed(ctx.users, "AE", segment, created, ctx.rng, preferred.astype(np.int64))
    source = sold["channel"].to_numpy(object)
    logit = (
        _logit(WIN_RATE[segment])
        + pd.Series(source).map(SOURCE_LIFT).fillna(0).to_numpy()
        + 1.5 * (sold["quality"].to_numpy(float) - 0.45)
        + ctx.rep_lift(owner, created)
    )
    return pd.DataFrame(
        {
            "account": account,
            "contact": np.flatnonzero(people["opportunity_at"].notna()),
            "owner": owner,
            "kind": "new",
            "source": source,
            "campaign": sold["campaign_id"].to_numpy(object),
            "created": created,
            "segment": segment,
            "amount": np.round(DEAL_SIZE[segment] * ctx.rng.lognormal(0, 0.5, len(sold)), -2),
            "cycle": CYCLE_DAYS[segment],
            "spread": 0.45,
            "logit": logit,
            "pull": QUARTER_END_PULL,
            "season": 1.0,
            "engage": 0.7,
        }
    )


def _expansions(base: pd.DataFrame, health: Floats, ctx: _Context) -> pd.DataFrame:
    """Upsell deals of customers: more, and likelier won, the healthier the customer."""
    rng = ctx.rng
    since = base["closed_at"].to_numpy() + 60
    years = np.clip(ctx.now - since, 0, None) / 365.25
    h = health[base["account"].to_numpy()]
    row = np.repeat(np.arange(len(base)), rng.poisson(0.5 * years * (0.3 + h)))
    deals = base.iloc[row].reset_index(drop=True)
    created = since[row] + rng.random(row.size) * (ctx.now - since[row])
    segment = deals["segment"].to_numpy()
    owner = pick_employed(ctx.users, "AE", segment, created, rng, deals["owner"].to_numpy())
    return _spec(
        deals,
        owner=owner,
        kind="expansion",
        campaign="",
        created=created,
        amount=np.round(0.35 * DEAL_SIZE[segment] * rng.lognormal(0, 0.5, row.size), -2),
        cycle=0.5 * CYCLE_DAYS[segment],
        spread=0.45,
        logit=_logit(np.full(row.size, 0.45)) + 2 * (h[row] - 0.55) + ctx.rep_lift(owner, created),
        pull=QUARTER_END_PULL,
        season=1.0,
        engage=0.5,
    )


def _renewals(
    previous: pd.DataFrame, base: pd.DataFrame, health: Floats, ctx: _Context
) -> pd.DataFrame:
    """Next year's renewal of each won deal in `previous`, opened 2–3 months before the
    anniversary of its first deal in `base`."""
    first = base.set_index("account")["closed_at"]
    began = first.reindex(previous["account"]).to_numpy()
    years = np.round((previous["closed_at"].to_numpy() - began) / 365.25)
    anniversary = began + 365.25 * (years + 1)
    created = anniversary - ctx.rng.uniform(60, 100, len(previous))
    keep = created <= ctx.now
    deals = previous[keep].reset_index(drop=True)
    created, anniversary = created[keep], anniversary[keep]
    segment, h = deals["segment"].to_numpy(), health[deals["account"].to_numpy()]
    owner = pick_employed(ctx.users, "AE", segment, created, ctx.rng, deals["owner"].to_numpy())
    return _spec(
        deals,
        owner=owner,
        kind="renewal",
        campaign="",
        created=created,
        amount=np.round(deals["amount"].to_numpy() * ctx.rng.uniform(1.0, 1.08, len(deals)), -2),
        cycle=anniversary - created,
        spread=0.05,
        logit=_logit(np.full(len(deals), 0.82))
        + 3 * (h - 0.58)
        + 0.3 * ctx.rep_lift(owner, created),
        pull=0.0,
        season=0.0,
        engage=0.3,
    )


def _spec(deals: pd.DataFrame, **columns: Any) -> pd.DataFrame:
    """Deals to simulate: `deals` with `columns` replaced, in the order `_simulate` reads."""
    spec: pd.DataFrame = deals.assign(**columns)[_SPEC]
    return spec


_SPEC = ["account", "contact", "owner", "kind", "source", "campaign", "created", "segment",
         "amount", "cycle", "spread", "logit", "pull", "season", "engage"]  # fmt: skip


def _simulate(spec: pd.DataFrame, ctx: _Context) -> _Batch:
    """Play each deal of `spec` through the stages: the deals with their outcome, final
    owner, amount and close date; their history; their activities (`deal` is the row)."""
    rng, n, now = ctx.rng, len(spec), ctx.now
    created, segment = spec["created"].to_numpy(float), spec["segment"].to_numpy()
    length = spec["cycle"].to_numpy(float) * rng.lognormal(0, spec["spread"].to_numpy(float))
    length = _year_end_rush(created, length, spec["season"].to_numpy(float), ctx)
    share = rng.gamma(2.0, size=(n, 5))
    done = np.cumsum(share / share.sum(1, keepdims=True), 1)  # of the cycle, at each stage end
    entry = created[:, None] + length[:, None] * np.hstack([np.zeros((n, 1)), done[:, :4]])
    pull = spec["pull"].to_numpy(float)
    won_close = _pull(created + length, pull, ctx)
    q4 = (ctx.fiscal_quarter(won_close) == 4) * spec["season"].to_numpy(float)
    engagement = rng.normal(0, 1, n)
    logit = spec["logit"].to_numpy(float) + spec["engage"].to_numpy(float) * engagement
    # No regime: a factor of exactly 1, so the default company keeps its bytes.
    p = np.clip(ctx.win_rate(won_close) / (1 + np.exp(-(logit + Q4_LIFT * q4))), 0.0, 1.0)
    won = rng.random(n) < p
    last = np.where(won, 4, rng.choice(5, n, p=LOST_AT))
    lost_close = _pull(created + length * done[np.arange(n), last], pull / 2, ctx)
    worked = np.minimum(np.where(won, won_close, lost_close), now)
    lost_close += np.where(rng.random(n) < 0.25, rng.exponential(120, n), 0)  # left open
    close = np.where(won, won_close, lost_close)
    closed, end = close <= now, np.minimum(close, now)
    entry = np.where((np.arange(5) <= last[:, None]) & (entry <= now), entry, np.nan)
    amount = spec["amount"].to_numpy(float) * np.where(q4 > 0, Q4_SIZE, 1.0)
    expected = np.floor(created + length * rng.uniform(0.45, 0.95, n))
    expected = np.where(rng.random(n) < 0.35, ctx.quarter_end(expected) - 1, expected)
    everyone = np.ones(n, bool)
    rows = [(everyone, created, np.zeros(n, np.int64), amount, expected)]
    for k in range(5):
        here = ~np.isnan(entry[:, k])
        if k:
            factor = np.where(k < 4, rng.lognormal(0.05, 0.2, n), rng.uniform(0.8, 1.0, n))
            amount = np.where(here & (rng.random(n) < AMOUNT_CHANGE[k]), amount * factor, amount)
            # Only a deal that reached the stage gets a new (rounded) amount: the amount
            # of every other deal must stay the one its history last recorded.
            amount = np.where(here, np.round(amount, -1), amount)
            remaining = length * (1 - done[:, k - 1]) * rng.uniform(0.5, 1.0, n)
            revise = here & (expected < entry[:, k] + 7)
            expected = np.where(revise, np.floor(entry[:, k] + 7 + remaining), expected)
            rows.append((here, entry[:, k], np.full(n, k), amount, expected))
        following = entry[:, k + 1] if k < 4 else np.full(n, np.nan)
        stage_end = np.where(k < last, np.fmin(following, end), end)
        passed = expected + 1 + rng.exponential(4, n)
        push = here & (passed < stage_end) & (rng.random(n) < 0.75)
        expected = np.where(push, np.floor(passed + rng.lognormal(np.log(25), 0.5, n)), expected)
        rows.append((push, passed, np.full(n, k), amount, expected))
    final = np.where(won, WON, LOST)
    rows.append((closed, close, final, amount, np.floor(close)))
    chain = _owners(spec["owner"].to_numpy(), segment, created, end, ctx)
    history = _history(rows, chain)
    stage_now = np.where(closed, final, np.sum(~np.isnan(entry), 1) - 1)
    reason = LOST_REASONS[rng.choice(LOST_REASONS.size, n)]
    out = spec.assign(
        owner=_owner_at(chain, np.arange(n), end),
        amount=amount,
        won=won & closed,
        closed=closed,
        closed_at=np.where(closed, close, np.nan),
        close_date=np.where(closed, np.floor(close), expected),
        stage=stage_now,
        lost_reason=np.where(closed & ~won, reason, ""),
        probability=p,
    )
    return out, history, _activities(out, engagement, worked, chain, ctx)


def _year_end_rush(created: Floats, length: Floats, season: Floats, ctx: _Context) -> Floats:
    """Cycles cut short so that deals due early in fiscal Q1 close at the end of Q4."""
    natural = created + length
    begun = ctx.quarter_start[np.searchsorted(ctx.quarter_start, natural, "right") - 1]
    early = (ctx.fiscal_quarter(natural) == 1) & (natural - begun < 45)
    rushed = begun - ctx.rng.uniform(0.3, 13.5, natural.size) - created
    rush = early & (rushed > 0.5 * length) & (ctx.rng.random(natural.size) < RUSH * season)
    out: Floats = np.where(rush, rushed, length)
    return out


def _pull(close: Floats, chance: Floats, ctx: _Context) -> Floats:
    """Closes dragged to the last two weeks of their fiscal quarter, with `chance`."""
    target = ctx.quarter_end(close) - ctx.rng.uniform(0.3, 13.5, close.size)
    pulled: Floats = np.where(ctx.rng.random(close.size) < chance, np.fmax(close, target), close)
    return pulled


_Chain = list[tuple[Floats, Ints]]  # (from when, owner) of each deal; first from creation


def _owners(owner: Ints, segment: Ints, created: Floats, end: Floats, ctx: _Context) -> _Chain:
    """Each deal's owners: an owner who leaves while the deal is open hands it on a few
    days later to an AE of its segment employed then."""
    chain: _Chain = [(created, owner)]
    moving = np.ones(owner.size, bool)
    for _ in range(10):
        handover = ctx.left[owner] + 1 + ctx.rng.uniform(0, 3, owner.size)
        moving &= handover < end
        if not moving.any():
            break
        owner = owner.copy()
        owner[moving] = pick_employed(ctx.users, "AE", segment[moving], handover[moving], ctx.rng)
        chain.append((np.where(moving, handover, np.nan), owner))
    return chain


def _owner_at(chain: _Chain, deal: Ints, at: Floats) -> Ints:
    owner = chain[0][1][deal]
    for since, later in chain[1:]:
        owner = np.where(at >= since[deal], later[deal], owner)
    return owner


def _history(rows: list[tuple[Array, Floats, Ints, Floats, Floats]], chain: _Chain) -> pd.DataFrame:
    """One row per version: stage changes, pushes, closes, then one per handover carrying
    the state of the version it interrupts."""
    picked = [np.flatnonzero(mask) for mask, *_ in rows]
    deal = np.concatenate(picked)
    at, stage, amount, close_date = (
        np.concatenate([values[i] for i, values in zip(picked, column, strict=True)])
        for column in list(zip(*rows, strict=True))[1:]
    )
    seconds = np.round(at * 86_400).astype(np.int64)
    order = np.lexsort((np.arange(deal.size), seconds, deal))
    deal, at, stage, amount, close_date = (a[order] for a in (deal, at, stage, amount, close_date))
    key = deal.astype(np.int64) << 34 | np.round(at * 86_400).astype(np.int64)
    parts = [(deal, at, stage, amount, close_date)]
    for since, _ in chain[1:]:
        moved = np.flatnonzero(~np.isnan(since))
        when = since[moved]
        row = (
            np.searchsorted(
                key,
                moved.astype(np.int64) << 34 | np.round(when * 86_400).astype(np.int64),
                "right",
            )
            - 1
        )
        parts.append((moved, when, stage[row], amount[row], close_date[row]))
    deal, at, stage, amount, close_date = (np.concatenate(c) for c in zip(*parts, strict=True))
    return pd.DataFrame(
        {
            "deal": deal,
            "at": at,
            "stage": stage,
            "amount": amount,
            "close_date": close_date,
            "owner": _owner_at(chain, deal, at),
        }
    )


def _activities(
    deals: pd.DataFrame, engagement: Floats, end: Floats, chain: _Chain, ctx: _Context
) -> pd.DataFrame:
    """Calls, emails, meetings, demos and tasks while the deal is open; engaged buyers
    (who win more often) see more of them, as do skilled reps."""
    rng = ctx.rng
    created, segment = deals["created"].to_numpy(float), deals["segment"].to_numpy()
    skill = ctx.users["skill"].to_numpy(float)[chain[0][1]]
    weeks = np.maximum(end - created, 0) / 7
    rate = ACTIVITY_RATE[segment] * weeks * np.exp(0.6 * engagement) * (0.7 + 0.6 * skill)
    deal = np.repeat(np.arange(len(deals)), rng.poisson(rate))
    at = created[deal] + rng.random(deal.size) * (end - created)[deal]
    return pd.DataFrame({"deal": deal, "at": at, "owner": _owner_at(chain, deal, at)})


def _sales_plays(deals: pd.DataFrame, ctx: _Context) -> Array:
    """The play recorded on each deal, drawn with odds that depend on how it ended, from
    a stream of its own so that every other draw of the company stays as it was."""
    seed: Any = ctx.rng.bit_generator.seed_seq  # a SeedSequence: entropy and spawn_key
    own = np.random.default_rng(
        np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, 29))
    )
    won, closed = deals["won"].to_numpy(bool), deals["closed"].to_numpy(bool)
    outcome = np.where(won, 0, np.where(closed, 1, 2))
    cumulative = PLAY_ODDS.cumsum(axis=1)[outcome]
    chosen = (own.random((len(deals), 1)) > cumulative).sum(axis=1).clip(0, SALES_PLAYS.size - 1)
    plays: Array = SALES_PLAYS[chosen]
    return plays


def _assemble(
    batches: list[_Batch], accounts: pd.DataFrame, people: pd.DataFrame, ctx: _Context
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The frames, deals numbered in the order they were created."""
    offsets = np.cumsum([0] + [len(deals) for deals, _, _ in batches])
    deals = pd.concat([b[0] for b in batches], ignore_index=True)
    history, work = (
        pd.concat(
            [b[i].assign(deal=b[i]["deal"] + o) for b, o in zip(batches, offsets[:-1], strict=True)]
        )
        for i in (1, 2)
    )
    order = np.lexsort((np.arange(len(deals)), deals["created"].to_numpy()))
    rank = np.empty(len(deals), dtype=np.int64)
    rank[order] = np.arange(len(deals))
    ids = make_ids("opp", len(deals), 7)[rank]
    users = ctx.users["user_id"].to_numpy(object)
    account_ids = accounts["account_id"].to_numpy(object)
    d = deals.iloc[order]
    opportunities = pd.DataFrame(
        {
            "opportunity_id": ids[order],
            "account_id": account_ids[d["account"].to_numpy()],
            "owner_id": users[d["owner"].to_numpy()],
            "contact_id": people["person_id"].to_numpy(object)[d["contact"].to_numpy()],
            "type": d["kind"].to_numpy(object),
            "source": d["source"].to_numpy(object),
            "campaign_id": d["campaign"].to_numpy(object),
            "partner_id": "",
            "created_at": stamps(d["created"].to_numpy(float)),
            "close_date": dates(d["close_date"].to_numpy(float)),
            "stage": STAGES[d["stage"].to_numpy()],
            "amount": np.round(d["amount"].to_numpy(float), 2),
            "is_closed": d["closed"].to_numpy(bool),
            "is_won": d["won"].to_numpy(bool),
            "closed_at": stamps(d["closed_at"].to_numpy(float)),
            "lost_reason": d["lost_reason"].to_numpy(object),
            "sales_play": _sales_plays(d, ctx),
            "win_probability": np.round(d["probability"].to_numpy(float), 4),
        }
    )
    deal = history["deal"].to_numpy()
    history = history.iloc[np.lexsort((np.arange(deal.size), history["at"].to_numpy(), rank[deal]))]
    deal, stage = history["deal"].to_numpy(), history["stage"].to_numpy()
    versions = pd.DataFrame(
        {
            "opportunity_id": ids[deal],
            "valid_from": stamps(history["at"].to_numpy(float)),
            "stage": STAGES[stage],
            "amount": np.round(history["amount"].to_numpy(float), 2),
            "close_date": dates(history["close_date"].to_numpy(float)),
            "forecast_category": CATEGORIES[stage],
            "owner_id": users[history["owner"].to_numpy()],
        }
    )
    deal = work["deal"].to_numpy()
    work = pd.DataFrame(
        {
            "owner": work["owner"].to_numpy(),
            "person": deals["contact"].to_numpy()[deal],
            "account_id": account_ids[deals["account"].to_numpy()[deal]],
            "opportunity_id": ids[deal],
            "at": work["at"].to_numpy(),
        }
    )
    activities = _activity_frame(pd.concat([work, _lead_work(people, ctx)]), people, ctx)
    return opportunities, versions.reset_index(drop=True), activities


def _lead_work(people: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """Calls and emails that work MQLs in their first two weeks, by the person's owner
    while employed."""
    worked = np.flatnonzero(people["mql_at"].notna().to_numpy())
    person = np.repeat(worked, ctx.rng.poisson(1.5, worked.size))
    at = day_numbers(people["mql_at"].to_numpy("datetime64[s]")[person])
    at += 14 * ctx.rng.random(person.size)
    owner = pd.Index(ctx.users["user_id"]).get_indexer(people["owner_id"].to_numpy()[person])
    day = np.floor(at)
    keep = (at <= ctx.now) & (ctx.hired[owner] <= day) & (ctx.left[owner] >= day)
    return pd.DataFrame(
        {
            "owner": owner[keep],
            "person": person[keep],
            "account_id": people["account_id"].to_numpy(object)[person[keep]],
            "opportunity_id": "",
            "at": at[keep],
        }
    )


def _activity_frame(work: pd.DataFrame, people: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """Activities of `work` with a type and outcome, numbered in time order."""
    rng, n = ctx.rng, len(work)
    lead = work["opportunity_id"].to_numpy() == ""
    kind = np.where(
        lead,
        rng.choice(2, n, p=[0.45, 0.55]),  # leads get calls and emails
        rng.choice(ACTIVITY_TYPES.size, n, p=[0.3, 0.4, 0.15, 0.07, 0.08]),
    )
    outcome = np.select(
        [kind == 0, (kind == 2) | (kind == 3)],
        [
            CALL_OUTCOMES[rng.choice(3, n, p=[0.45, 0.35, 0.2])],
            MEETING_OUTCOMES[np.where(rng.random(n) < 0.85, 0, 1)],
        ],
        "completed",
    )
    at = work["at"].to_numpy(float)
    order = np.argsort(at, kind="stable")
    frame = pd.DataFrame(
        {
            "activity_id": make_ids("act", n, 8),
            "type": ACTIVITY_TYPES[kind[order]],
            "owner_id": ctx.users["user_id"].to_numpy(object)[work["owner"].to_numpy()[order]],
            "person_id": people["person_id"].to_numpy(object)[work["person"].to_numpy()[order]],
            "account_id": work["account_id"].to_numpy(object)[order],
            "opportunity_id": work["opportunity_id"].to_numpy(object)[order],
            "occurred_at": stamps(at[order]),
            "outcome": outcome[order],
        }
    )
    return frame[list(FRAMES["activities"])]
