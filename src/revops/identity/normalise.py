"""Normal forms of the fields people and companies are matched on.

Each function takes one raw value and returns its normal form, or ``None`` when nothing
usable is left, so a blank never matches a blank. They are pure Python and cheap: a
million records normalise in seconds before Splink compares them.

Examples:
    >>> normal_company_name("ACME, Incorporated") == normal_company_name("Acme Inc.")
    True
    >>> first_name_forms("Bob")
    ('bob', 'robert')
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from importlib import resources

# Free mailbox providers: an address there says nothing about the person's company.
PERSONAL_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "yandex.ru",
    }
)

# Legal forms, written as the words they become once punctuation is gone ("L.L.C." →
# "l l c" → joined below). Removed only at the end of a name: "Company" in "The Company
# Store" is part of the name.
LEGAL_FORMS = frozenset(
    {
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "llc",
        "llp",
        "lp",
        "ltd",
        "limited",
        "gmbh",
        "ag",
        "kg",
        "plc",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "pty",
        "pvt",
        "oy",
        "ab",
        "as",
        "aps",
        "ltda",
        "kk",
        "sl",
        "se",
    }
)
_SPLIT_FORMS = {
    "l l c": "llc",
    "s a de c v": "sa",
    "sa de cv": "sa",
    "s a": "sa",
    "b v": "bv",
    "n v": "nv",
    "a g": "ag",
    "a s": "as",
    "k k": "kk",
    "s l": "sl",
}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DOMAIN_PREFIX = re.compile(r"^(?:[a-z]+://)?(?:www\d?\.)?")


def ascii_fold(text: str) -> str:
    """`text` lower-cased, accents removed (``"Zoë"`` → ``"zoe"``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


def normal_email(value: str | None) -> str | None:
    """The address lower-cased and trimmed, or ``None`` when it is not an address.

    Examples:
        >>> normal_email(" Ann.Lee@Initech.COM ")
        'ann.lee@initech.com'
        >>> normal_email("not an email") is None
        True
    """
    if not value:
        return None
    email = value.strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain:
        return None
    return email


def email_domain(value: str | None) -> str | None:
    """The company domain of an address, or ``None`` for a free mailbox provider.

    Examples:
        >>> email_domain("ann@initech.com"), email_domain("ann@gmail.com")
        ('initech.com', None)
    """
    email = normal_email(value)
    if email is None:
        return None
    return free_provider_none(email.rpartition("@")[2])


def free_provider_none(domain: str | None) -> str | None:
    """`domain`, or ``None`` for a free mailbox provider's: nobody's company.

    Examples:
        >>> free_provider_none("acme.com"), free_provider_none("gmail.com")
        ('acme.com', None)
    """
    return None if domain in PERSONAL_EMAIL_DOMAINS else domain


def email_local(value: str | None) -> str | None:
    """The part of an address before the ``@``, without dots, ``+tags`` and digits, so
    ``ann.lee+crm@x.com`` and ``annlee7@gmail.com`` agree.

    Examples:
        >>> email_local("Ann.Lee+crm@x.com"), email_local("annlee7@gmail.com")
        ('annlee', 'annlee')
    """
    email = normal_email(value)
    if email is None:
        return None
    local = email.rpartition("@")[0].split("+", 1)[0]
    return re.sub(r"[^a-z]", "", local) or None


def email_number(value: str | None) -> str | None:
    """The digits of the part of an address before the ``@`` (``""`` when it has none), so
    ``susan.parker2@x.com`` and ``susan.parker@x.com`` differ though their
    :func:`email_local` agree; ``None`` when it is not an address.

    Examples:
        >>> email_number("Susan.Parker2@x.com"), email_number("susan.parker@x.com")
        ('2', '')
        >>> email_number("n/a") is None
        True
    """
    email = normal_email(value)
    if email is None:
        return None
    return re.sub(r"[^0-9]", "", email.rpartition("@")[0].split("+", 1)[0])


def mailbox_named(local: str | None, first_forms: tuple[str, ...], last: str | None) -> bool:
    """Whether a mailbox name (:func:`email_local`) is made of the person's own names:
    first and last name in either order, either one alone, or an initial and the other.

    Such a mailbox says nothing the names do not: two namesakes have it too.

    Examples:
        >>> mailbox_named("annlee", ("ann", "anna"), "lee"), mailbox_named("alee", ("ann",), "lee")
        (True, True)
        >>> mailbox_named("bigdave", ("david",), "lee"), mailbox_named(None, ("ann",), "lee")
        (False, False)
    """
    if not local:
        return False
    lasts = [re.sub(r"[^a-z]", "", last)] if last else []
    firsts = [re.sub(r"[^a-z]", "", f) for f in first_forms]
    names = [n for n in (*firsts, *lasts) if n]
    if local in names:
        return True
    for first in filter(None, firsts):
        for surname in filter(None, lasts):
            for a, b in ((first, surname), (surname, first)):
                if local in (a + b, a[0] + b, a + b[0]):
                    return True
    return False


def normal_domain(value: str | None) -> str | None:
    """A web domain without scheme, ``www.``, path or port, lower-case.

    Examples:
        >>> normal_domain("https://www.Acme.com/about")
        'acme.com'
        >>> normal_domain("") is None
        True
    """
    if not value:
        return None
    text = _DOMAIN_PREFIX.sub("", value.strip().lower())
    host = re.split(r"[/:?#]", text, maxsplit=1)[0].strip(".")
    return host if "." in host else None


def normal_phone(value: str | None) -> str | None:
    """The digits of a phone number (at least seven), leading zeros and ``+`` dropped.

    Examples:
        >>> normal_phone("+1 (415) 555-0100"), normal_phone("n/a")
        ('14155550100', None)
    """
    if not value:
        return None
    digits = re.sub(r"\D", "", value).lstrip("0")
    return digits if len(digits) >= 7 else None


def normal_name(value: str | None) -> str | None:
    """A person's name part: ASCII, lower case, letters only.

    Examples:
        >>> normal_name("O'Brien-Smith"), normal_name("  ")
        ('obriensmith', None)
    """
    if not value:
        return None
    return re.sub(r"[^a-z]", "", ascii_fold(value)) or None


@cache
def nickname_table() -> dict[str, tuple[str, ...]]:
    """Nickname → the formal names it stands for, from the shipped ``nicknames.csv``."""
    table: dict[str, list[str]] = {}
    text = resources.files("revops.identity").joinpath("nicknames.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        table.setdefault(row["nickname"], []).append(row["name"])
    return {nick: tuple(names) for nick, names in table.items()}


def first_name_forms(value: str | None) -> tuple[str, ...]:
    """The normal first name and every formal name it may be a nickname of.

    Two first names refer to the same name when their forms intersect: ``Bob`` and
    ``Robert`` share ``robert``.

    Examples:
        >>> first_name_forms("Sam")
        ('sam', 'samuel', 'samantha')
        >>> first_name_forms(None)
        ()
    """
    name = normal_name(value)
    if name is None:
        return ()
    return (name, *nickname_table().get(name, ()))


def canonical_first_name(value: str | None) -> str | None:
    """One form per first name for blocking: the first formal name of a nickname.

    Examples:
        >>> canonical_first_name("Bobby"), canonical_first_name("Robert")
        ('robert', 'robert')
    """
    forms = first_name_forms(value)
    if not forms:
        return None
    return forms[1] if len(forms) > 1 else forms[0]


def normal_company_name(value: str | None) -> str | None:
    """A company name without case, punctuation, accents or trailing legal forms.

    Examples:
        >>> normal_company_name("Acme, Inc."), normal_company_name("ACME Corp")
        ('acme', 'acme')
        >>> normal_company_name("Müller GmbH & Co. KG")
        'muller'
        >>> normal_company_name("Dunelon Group Pty Ltd")
        'dunelon group'
        >>> normal_company_name("Kinta Group S.A. de C.V."), normal_company_name("Ellonova K.K.")
        ('kinta group', 'ellonova')
        >>> normal_company_name("Inc.") is None
        True
    """
    if not value:
        return None
    text = " ".join(_NON_ALNUM.sub(" ", ascii_fold(value).replace("&", " ")).split())
    for split, joined in _SPLIT_FORMS.items():
        text = re.sub(rf"\b{split}\b", joined, text)
    words = text.split()
    while words and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words) or None


def company_key(value: str | None) -> str | None:
    """The normal company name without spaces, for blocking and exact comparison
    (``"Velva Health"`` and ``"Velvahealth"`` agree).

    Examples:
        >>> company_key("Velva Health Inc"), company_key("VELVAHEALTH")
        ('velvahealth', 'velvahealth')
    """
    name = normal_company_name(value)
    return name.replace(" ", "") if name else None


def normal_text(value: str | None) -> str | None:
    """Free text (an address line, a city) folded: lower case, no accents, words
    separated by one space.

    Examples:
        >>> normal_text("  12  Rue de l'Église, Apt. 3 ")
        '12 rue de l eglise apt 3'
    """
    if not value:
        return None
    return " ".join(_NON_ALNUM.sub(" ", ascii_fold(value)).split()) or None


def normal_postcode(value: str | None) -> str | None:
    """A postal code without spaces or punctuation, upper case (``"sw1a 1aa"`` →
    ``"SW1A1AA"``).

    Examples:
        >>> normal_postcode(" sw1a 1aa ")
        'SW1A1AA'
    """
    if not value:
        return None
    return re.sub(r"[^A-Z0-9]", "", ascii_fold(str(value)).upper()) or None
