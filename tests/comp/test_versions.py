"""Plan changes applied as effective-dated versions (plans/comp/versions/), on the tiny
company of the conftest with one more deal of Ana's in Q2 (`q2`, 30,000, 5 May).

Under the plan as written, Q2 pays Ana 10 % of 30,000 = 3,000.00; with a version from
1 April paying 20 % below quota, 6,000.00. Once Q1 is closed (as of 31 March), read on
30 June it also carries the adjustment of Q1 (grown raised by 10,000 and late entered:
120,000 → 14,000 against 10,000 locked: 4,000.00), computed by the plan in force in Q1.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from comp.conftest import PLAN, _deal
from comp.test_component import Q1_END, Q2_END
from revops.errors import CompError, ConfigError

from support import Company

D = Decimal
RAISED = PLAN.replace("rate: 0.10", "rate: 0.20")
APRIL = date(2027, 4, 1)


def _year(company: Company) -> list[dict[str, object]]:
    return [s.as_dict() for s in company.ws.comp.statements("FY2027", as_of=Q2_END)]


def _q2(company: Company, rep: str = "ana") -> Decimal:
    found = company.ws.comp.statements("FY2027-Q2", rep=rep, as_of=Q2_END)
    return found[0].total


def test_a_change_applies_from_its_day_and_a_revert_restores_the_statements(
    company: Company,
) -> None:
    company.add("opportunity", _deal("q2", "ana", 30000, "2027-04-15", "2027-05-05"))
    comp = company.ws.comp
    comp.close("FY2027-Q1", as_of=Q1_END)
    before = _year(company)
    assert _q2(company) == D("7000.00")  # 3,000 + the adjustment of Q1, 4,000
    # The cost first (recomputed, locks ignored: no adjustment): Q2 by the change.
    rows = comp.plan_diff(RAISED, "FY2027-Q2", effective=APRIL, as_of=Q2_END)
    assert [(r["participant_id"], r["current"], r["candidate"]) for r in rows] == [
        ("ana", "3000.00", "6000.00"), ("bo", "0.00", "0.00"), ("cy", "0.00", "0.00"),
    ]  # fmt: skip
    with pytest.raises(CompError, match="closed up to 2027-03-31"):
        comp.apply_plan(RAISED, date(2027, 1, 1))
    with pytest.raises(CompError, match="first day of a quarter"):
        comp.apply_plan(RAISED, date(2027, 4, 2))
    done = comp.apply_plan(RAISED, APRIL)
    assert done["file"] == "plans/comp/versions/ae/2027-04-01.yaml"
    assert (company.ws.root / str(done["file"])).read_text() == RAISED
    assert _q2(company) == D("10000.00")  # 6,000 + the adjustment by Q1's plan, 4,000
    after = _year(company)
    assert after[0] == before[0]  # Q1 is locked: untouched
    assert [row["effective"] for row in comp.plan_versions()] == ["base", "2027-04-01"]
    with pytest.raises(CompError, match="has a version from 2027-04-01"):
        comp.apply_plan(RAISED, APRIL)
    comp.revert_plan("ae", APRIL)
    assert _year(company) == before
    assert not (company.ws.root / "plans" / "comp" / "versions").exists() or not any(
        (company.ws.root / "plans" / "comp" / "versions").iterdir()
    )


def test_a_version_in_effect_in_a_closed_period_cannot_be_reverted(company: Company) -> None:
    comp = company.ws.comp
    comp.apply_plan(RAISED, date(2027, 1, 1))
    assert comp.statements("FY2027-Q1", rep="ana", as_of=Q1_END)[0].total == D("20000.00")
    comp.close("FY2027-Q1", as_of=Q1_END)
    with pytest.raises(CompError, match="closed up to 2027-03-31"):
        comp.revert_plan("ae", date(2027, 1, 1))


def test_a_version_file_that_breaks_the_plan_names_the_file_and_the_key(
    company: Company,
) -> None:
    root = company.ws.root
    with pytest.raises(ConfigError, match=r"candidate.yaml: period: .*paid by quarter"):
        company.ws.comp.apply_plan(RAISED.replace("period: quarter", "period: month"), APRIL)
    folder = root / "plans" / "comp" / "versions" / "ae"
    folder.mkdir(parents=True)
    (folder / "2027-04-02.yaml").write_text(RAISED)
    with pytest.raises(ConfigError, match=r"2027-04-02.yaml: a version starts on the first"):
        company.ws.comp.statements("FY2027-Q2", as_of=Q2_END)
    (folder / "2027-04-02.yaml").rename(folder / "april.yaml")
    with pytest.raises(ConfigError, match=r"april.yaml: a version file is named by its"):
        company.ws.comp.statements("FY2027-Q2", as_of=Q2_END)
