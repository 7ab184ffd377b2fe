"""Lifetime value per segment by the method of `success/clv.yaml`, checked against the
survivors counted here from the rules that made the company; the cohort table; stored
models reused instead of trained again.

Forty subscribers as of 2026-06-30: company i (even: smb, MRR 100; odd: enterprise, MRR
1,000) starts on the 5th of month i % 12 of 2025; one in five never ends, the others pay
through the end of the month (i % 7) months after their start month, so they survive
i % 7 period ends.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from revops.errors import ConfigError, SuccessError
from revops.metrics import stored_models
from revops.metrics.engines import churn_signals
from revops.metrics.engines.churn_signals import scored
from revops.stats.sbg import fit_sbg
from success.conftest import line

from conftest import POSTGRES_URL
from support import Company, company_on, run_cli

DAY = date(2026, 6, 30)
LAST = 2026 * 12 + 5  # June 2026, the last month ended by the day


def _month_end(index: int) -> str:
    following = date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1).isoformat()


def subscribers(company: Company) -> None:
    accounts, lines = [], []
    for i in range(40):
        segment = "smb" if i % 2 == 0 else "enterprise"
        accounts.append({"account_id": f"c{i:02d}", "name": f"Company {i}", "segment": segment})
        start = 2025 * 12 + i % 12
        end = None if i % 5 == 0 else _month_end(start + i % 7)
        lines.append(line(f"c{i:02d}", 1, 100 if segment == "smb" else 1000,
                          f"2025-{i % 12 + 1:02d}-05", end=end))  # fmt: skip
    company.add("account", *accounts)
    company.add("subscription_line", *lines)


def expected_survivors(segment: str) -> list[list[int]]:
    cohorts: dict[int, list[int]] = {}
    for i in range(40):
        if ("smb" if i % 2 == 0 else "enterprise") != segment:
            continue
        start = 2025 * 12 + i % 12
        observed = LAST - start
        survived = observed if i % 5 == 0 else min(i % 7, observed)
        counts = cohorts.setdefault(start, [0] * (observed + 1))
        for t in range(survived + 1):
            counts[t] += 1
    return [cohorts[k] for k in sorted(cohorts)]


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Company]:
    with company_on(tmp_path / "book", request.param, POSTGRES_URL) as made:
        subscribers(made)
        yield made


def test_each_segment_is_valued_by_its_method(book: Company) -> None:
    plan = book.ws.root / "success" / "clv.yaml"
    plan.parent.mkdir()
    plan.write_text("segments:\n  smb: contractual_simple\ndiscount_rate: 0.02\n")

    result = book.ws.success.segment_clv(as_of=DAY, margin=0.8)

    rows = {r.segment: r for r in result.rows}
    assert {s: r.method for s, r in rows.items()} == {
        "smb": "contractual_simple", "enterprise": "sbg", "(no subscription)": "bgnbd"
    }  # fmt: skip
    smb = expected_survivors("smb")
    lost = sum(c[t - 1] - c[t] for c in smb for t in range(1, len(c)))
    exposed = sum(sum(c[:-1]) for c in smb)
    assert rows["smb"].arpa == pytest.approx(100.0)
    assert rows["smb"].clv == pytest.approx(100 * 0.8 * exposed / lost)
    fitted = fit_sbg(expected_survivors("enterprise"))
    enterprise = rows["enterprise"]
    assert enterprise.parameters["alpha"] == pytest.approx(fitted.alpha, rel=1e-6)
    assert enterprise.parameters["beta"] == pytest.approx(fitted.beta, rel=1e-6)
    assert enterprise.clv == pytest.approx(1000 * 0.8 * fitted.discounted_lifetime(0.02))
    # Still paying on their first stretch: the never-ending odd ones (5, 15, 25, 35) and
    # those whose end falls after the day (none here), each after its period ends.
    base = sum(
        1000 * 0.8 * float(fitted.residual_lifetime(0.02, LAST - (2025 * 12 + i % 12)))
        for i in (5, 15, 25, 35)
    )
    assert enterprise.base_value == pytest.approx(base)
    assert "no customer bought" in (rows["(no subscription)"].problem or "")
    assert result.fits["enterprise"].alpha == pytest.approx(fitted.alpha)


def test_a_bad_method_names_the_file_and_key(book: Company) -> None:
    plan = book.ws.root / "success" / "clv.yaml"
    plan.parent.mkdir()
    plan.write_text("segments:\n  smb: magic\n")

    with pytest.raises(ConfigError) as caught:
        book.ws.success.segment_clv(as_of=DAY)

    assert caught.value.file == plan
    assert caught.value.key == "segments.smb"


def test_the_cohort_table_gives_logo_and_revenue_retention(book: Company) -> None:
    table = book.ws.success.cohorts(as_of=DAY)

    january = next(r for r in table.rows if r.cohort == date(2025, 1, 1))
    # c00 (never ends), c12 (survives 5), c24 (survives 3), c36 (survives 1): smb, MRR 100.
    assert january.customers == 4
    assert january.paying[:7] == [4, 4, 3, 3, 2, 2, 1]
    assert january.logo_retention[2] == pytest.approx(0.75)
    assert january.revenue_retention[2] == pytest.approx(0.75)
    assert len(january.paying) == LAST - 2025 * 12 + 1


def test_a_stored_model_is_used_on_later_days(book: Company) -> None:
    older = book.ws.root / stored_models.MODELS / "2026-05-31"
    older.mkdir(parents=True)
    (older / "churn.pkl").write_bytes(b"")
    (older / "model.json").write_text("{}")
    with pytest.raises(SuccessError, match="keep at least 1 stored model"):
        book.ws.success.train(as_of=DAY, keep=0)

    folder = book.ws.success.train(as_of=DAY, keep=1)

    assert [m["day"] for m in book.ws.success.stored_models()] == ["2026-06-30"]

    meta = json.loads((folder / "model.json").read_text())
    assert meta["trained_as_of"] == "2026-06-30"
    assert "log_mrr" in meta["features"]
    assert set(meta["sbg"]) == {"smb", "enterprise"}
    later = book.ws.success.model(as_of=date(2026, 7, 15))
    assert later.trained_as_of == DAY
    fresh = book.ws.success.model(as_of=date(2026, 7, 15), stored=False)
    assert fresh.trained_as_of == date(2026, 7, 15)
    assert book.ws.success.stored_model(date(2026, 6, 29)) is None


def test_pruning_keeps_the_newest_stored_models(tmp_path: Path) -> None:
    for day in ("2026-04-30", "2026-05-31", "2026-06-30"):
        folder = tmp_path / stored_models.MODELS / day
        folder.mkdir(parents=True)
        (folder / "churn.pkl").write_bytes(b"")
        (folder / "model.json").write_text(json.dumps({"rows": len(day), "events": 3}))
    (tmp_path / stored_models.MODELS / "2026-06-30" / "model.json").write_text("{not json")

    removed = stored_models.prune(tmp_path, 2)
    found = stored_models.describe(tmp_path)

    assert removed == [date(2026, 4, 30)]
    assert [m["day"] for m in found] == ["2026-05-31", "2026-06-30"]
    assert found[0]["rows"] == 10
    assert "cannot read" in found[1]["error"]
    with pytest.raises(SuccessError, match="keep at least 1 stored model"):
        stored_models.prune(tmp_path, 0)


def test_the_catalogs_churn_risk_scores_with_the_stored_model(
    book: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    book.ws.success.train(as_of=DAY)
    stored = book.ws.success.stored_model(DAY)
    assert stored is not None
    later = date(2026, 7, 15)
    expected = scored(book.ws.metrics.context(later), later, stored)
    expected_arr = float((12.0 * expected["mrr"].astype(float) * expected["p_churn"]).sum())

    def refuse(*_: object, **__: object) -> None:
        raise SuccessError("trained again")

    monkeypatch.setattr(churn_signals, "train_churn_model", refuse)
    after = book.ws.metrics.compute(["arr_at_risk"], "2026-07-01..2026-07-15", as_of=later)
    before = book.ws.metrics.compute(["arr_at_risk"], "2026-06-01..2026-06-29", as_of=DAY)

    assert after.value("arr_at_risk") == pytest.approx(expected_arr)
    assert expected_arr > 0
    # Before the stored day the model is trained as of the window's end, never read.
    assert any("trained again" in w for w in before.warnings)


def test_a_model_trained_while_reading_is_trained_again_only_when_the_data_changes(
    book: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    trained: list[date] = []
    train = churn_signals.train_churn_model

    def counted(ctx: object, day: date, **kw: object) -> object:
        trained.append(day)
        return train(ctx, day, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(churn_signals, "train_churn_model", counted)
    window = "2026-06-01..2026-06-30"
    first = book.ws.metrics.compute(["arr_at_risk"], window, as_of=DAY).value("arr_at_risk")
    again = book.ws.metrics.compute(["arr_at_risk"], window, as_of=DAY).value("arr_at_risk")
    if not book.ws.warehouse.exact_data_version:
        # PostgreSQL's statistics tell a write within seconds, not at once: nothing kept.
        assert trained == [DAY, DAY]
        return
    assert trained == [DAY]
    assert again == first
    book.ws.metrics.compute(["arr_at_risk"], window, as_of=date(2026, 7, 2))
    assert trained == [DAY, DAY]  # another as-of day may see other records

    book.add("account", {"account_id": "c99", "name": "Company 99", "segment": "smb"})
    book.add("subscription_line", line("c99", 1, 5000, "2025-01-05"))
    changed = book.ws.metrics.compute(["arr_at_risk"], window, as_of=DAY).value("arr_at_risk")
    assert trained == [DAY, DAY, DAY]
    assert changed != first


def test_the_cli_prints_segments_cohorts_and_stores_models(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with company_on(tmp_path / "cli", "duckdb", "") as made:
        subscribers(made)
        made.ws.close()
        root = str(made.ws.root)

    code, out, err = run_cli(capsys, "-w", root, "success", "clv", "--by-segment",
                             "--as-of", "2026-06-30", "--format", "json")  # fmt: skip
    assert code == 0, err
    assert {r["segment"]: r["method"] for r in json.loads(out)}["enterprise"] == "sbg"
    code, out, err = run_cli(capsys, "-w", root, "success", "cohorts", "--as-of", "2026-06-30",
                             "--format", "csv")  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[1].startswith("2025-01-01,4,400.0,100.0,100.0,75.0")
    code, out, err = run_cli(capsys, "-w", root, "success", "train", "--as-of", "2026-06-30")
    assert code == 0, err
    assert "2026-06-30" in out
    code, out, err = run_cli(capsys, "-w", root, "success", "models", "--format", "json")
    assert code == 0, err
    assert [m["day"] for m in json.loads(out)] == ["2026-06-30"]
    code, out, err = run_cli(capsys, "-w", root, "success", "clv", "--schema")
    assert "contractual_simple" in out
    code, _, err = run_cli(capsys, "-w", root, "success", "cohorts", "--unit", "week")
    assert code == 1
    assert "unknown cohort period 'week'" in err


def test_the_catalog_values_paying_companies_by_their_segments_sbg(book: Company) -> None:
    found = book.ws.metrics.compute(
        ["clv_sbg", "customer_base_value"], "2026-06-01..2026-06-30", by=["segment"], as_of=DAY
    )

    values = {(r["metric"], r["segment"]): r["value"] for r in found.frame.to_dict("records")}
    fitted = fit_sbg(expected_survivors("enterprise"))
    margin = book.ws.config.metrics.gross_margin
    assert values["clv_sbg", "enterprise"] == pytest.approx(
        1000 * margin * fitted.discounted_lifetime(0.01)
    )
    # Paying on the day: c05, c15, c25, c35 (never end), renewals = month ends since start.
    base = sum(
        1000 * margin * float(fitted.residual_lifetime(0.01, LAST - (2025 * 12 + i % 12)))
        for i in (5, 15, 25, 35)
    )
    assert values["customer_base_value", "enterprise"] == pytest.approx(base)


def test_a_company_started_in_the_month_not_yet_ended_has_made_no_renewal(
    book: Company,
) -> None:
    book.add("account", {"account_id": "late", "name": "Late", "segment": "enterprise"})
    book.add("subscription_line", line("late", 1, 1000, "2026-07-03"))
    day = date(2026, 7, 15)

    found = book.ws.metrics.compute(
        ["customer_base_value"], "2026-07-01..2026-07-31", by=["segment"], as_of=day
    )

    values = {r["segment"]: r["value"] for r in found.frame.to_dict("records")}
    assert values["enterprise"] is not None
    assert values["enterprise"] > 0
