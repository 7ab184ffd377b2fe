"""Reading `automations/*.yaml` (workflows) and `deliveries/*.yaml` (subscriptions)."""

from __future__ import annotations

import re
from pathlib import Path

from revops.automate.workflow import ACTION_KINDS, TRIGGER_KINDS, DeliveryFile, Workflow
from revops.definitions import read_definitions
from revops.errors import ConfigError

WORKFLOW_FOLDER = "automations"
DELIVERY_FOLDER = "deliveries"
_TAGS = "|".join((*TRIGGER_KINDS, *ACTION_KINDS))


def _without_tag(key: str | None) -> str | None:
    """The key without the union member's tag pydantic puts in the location.

    Examples:
        >>> _without_tag("actions[0].email.subject")
        'actions[0].subject'
        >>> _without_tag("trigger.record.entity")
        'trigger.entity'
    """
    if key is None:
        return None
    return re.sub(rf"^((?:trigger|actions\[[^\]]+\]))\.({_TAGS})\b\.?", r"\1.", key).rstrip(".")


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def read_workflows(root: Path) -> list[tuple[Path, Workflow]]:
    """Every workflow of the workspace, in file-name order, each with its file.

    Raises:
        ConfigError: bad YAML, a key that does not validate, a condition that does not
            parse, or two workflows with one name; names the file and the key.
    """
    from revops.metrics.expression import ExpressionError, filter_columns

    found: list[tuple[Path, Workflow]] = []
    seen: dict[str, Path] = {}
    for path in _files(root / WORKFLOW_FOLDER):
        try:
            workflow = read_definitions(path, Workflow, "a mapping with `trigger:` and `actions:`")
        except ConfigError as exc:
            raise ConfigError(path, _without_tag(exc.key), exc.problem) from None
        if workflow.name in seen:
            raise ConfigError(
                path, "name", f"{workflow.name!r} is also the name in {seen[workflow.name]}"
            )
        columns: tuple[str, ...] = ()
        if workflow.when is not None:
            try:
                columns = filter_columns(workflow.when)
            except ExpressionError as exc:
                raise ConfigError(path, "when", str(exc)) from None
        _check_columns(path, workflow, columns)
        for i, action in enumerate(workflow.actions):
            name = getattr(action, "sequence", None)
            if name is not None:
                from revops.automate.sequences import read_sequences

                known = read_sequences(root)
                if name not in known:
                    listed = ", ".join(sorted(known)) or "none in sequences/"
                    raise ConfigError(
                        path, f"actions[{i}].sequence", f"no sequence {name!r} ({listed})"
                    )
        seen[workflow.name] = path
        found.append((path, workflow))
    return found


def _check_columns(path: Path, workflow: Workflow, when: tuple[str, ...]) -> None:
    """The trigger's field and the condition's columns are columns of the entity."""
    from revops.model import ENTITIES

    entity = workflow.entity
    if entity is None:
        return
    known = {c.name for c in ENTITIES[entity].all_columns}
    named = [("trigger.field", getattr(workflow.trigger, "field", None))]
    named += [("when", c) for c in when]
    for key, column in named:
        if column is not None and column not in known:
            raise ConfigError(path, key, f"{entity} has no column {column!r}")


def read_deliveries(root: Path) -> list[tuple[Path, DeliveryFile]]:
    """Every delivery file of the workspace, in file-name order.

    Raises:
        ConfigError: bad YAML, a key that does not validate, two subscriptions with one name.
    """
    found: list[tuple[Path, DeliveryFile]] = []
    seen: set[str] = set()
    for path in _files(root / DELIVERY_FOLDER):
        file = read_definitions(path, DeliveryFile, "a mapping with `subscriptions:`")
        for i, sub in enumerate(file.subscriptions):
            if sub.name in seen:
                raise ConfigError(path, f"subscriptions[{i}].name", f"{sub.name!r} is used twice")
            seen.add(sub.name)
        found.append((path, file))
    return found
