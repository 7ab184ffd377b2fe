"""The rule set: built-in rules shipped as YAML, plus the workspace's own `rules/`.

Both load through the same path. A workspace rule with the name of a built-in one
replaces it (``enabled: false`` turns it off). The merged set is checked against the
canonical model and the workspace's stages; each problem names the file and the key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from revops.config import RevOpsConfig
from revops.definitions import definition_files, read_definitions
from revops.errors import ConfigError, QualityError
from revops.metrics.expression import ExpressionError, filter_columns
from revops.model import ENTITIES
from revops.quality.rules import CHECK_TYPES, Recent, Reference, Rule, RuleFile

BUILTIN_PACKAGE = "revops.quality.builtin"
RULES_FOLDER = "rules"
OTHER_RULE_FILES = frozenset({"leads", "routing"})
"""Files of `rules/` that other components own (lead scoring and routing), by stem: not
quality rules."""


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


def read_file(path: Path) -> RuleFile:
    """One rules file, validated.

    Raises:
        ConfigError: unreadable file, bad YAML, or a rule that does not validate.
    """
    return read_definitions(
        path, RuleFile, "a mapping with `rules:`", union_tags={"check": CHECK_TYPES}
    )


def load_rules(root: Path | None, config: RevOpsConfig) -> RuleSet:
    """The built-in rules merged with the workspace's `rules/*.yaml`, checked.

    Raises:
        ConfigError: a file or a rule is invalid; names the file and the key.
    """
    rules: dict[str, Rule] = {}
    origins: dict[str, tuple[Path, str]] = {}
    files = definition_files(BUILTIN_PACKAGE, root, RULES_FOLDER)
    for path in (f for f in files if f.stem not in OTHER_RULE_FILES):
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
