"""How people mistype and vary names: keyboard typos, nicknames, shouting and lower case."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Formal first name → the nicknames people register with instead (first one most common).
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"),
    "William": ("Bill", "Will", "Billy"),
    "Elizabeth": ("Liz", "Beth", "Betty"),
    "James": ("Jim", "Jimmy", "Jamie"),
    "John": ("Jack", "Johnny"),
    "Michael": ("Mike", "Mick"),
    "Richard": ("Rick", "Dick", "Rich"),
    "Thomas": ("Tom", "Tommy"),
    "Christopher": ("Chris", "Topher"),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Anthony": ("Tony",),
    "Joseph": ("Joe", "Joey"),
    "David": ("Dave",),
    "Charles": ("Charlie", "Chuck"),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Andrew": ("Andy", "Drew"),
    "Benjamin": ("Ben",),
    "Nicholas": ("Nick",),
    "Jonathan": ("Jon",),
    "Samuel": ("Sam",),
    "Alexander": ("Alex",),
    "Timothy": ("Tim",),
    "Stephen": ("Steve",),
    "Steven": ("Steve",),
    "Kenneth": ("Ken", "Kenny"),
    "Gregory": ("Greg",),
    "Patrick": ("Pat",),
    "Peter": ("Pete",),
    "Raymond": ("Ray",),
    "Ronald": ("Ron",),
    "Donald": ("Don",),
    "Douglas": ("Doug",),
    "Frederick": ("Fred",),
    "Gerald": ("Jerry",),
    "Lawrence": ("Larry",),
    "Leonard": ("Leo", "Len"),
    "Philip": ("Phil",),
    "Zachary": ("Zach",),
    "Joshua": ("Josh",),
    "Jeffrey": ("Jeff",),
    "Harold": ("Harry",),
    "Henry": ("Hank",),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Katherine": ("Kate", "Kathy", "Katie"),
    "Catherine": ("Cathy", "Cate"),
    "Jennifer": ("Jen", "Jenny"),
    "Jessica": ("Jess",),
    "Patricia": ("Pat", "Patty", "Trish"),
    "Susan": ("Sue", "Susie"),
    "Rebecca": ("Becky", "Becca"),
    "Deborah": ("Deb", "Debbie"),
    "Kimberly": ("Kim",),
    "Victoria": ("Vicky", "Tori"),
    "Christina": ("Tina", "Chrissy"),
    "Alexandra": ("Alex", "Sasha"),
    "Samantha": ("Sam",),
    "Abigail": ("Abby",),
    "Jacqueline": ("Jackie",),
    "Barbara": ("Barb",),
    "Dorothy": ("Dot", "Dottie"),
    "Pamela": ("Pam",),
    "Cynthia": ("Cindy",),
    "Judith": ("Judy",),
    "Theresa": ("Terry", "Tess"),
    "Valerie": ("Val",),
}

# Letters a finger lands on instead of the intended one (QWERTY neighbours).
_NEIGHBOURS = {
    "a": "qwsz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxz",
    "t": "rfgy",
    "u": "yhji",
    "v": "cfgb",
    "w": "qase",
    "x": "zsdc",
    "y": "tghu",
    "z": "asx",
}
TYPO_KINDS = ("transposition", "deletion", "substitution", "doubling")


def typo(text: str, kind: str, u: float, v: float) -> str:
    """`text` with one typo of `kind`, at a position chosen by `u` and a replacement by `v`
    (uniform draws in [0, 1)). The result always differs from a non-empty `text`: a kind
    that cannot apply (no two different adjacent letters to swap, no letter to hit a
    neighbour of) falls back to doubling a letter.

    Examples:
        >>> typo("Smith", "transposition", 0.0, 0.0), typo("Smith", "deletion", 0.99, 0.0)
        ('mSith', 'Smit')
        >>> typo("Smith", "substitution", 0.3, 0.0), typo("Lee", "doubling", 0.0, 0.0)
        ('Snith', 'LLee')
    """
    if not text:
        return text
    if kind == "transposition":
        spots = [i for i in range(len(text) - 1) if text[i] != text[i + 1]]
        if spots:
            i = spots[int(u * len(spots))]
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    elif kind == "deletion" and len(text) > 1:
        i = int(u * len(text))
        return text[:i] + text[i + 1 :]
    elif kind == "substitution":
        spots = [i for i, char in enumerate(text) if char.lower() in _NEIGHBOURS]
        if spots:
            i = spots[int(u * len(spots))]
            options = _NEIGHBOURS[text[i].lower()]
            char = options[int(v * len(options))]
            return text[:i] + (char.upper() if text[i].isupper() else char) + text[i + 1 :]
    i = int(u * len(text))
    return text[: i + 1] + text[i] + text[i + 1 :]


def typos(texts: Sequence[str], rng: np.random.Generator) -> list[str]:
    """One typo in each of `texts`, its kind drawn uniformly from `TYPO_KINDS`.

    A Python loop, but only over the few records chosen for a defect.
    """
    n = len(texts)
    kinds = rng.integers(0, len(TYPO_KINDS), n)
    draws = rng.random((n, 2))
    return [
        typo(text, TYPO_KINDS[kind], u, v)
        for text, kind, (u, v) in zip(texts, kinds, draws, strict=True)
    ]


def nicknames(first_names: Sequence[str], rng: np.random.Generator) -> list[str]:
    """Each first name swapped for a nickname (Robert → Bob) or, if it is one, for the
    formal name (Bob → Robert); names with neither are returned unchanged.

    Examples:
        >>> nicknames(["William", "Liz", "Zoltan"], np.random.default_rng(1))
        ['Will', 'Elizabeth', 'Zoltan']
    """
    draws = rng.random(len(first_names))
    out = []
    for name, u in zip(first_names, draws, strict=True):
        options = NICKNAMES.get(name) or _FORMAL.get(name, ())
        out.append(options[int(u * len(options))] if options else name)
    return out


def has_nickname(first_names: Sequence[str]) -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
    """Whether each first name has a nickname or formal form to swap to."""
    known = set(NICKNAMES) | set(_FORMAL)
    return np.fromiter((name in known for name in first_names), dtype=bool, count=len(first_names))


def _formal_names() -> dict[str, tuple[str, ...]]:
    formal: dict[str, list[str]] = {}
    for name, nicks in NICKNAMES.items():
        for nick in nicks:
            formal.setdefault(nick, []).append(name)
    return {nick: tuple(names) for nick, names in formal.items()}


_FORMAL = _formal_names()
