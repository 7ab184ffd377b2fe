"""What the record pages share: the one way to link to a record, the link model every page
puts beside an id, finding a company's or person's records by any of its ids, and reading
rows as text.

A record page is found by its golden id: the identity cluster (``company:account:…``,
``person:contact:…``) when identity resolution clustered the record, else the record's own
canonical id (an account, a deal, a user) or, for a person, ``contact:<id>`` /
``lead:<id>`` (a contact and a lead may share an id format). Any other id of the same
record (a source record's ``salesforce:001…``, a billing customer's ``stripe:cus_…``)
resolves to the golden id, and the page redirects there.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from revops.metrics import SourceContext

RecordKind = Literal["account", "deal", "person", "rep"]
PATHS: dict[RecordKind, str] = {
    "account": "/accounts",
    "deal": "/deals",
    "person": "/people",
    "rep": "/reps",
}
"""The page of each kind of record; the JSON twin is the same path under /api/v1."""
PERSON_ENTITIES = ("contact", "lead")


class RecordNotFoundError(LookupError):
    """No record with this id that the viewer may see (the same answer for both, so a
    404 tells nothing about records outside the scope)."""

    def __init__(self, kind: RecordKind, record_id: str) -> None:
        super().__init__(f"no {kind} {record_id!r} among the records you may see")


class Moved(Exception):  # noqa: N818 - a signal to the route, not an error
    """The id names a record whose page is under another id (its golden record's)."""

    def __init__(self, kind: RecordKind, record_id: str) -> None:
        super().__init__(record_id)
        self.kind = kind
        self.record_id = record_id


def record_url(kind: RecordKind, record_id: Any) -> str | None:
    """The page of record `record_id` of `kind`, or None for no id.

    Examples:
        >>> record_url("account", "company:account:salesforce:0018d00000B0001AAB")
        '/accounts/company:account:salesforce:0018d00000B0001AAB'
        >>> record_url("deal", "hubspot:9 1/2"), record_url("rep", None)
        ('/deals/hubspot:9%201%2F2', None)
    """
    found = text(record_id)
    if found is None:
        return None
    return f"{PATHS[kind]}/{quote(found, safe=':@')}"


class RecordLink(BaseModel):
    """A record as a person reads it: its name, beside its id, linked to its page."""

    kind: RecordKind
    id: str
    name: str = Field(description="The record's name; its id when it has none.")
    url: str | None = Field(description="Its record page.")


def link(kind: RecordKind, record_id: Any, name: Any = None) -> RecordLink | None:
    """A link to `record_id` named `name` (its id when it has no name), or None."""
    found = text(record_id)
    if found is None:
        return None
    return RecordLink(kind=kind, id=found, name=text(name) or found, url=record_url(kind, found))


def text(value: Any) -> str | None:
    """A cell as text: None for nulls (None, NaN, NaT); dates and times as ISO.

    Examples:
        >>> text(float("nan")), text("x"), text(3)
        (None, 'x', '3')
    """
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        try:
            return str(value.isoformat())
        except ValueError:  # NaT
            return None
    shown = str(value)
    return None if shown in ("nan", "NaT", "None", "<NA>") else shown


def day(value: Any) -> str | None:
    """A date or time cell as its ISO day."""
    found = text(value)
    return None if found is None else found[:10]


def records(frame: Any) -> list[dict[str, Any]]:
    """The rows of a pandas frame as dicts with string keys."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict(orient="records")]


def has_identity(ctx: SourceContext) -> bool:
    """Whether identity resolution has run (a crosswalk to cluster records by)."""
    return bool(ctx.warehouse.has_table("crosswalk", "identity"))


def cluster_members(ctx: SourceContext, entities: tuple[str, ...], cluster: str) -> list[str]:
    """The record ids of `entities` in identity cluster `cluster` (the whole crosswalk:
    whether the viewer may see them is decided by the scoped reads that follow)."""
    if not has_identity(ctx):
        return []
    crosswalk = ctx.reader.whole("crosswalk", "identity")
    found = crosswalk.filter(
        crosswalk.entity.isin(list(entities)) & (crosswalk.cluster_id == cluster)
    )
    return sorted(str(v) for v in found.record_id.execute().tolist())


def cluster_of(ctx: SourceContext, entities: tuple[str, ...], record_id: str) -> str | None:
    """The identity cluster of the record `record_id` of one of `entities`, if any."""
    if not has_identity(ctx):
        return None
    crosswalk = ctx.reader.whole("crosswalk", "identity")
    found = crosswalk.filter(
        crosswalk.entity.isin(list(entities)) & (crosswalk.record_id == record_id)
    )
    values = found.cluster_id.execute().tolist()
    return str(values[0]) if values else None


def user_names(ctx: SourceContext, ids: Any) -> dict[str, str]:
    """The CRM users' names of `ids` (users are company reference data, so a name shows
    even for an owner outside the scope)."""
    from revops.metrics.labels import lookup

    wanted = [i for i in {text(v) for v in ids} if i]
    return {str(k): str(v) for k, v in lookup(ctx, "user", wanted).items()}


def user_link(names: dict[str, str], user_id: Any) -> RecordLink | None:
    """A link to the rep page of user `user_id`, named from `names`."""
    found = text(user_id)
    return None if found is None else link("rep", found, names.get(found))


def golden_accounts(ctx: SourceContext, account_ids: Any) -> dict[str, str]:
    """account id → its golden account id (its own id when identity never clustered it)."""
    wanted = sorted({i for i in (text(v) for v in account_ids) if i})
    if not wanted:
        return {}
    table = ctx.golden_accounts()
    rows = table.filter(table.account_id.isin(wanted)).execute()
    return {str(r["account_id"]): str(r["golden_account_id"]) for r in records(rows)}


def account_links(ctx: SourceContext, account_ids: Any) -> dict[str, RecordLink]:
    """account id → a link to its golden account's page, named as the labels name it."""
    from revops.metrics.labels import lookup

    golden = golden_accounts(ctx, account_ids)
    names = lookup(ctx, "account", list(golden))
    return {
        record: RecordLink(
            kind="account",
            id=cluster,
            name=text(names.get(record)) or record,
            url=record_url("account", cluster),
        )
        for record, cluster in golden.items()
    }
