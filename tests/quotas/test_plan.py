"""ws.quotas on the small company: seasonality, ramp, exact totals, bottom-up and gaps,
apply (read by attainment from its apply instant), revert, and bad YAML."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from revops.errors import ConfigError

from support import Company

AS_OF = date(2026, 1, 31)
TARGET = Decimal("1000000.00")


def test_quarters_follow_seasonality_and_ramp_and_sum_to_the_target(company: Company) -> None:
    found = company.ws.quotas.plan(TARGET, "FY2027", AS_OF)
    # FY2026 bookings: Q1 100k, Q3 100k, Q4 200k of 400k.
    assert found.season == pytest.approx([0.25, 0.0, 0.25, 0.5])
    assert sum(found.season) == 1
    reps = {r["rep_id"]: r for r in found.rep_rows()}
    # Cat starts in fiscal month 7 (August): Q3 ramp 25 %, Q4 50 %.
    assert [reps["u-cat"][q] for q in ("q1", "q2", "q3", "q4")] == [
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("27777.78"),
        Decimal("100000.00"),
    ]
    # Q3 250k over weights 1 : 1 : 0.25 -> 111,111.11 each and one cent more to Cat.
    assert [reps["u-ann"][q] for q in ("q1", "q2", "q3", "q4")] == [
        Decimal("125000.00"),
        Decimal("0.00"),
        Decimal("111111.11"),
        Decimal("200000.00"),
    ]
    assert reps["u-ann"]["top_down"] == reps["u-bob"]["top_down"] == Decimal("436111.11")
    assert found.total() == TARGET
    assert sum(r["amount"] for r in found.records()) == TARGET


def test_odd_targets_still_sum_to_the_cent(company: Company) -> None:
    for target in ("1000000.01", "999999.99", "7.77", "12000000"):
        assert company.ws.quotas.plan(Decimal(target), "FY2027", AS_OF).total() == Decimal(target)


def test_bottom_up_uses_productivity_of_ramped_reps_and_the_gap_is_per_team(
    company: Company,
) -> None:
    found = company.ws.quotas.plan(TARGET, "FY2027", AS_OF)
    # 400k booked by two fully ramped reps in the last twelve months: 200k each.
    assert found.productivity == pytest.approx(200_000)
    reps = {r["rep_id"]: r for r in found.rep_rows()}
    assert reps["u-ann"]["bottom_up"] == Decimal("200000.00")
    assert reps["u-cat"]["bottom_up"] == Decimal("62500.00")  # 200k x (.25 x .25 + .5 x .5)
    team, whole = found.team_rows()
    assert (team["team"], team["manager"], team["reps"]) == ("SMB", "Mia Moss", 3)
    assert team["bottom_up"] == Decimal("462500.00")
    assert team["gap"] == whole["gap"] == Decimal("537500.00")


def test_a_quota_applied_counts_from_its_apply_instant_and_revert_restores(
    company: Company,
) -> None:
    company.add("quota", {"user_id": "u-ann", "period_start_date": "2026-11-01",
                          "period_end_date": "2027-01-31", "amount": 50_000,
                          "currency": "USD"})  # fmt: skip
    quotas, metrics = company.ws.quotas, company.ws.metrics
    today = datetime.now(UTC).date()
    earlier = today - timedelta(days=1)

    def quota(day: date) -> float | None:
        return metrics.compute("quota_amount", "FY2027-Q4", as_of=day).value("quota_amount")

    before = quota(today)
    assert before == pytest.approx(50_000)
    version = quotas.apply(quotas.plan(TARGET, "FY2027", AS_OF), note="first")
    assert (company.ws.root / version.file).is_file()
    assert quota(earlier) == pytest.approx(50_000)  # applied later: not known then
    assert quota(today) == pytest.approx(500_000)  # Ann's imported quota is replaced
    second = quotas.apply(quotas.plan(Decimal("2000000"), "FY2027", AS_OF))
    assert quota(today) == pytest.approx(1_000_000)
    reverted, restored = quotas.revert("FY2027")
    assert reverted.version == second.version
    assert restored is not None
    assert restored.version == version.version
    assert restored.state == "active"
    assert quota(today) == pytest.approx(500_000)
    quotas.revert("FY2027")
    assert quota(today) == pytest.approx(before)
    assert [v.state for v in quotas.versions()] == ["archived", "archived"]


def test_comp_reads_the_applied_quotas(company: Company) -> None:
    from revops.comp.inputs import read_quotas

    company.ws.quotas.apply(company.ws.quotas.plan(TARGET, "FY2027", AS_OF))
    ctx = company.ws.metrics.context(datetime.now(UTC).date())
    found = {(q.user_id, q.first): q.amount for q in read_quotas(ctx, date(2026, 2, 1),
                                                                date(2027, 1, 31))}  # fmt: skip
    assert found[("u-cat", date(2026, 11, 1))] == Decimal("100000.00")
    assert sum(found.values()) == TARGET


def test_bad_yaml_names_the_file_and_key(company: Company) -> None:
    (company.ws.root / "plans" / "quotas.yaml").write_text("ramp: {steps: [0.5, 2]}\n")
    with pytest.raises(ConfigError, match=r"quotas.yaml.*ramp"):
        company.ws.quotas.plan(TARGET, "FY2027", AS_OF)
    (company.ws.root / "plans" / "quotas.yaml").write_text("split: {history: nope}\n")
    with pytest.raises(ConfigError, match=r"quotas.yaml.*split.history"):
        company.ws.quotas.plan(TARGET, "FY2027", AS_OF)


def test_the_plan_is_deterministic_and_applying_checks_it_is_the_one_reviewed(
    company: Company,
) -> None:
    from revops.errors import PlanError

    quotas = company.ws.quotas
    reviewed = quotas.plan(TARGET, "FY2027", AS_OF)
    again = quotas.plan(TARGET, "FY2027", AS_OF)
    assert again.plan_sha256() == reviewed.plan_sha256()  # computed again: the same plan
    assert quotas.plan(TARGET + 1, "FY2027", AS_OF).plan_sha256() != reviewed.plan_sha256()
    with pytest.raises(PlanError, match="not the 000000000000 reviewed"):
        quotas.apply(again, expected_sha256="0" * 12)
    version = quotas.apply(again, expected_sha256=reviewed.plan_sha256()[:12])
    # Applied: the plan as of the same day now replaces that version, so it is another.
    assert quotas.plan(TARGET, "FY2027", AS_OF).plan_sha256() != reviewed.plan_sha256()
    rows = quotas.records(version.version)
    assert sum(Decimal(str(r["amount"])) for r in rows) == TARGET
    by_quarter = {(r["rep_id"], r["quarter"]): r["quota"] for r in reviewed.quarter_rep_rows()}
    assert sum(by_quarter.values()) == TARGET
    assert len(by_quarter) == 4 * len(reviewed.quotas)


def test_the_cli_prints_the_plan_hash_and_reverts_without_a_target(
    company: Company, capsys: pytest.CaptureFixture[str]
) -> None:
    from support import run_cli

    root = str(company.ws.root)
    company.ws.close()
    args = ("-w", root, "plan", "quotas", "--target", "1000000", "--year", "FY2027",
            "--as-of", "2026-01-31")  # fmt: skip
    code, _, err = run_cli(capsys, *args)
    assert code == 0, err
    digest = err.split("Plan ", 1)[1].split(" ", 1)[0]
    code, _, err = run_cli(capsys, *args, "--apply", "--plan-hash", "f" * 12)
    assert code == 1
    assert "not the ffffffffffff reviewed" in err
    code, _, err = run_cli(capsys, *args, "--apply", "--plan-hash", digest)
    assert code == 0, err
    code, _, err = run_cli(capsys, "-w", root, "plan", "quotas", "revert", "FY2027")
    assert code == 0, err
    assert "Reverted version 1" in err
