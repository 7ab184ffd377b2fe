"""rules/routing.yaml: validation with one message naming file and key, the JSON schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from revops.errors import ConfigError
from revops.routing.loader import read_routing
from revops.routing.rules import RoutingFile


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "routing.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("rules: [\n  - {name: a", None, "not valid YAML at line"),
        ("- a\n- b\n", None, "must be a mapping with `rules:`"),
        ("rules:\n  - {name: a, kind: teritory, rep: x}\n", "rules[a]", "does not match any of"),
        ("rules:\n  - {name: a, kind: territory}\n", "rules[a]", "give exactly one of"),
        ("rules:\n  - {name: a, kind: pool, pool: nope}\n", "rules[a].pool", "no pool 'nope'"),
        (
            "pools:\n  - {name: p, reps: [x], method: weighted, weights: {y: 2}}\n",
            "pools[p]",
            "weights name y",
        ),
        (
            "reps:\n  - {rep: x, out_of_office: [{from: 2026-03-05, to: 2026-03-01}]}\n",
            "reps[0].out_of_office[0]",
            "`to` is before `from`",
        ),
        ("capacity: -1\n", "capacity", "greater than or equal to 0"),
        (
            "rules:\n  - {name: a, kind: fallback, queue: q, colour: red}\n",
            "rules[a].colour",
            "unknown key",
        ),
        (
            "rules:\n  - {name: a, kind: fallback, queue: q}\n"
            "  - {name: a, kind: fallback, queue: r}\n",
            "rules[a]",
            "two rules share this name",
        ),
    ],
)
def test_a_bad_file_is_one_error_naming_file_and_key(
    tmp_path: Path, text: str, where: str | None, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        read_routing(path)
    assert caught.value.file == path
    assert caught.value.key == where
    assert problem in caught.value.problem


def test_a_missing_file_routes_every_lead_to_the_queue(tmp_path: Path) -> None:
    routing = read_routing(tmp_path / "routing.yaml")
    assert routing.rules == ()
    assert routing.fallback_queue == "unassigned"


def test_the_schema_describes_every_rule_kind() -> None:
    schema = RoutingFile.model_json_schema(by_alias=True)
    kinds = {d["properties"]["kind"]["const"] for d in schema["$defs"].values()
             if "kind" in d.get("properties", {})}  # fmt: skip
    assert kinds == {"account_owner", "territory", "pool", "fallback"}
    assert "from" in schema["$defs"]["Absence"]["properties"]
