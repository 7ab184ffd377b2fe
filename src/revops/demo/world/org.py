"""The go-to-market organisation of the demo company: who sells, who helps, who leaves.

Head count is planned in *seats*: one seat per AE, SDR, CSM, marketer and RevOps analyst
the company has today (about one AE per 40 accounts), a little over half of them filled
when history starts and the rest opened as the company grows. Each seat is a chain of
people: when someone leaves (about 18% of people a year, at random times), the seat is
backfilled a few weeks later. Managers (one per team) and the executive stay.

The helpers here (day numbers, ids, names, :func:`pick_employed`) are shared by the rest
of the sales simulation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from revops.demo.frames import FRAMES
from revops.demo.params import DemoParams, history_start

Array = npt.NDArray[Any]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

SEGMENTS = ("smb", "mid_market", "enterprise")
SEGMENT_LABELS = ("SMB", "Mid-Market", "Enterprise")
ATTRITION = 0.18  # share of the people in a seat who leave within a year
START_SHARE = 0.55  # seats filled when history starts, as a share of today's
EMAIL_DOMAIN = "revops-demo.com"
FAR = 10_000_000.0  # a day number after any date the simulation reaches


def words(text: str) -> Array:
    """The words of `text` as an object array."""
    return np.array(text.split(), dtype=object)


FIRST_NAMES = words(
    "Robert William Elizabeth James John Michael Richard Thomas Christopher Daniel Matthew "
    "Anthony Joseph David Charles Edward Andrew Benjamin Nicholas Jonathan Samuel Alexander "
    "Timothy Stephen Kenneth Gregory Patrick Peter Margaret Katherine Catherine Jennifer "
    "Jessica Patricia Susan Emma Olivia Sophia Isabella Mia Charlotte Amelia Harper Grace "
    "Chloe Laura Sarah Hannah Rachel Priya Arjun Wei Mei Yuki Hiroshi Carlos Sofia Lucas "
    "Mateo Lena Jonas Fatima Omar Aisha Noah Liam Ethan Ava Zoe Nina Ivan Elena"
)
LAST_NAMES = words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis "
    "Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell "
    "Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris "
    "Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Kelly Howard Cox Ward Richardson "
    "Watson Brooks Chen Wang Patel Singh Kumar Nguyen Kim Tanaka Sato Muller Schmidt Fischer "
    "Weber Rossi Bianchi Dubois Laurent Silva Santos Okafor Mensah Novak Larsen Jensen"
)


def day_numbers(values: pd.Series | Array) -> Floats:
    """Timestamps or dates as float days since 1970-01-01; NaN where missing."""
    stamps = np.asarray(values, dtype="datetime64[s]")
    days = stamps.astype(np.int64) / 86_400.0
    return np.where(np.isnat(stamps), np.nan, days)


def stamps(days: Floats) -> Array:
    """Float day numbers as `datetime64[s]` timestamps; NaT where NaN."""
    seconds = np.round(np.nan_to_num(days, nan=0.0) * 86_400).astype(np.int64)
    out: Array = np.where(np.isnan(days), np.datetime64("NaT", "s"), seconds.astype("M8[s]"))
    return out


def dates(days: Floats) -> Array:
    """Float day numbers as `datetime64[D]` dates; NaT where NaN."""
    whole = np.floor(np.nan_to_num(days, nan=0.0)).astype(np.int64)
    out: Array = np.where(np.isnan(days), np.datetime64("NaT", "D"), whole.astype("M8[D]"))
    return out


def make_ids(prefix: str, count: int, width: int) -> Array:
    """`prefix-000001` … for `count` records, as an object array."""
    numbers = np.arange(1, count + 1).astype(np.str_)
    width = max(width, len(str(count)))
    ids: Array = np.strings.add(f"{prefix}-", np.strings.zfill(numbers, width)).astype(object)
    return ids


def segment_codes(segments: pd.Series | Array) -> Ints:
    """0 smb, 1 mid_market, 2 enterprise; -1 for anything else."""
    codes: Ints = pd.Index(SEGMENTS).get_indexer(pd.Index(np.asarray(segments, dtype=object)))
    return codes.astype(np.int64)


def unique_locals(local: pd.Series, email: pd.Series | None = None) -> pd.Series:
    """Email local parts made unique by numbering repeats (`ann.lee`, `ann.lee2`) of the
    same `email` (the local part itself by default)."""
    key = local if email is None else email
    repeat = key.groupby(key.to_numpy(), sort=False).cumcount().to_numpy()
    return local.where(repeat == 0, local + (repeat + 1).astype(str))


def employment(users: pd.DataFrame) -> tuple[Floats, Floats]:
    """Each user's first and last day employed, as day numbers (last is FAR if still there)."""
    hired = day_numbers(users["hire_date"].to_numpy("datetime64[D]"))
    left = day_numbers(users["termination_date"].to_numpy("datetime64[D]"))
    return hired, np.where(np.isnan(left), FAR, left)


