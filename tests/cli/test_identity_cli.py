"""`revops identity`: run, explain, leads, plan, apply, undo, merges, evaluate on a tiny CRM."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from revops import Workspace

from conftest import BACKENDS, POSTGRES_URL
from support import run_cli

NAMES = ["Acme", "Initech", "Globex", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne"]
PEOPLE = [
    ("Robert", "Smith"),
    ("Ann", "Lee"),
    ("Maria", "Garcia"),
    ("Wei", "Chen"),
    ("Olivia", "Brown"),
    ("Noah", "Kumar"),
]


@pytest.fixture(params=BACKENDS[:2])
def workspace(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    root = tmp_path / "ws"
    Workspace.create(root)
    if request.param == "postgres":
        config = root / "revops.yaml"
        text = config.read_text().replace("url: duckdb:///warehouse.duckdb", f"url: {POSTGRES_URL}")
        text = text.replace('schema_prefix: ""', f"schema_prefix: i{secrets.token_hex(4)}_")
        config.write_text(text)
    ws = Workspace.open(root)
    ws.init_warehouse()
    accounts = [
        {"account_id": f"crm:a{i}", "name": f"{n} Inc.", "domain": f"{n.lower()}.com"}
        for i, n in enumerate(NAMES)
    ]
    # Acme entered twice, the second time as "ACME, Incorporated" with its website.
    accounts.append(
        {"account_id": "crm:a99", "name": "ACME, Incorporated", "domain": "www.acme.com"}
    )
    leads = []
    for i, name in enumerate(NAMES):
        for j, (first, last) in enumerate(PEOPLE):
            leads.append(
                {
                    "lead_id": f"crm:l{i}-{j}",
                    "first_name": first,
                    "last_name": last,
                    "email": f"{first.lower()}.{last.lower()}@{name.lower()}.com",
                    "company": name,
                }
            )
    leads.append(
        {
            "lead_id": "crm:l-bob",
            "first_name": "Bob",
            "last_name": "Smith",
            "email": "robert.smith@acme.com",
            "company": "Acme",
        }
    )
    for table, batch in (("account", accounts), ("lead", leads)):
        for row in batch:
            row.update(source_system="crm", source_id=row[f"{table}_id"].removeprefix("crm:"))
        ws.warehouse.load(table, batch, mode="append")
    ws.close()
    yield root
    ws = Workspace.open(root)
    ws.warehouse.drop()
    ws.close()


def test_run_explain_and_leads(capsys: pytest.CaptureFixture[str], workspace: Path) -> None:
    code, out, _ = run_cli(capsys, "-w", str(workspace), "identity", "run", "-f", "json")
    assert code == 0
    runs = {r["kind"]: r for r in json.loads(out)}
    assert runs["company"]["records"] == 9
    assert runs["person"]["records"] == 49

    code, out, err = run_cli(
        capsys, "-w", str(workspace), "identity", "explain", "a0", "a99", "-f", "json"
    )
    assert code == 0
    explained = json.loads(out)
    assert explained["left"] == "account:crm:a0"
    assert explained["verdict"] == "one entity"
    levels = {c["comparison"]: c["level"] for c in explained["comparisons"]}
    assert levels["name"] == "same name"
    assert levels["domain"] == "same domain"

    # As a table: the verdict above the comparisons, on stdout, and what a common last
    # name's frequency does to its weight.
    code, out, err = run_cli(capsys, "-w", str(workspace), "identity", "explain", "l0-0", "l-bob")
    assert code == 0, err
    assert out.index("lead:crm:l0-0 ~ lead:crm:l-bob: one entity") < out.index("Comparisons")
    assert "last_name 'smith' is common: its term frequency adds -" in out

    code, out, err = run_cli(capsys, "-w", str(workspace), "identity", "leads", "-f", "csv")
    assert code == 0
    assert "49 of 49 lead(s) matched" in err


def test_plan_apply_undo_and_the_merge_log(
    capsys: pytest.CaptureFixture[str], workspace: Path
) -> None:
    assert run_cli(capsys, "-w", str(workspace), "identity", "run", "-k", "company")[0] == 0
    code, out, err = run_cli(
        capsys, "-w", str(workspace), "identity", "plan", "-e", "account", "-f", "json"
    )
    assert code == 0
    proposals = json.loads(out)
    assert [(p["survivor_id"], p["merged_ids"]) for p in proposals] == [("crm:a0", "crm:a99")]
    assert (workspace / "plans" / "identity-merges.json").is_file()

    code, _, err = run_cli(capsys, "-w", str(workspace), "identity", "apply")
    assert code == 0
    assert "1 merge(s) applied" in err
    code, out, _ = run_cli(capsys, "-w", str(workspace), "identity", "merges", "-f", "json")
    (merge,) = json.loads(out)
    assert merge["status"] == "applied"

    code, _, err = run_cli(capsys, "-w", str(workspace), "identity", "undo", merge["merge_id"])
    assert code == 0
    assert "separate again" in err
    code, _, err = run_cli(capsys, "-w", str(workspace), "identity", "undo", merge["merge_id"])
    assert code == 1
    assert "already undone" in err


def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], workspace: Path) -> None:
    code, _, err = run_cli(capsys, "-w", str(workspace), "identity", "explain", "a0", "a1")
    assert code == 1
    assert "run `revops identity run` first" in err
    code, _, err = run_cli(capsys, "-w", str(workspace), "identity", "apply")
    assert code == 1
    assert "no merge plan" in err
    code, _, err = run_cli(capsys, "-w", str(workspace), "identity", "evaluate", str(workspace))
    assert code == 1
    assert "not a demo company's truth folder" in err


def test_evaluate_reads_a_truth_file_of_pairs(
    capsys: pytest.CaptureFixture[str], workspace: Path, tmp_path: Path
) -> None:
    assert run_cli(capsys, "-w", str(workspace), "identity", "run", "-k", "person")[0] == 0
    truth = tmp_path / "pairs.csv"
    truth.write_text("id_l,id_r\nl0-0,l-bob\n")
    code, out, err = run_cli(
        capsys, "-w", str(workspace), "identity", "evaluate", str(truth), "-f", "json"
    )
    assert code == 0, err
    (found,) = json.loads(out)
    assert (found["records"], found["true_pairs"]) == (49, 1)
    assert (found["predicted_pairs"], found["pair_precision"]) == (1, 1.0)
    truth.write_text("id_l,id_r\nl0-0,nobody\n")
    code, _, err = run_cli(capsys, "-w", str(workspace), "identity", "evaluate", str(truth))
    assert code == 1
    assert "row 2: no resolved record 'nobody'" in err
