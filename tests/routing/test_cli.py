"""`revops leads` from the command line on the hand-built company of the routing tests."""

from __future__ import annotations

import json

import pytest

from routing.conftest import Company
from routing.test_simulate import CURRENT, replay_company
from routing.test_sla import sla_company

from support import run_cli


def cli(capsys: pytest.CaptureFixture[str], company: Company, *args: str) -> tuple[int, str, str]:
    company.ws.close()
    return run_cli(capsys, "-w", str(company.root), "leads", *args)


def test_plan_apply_why_and_the_log(company: Company, capsys: pytest.CaptureFixture[str]) -> None:
    replay_company(company)
    code, out, err = cli(capsys, company, "route", "--plan", "--as-of", "2026-03-10", "-f", "csv")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "lead_id,lead,owner,team,queue,rule,reason,previous_owner"
    assert lines[1].startswith("l-0,o@old.io,Ann Archer,SMB Development,,pool,")
    code, out, err = cli(capsys, company, "route", "--apply", "--as-of", "2026-03-10")
    assert code == 0, err
    assert "lead(s) assigned" in out
    code, out, err = cli(capsys, company, "route", "--plan", "--as-of", "2026-03-10")
    assert "Plan: 0 lead(s) to route" in out
    code, out, err = cli(capsys, company, "why", "l-1")
    assert code == 0, err
    assert "l-1 routed" in out
    assert "to Dan Dorn by rule existing_owner" in out
    assert "owner of account Globex" in out
    code, out, err = cli(capsys, company, "assignments", "-f", "json")
    assert len(json.loads(out)) == 5  # the open leads: l-2 converted


def test_simulate_prints_the_comparison(
    company: Company, capsys: pytest.CaptureFixture[str]
) -> None:
    proposed = replay_company(company)
    code, out, err = cli(capsys, company, "route", "--simulate", "--rules", str(proposed),
                         "--days", "7", "--as-of", "2026-03-10")  # fmt: skip
    assert code == 0, err
    assert "Simulation of proposed.yaml over the last 7 day(s)" in out
    assert "share to the account's owner" in out
    assert "Leads that move" in out
    code, out, err = cli(capsys, company, "route", "--simulate")
    assert code == 2
    assert "--simulate needs --rules FILE" in err


def test_a_bad_rule_file_is_one_red_line(
    company: Company, capsys: pytest.CaptureFixture[str]
) -> None:
    company.rules(CURRENT.replace("kind: pool, pool: p", "kind: pool, pool: q"))
    code, _out, err = cli(capsys, company, "route", "--plan")
    assert code == 1
    assert "routing.yaml: rules[pool].pool: no pool 'q' (p)" in err
    assert len(err.strip().splitlines()) == 1


def test_sla_by_team_and_breaches(company: Company, capsys: pytest.CaptureFixture[str]) -> None:
    sla_company(company)
    code, out, err = cli(capsys, company, "sla", "--as-of", "2026-03-20", "--by", "owner",
                         "-f", "csv")  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[1:] == [
        "Ann Archer,1,1,0,0,1.0,210.0",
        "Bob Baker,2,0,2,0,0.0,510.0",
    ]
    code, out, err = cli(capsys, company, "sla", "--as-of", "2026-03-20", "--breaches", "-f", "csv")
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == ["g-sf-3", "g-sf-2"]


def test_schema_prints_the_rule_files_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "leads", "route", "--schema")
    assert code == 0
    assert json.loads(out)["title"] == "RoutingFile"
