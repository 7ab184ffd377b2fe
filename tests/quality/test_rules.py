"""The rule set: built-in rules load through the same path as a workspace's, overrides
by name, and every mistake names its file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from revops.config import RevOpsConfig
from revops.errors import ConfigError
from revops.quality import load_rules
from revops.quality.rules import CHECK_TYPES, RuleFile

RULE = """
rules:
  - name: {name}
    entity: {entity}
    kind: completeness
    severity: warning
    team: sales
    description: d
    fix: f
    check: {check}
"""


def _workspace(tmp_path: Path, text: str) -> Path:
    (tmp_path / "rules").mkdir(exist_ok=True)
    (tmp_path / "rules" / "mine.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_built_in_rules_cover_every_kind_and_entity_of_the_issue() -> None:
    rules = load_rules(None, RevOpsConfig())
    kinds = {r.kind for r in rules}
    assert kinds == {"completeness", "validity", "consistency", "freshness", "uniqueness"}
    assert set(rules.entities()) == {"account", "contact", "lead", "opportunity", "invoice"}
    assert {r.check.type for r in rules} == set(CHECK_TYPES)


def test_a_workspace_rule_adds_and_overrides_by_name(tmp_path: Path) -> None:
    text = RULE.format(
        name="account_name_required", entity="account", check="{type: required, columns: [domain]}"
    ) + RULE.format(
        name="ticket_subject", entity="support_ticket", check="{type: required, columns: [subject]}"
    ).removeprefix("\nrules:\n")
    rules = load_rules(_workspace(tmp_path, text), RevOpsConfig())
    assert rules.rule("account_name_required").check.columns_used() == ("domain",)
    assert "support_ticket" in rules.entities()


def test_lead_scoring_and_routing_files_in_rules_are_not_read_as_quality_rules(
    tmp_path: Path,
) -> None:
    root = _workspace(
        tmp_path,
        RULE.format(name="mine", entity="lead", check="{type: required, columns: [email]}"),
    )
    for stem in ("leads", "routing"):
        (root / "rules" / f"{stem}.yaml").write_text("fit:\n  - points: 5\n", encoding="utf-8")
    rules = load_rules(root, RevOpsConfig())
    assert "mine" in rules.rules


def test_enabled_false_turns_a_built_in_rule_off(tmp_path: Path) -> None:
    text = RULE.format(
        name="lead_untouched", entity="lead", check="{type: required, columns: [email]}"
    ).replace("    fix: f\n", "    fix: f\n    enabled: false\n")
    rules = load_rules(_workspace(tmp_path, text), RevOpsConfig())
    assert "lead_untouched" not in rules.rules


@pytest.mark.parametrize(
    ("check", "key", "problem"),
    [
        ("{type: required, columns: [nope]}", "rules[mine].check", "no column nope"),
        ("{type: pattern, column: email}", "rules[mine].check.regex", "required key is missing"),
        ("{type: sometimes}", "rules[mine].check", "tag 'sometimes'"),
        ("{type: condition, condition: 'open('}", "rules[mine].check.condition", "not valid"),
        (
            "{type: reference, column: account_id, entity: acct}",
            "rules[mine].check.entity",
            "no entity 'acct'",
        ),
    ],
)
def test_a_bad_rule_names_its_file_and_key(
    tmp_path: Path, check: str, key: str, problem: str
) -> None:
    root = _workspace(tmp_path, RULE.format(name="mine", entity="contact", check=check))
    with pytest.raises(ConfigError) as caught:
        load_rules(root, RevOpsConfig())
    assert caught.value.file == root / "rules" / "mine.yaml"
    assert caught.value.key == key
    assert problem in caught.value.problem


def test_the_built_in_rules_fit_any_workspace_stages(tmp_path: Path) -> None:
    config = RevOpsConfig.model_validate(
        {
            "opportunity_stages": [
                {"name": "Open", "probability": 50, "category": "open"},
                {"name": "Won", "probability": 100, "category": "won"},
                {"name": "Lost", "probability": 0, "category": "lost"},
            ]
        }
    )
    rules = load_rules(tmp_path, config)
    assert all(r.stage_after is None for r in rules)
    assert {r.name for r in rules if r.stage_category} >= {
        "opportunity_amount_missing", "opportunity_won_amount_missing"
    }  # fmt: skip


def test_a_stage_the_workspace_does_not_have_is_refused(tmp_path: Path) -> None:
    config = RevOpsConfig.model_validate(
        {
            "opportunity_stages": [
                {"name": "Open", "probability": 50, "category": "open"},
                {"name": "Won", "probability": 100, "category": "won"},
                {"name": "Lost", "probability": 0, "category": "lost"},
            ]
        }
    )
    check = "{type: required, columns: [amount]}"
    text = (
        RULE.format(name="mine", entity="opportunity", check=check) + "    stage_after: Discovery\n"
    )
    root = _workspace(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_rules(root, config)
    assert caught.value.key == "rules[mine].stage_after"
    assert "stages: Open, Won, Lost" in caught.value.problem


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    root = _workspace(tmp_path, "rules: [\n  - name: x\n")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_rules(root, RevOpsConfig())


def test_the_rules_file_schema_describes_every_check() -> None:
    schema = RuleFile.model_json_schema()
    assert set(CHECK_TYPES) <= {
        d["properties"]["type"]["const"]
        for d in schema["$defs"].values()
        if "type" in d.get("properties", {})
    }
