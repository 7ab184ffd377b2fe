"""Personal mailboxes as free providers give them out: each address to one person only.

A generator that builds `jane.doe@gmail.com` from the name gives the same address to
every Jane Doe; at 200,000 accounts thousands of namesakes shared one, which no provider
allows and which made identity resolution look worse than it is on real data. The
generator claims each personal address it writes here, for its owner; an address already
held by someone else gets the next free number, as the provider would ask for.
"""

from __future__ import annotations

from collections.abc import Sequence


class PersonalAddresses:
    """The personal addresses given out so far and whose they are.

    `owner` is whatever names the person in the caller's frame (their work address, or
    a record id when they have none): one owner may claim one address several times.

    Examples:
        >>> book = PersonalAddresses()
        >>> book.claim(["jane.doe@gmail.com", "jane.doe@gmail.com"], ["jd@acme.com", "jd@ini.com"])
        ['jane.doe@gmail.com', 'jane.doe2@gmail.com']
        >>> book.claim(["Jane.Doe@gmail.com"], ["jd@acme.com"])
        ['jane.doe@gmail.com']
        >>> book.claim(["jane.doe@gmail.com"], ["jd@corp.com"])
        ['jane.doe3@gmail.com']
    """

    def __init__(self) -> None:
        self._owners: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._owners)

    def claim(self, addresses: Sequence[str], owners: Sequence[str]) -> list[str]:
        """Each address (lower-cased) for its owner, numbered where someone else holds it."""
        given = []
        for address, owner in zip(addresses, owners, strict=True):
            candidate = address.lower()
            local, _, host = candidate.rpartition("@")
            number = 1
            while self._owners.setdefault(candidate, owner) != owner:
                number += 1
                candidate = f"{local}{number}@{host}"
            given.append(candidate)
        return given
