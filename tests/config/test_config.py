from pathlib import Path

import pytest
import yaml

from revops.config import RevOpsConfig, config_schema, config_template, load_config
from revops.errors import ConfigError

BASE = yaml.safe_load(config_template())


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "revops.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def with_change(change: dict) -> str:
    data = yaml.safe_load(config_template())
    data.update(change)
    return yaml.safe_dump(data, sort_keys=False)


def stages_with(**overrides: dict) -> list[dict]:
    stages = [dict(s) for s in BASE["opportunity_stages"]]
    for index, fields in overrides.items():
        stages[int(index.removeprefix("s"))].update(fields)
    return stages


def test_the_written_template_loads_to_the_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, config_template())) == RevOpsConfig()


def test_an_empty_file_means_all_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")) == RevOpsConfig()


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, config_template()))
    with pytest.raises(ValueError, match="frozen"):
        config.reporting_currency = "EUR"  # type: ignore[misc]


def test_values_in_the_file_override_the_defaults(tmp_path: Path) -> None:
    text = with_change({"fiscal": {"year_start_month": 2}, "reporting_currency": "EUR"})
    config = load_config(write(tmp_path, text))
    assert config.fiscal.year_start_month == 2
    assert config.reporting_currency == "EUR"
    assert config.stage("closed won").category == "won"


def test_a_stage_is_found_by_its_source_values_and_a_value_means_one_stage() -> None:
    stages = [
        {"name": "Demo", "probability": 30, "category": "open", "source_values": ["demo_booked"]},
        {"name": "Won", "probability": 100, "category": "won", "source_values": ["closedwon"]},
        {"name": "Lost", "probability": 0, "category": "lost"},
    ]
    config = RevOpsConfig.model_validate({"opportunity_stages": stages})
    assert config.stage("ClosedWon").name == "Won"
    stages[2]["source_values"] = ["Demo_Booked"]
    with pytest.raises(ValueError, match="duplicate stage name or source value 'demo_booked'"):
        RevOpsConfig.model_validate({"opportunity_stages": stages})


BROKEN = {
    "yaml syntax": ("warehouse: [unclosed\n", "line 2, column 1", "not valid YAML"),
    "not a mapping": ("- just\n- a list\n", None, "must be a mapping of keys, not a list"),
    "unknown top-level key": (with_change({"warehose": {}}), "warehose", "unknown key"),
    "unknown nested key": (
        with_change({"fiscal": {"start_month": 3}}),
        "fiscal.start_month",
        "unknown key",
    ),
    "fiscal month out of range": (
        with_change({"fiscal": {"year_start_month": 13}}),
        "fiscal.year_start_month",
        "less than or equal to 12",
    ),
    "fiscal month not a number": (
        with_change({"fiscal": {"year_start_month": "March"}}),
        "fiscal.year_start_month",
        "valid integer",
    ),
    "bad currency code": (
        with_change({"reporting_currency": "dollars"}),
        "reporting_currency",
        "should match pattern",
    ),
    "unsupported warehouse url": (
        with_change({"warehouse": {"url": "mysql://localhost/x"}}),
        "warehouse.url",
        "unsupported warehouse URL",
    ),
    "unsupported app database url": (
        with_change({"app_database": {"url": "mongodb://x"}}),
        "app_database.url",
        "unsupported app database URL",
    ),
    "probability above 100": (
        with_change({"opportunity_stages": stages_with(s1={"probability": 150})}),
        "opportunity_stages[1].probability",
        "less than or equal to 100",
    ),
    "unknown stage category": (
        with_change({"opportunity_stages": stages_with(s2={"category": "pending"})}),
        "opportunity_stages[2].category",
        "'open', 'won' or 'lost'",
    ),
    "stage without a name": (
        with_change({"opportunity_stages": stages_with(s0={"name": ""})}),
        "opportunity_stages[0].name",
        "at least 1 character",
    ),
    "duplicate stage names": (
        with_change({"opportunity_stages": stages_with(s1={"name": "prospecting"})}),
        "opportunity_stages",
        "duplicate stage name or source value 'prospecting'",
    ),
    "no won stage": (
        with_change(
            {
                "opportunity_stages": [
                    s for s in BASE["opportunity_stages"] if s["category"] != "won"
                ]
            }
        ),
        "opportunity_stages",
        "needs at least one won stage",
    ),
    "open stage after a closed one": (
        with_change(
            {"opportunity_stages": BASE["opportunity_stages"][1:] + BASE["opportunity_stages"][:1]}
        ),
        "opportunity_stages",
        "open stages must come before",
    ),
    "won stage not at 100 percent": (
        with_change({"opportunity_stages": stages_with(s5={"probability": 90})}),
        "opportunity_stages",
        "must have probability 100",
    ),
    "duplicate lifecycle stage": (
        with_change(
            {"lifecycle_stages": [*BASE["lifecycle_stages"], {"name": "mql", "label": "Again"}]}
        ),
        "lifecycle_stages",
        "duplicate lifecycle stage 'mql'",
    ),
    "lifecycle stage key with spaces": (
        with_change(
            {
                "lifecycle_stages": [
                    {"name": "Sales Lead", "label": "x"},
                    {"name": "b", "label": "y"},
                ]
            }
        ),
        "lifecycle_stages[0].name",
        "should match pattern",
    ),
    "stages not a list": (
        with_change({"opportunity_stages": "Prospecting, Won"}),
        "opportunity_stages",
        "valid tuple",
    ),
    "wrong file version": (with_change({"version": 2}), "version", "Input should be 1"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_config_gets_one_message_naming_file_key_and_problem(
    tmp_path: Path, case: str
) -> None:
    text, key, problem = BROKEN[case]
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    message = str(error)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert error.key == key
    assert problem in message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"revops.yaml: file not found"):
        load_config(tmp_path / "revops.yaml")


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "revops.yaml"
    path.write_bytes(b"reporting_currency: \xff\xfe\n")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(path)


def test_the_schema_describes_every_field() -> None:
    schema = config_schema()
    assert schema["title"] == "RevOpsConfig"

    def fields(node: dict) -> list[tuple[str, dict]]:
        return list(node.get("properties", {}).items())

    described = []
    for name, prop in fields(schema):
        described.append((name, "description" in prop))
    for definition in schema["$defs"].values():
        for name, prop in fields(definition):
            described.append((name, "description" in prop))
    assert described
    assert [name for name, ok in described if not ok] == []