def pick_employed(
    users: pd.DataFrame,
    role: str,
    segment: Ints,
    at: Floats,
    rng: np.random.Generator,
    prefer: Ints | None = None,
) -> Ints:
    """Row positions in `users` of a `role` holder employed on the day of each `at`.

    `prefer` (positions, -1 for none) is kept where that user is employed then; otherwise
    a holder of the same segment (`segment` codes, -1 for any) employed the whole month
    is drawn at random, else one of any segment, else anyone who held the role.
    """
    hired, left = employment(users)
    day = np.floor(at)
    out = np.full(at.size, -1, dtype=np.int64)
    if prefer is not None:
        p = np.maximum(prefer, 0)
        keep = (prefer >= 0) & (hired[p] <= day) & (left[p] >= day)
        out[keep] = prefer[keep]
    holders = np.flatnonzero(users["role"].to_numpy() == role)
    held_segment = segment_codes(users["segment"].to_numpy())[holders]
    todo = np.flatnonzero(out < 0)
    month = day[todo].astype("M8[D]").astype("M8[M]").astype(np.int64)
    key = (segment[todo] + 1) * 1_000_000 + month
    order = np.argsort(key, kind="stable")
    groups, first = np.unique(key[order], return_index=True)
    bounds = np.append(first, order.size)
    for group, lo, hi in zip(groups, bounds[:-1], bounds[1:], strict=True):
        seg, number = divmod(int(group), 1_000_000)
        start, end = _month_span(number)
        whole = (hired[holders] <= start) & (left[holders] >= end)
        overlap = (hired[holders] <= end) & (left[holders] >= start)
        same = held_segment == seg - 1 if seg > 0 else np.ones(holders.size, bool)
        for choice in (whole & same, whole, overlap & same, overlap, np.ones(holders.size, bool)):
            if choice.any():
                break
        pool = holders[choice]
        out[todo[order[lo:hi]]] = pool[rng.integers(0, pool.size, hi - lo)]
    return out


def _month_span(month: int) -> tuple[float, float]:
    """First and last day numbers of month `month` (months since 1970-01)."""
    days = np.array([month, month + 1], dtype="M8[M]").astype("M8[D]").astype(np.int64)
    return float(days[0]), float(days[1] - 1)


