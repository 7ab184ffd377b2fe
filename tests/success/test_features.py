"""Churn-model features and labels as of a day, against sums done by hand (see conftest),
on DuckDB and PostgreSQL; nothing after the day counts."""

from __future__ import annotations

import math
from datetime import date

import pytest

from revops.metrics.engines.churn_signals import FEATURES, features, labels, snapshots

from support import Company

DAY = date(2026, 6, 30)


def frame_of(company: Company) -> dict[str, dict[str, object]]:
    ctx = company.ws.metrics.context(date(2026, 11, 22))
    found = features(ctx, DAY).to_pandas()
    return {row["account_id"]: row for row in found.to_dict("records")}


def test_features_of_a_company_are_the_hand_sums(company: Company) -> None:
    acme = frame_of(company)["acme"]

    expected = {
        "usage_per_seat": (5 + 6 + 4) / 3 / 10,
        "usage_trend": 4 / ((5 + 6) / 2),
        "events_per_user": 1500 / 15,
        "tickets_per_seat": 2 / 10,
        "urgent_share": 0.5,
        "open_tickets": 1.0,  # closed after the day
        "csat": 4.0,  # the CSAT 1 came after the day
        "on_time_share": 0.5,  # the June invoice was unpaid on the day
        "overdue_invoices": 1.0,
        "activities_90d": 1.0,
        "log_mrr": math.log(1001),
        "tenure_months": 545 / 30.4375,
        "is_annual": 0.0,
        "seat_change": 0.0,
    }
    assert set(expected) == set(FEATURES)
    for name, value in expected.items():
        assert acme[name] == pytest.approx(value), name
    assert not acme["has_notice"]


def test_only_companies_paying_on_the_day_have_features(company: Company) -> None:
    found = frame_of(company)

    assert sorted(found) == ["acme", "bolt", "core"]
    bolt = found["bolt"]
    assert bolt["has_notice"]  # cancelled on 15 June
    assert bolt["usage_per_seat"] == 0.0
    assert bolt["csat"] is None or math.isnan(bolt["csat"])
    assert bolt["is_annual"] == 1.0


def test_labels_say_who_paid_nothing_90_days_later(company: Company) -> None:
    ctx = company.ws.metrics.context(date(2026, 11, 22))

    found = {r["account_id"]: r for r in labels(ctx, DAY).to_pandas().to_dict("records")}

    assert {a: bool(r["churned"]) for a, r in found.items()} == {
        "acme": False,
        "bolt": True,
        "core": True,
    }
    assert found["acme"]["later_mrr"] == pytest.approx(1000)


def test_snapshots_carry_the_day_their_outcome_is_known(company: Company) -> None:
    ctx = company.ws.metrics.context(date(2026, 11, 22))

    frame = snapshots(ctx, [date(2026, 5, 31), DAY])

    assert len(frame) == 6
    assert set(frame["label_known"]) == {date(2026, 8, 29), date(2026, 9, 28)}
