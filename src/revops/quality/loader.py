"""The rule set: built-in rules shipped as YAML, plus the workspace's own `rules/`.

Both load through the same path. A workspace rule with the name of a built-in one
replaces it (``enabled: false`` turns it off). The merged set is checked against the
canonical model and the workspace's stages; each problem names the file and the key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from revops.config import RevOpsConfig
from revops.errors import ConfigError, QualityError
from revops.metrics.expression import ExpressionError, filter_columns
from revops.model import ENTITIES
from revops.quality.rules import CHECK_TYPES, Recent, Reference, Rule, RuleFile

BUILTIN_PACKAGE = "revops.quality.builtin"
RULES_FOLDER = "rules"


@dataclass(frozen=True)
class RuleSet:
    """Every enabled rule of a workspace, checked, with where each was read."""

    rules: dict[str, Rule]
    origins: dict[str, tuple[Path, str]]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules.values())

    def __len__(self) -> int:
        return len(self.rules)

    def rule(self, name: str) -> Rule:
        """The rule called `name`.

        Raises:
            QualityError: there is none.
        """
        found = self.rules.get(name)
        if found is None:
            raise QualityError(f"no rule {name!r} (`revops quality rules` lists them)")
        return found

    def entities(self) -> list[str]:
        """Entities with at least one rule, in model order."""
        used = {r.entity for r in self}
        return [e for e in ENTITIES if e in used]

    def for_entity(self, entity: str) -> list[Rule]:
        """The rules of `entity`, in load order."""
        return [r for r in self if r.entity == entity]


def builtin_files() -> list[Path]:
    """The YAML files of the built-in rules, in name order."""
    folder = resources.files(BUILTIN_PACKAGE)
    return sorted(Path(str(f)) for f in folder.iterdir() if f.name.endswith(".yaml"))


def workspace_files(root: Path) -> list[Path]:
    """The workspace's own rule files: `rules/*.yaml` and `rules/*.yml`."""
    folder = root / RULES_FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def read_file(path: Path) -> RuleFile:
    """One rules file, validated.

    Raises:
        ConfigError: unreadable file, bad YAML, or a rule that does not validate.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read the file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(path, None, f"not valid YAML{where}") from None
    if data is None:
        return RuleFile()
    if not isinstance(data, dict):
        raise ConfigError(path, None, "must be a mapping with `rules:`")
    try:
        return RuleFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ConfigError(path, _key(data, error["loc"]), _message(error)) from None


def _key(data: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """`rules[name].check.regex` for a pydantic error location."""
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int) and isinstance(node, list) and item < len(node) and parts:
            node = node[item]
            name = node.get("name") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]}[{name or item}]"
            continue
        # A discriminated union puts the check's type (`pattern`) in the location.
        if parts and parts[-1] == "check" and item in CHECK_TYPES:
            continue
        if isinstance(node, dict):
            node = node.get(item)
        parts.append(str(item))
    return ".".join(parts)


def _message(error: Any) -> str:
    if error.get("type") == "extra_forbidden":
        return "unknown key"
    if error.get("type") == "missing":
        return "required key is missing"
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


def load_rules(root: Path | None, config: RevOpsConfig) -> RuleSet:
    """The built-in rules merged with the workspace's `rules/*.yaml`, checked.

    Raises:
        ConfigError: a file or a rule is invalid; names the file and the key.
    """
    rules: dict[str, Rule] = {}
    origins: dict[str, tuple[Path, str]] = {}
    files = builtin_files() + (workspace_files(root) if root is not None else [])
    for path in files:
        for rule in read_file(path).rules:
            rules[rule.name] = rule
            origins[rule.name] = (path, f"rules[{rule.name}]")
    enabled = {name: rule for name, rule in rules.items() if rule.enabled}
    for rule in enabled.values():
        path, key = origins[rule.name]
        problem = _problem(rule, config)
        if problem is not None:
            field, text = problem
            raise ConfigError(path, f"{key}.{field}", text)
    return RuleSet(enabled, origins)


def _problem(rule: Rule, config: RevOpsConfig) -> tuple[str, str] | None:
    """The first field of `rule` that does not fit the model or the config, and why."""
    entity = ENTITIES.get(rule.entity)
    if entity is None:
        return "entity", f"no entity {rule.entity!r} in the canonical model"
    columns = {c.name for c in entity.all_columns}
    for field, text in (("when", rule.when), ("check.condition", _condition(rule))):
        if text is not None:
            try:
                filter_columns(text)
            except ExpressionError as exc:
                return field, str(exc)
    missing = [c for c in rule.columns() if c not in columns]
    if missing:
        return "check", f"{rule.entity} has no column {', '.join(missing)}"
    if rule.stage_after is not None:
        names = [s.name.casefold() for s in config.opportunity_stages]
        if rule.stage_after.casefold() not in names:
            known = ", ".join(s.name for s in config.opportunity_stages)
            return "stage_after", f"no opportunity stage {rule.stage_after!r} (stages: {known})"
    check = rule.check
    if isinstance(check, Reference | Recent) and check.entity not in ENTITIES:
        return "check.entity", f"no entity {check.entity!r} in the canonical model"
    if isinstance(check, Recent):
        touches = {c.name for c in ENTITIES[check.entity].all_columns}
        for field, column in (("key", check.key or f"{rule.entity}_id"), ("time", check.time)):
            if column not in touches:
                return f"check.{field}", f"{check.entity} has no column {column!r}"
    return None


def _condition(rule: Rule) -> str | None:
    return getattr(rule.check, "condition", None)
