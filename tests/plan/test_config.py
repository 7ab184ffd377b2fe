"""The plan file: a bad file, an unknown metric or owner gives one message naming the file
and the key; the schema is printed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from plan.conftest import PLAN, build, write_plan
from revops import Workspace
from revops.errors import ConfigError, PlanError

from conftest import POSTGRES_URL
from support import Company, company_on, run_cli


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    """The tiny company, once for the module: each test writes the plan file it needs."""
    with company_on(tmp_path_factory.mktemp("plan") / "acme", "duckdb", POSTGRES_URL) as made:
        build(made)
        yield made


def _refused(company: Company, text: str) -> ConfigError:
    write_plan(company.ws.root, text)
    with pytest.raises(ConfigError) as caught:
        company.ws.plan.status(date(2026, 4, 15))
    return caught.value


def test_a_bad_key_names_the_file_and_the_key(acme: Company) -> None:
    error = _refused(acme, PLAN.replace("direction: at_most", "direction: below"))
    assert error.file.name == "activation.yaml"
    assert error.key == "initiatives[Grow bookings].targets[1].direction"
    month = _refused(acme, PLAN.replace("2026-04: 4}", "2026-13: 4}"))
    assert month.key == "initiatives[Grow bookings].targets[1].monthly"
    assert "2026-13" in month.problem
    outside = _refused(acme, PLAN.replace("2026-06: 350", "2026-09: 350"))
    assert outside.key == "initiatives[Grow bookings]"
    assert "outside the initiative" in outside.problem
    long = _refused(acme, PLAN.replace("end_date: 2026-06-30", "end_date: 2028-06-30"))
    assert long.key == "initiatives[Grow bookings]"
    assert "at most 24 months" in long.problem
    broken = _refused(acme, "initiatives: [\n")
    assert broken.key is None
    assert "not valid YAML" in broken.problem


def test_an_unknown_metric_is_refused_with_its_key(acme: Company) -> None:
    error = _refused(acme, PLAN.replace("metric: win_rate", "metric: win_rates"))
    assert error.key == "initiatives[Win more].targets[0].metric"
    assert "win_rate" in error.problem  # the close name is suggested
    group = _refused(acme, PLAN.replace("metric: win_rate", "metric: mrr_movements"))
    assert group.problem == "'mrr_movements' is a group of metrics; name one of them"


def test_an_owner_who_is_no_crm_user_is_refused(acme: Company) -> None:
    error = _refused(acme, PLAN.replace("owner: ana", "owner: nobody@acme.test"))
    assert error.key == "initiatives[Win more].owner"


def test_no_plan_says_where_to_write_one(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "bare")
    with pytest.raises(PlanError, match=r"plans/activation\.yaml"):
        ws.plan.status(date(2026, 4, 15))


def test_the_cli_prints_the_schema_and_one_line_for_a_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "plan", "schema")
    assert code == 0
    assert "initiatives" in json.loads(out)["properties"]
    ws = Workspace.create(tmp_path / "bare")  # the file is refused before any query
    write_plan(ws.root, PLAN.replace("metric: win_rate", "metric: nope"))
    code, out, err = run_cli(capsys, "-w", str(ws.root), "plan", "status", "--as-of", "2026-04-15")
    assert code == 1
    assert "activation.yaml: initiatives[Win more].targets[0].metric" in err
    assert len(err.strip().splitlines()) == 1


def test_the_demo_example_plan_validates_and_measures(acme: Company) -> None:
    from revops.plan.example import write_example_plan

    (acme.ws.root / "plans" / "activation.yaml").unlink(missing_ok=True)
    path = write_example_plan(acme.ws.root, date(2026, 4, 15), ["mia@acme.test"])
    assert path is not None
    assert write_example_plan(acme.ws.root, date(2026, 4, 15), []) is None  # kept
    found = acme.ws.plan.status(date(2026, 4, 15))
    assert [t.metric for t in found.targets] == [
        "speed_to_lead_hours", "lead_acceptance_rate", "data_quality_score", "duplicate_rate"
    ]  # fmt: skip
    assert {t.owner_display for t in found.targets} == {"Mia Lund (mia@acme.test)"}
