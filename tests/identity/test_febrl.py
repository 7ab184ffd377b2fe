"""People without email or phone: FEBRL 1 and 2 (public data sets of names, addresses and
birth dates with typos, swaps and missing values) as Salesforce Contact exports, resolved
with the shipped defaults; and training that never silently changes the model.

The exports are made by `benchmarks/febrl_convert.py`; settings were chosen on FEBRL 1,
FEBRL 2 is held out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from revops import Workspace
from revops.ingest.runner import ingest

from support import run_cli

FEBRL = Path(__file__).parents[1] / "fixtures" / "febrl"


def _workspace(root: Path, name: str, config: str = "") -> Workspace:
    Workspace.create(root)
    if config:
        with (root / "revops.yaml").open("a", encoding="utf-8") as handle:
            handle.write(config)
    ws = Workspace.open(root)
    report = ingest(ws, [str(FEBRL / name / "salesforce")])
    assert report.failed == []
    return ws


@pytest.fixture(scope="module")
def febrl1(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = _workspace(tmp_path_factory.mktemp("febrl1") / "ws", "febrl1")
    yield ws
    ws.close()


@pytest.mark.parametrize("name", ["febrl1", "febrl2"])
def test_febrl_people_resolve_with_the_default_configuration(tmp_path: Path, name: str) -> None:
    ws = _workspace(tmp_path / "ws", name)
    try:
        ws.identity.run(["person"])
        (found,) = ws.identity.evaluate(FEBRL / name / "truth.csv", kind="person")
    finally:
        ws.close()
    assert found.records == {"febrl1": 1000, "febrl2": 5000}[name]
    assert found.pair_precision >= 0.98, found.as_row()
    assert found.pair_f1 >= 0.95, found.as_row()


def test_contacts_without_email_load(febrl1: Workspace) -> None:
    contacts = febrl1.warehouse.table("contact")
    assert contacts.count().execute() == 1000
    assert contacts.filter(contacts.email.notnull()).count().execute() == 0
    assert contacts.filter(contacts.birth_date.notnull()).count().execute() == 956
    first = contacts.filter(contacts.source_id == "003FB0000000000001").to_pyarrow().to_pylist()
    assert first[0]["address_line1"] == "12 Herschell Circuit"
    assert first[0]["address_line2"] == "Killanrey"
    assert first[0]["country"] == "AU"


def test_training_is_reported_and_stored_with_the_run(febrl1: Workspace) -> None:
    febrl1.identity.run(["person"])
    training = febrl1.identity.trainings["person"]
    assert training.failed == []
    assert training.prior_method.startswith("deterministic rules")
    levels = {(p["comparison"], p["level"]) for p in training.parameters}
    assert ("birth_date", "day and month transposed") in levels
    assert ("first_name_swapped_last_name", "first_name and last_name swapped") in levels
    # Comparisons of fields no record has are left out.
    assert not {c for c, _ in levels} & {"email", "phone", "company"}
    run = febrl1.warehouse.table("run", "identity")
    stored = json.loads(run.filter(run.kind == "person").to_pyarrow().to_pylist()[0]["model"])
    assert stored["revops_training"]["prior"] == pytest.approx(training.prior)
    assert stored["probability_two_random_records_match"] == pytest.approx(training.prior)


def test_no_deterministic_pair_falls_back_to_the_expected_duplicate_rate(
    tmp_path: Path,
) -> None:
    # `unique_id` is a rule no two records share: the old model took the log of 0.
    config = "\nidentity:\n  person:\n    deterministic: [[unique_id]]\n"
    ws = _workspace(tmp_path / "ws", "febrl1", config)
    try:
        ws.identity.run(["person"])
        training = ws.identity.trainings["person"]
        (found,) = ws.identity.evaluate(FEBRL / "febrl1" / "truth.csv", kind="person")
    finally:
        ws.close()
    assert training.steps[0].status == "failed"
    assert training.steps[0].message == "the rules found no pair"
    assert "expected duplicate rate 0.01" in training.prior_method
    assert training.prior == pytest.approx(0.01 * 1000 / (1000 * 999 / 2))
    assert found.pair_precision >= 0.98, found.as_row()


def test_a_failing_training_step_restores_the_settings() -> None:
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from revops.identity.splinkmodel import TrainingStep, _step

    records = pa.table({"unique_id": ["a", "b", "c"], "name": ["x", "x", "y"]})
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.ExactMatch("name")],
        blocking_rules_to_generate_predictions=[block_on("name")],
        probability_two_random_records_match=0.001,
    )
    linker = Linker(DuckDBAPI().register(records), settings)

    def breaks() -> None:
        linker._settings_obj._probability_two_random_records_match = 0.213
        raise ValueError("math domain error")

    steps: list[TrainingStep] = []
    assert not _step(linker, steps, "m by EM on pairs of equal name", breaks)
    assert linker._settings_obj._probability_two_random_records_match == 0.001
    assert [(s.step, s.status, s.message) for s in steps] == [
        ("m by EM on pairs of equal name", "failed", "math domain error")
    ]


def test_identity_run_prints_the_prior_and_the_estimates(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, febrl1: Workspace
) -> None:
    root = str(febrl1.root)
    monkeypatch.setenv("COLUMNS", "250")  # the table whole, whatever terminal runs the tests
    code, out, err = run_cli(capsys, "-w", root, "identity", "run", "-k", "person")
    assert code == 0, err
    assert "person: prior " in err
    assert "m and u estimates" in out
    assert "day and month transposed" in out
