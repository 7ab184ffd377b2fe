"""The stalled-deals list names each deal's owner (the CRM user), on the page and in its
JSON twin."""

from __future__ import annotations

from app.conftest import OTHER_REP, QUARTER, Cockpit

STALLED_OWNERS = {
    "salesforce:0068d00000B001CAAR": ("salesforce:0058d00000B000CAAR", "Michael Evans"),
    "salesforce:0068d00000B001YAAR": ("salesforce:0058d00000B000CAAR", "Michael Evans"),
    "salesforce:0068d00000B001HAAR": ("salesforce:0058d00000B000RAAR", "Sophia Cook"),
}
"""The test company's stalled deals as of its as-of day, their OwnerId and that user's
FirstName LastName, read by hand from the generated Opportunity.csv and User.csv."""


def test_stalled_deals_name_their_owner_in_the_json_twin(cockpit: Cockpit) -> None:
    view = cockpit.client("admin@example.com").get(f"/api/v1/pipeline?window={QUARTER}")
    assert view.status_code == 200
    owners = {d["opportunity_id"]: (d["owner_id"], d["owner_name"]) for d in view.json()["stalled"]}
    assert owners == STALLED_OWNERS


def test_stalled_deals_show_owner_names_not_ids_on_the_page(cockpit: Cockpit) -> None:
    page = cockpit.client(OTHER_REP).get(f"/pipeline?window={QUARTER}").text
    table = page[page.index('id="stalled-table"') :]
    owner = "salesforce:0058d00000B000CAAR"
    cell = f'<td title="{owner}"><a href="/reps/{owner}">Michael Evans</a></td>'
    assert table.count(cell) == 2
    assert "Sophia Cook" not in table  # another rep's deal: out of Michael's scope
