"""CSAT and account health across systems, on vendor-shaped exports: the CRM's accounts
(tests/fixtures/salesforce/Account.csv), the support desk's organisations, tickets and
satisfaction ratings (tests/fixtures/zendesk) and one billing customer
(tests/fixtures/stripe/support_health). Identity resolution clusters the three records of
Bluefin Logistics (the Zendesk organisation's `external_id` is its Salesforce account);
the health score of the paying customer counts the tickets and ratings of the support
organisation in its cluster."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from revops import Workspace
from revops.ingest.runner import ingest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AS_OF = date(2024, 6, 30)
CRM = "salesforce:0015g000000002AAAQ"
DESK = "zendesk:360061234502"
BILLING = "stripe:cus_QbBluefin"


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = Workspace.create(tmp_path_factory.mktemp("health") / "ws")
    paths = [
        FIXTURES / "salesforce" / "Account.csv",
        FIXTURES / "zendesk",
        FIXTURES / "stripe" / "support_health",
    ]
    report = ingest(ws, paths, as_of=AS_OF, quality=False)
    assert not report.failed
    ws.identity.run(["company"])
    yield ws
    ws.close()


def test_the_three_systems_records_of_one_company_share_a_cluster(company: Workspace) -> None:
    crosswalk = company.identity.crosswalk().to_pylist()
    cluster = {r["record_id"]: r["cluster_id"] for r in crosswalk if r["entity"] == "account"}
    assert cluster[DESK] == cluster[CRM] == cluster[BILLING]


def test_the_health_score_counts_the_support_organisations_tickets_and_ratings(
    company: Workspace,
) -> None:
    [rows] = company.metrics.rows("health_score", "FY2024-Q2", as_of=AS_OF).values()
    [health] = rows.to_pyarrow().to_pylist()
    assert health["account_id"] == BILLING
    # Bluefin's tickets opened in the quarter: 5103, 5104, 5108, 5112 -> 100 - 4 x 10.
    assert health["support_score"] == pytest.approx(60.0)
    # Closed in the quarter with a rating: 5104 good (5) on its ticket, 5103 bad (1) from
    # the ratings export only -> mean 3 -> (3 - 1) / 4 x 100.
    assert health["csat_score"] == pytest.approx(50.0)
    # No usage and no invoice: 50 each; weights 0.4 usage, 0.2 support, csat, payment.
    assert health["usage_score"] == health["payment_score"] == 50.0
    assert health["health_score"] == pytest.approx(0.4 * 50 + 0.2 * 60 + 0.2 * 50 + 0.2 * 50)


def test_csat_of_the_crm_account_reads_its_desk_tickets(company: Workspace) -> None:
    result = company.metrics.compute(["csat"], "FY2024-Q2", as_of=AS_OF)
    # Every rated ticket closed in the quarter, the ratings export's 5103 included.
    assert result.value("csat") == pytest.approx(22 / 7)
