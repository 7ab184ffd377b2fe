"""Purchase summaries computed in the warehouse, on every backend, against a hand count."""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa
import pytest

from revops.metrics.engines.customers import purchase_summary, read_summary
from revops.warehouse import Warehouse

# c1: first buys 1 Jan; buys twice on 8 Jan (one purchase day, 30 + 10) and on 22 Jan (20),
#     and again after the window (ignored): x = 2, t_x = 21 / 7 = 3, T = 30 / 7,
#     monetary = (40 + 20) / 2 = 30.
# c2: one purchase on 15 Jan: x = 0, t_x = 0, T = 16 / 7, no monetary.
# c3: first buys after the window: not a customer yet.
PURCHASES = [
    ("c1", date(2026, 1, 1), 50.0),
    ("c1", date(2026, 1, 8), 30.0),
    ("c1", date(2026, 1, 8), 10.0),
    ("c1", date(2026, 1, 22), 20.0),
    ("c1", date(2026, 2, 5), 999.0),
    ("c2", date(2026, 1, 15), 70.0),
    ("c3", date(2026, 2, 2), 15.0),
]
END = date(2026, 1, 31)


def test_the_summary_counts_purchase_days_and_leaves_the_first_out_of_the_mean(
    warehouse: Warehouse,
) -> None:
    customer, day, amount = zip(*PURCHASES, strict=True)
    batch = pa.table({"customer_id": customer, "purchase_date": day, "amount": amount})
    warehouse.init([])  # the namespaces
    warehouse.create_table("purchases", ibis.schema(batch.schema), "raw")
    warehouse.load("purchases", batch, namespace="raw", mode="replace")

    found = read_summary(purchase_summary(warehouse.table("purchases", "raw"), END))

    assert found.customer_ids == ["c1", "c2"]
    assert list(found.frequency) == [2.0, 0.0]
    assert list(found.recency) == pytest.approx([3.0, 0.0])
    assert list(found.age) == pytest.approx([30 / 7, 16 / 7])
    assert list(found.monetary) == pytest.approx([30.0, 0.0])
