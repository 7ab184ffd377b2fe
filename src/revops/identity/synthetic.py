"""A synthetic population of people for identity resolution at scale, with its truth.

People at companies, 10 % of them entered a second time with the demo company's kinds of
differences (nickname, typo in the last name, capitals, a personal address, no phone).
Names come from 200 first names and 6,000 last names, so a large population holds many
namesakes: what tests and `benchmarks/identity.py` need to see whether the person model
tells two people of one name apart. Far faster than generating a whole demo company of
that many people.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

# One string each: as list literals, 200 names would take 200 lines.
FIRST = (  # noqa: SIM905
    "James Mary Robert Patricia John Jennifer Michael Linda William Elizabeth David Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa "
    "Matthew Margaret Anthony Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna "
    "Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie "
    "Ronald Rebecca Edward Sharon Jason Laura Jeffrey Cynthia Ryan Kathleen Jacob Amy Gary "
    "Angela Nicholas Shirley Eric Anna Jonathan Brenda Larry Pamela Justin Emma Scott Nicole "
    "Brandon Helen Benjamin Samantha Samuel Katherine Gregory Christine Alexander Debra Frank "
    "Rachel Patrick Carolyn Raymond Janet Jack Catherine Dennis Maria Jerry Heather Tyler Diane "
    "Aaron Ruth Jose Julie Adam Olivia Henry Joyce Nathan Virginia Douglas Victoria Zachary Kelly "
    "Peter Lauren Kyle Christina Ethan Joan Walter Evelyn Noah Judith Jeremy Megan Christian "
    "Andrea Keith Cheryl Roger Hannah Terry Jacqueline Gerald Martha Harold Gloria Sean Teresa "
    "Austin Ann Carl Sara Arthur Madison Lawrence Frances Dylan Kathryn Jesse Janice Jordan Jean "
    "Bryan Abigail Billy Alice Joe Julia Bruce Judy Gabriel Sophia Logan Grace Albert Denise "
    "Willie Amber Alan Doris Juan Marilyn Wayne Danielle Elijah Beverly Randy Isabella Roy Theresa"
).split()
SYLLABLES = (  # noqa: SIM905
    "an ber cal dor el fen gar hol is jon kel lin mor nor os par quin ros sal tor ul van wes "
    "xan yor zel bri cor dun ev fal gil har ing jor kas lum mar nev ol pen rav sel tam ur vel"
).split()


def synthetic_people(n: int, seed: int) -> tuple[pa.Table, dict[str, str]]:
    """`n` person records (the columns of `records.person_source`) and the truth: record
    id → person id.

    Args:
        n: records, about 1.1 per person.
        seed: same seed, same population.
    """
    import numpy as np
    import pyarrow as pa

    from revops.identity.normalise import nickname_table

    rng = np.random.default_rng(seed)
    people = int(n / 1.1)
    copies = n - people
    syll = np.array(SYLLABLES, dtype=object)
    last_names = np.unique(
        [a.title() + b + c for a, b, c in rng.choice(syll, size=(6_000, 3))]
    ).astype(object)
    companies = np.unique([a + b + c for a, b, c in rng.choice(syll, size=(people // 8, 3))])
    domains = np.array([c + ".com" for c in companies], dtype=object)
    first = rng.choice(np.array(FIRST, dtype=object), people)
    last = rng.choice(last_names, people)
    domain = rng.choice(domains, people)
    style = rng.integers(0, 2, people)
    local = np.where(
        style == 0,
        np.char.lower((first + "." + last).astype(str)),
        np.char.lower((np.array([f[0] for f in first], dtype=object) + last).astype(str)),
    ).astype(object)
    email = local + "@" + domain
    has_phone = rng.random(people) < 0.6
    numbers = np.array(
        ["+1" + str(x) for x in rng.integers(2_000_000_000, 9_000_000_000, people)], dtype=object
    )
    phone = np.where(has_phone, numbers, np.full(people, None, dtype=object))
    person = np.array([f"p{i}" for i in range(people)], dtype=object)

    # The copies: who, and how each differs.
    of = rng.choice(people, copies, replace=False)
    c_first, c_last = first[of].copy(), last[of].copy()
    c_email, c_phone = email[of].copy(), phone[of].copy()
    nick = {v[0]: k for k, v in nickname_table().items()}
    draws = rng.random((copies, 4))
    for i in np.flatnonzero(draws[:, 0] < 0.35):
        c_first[i] = nick.get(c_first[i].lower(), c_first[i].lower()).title()
    for i in np.flatnonzero(draws[:, 1] < 0.35):
        word = c_last[i]
        j = int(rng.integers(1, len(word) - 1))
        c_last[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    personal = draws[:, 2] < 0.3
    c_email[personal] = [
        f"{f.lower()}{la.lower()}{int(rng.integers(1, 99))}@gmail.com"
        for f, la in zip(c_first[personal], c_last[personal], strict=True)
    ]
    c_email[~personal & (draws[:, 2] < 0.45)] = np.char.upper(
        c_email[~personal & (draws[:, 2] < 0.45)].astype(str)
    )
    c_phone[draws[:, 3] < 0.3] = None

    ids = [f"lead:r{i}" for i in range(n)]
    truth = dict(zip(ids, np.concatenate([person, person[of]]), strict=True))
    table = pa.table(
        {
            "unique_id": ids,
            "entity": ["lead"] * n,
            "record_id": [i.removeprefix("lead:") for i in ids],
            "source_system": ["bench"] * n,
            "source_id": [i.removeprefix("lead:") for i in ids],
            "first_name": np.concatenate([first, c_first]).tolist(),
            "last_name": np.concatenate([last, c_last]).tolist(),
            "email": np.concatenate([email, c_email]).tolist(),
            "phone": np.concatenate([phone, c_phone]).tolist(),
            "company": [None] * n,
            "company_domain": [None] * n,
        }
    )
    return table, truth