def simulate_org(params: DemoParams, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Users and teams (FRAMES columns) over the company's history up to `params.as_of`.

    Team 0 is the executive's; every other team has a manager, hired before history if the
    team existed then, else just before its first seat opens.
    """
    start = day_numbers(np.array([history_start(params)], dtype="M8[D]"))[0]
    now = day_numbers(np.array([params.as_of], dtype="M8[D]"))[0]
    names, departments = ["Leadership"], ["sales"]
    roles, segments, teams, openings = [], [], [], []
    for role, segment, count, name, department, size in _plan(params.accounts):
        initial = max(1, round(count * START_SHARE))
        growth = np.sort(start + rng.random(count - initial) * (now - start))
        openings.append(np.concatenate([np.full(initial, -np.inf), growth]))
        roles.append(np.full(count, role, dtype=object))
        segments.append(np.full(count, segment))
        teams.append(len(names) + np.arange(count) // size)
        extra = -(-count // size)
        names += [name if extra == 1 else f"{name} {i + 1}" for i in range(extra)]
        departments += [department] * extra
    seat, hired, left = _chains(np.concatenate(openings), start, now, rng)
    team = np.concatenate(teams)[seat]
    opened = np.full(len(names), np.inf)
    np.minimum.at(opened, team, hired)
    early = start - rng.uniform(200, 2000, opened.size)
    boss_hired = np.where(opened < start, early, opened - rng.uniform(0, 30, opened.size))
    boss_hired[0] = start - rng.uniform(2000, 3000)
    left[left > now] = np.nan
    return _frames(
        np.concatenate(
            [["executive"] + ["manager"] * (len(names) - 1), np.concatenate(roles)[seat]]
        ),
        np.concatenate([np.arange(len(names)), team]),
        np.concatenate([np.full(len(names), -1), np.concatenate(segments)[seat]]),
        np.floor(np.concatenate([boss_hired, hired])),
        np.floor(np.concatenate([np.full(len(names), np.nan), left])),
        (names, departments),
        rng,
    )


def _plan(accounts: int) -> list[tuple[str, int, int, str, str, int]]:
    """Seats today: (role, segment, count, team name, department, team size)."""
    aes = max(6, round(accounts / 40))
    sdrs = max(3, round(aes / 2))
    plan = [
        ("AE", s, max(2, round(aes * share)), f"{SEGMENT_LABELS[s]} Sales", "sales", 8)
        for s, share in enumerate((0.45, 0.33, 0.22))
    ]
    plan += [
        ("SDR", s, max(1, round(sdrs * share)), f"{SEGMENT_LABELS[s]} Development", "sales", 10)
        for s, share in enumerate((0.4, 0.35, 0.25))
    ]
    return [
        *plan,
        ("CSM", -1, max(2, round(accounts / 150)), "Customer Success", "success", 12),
        ("marketing", -1, max(2, round(aes / 5)), "Marketing", "marketing", 12),
        ("revops", -1, max(1, round(aes / 15)), "Revenue Operations", "revops", 10),
    ]


def _chains(
    opening: Floats, start: float, now: float, rng: np.random.Generator
) -> tuple[Ints, Floats, Floats]:
    """Everyone who held each seat: (seat, hired, left) with left > now for those still there.

    Seats open before history are held by someone hired up to four years earlier; since
    leaving is memoryless, their remaining time is drawn from the start of history.
    """
    mean_stay = 365.25 / -np.log(1 - ATTRITION)
    before = np.isinf(opening)
    hired = np.where(before, start - rng.uniform(30, 1400, opening.size), opening)
    left = np.where(before, start, hired) + rng.exponential(mean_stay, opening.size)
    left = np.maximum(left, hired + 30)
    held: list[tuple[Ints, Floats, Floats]] = []
    for _ in range(100):
        filled = hired <= now
        if not filled.any():
            break
        held.append((np.flatnonzero(filled), hired[filled], left[filled]))
        hired = left + 1 + rng.lognormal(np.log(40), 0.5, opening.size)
        left = hired + np.maximum(rng.exponential(mean_stay, opening.size), 30)
    seat, hire, leave = (np.concatenate(parts) for parts in zip(*held, strict=True))
    return seat, hire, leave


def _frames(
    role: Array,
    team: Ints,
    segment: Ints,
    hired: Floats,
    left: Floats,
    team_table: tuple[list[str], list[str]],
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frames, users numbered in the order they were hired."""
    team_names, departments = team_table
    order = np.lexsort((np.arange(hired.size), hired))
    role, team, segment, hired, left = (
        role[order],
        team[order],
        segment[order],
        hired[order],
        left[order],
    )
    n = role.size
    user_ids = make_ids("usr", n, 6)
    boss = np.empty(len(team_names), dtype=np.int64)
    is_boss = np.isin(role, ("executive", "manager"))
    boss[team[is_boss]] = np.flatnonzero(is_boss)
    manager = np.where(is_boss, boss[0], boss[team])
    manager_id = user_ids[manager]
    manager_id[role == "executive"] = ""
    first = FIRST_NAMES[rng.integers(0, FIRST_NAMES.size, n)]
    last = LAST_NAMES[rng.integers(0, LAST_NAMES.size, n)]
    local = unique_locals(pd.Series(first + "." + last, dtype=object).str.lower())
    seller = np.isin(role, ("AE", "SDR"))
    # AEs ramp 3-4 months in SMB up to 5-6 in enterprise; SDRs and CSMs 3-4; others 1-2
    ramp = 3 + np.where(role == "AE", np.maximum(segment, 0), 0) + rng.integers(0, 2, n)
    ramp = np.where(np.isin(role, ("AE", "SDR", "CSM")), ramp, ramp - 2)
    team_ids = make_ids("team", len(team_names), 2)
    users = pd.DataFrame(
        {
            "user_id": user_ids,
            "first_name": first,
            "last_name": last,
            "email": (local + "@" + EMAIL_DOMAIN).to_numpy(object),
            "role": role,
            "segment": np.where(seller, np.array(SEGMENTS, object)[np.maximum(segment, 0)], ""),
            "team_id": team_ids[team],
            "manager_id": manager_id,
            "hire_date": dates(hired),
            "ramp_months": ramp.astype(np.int64),
            "termination_date": dates(left),
            "skill": np.round(rng.beta(3, 3, n), 3),
        }
    )
    teams = pd.DataFrame(
        {
            "team_id": team_ids,
            "name": np.array(team_names, dtype=object),
            "department": np.array(departments, dtype=object),
            "manager_id": user_ids[boss],
        }
    )
    return users[list(FRAMES["users"])], teams[list(FRAMES["teams"])]
