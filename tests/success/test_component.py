"""`ws.success` on small companies: lifetime value of buyers without a contract (a
subscriber's invoices left out), the same numbers through the catalog, the risk list and
renewal forecast, and one clear message where nothing can be fitted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from revops.errors import SuccessError

from conftest import POSTGRES_URL
from support import Company, company_on

AS_OF = date(2026, 6, 30)


def buyers(company: Company, count: int = 60, seed: int = 4) -> None:
    """`count` buyers invoiced at random intervals since January 2025, and `subco`, a
    subscriber whose invoices are not purchases of a buyer without a contract."""
    rng = np.random.default_rng(seed)
    accounts = [{"account_id": f"b{i:02d}", "name": f"Buyer {i}"} for i in range(count)]
    company.add("account", *accounts, {"account_id": "subco", "name": "Subco"})
    rows = []
    for i in range(count):
        day = date(2025, 1, 1) + timedelta(days=int(rng.integers(0, 200)))
        gap = int(rng.integers(20, 120))
        while day <= AS_OF + timedelta(days=60):
            rows.append({"account_id": f"b{i:02d}", "status": "paid", "issue_date": day.isoformat(),
                         "amount": float(rng.integers(50, 150)), "currency": "USD"})  # fmt: skip
            day += timedelta(days=gap)
    rows.append({"account_id": "subco", "status": "paid", "issue_date": "2026-01-01",
                 "amount": 5000, "currency": "USD"})  # fmt: skip
    company.add("invoice", *rows)
    line = {"account_id": "subco", "product_id": "p", "start_date": "2025-01-01",
            "quantity": 1, "mrr": 100, "currency": "USD"}  # fmt: skip
    company.add("subscription_line", line)


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    with company_on(tmp_path / "shop", request.param, POSTGRES_URL) as made:
        buyers(made)
        yield made


def test_lifetime_value_covers_the_buyers_without_a_contract(shop: Company) -> None:
    result = shop.ws.success.clv(as_of=AS_OF, periods=6, margin=0.5)

    ids = {c.customer_id for c in result.customers}
    assert ids == {f"b{i:02d}" for i in range(60)}  # not subco, and nothing after AS_OF
    assert result.names["b00"] == "Buyer 0"
    for customer in result.customers:
        assert 0 < customer.p_alive <= 1
        assert customer.expected_value == pytest.approx(
            customer.expected_purchases * customer.expected_spend * 0.5
        )


def test_the_catalog_gives_the_values_of_the_component(shop: Company) -> None:
    result = shop.ws.success.clv(as_of=AS_OF, periods=12)

    found = shop.ws.metrics.compute(
        ["expected_purchases", "clv_bgnbd", "buyers_alive"], "2026-04-01..2026-06-30", as_of=AS_OF
    )

    values = dict(zip(found.frame["metric"], found.frame["value"], strict=True))
    assert values["expected_purchases"] == pytest.approx(result.total_purchases, rel=1e-6)
    assert values["clv_bgnbd"] == pytest.approx(result.total_value / 60, rel=1e-6)
    assert values["buyers_alive"] == pytest.approx(sum(c.p_alive for c in result.customers))


def test_too_few_buyers_get_one_message(company: Company) -> None:
    with pytest.raises(SuccessError, match="1 customers are too few to fit a model"):
        company.ws.success.clv(as_of=AS_OF)


def test_an_unknown_period_unit_gets_one_message(company: Company) -> None:
    with pytest.raises(SuccessError, match="unknown period unit 'day'"):
        company.ws.success.clv(as_of=AS_OF, unit="day")  # type: ignore[arg-type]


def test_too_few_churns_to_learn_from_get_one_message(company: Company) -> None:
    with pytest.raises(SuccessError, match="at least 5 events"):
        company.ws.success.risk(as_of=date(2026, 11, 22))
